# kb.bash: the knowledge base in the console (issue 15): `B` opens it
# with the ticket's subject's suggestions, typing searches, the preview
# shows the article rendered (no Markdown marks), Enter puts its text in
# a reply (the scripted editor, then send), Tab its public link (refused
# for an internal article), an article saved meanwhile is found without
# a restart, and `desk report` counts the articles the replies used.
#
#   bash tests/e2e/kb.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

KB=$TMP/kb
cp -r "$ROOT/tests/data/kb" "$KB"
printf 'knowledge_base:\n  path: %s\n  public_url: https://help.example.com/kb/{slug}\n' \
	"$KB" >>"$DESK_CONFIG"
colon() {
	keys :
	type_text "$1"
	keys Enter
}
q() { db_sql "$1"; }
last_reply() { q "SELECT body FROM messages WHERE ticket_id = $1 AND kind = 'reply' ORDER BY id DESC LIMIT 1"; }
uses() { q "SELECT count(*) FROM kb_uses WHERE ticket_id = $1"; }

t=$("$DESK" new --subject "KBT I forgot my password" --email kay@example.com --name "Kay" \
	--channel email --body "Cannot sign in." 2>&1 | sed -n "s/.*ticket \([0-9][0-9]*\) created.*/\1/p")
start 160 45
wait_for "Queue: open ("
colon "open $t"
wait_for "#$t KBT I forgot my password"

keys B
if wait_for "Knowledge base: Enter inserts" && wait_for "suggested for \"KBT I forgot my password\"" &&
	wait_for "reset-password"; then
	ok "B opens the knowledge base with the articles the ticket's subject suggests"
else
	fail "B opens the knowledge base with the articles the ticket's subject suggests" "$SCREEN"
fi
cap
if wait_for "1. Open the sign-in page <https://app.example.com/login>." &&
	wait_for "If you forgot your password, you can set a new one in a minute:" &&
	! printf '%s\n' "$SCREEN" | grep -q '\*\*\|^ *# '; then
	ok "the preview shows the article rendered: links as text <url>, no ** or # marks"
else
	fail "the preview shows the article rendered: links as text <url>, no ** or # marks" "$SCREEN"
fi

type_text "refu"
if wait_for "refund-policy" && wait_for "Refund within 30 days of purchase without asking why." &&
	wait_gone "reset-password"; then
	ok "typing searches as you type (a prefix), the preview follows the selection"
else
	fail "typing searches as you type (a prefix), the preview follows the selection" "$SCREEN"
fi
keys Tab
check "Tab on an internal article refuses its link" wait_for "is an internal article: it is never linked"
[ "$(uses "$t")" = 0 ] && ok "... and nothing was put in a reply" || fail "... and nothing was put in a reply" "$(uses "$t")"

keys C-u
wait_for "reset-password"
keys Enter
if wait_for "Send the reply on #$t"; then
	keys s
	wait_for "Reply saved on #$t"
fi
body=$(last_reply "$t")
if printf '%s\n' "$body" | grep -q "^E2E-EDIT Resetting your password$" &&
	printf '%s\n' "$body" | grep -qF "1. Open the sign-in page <https://app.example.com/login>." &&
	! printf '%s\n' "$body" | grep -qF "**"; then
	ok "Enter puts the article's text, rendered, in a reply the editor opens on; it is sent"
else
	fail "Enter puts the article's text, rendered, in a reply the editor opens on; it is sent" "$body"
fi
check "... and the use is recorded with the reply" test "$(q "SELECT slug FROM kb_uses WHERE ticket_id = $t")" = reset-password

# An article saved while the console runs is found at the next B.
printf -- '---\ntitle: Two-factor codes\ntags: [account]\naudience: public\n---\nCodes come by *SMS*.\n' \
	>"$KB/two-factor.md"
keys B
wait_for "Knowledge base: Enter inserts"
type_text "two-fac"
if wait_for "two-factor" && wait_for "Codes come by SMS."; then
	ok "an article added to the folder is found without a restart"
else
	fail "an article added to the folder is found without a restart" "$SCREEN"
fi
# At a tiny size the overlay still draws, never wider than the terminal.
resize 30 8
# redrawn once the preview (no room for it now) is gone
if wait_gone "Codes come by SMS." && cap && fits 30 && ! printf '%s\n' "$SCREEN" | grep -q "DESK-EXITED"; then
	ok "the knowledge base fits a 30x8 terminal"
else
	fail "the knowledge base fits a 30x8 terminal" "$SCREEN"
fi
resize 160 45
wait_for "Codes come by SMS."
keys Tab
if wait_for "Send the reply on #$t"; then
	keys s
	wait_for "Reply saved on #$t"
fi
body=$(last_reply "$t")
if printf '%s\n' "$body" | grep -qF "Two-factor codes: https://help.example.com/kb/two-factor"; then
	ok "Tab puts the public article's link in a reply"
else
	fail "Tab puts the public article's link in a reply" "$body"
fi
check "... counted too" test "$(uses "$t")" = 2

# Postponed, then resumed with r and sent: the article still counts.
keys B
wait_for "Knowledge base: Enter inserts"
type_text "invoic"
wait_for "Your invoices are under Account > Billing."
keys Enter
if wait_for "Send the reply on #$t"; then
	keys p
	wait_for "Draft saved"
fi
keys r
if wait_for "You have an unsent reply on #$t"; then
	keys r
	if wait_for "Send the reply on #$t"; then
		keys s
		wait_for "Reply saved on #$t"
	fi
fi
check "a reply postponed with its article and sent later counts it" \
	test "$(q "SELECT count(*) FROM kb_uses WHERE ticket_id = $t AND slug = 'invoices'")" = 1
# --until tomorrow: a reply of this very second is inside the period
report=$("$DESK" report --until "$(date -u -d tomorrow +%F)" 2>&1)
if printf '%s\n' "$report" | grep -q "^KNOWLEDGE BASE: articles used in replies$" &&
	printf '%s\n' "$report" | grep -Eq "^ +1  reset-password  Resetting your password$" &&
	printf '%s\n' "$report" | grep -Eq "^ +1  two-factor  Two-factor codes$" &&
	printf '%s\n' "$report" | grep -Eq "^ +1  invoices  Where to find your invoices$"; then
	ok "desk report counts each article used in replies"
else
	fail "desk report counts each article used in replies" "$report"
fi
finish
