# output_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  What desk prints for hostile text, on every output path, the
# rule for queue and tag names at each way of setting one, and the caps.
# Uses its own database, so the tests around it see nothing of it.

# shellcheck source=tests/cli/team_db.bash
. "$ROOT/tests/cli/team_db.bash"
db_new ODB output
OCFG=$TMP/output-config.yaml
: >"$OCFG"
o() { run --db "$ODB" --config "$OCFG" "$@"; }
o_in() { local input=$1; shift; run_in "$input" --db "$ODB" --config "$OCFG" "$@"; }
# raw_free WHAT FILE: no ESC, BEL, C1 (as UTF-8), DEL, U+2028/9 or bidi
# control in FILE, as bytes.
raw_free() {
	if LC_ALL=C grep -qP '\x1b|\x07|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9\xaa-\xae\x8e\x8f]|\xe2\x81[\xa6-\xa9]|\xd8\x9c' "$2"; then
		fail "$1 holds a raw control or bidi character:"$'\n'"$(od -c "$2" | head -20)"
	fi
}
# the hostile strings: an OSC title, C1 CSI, DEL, line separator, RLO
ESCQ=$'\e]0;pwned\a'
C1=$'\xc2\x9b31m'
NASTY="x${ESCQ}${C1}"$'\x7f\xe2\x80\xa8\xe2\x80\xae'"y"
# SQL for a text's bytes in hex, and for their number, per engine (the
# server has neither hex() nor BLOB; this SQLite has no octet_length).
if on_pg; then
	sql_hex() { echo "encode(convert_to($1, 'UTF8'), 'hex')"; }
	sql_bytes() { echo "octet_length($1)"; }
else
	sql_hex() { echo "hex($1)"; }
	sql_bytes() { echo "length(CAST($1 AS BLOB))"; }
fi

t "output: setup (a desk with hostile text in a ticket, and legacy names)"
o init
rc_is 0
o new --subject "S $NASTY" --name "N $NASTY" --email n@example.com --body "B $NASTY"
rc_is 0
# Names from before the rule (or from the sqlite3 shell) are still shown.
# ESC, BEL and U+009B go in the SQL literal as they are: both engines
# take them so (the server has no char()).
legacy=$(db_sql "$ODB" "UPDATE tickets SET queue = 'q${ESCQ}"$'\xc2\x9b'"' WHERE id = 1;
  INSERT INTO ticket_tags(ticket_id, tag) VALUES (1, '=HYPERLINK(1)');") ||
	fail "the legacy names were not written: $legacy"
end

t "output: report --csv: no raw escape from a queue name, no spreadsheet formula"
o report --csv --by queue --since 2000-01-01 --until 2100-01-01
rc_is 0
raw_free stdout "$W/out"
out_has 'queue,q^[]0;pwned^G<U+009B>,'
o report --csv --by tag --since 2000-01-01 --until 2100-01-01
rc_is 0
out_has "tag,'=HYPERLINK(1),"
end

t "output: JSON of show, list, export and report escape C1, DEL, U+2028 and bidi"
for cmd in "show 1 --json" "list --json" "export" "report --json --by queue"; do
	# shellcheck disable=SC2086
	o $cmd
	rc_is 0
	raw_free "$cmd" "$W/out"
done
o show 1 --json
py 'd["subject"][2:]' "$W/out" >"$W/subj"
printf '%s\n' "$NASTY" >"$W/want"
cmp -s "$W/subj" "$W/want" || fail "the subject did not come back the same from JSON"
o show 1 --json
has stdout "$W/out" '\u009b31m\u007f\u2028\u202e'
o export
has stdout "$W/out" '\u009b31m\u007f\u2028\u202e'
end

t "output: export with escapes imports back the same text"
db_new ORT output-rt
db_new OCOPY output-copy
run --db "$ORT" init
run --db "$ORT" new --subject "S $NASTY" --email rt@example.com --body "B $NASTY"
run --db "$ORT" export
cp "$W/out" "$TMP/output-export.jsonl"
raw_free export "$W/out"
run --db "$OCOPY" init
run --db "$OCOPY" import "$TMP/output-export.jsonl"
rc_is 0
for q in "SELECT $(sql_hex subject) FROM tickets" "SELECT $(sql_hex 'group_concat(body)') FROM messages"; do
	want=$(db_sql "$ORT" "$q")
	got=$(db_sql "$OCOPY" "$q")
	if [ -z "$want" ] || [ "$got" != "$want" ]; then
		fail "changed on the way through export and import: $q: $want, then $got"
	fi
done
end

t "output: usage errors show the arguments they quote sanitized"
for args in "show ${ESCQ}" "${ESCQ}" "--${ESCQ}" "list --sort ${ESCQ}" "report --by ${ESCQ}" \
	"set 1 ${ESCQ}" "import /nonexistent/${ESCQ}" "agent role x ${ESCQ}"; do
	# shellcheck disable=SC2086
	IFS=' ' o $args
	[ "$RC" = 2 ] || [ "$RC" = 1 ] || fail "desk $args: exit $RC"
	raw_free "stderr of desk $(printf '%q' "$args")" "$W/err"
	has stderr "$W/err" '^[]0;pwned^G'
done
o show $'\e]52;c;aGk=\a'
rc_is 2
err_is $'desk show: "^[]52;c;aGk=^G" is not a ticket number\nusage: desk show ID [--history] [--json]\nTry \'desk show --help\'.'
end

t "output: init quotes the database it created sanitized"
if on_pg; then
	# desk names a database on the server by the conninfo it was given
	db_new IEDB initesc
	IEDB+=" application_name=$ESCQ"
else
	mkdir -p "$TMP/initesc"
	IEDB=$TMP/initesc/${ESCQ}.db
fi
run --db "$IEDB" init
rc_is 0
raw_free "stdout of desk init" "$W/out"
out_has '^[]0;pwned^G'
end

t "output: a customer name of invisible characters does not look blank"
o new --subject "blank name" --name $'\xe2\x80\x8b\xe2\x80\x8b' --email z@example.com
rc_is 0
id=$(count "SELECT max(id) FROM tickets" "$ODB")
o show "$id"
out_has 'customer   <U+200B><U+200B> <z@example.com>'
o new --subject $'tag\xf3\xa0\x81\xa8\xf3\xa0\x81\xa9 smuggled' --name Ada --email z@example.com
o list
out_has 'tag<U+E0068><U+E0069> smuggled'
raw_free stdout "$W/out"
end

# --- queue and tag names: the same rule at every way in ----------------------

t "names: CLI set, new and ingest refuse a bad queue or tag, naming it"
o set 1 queue=Billing
rc_is 1
err_is "desk: queue \"Billing\": expected a queue name: $LABEL_RULE"
o set 1 $'tag+=a\xe2\x80\x8bb'
rc_is 1
err_is "desk: tag \"a<U+200B>b\": expected a tag name: $LABEL_RULE"
o new --subject x --email q@example.com --queue $'bad\e[1m'
rc_is 1
err_is "desk: queue \"bad^[[1m\": expected a queue name: $LABEL_RULE"
o new --subject x --email q@example.com --tag -x
rc_is 1
err_is "desk: tag \"-x\": expected a tag name: $LABEL_RULE"
o_in $'From: a@example.com\nSubject: hi\n\nbody\n' ingest --queue Sales
rc_is 75
err_has "queue \"Sales\": expected a queue name"
o set 1 queue=eu/billing-2 tag+=vip.gold
rc_is 0
# a tag from before the rule can still be taken off
o set 1 'tag-==HYPERLINK(1)'
rc_is 0
end

t "names: import refuses a bad queue or tag with the line"
printf '%s\n' '{"subject":"a","queue":"Billing"}' '{"subject":"b","tags":["ok","VIP"]}' >"$TMP/names.jsonl"
o import --skip-bad "$TMP/names.jsonl"
rc_is 1
err_has "names.jsonl:1: queue: expected a queue name ($LABEL_RULE), got \"Billing\""
err_has "names.jsonl:2: tags[1]: expected a tag name ($LABEL_RULE), got \"VIP\""
end

t "names: the config's default_queue, mail.default_queue, views and canned tags"
# Policy lives in the team's file, config.yaml beside the database.
team_names() { # case, text: a team file of its own, checked
	mkdir -p "$TMP/$1"
	printf '%s' "$2" >"$TMP/$1/config.yaml"
	team_db NDB "$TMP/$1/desk.db" "$ODB"
	DESK_SYSTEM_CONFIG=$NDB_SYS run --db "$NDB" config check
}
team_names n1 $'default_queue: General\n'
rc_is 1
err_is "desk: $TMP/n1/config.yaml:1:16: expected a queue name ($LABEL_RULE), got \"General\""
team_names n2 $'mail:\n  default_queue: "in box"\n'
rc_is 1
err_is "desk: $TMP/n2/config.yaml:2:18: expected a queue name ($LABEL_RULE), got \"in box\""
printf 'views:\n  - {name: v, filter: "status:open tag:Refund"}\n' >"$TMP/n3.yaml"
run --db "$ODB" --config "$TMP/n3.yaml" list
rc_is 1
err_is "desk: $TMP/n3.yaml:2:23: tag:Refund: expected a tag name ($LABEL_RULE), in \"status:open tag:Refund\""
printf -- '- name: r\n  title: R\n  body: hi\n  set: {tags: [ok, "Not OK"]}\n' >"$TMP/n4-canned.yaml"
team_names n4 "canned: $TMP/n4-canned.yaml"$'\n'
rc_is 1
err_is "desk: $TMP/n4-canned.yaml:4:20: expected a tag name ($LABEL_RULE), got \"Not OK\""
end

# --- caps ---------------------------------------------------------------------

t "caps: a subject, a body, a reply, a note, a name over the cap are refused"
long_subject=$(head -c 1001 /dev/zero | tr '\0' s)
o new --subject "$long_subject" --email c@example.com
rc_is 1
err_is "desk: subject: 1001 bytes, more than the 1000 bytes desk takes"
o set 1 "subject=$long_subject"
rc_is 1
err_is "desk: subject: 1001 bytes, more than the 1000 bytes desk takes"
o new --subject ok --name "$(head -c 257 /dev/zero | tr '\0' n)" --email c2@example.com
rc_is 1
err_is "desk: customer name: 257 bytes, more than the 256 bytes desk takes"
head -c 1048577 /dev/zero | tr '\0' b >"$TMP/big-body"
run_file "$TMP/big-body" --db "$ODB" --config "$OCFG" reply 1
rc_is 1
err_is "desk: the reply: 1048577 bytes, more than the 1 MiB desk takes"
run_file "$TMP/big-body" --db "$ODB" --config "$OCFG" note 1
rc_is 1
err_is "desk: the note: 1048577 bytes, more than the 1 MiB desk takes"
run_file "$TMP/big-body" --db "$ODB" --config "$OCFG" new --subject big --email c3@example.com
rc_is 1
err_is "desk: body: 1048577 bytes, more than the 1 MiB desk takes"
o agent add someone --name "$(head -c 257 /dev/zero | tr '\0' n)"
rc_is 1
err_is "desk: --name: 257 bytes, more than the 256 bytes desk takes"
[ "$(count "SELECT count(*) FROM messages WHERE length(body) > 1048576" "$ODB")" = 0 ] ||
	fail "a body over the cap was stored"
end

t "caps: import names the line, the field and the cap"
"$PYTHON" - "$TMP/caps.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"subject": "s" * 1001}) + "\n")
    f.write(json.dumps({"subject": "ok", "messages": [{"kind": "customer", "at": "2026-03-01T09:00:00Z", "body": "b" * 1048577}]}) + "\n")
    f.write(json.dumps({"subject": "ok", "customer": {"name": "n" * 257}}) + "\n")
    f.write(json.dumps({"subject": "fits", "messages": [{"kind": "customer", "at": "2026-03-01T09:00:00Z", "body": "b" * 1048576}]}) + "\n")
PY
o import --skip-bad "$TMP/caps.jsonl"
rc_is 1
err_has "caps.jsonl:1: subject: 1001 bytes, more than the 1000 bytes desk takes"
err_has "caps.jsonl:2: messages[0].body: 1048577 bytes, more than the 1 MiB desk takes"
err_has "caps.jsonl:3: customer.name: 257 bytes, more than the 256 bytes desk takes"
out_has "imported 1 new and 0 updated tickets; 3 bad lines skipped"
end

t "caps: an import line over 64 MiB is skipped without being held, the next line read"
"$PYTHON" - "$TMP/huge.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"subject":"' + "h" * (64 << 20) + '"}\n')
    f.write('{"subject":"after the long line"}\n')
PY
o import --skip-bad "$TMP/huge.jsonl"
rc_is 1
err_has "huge.jsonl:1: the line is 67108878 bytes, more than the 64 MiB desk takes in one line"
out_has "imported 1 new and 0 updated tickets; 1 bad lines skipped"
rm -f "$TMP/huge.jsonl"
end

t "caps: ingest keeps a mail whose body is over the cap, cut where it says so"
{
	printf 'From: %s <big@example.com>\nSubject: %s\nMessage-ID: <big@example.com>\n\n' \
		"$(head -c 300 /dev/zero | tr '\0' n)" "$long_subject"
	head -c 2000000 /dev/zero | tr '\0' m
	printf '\n'
} >"$TMP/big.eml"
run_file "$TMP/big.eml" --db "$ODB" --config "$OCFG" ingest
rc_is 0
last="(SELECT max(id) FROM messages)"
body=$(db_sql "$ODB" "SELECT length(body), substr(body, length(body) - 89) FROM messages WHERE id = $last")
case $body in
*"[desk: the text was cut here: it was 2000001 bytes, more than the 1 MiB desk keeps]"*) ;;
*) fail "the body was not cut visibly: $(printf '%s' "$body" | head -c 200)" ;;
esac
[ "$(count "SELECT $(sql_bytes subject) FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.id = $last" "$ODB")" = 1000 ] ||
	fail "the subject was not cut"
[ "$(count "SELECT $(sql_bytes name) FROM customers WHERE email = 'big@example.com'" "$ODB")" = 256 ] ||
	fail "the sender's name was not cut to 256 bytes"
end
