# kb_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W, $ROOT).  desk kb search|show|check on a database of its own whose
# team file (config.yaml beside it) names a copy of tests/data/kb: an
# article found, shown rendered and raw, a file edited or removed seen at
# the next command, broken front matter named as FILE:LINE:COL, and an
# article counted in desk report once a reply used it.  On either engine:
# on the server the team file is named by DESK_SYSTEM_CONFIG (kb_team).

KBD=$TMP/kbdesk
mkdir -p "$KBD"
cp -r "$ROOT/tests/data/kb" "$KBD/kb"
printf 'knowledge_base:\n  path: kb\n  public_url: https://help.example.com/kb/{slug}\n' \
	>"$KBD/config.yaml"
: >"$KBD/personal.yaml"
db_new KDB kbdesk/desk # beside config.yaml on SQLite
# kb_team CMD...: CMD with the team file of $KDB (beside it on SQLite).
kb_team() {
	if on_pg; then
		DESK_SYSTEM_CONFIG=$KBD/config.yaml "$@"
	else
		"$@"
	fi
}
kb() { kb_team run --db "$KDB" --config "$KBD/personal.yaml" "$@"; }

t "kb: setup (a database whose team file names the knowledge base)"
kb init
rc_is 0
kb config show
out_has "knowledge_base: $KBD/kb"
out_has "  public_url: https://help.example.com/kb/{slug}"
end

t "kb search finds articles by title, tag and body words (prefixes), best first"
kb kb search pass
rc_is 0
out_is "reset-password	Resetting your password	public	account, password"
err_empty
kb kb search billing
rc_is 0
out_has "invoices	Where to find your invoices	public	billing"
out_has "refund-policy	Refund policy (internal)	internal	billing, refund"
kb kb search refund 30 days
rc_is 0
out_is "refund-policy	Refund policy (internal)	internal	billing, refund"
kb kb search nothing-like-this
rc_is 1
out_empty
err_is "desk kb search: no article matches"
end

t "kb search --json: slug, title, tags, audience, file and the public link"
kb kb search --json invoice
rc_is 0
cp "$W/out" "$W/kb.json"
jmany "$W/kb.json" <<'EOF'
len(d) => 1
d[0]["slug"] => invoices
d[0]["tags"] => ["billing"]
d[0]["audience"] => public
d[0]["file"] => billing/invoices.md
d[0]["url"] => https://help.example.com/kb/invoices
EOF
kb kb search refund --json
rc_is 0
cp "$W/out" "$W/kb.json"
jis 'd[0]["url"]' null "$W/kb.json"
end

t "kb show renders the article for a terminal; --raw prints its Markdown"
kb kb show reset-password
rc_is 0
out_has "Title: Resetting your password"
out_has "Link: https://help.example.com/kb/reset-password"
out_has "1. Open the sign-in page <https://app.example.com/login>."
out_has "If you forgot your password, you can set a new one in a minute:"
out_lacks "**"
kb kb show reset-password --raw
rc_is 0
out_has "If you **forgot your password**, you can set a new one in a minute:"
out_lacks "Title:"
kb kb show refund-policy
out_lacks "Link:"
kb kb show no-such-article
rc_is 1
err_is "desk: no article \"no-such-article\" in the knowledge base"
kb kb show
rc_is 2
end

t "kb: an article edited, added or removed is seen at the next command"
sed -i 's/30 days/45 days/' "$KBD/kb/refund-policy.md"
kb kb search 45
rc_is 0
out_has "refund-policy"
kb kb search 30 days
rc_is 1
printf -- '---\ntitle: Shipping times\ntags: [shipping]\naudience: public\n---\nTwo to *five* days.\n' \
	>"$KBD/kb/shipping.md"
kb kb search shipping
rc_is 0
out_is "shipping	Shipping times	public	shipping"
rm "$KBD/kb/shipping.md"
kb kb search shipping
rc_is 1
[ "$(count 'SELECT count(*) FROM kb_files' "$KDB")" = 3 ] ||
	fail "kb_files: $(count 'SELECT file FROM kb_files' "$KDB")"
end

t "kb check: none on the sample; broken front matter named FILE:LINE:COL, exit 1"
kb kb check
rc_is 0
out_is "desk kb check: 3 articles, no problems"
printf -- '---\ntitle: Broken\naudiance: public\n---\nx\n' >"$KBD/kb/broken.md"
printf -- '---\ntags: [a]\n---\nx\n' >"$KBD/kb/billing/untitled.md"
printf -- '---\ntitle: Twice\n---\nx\n' >"$KBD/kb/billing/reset-password.md"
kb kb check
rc_is 1
out_has "$KBD/kb/broken.md:3:1: unknown key \"audiance\" in the front matter; expected one of: title, tags, audience"
out_has "$KBD/kb/billing/untitled.md:2:1: missing key \"title\" in the front matter"
out_has "$KBD/kb/reset-password.md:1: duplicate slug \"reset-password\""
err_is "desk kb check: 3 problems in 6 article files"
# search goes on with the good ones, and says some were left out
kb kb search pass
rc_is 0
out_is "reset-password	Resetting your password	public	account, password"
err_is "desk kb: 3 files with a problem left out (desk kb check names them)"
rm "$KBD/kb/broken.md" "$KBD/kb/billing/untitled.md" "$KBD/kb/billing/reset-password.md"
end

t "kb: no knowledge base configured, a bad public_url"
db_new KNONE kb_none
run --db "$KNONE" --config "$KBD/personal.yaml" init
run --db "$KNONE" --config "$KBD/personal.yaml" kb search x
rc_is 1
err_has "no knowledge base: set knowledge_base: {path: FOLDER} in the team's config.yaml"
printf 'knowledge_base: {path: /srv/kb}\n' >"$KBD/personal-kb.yaml"
kb_team run --db "$KDB" --config "$KBD/personal-kb.yaml" kb check
rc_is 1
err_has "knowledge_base is the team's policy, not a personal setting"
end

t "kb: desk reply --article records the use; desk report counts it"
kb new --subject "Password" --name "Ann Lee" --email ann@example.com --body "Locked out"
rc_is 0
tid=$(count "SELECT max(id) FROM tickets" "$KDB")
kb kb show reset-password
sed -n '/^$/,$p' "$W/out" >"$W/article.txt"
kb reply "$tid" --body "$(cat "$W/article.txt")" --article reset-password
rc_is 0
kb reply "$tid" --body "Also: https://help.example.com/kb/invoices" --article invoices \
	--article reset-password
rc_is 0
kb reply "$tid" --body "No such" --article reset-pasword
rc_is 1
err_is "desk: --article: no article \"reset-pasword\" in the knowledge base"
kb note "$tid" --body "x" --article invoices
rc_is 2
[ "$(count "SELECT count(*) FROM messages WHERE ticket_id = $tid AND kind = 'reply'" "$KDB")" = 2 ] ||
	fail "a refused --article stored its reply"
[ "$(count "SELECT count(*) FROM kb_uses WHERE ticket_id = $tid" "$KDB")" = 3 ] ||
	fail "kb_uses: $(count "SELECT slug FROM kb_uses" "$KDB")"
# --until tomorrow: the replies of this very second are inside the period
kb report --until "$(date -u -d tomorrow +%F)"
rc_is 0
out_has "KNOWLEDGE BASE: articles used in replies"
out_match "^ +2  reset-password  Resetting your password$"
out_match "^ +1  invoices  Where to find your invoices$"
kb report --until "$(date -u -d tomorrow +%F)" --json
python3 -c 'import json,sys; l=json.load(sys.stdin)["knowledge_base"]; assert l==[{"slug":"reset-password","title":"Resetting your password","uses":2},{"slug":"invoices","title":"Where to find your invoices","uses":1}], l' <"$W/out" ||
	fail "--json knowledge_base: $(cat "$W/out")"
kb report --since 2020-01-01 --until 2020-02-01
out_has "KNOWLEDGE BASE: articles used in replies: none"
end
