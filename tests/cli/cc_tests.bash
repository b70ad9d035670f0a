# cc_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  desk reply --cc/--bcc on a database of its own with a stand-in
# sendmail that keeps its arguments and the message: Cc in the header,
# Bcc only in the envelope (the arguments), bad addresses refused with
# nothing stored, copies shown by desk show.

# shellcheck source=tests/cli/team_db.bash
. "$ROOT/tests/cli/team_db.bash"
mkdir -p "$TMP/cc"
team_db CCDB "$TMP/cc/desk.db"
CCPERS=$TMP/cc/personal.yaml
CCSENT=$TMP/cc/sent
: >"$CCPERS"
cat >"$TMP/cc/sendmail" <<EOS
#!/bin/sh
for a in "\$@"; do echo "ARG \$a"; done >> '$CCSENT'
cat >> '$CCSENT'
echo '--END--' >> '$CCSENT'
EOS
chmod +x "$TMP/cc/sendmail"
printf 'mail:\n  support_address: Support <help@desk.test>\n  sendmail: ["%s", "-t", "-oi"]\n' \
	"$TMP/cc/sendmail" >"$TMP/cc/config.yaml"
cc_run() { DESK_SYSTEM_CONFIG=$CCDB_SYS run --db "$CCDB" --config "$CCPERS" "$@"; }

t "cc: setup (a mail ticket)"
cc_run init
rc_is 0
cc_run new --subject "Broken hinge" --name "Cy Young" --email cy@example.com --channel email \
	--body "The hinge broke."
rc_is 0
end

t "reply --cc --bcc: Cc in the header, Bcc only in the envelope"
: >"$CCSENT"
cc_run reply 1 --body "Copying my colleagues." --cc boss@example.com --cc "ops@example.com, Boss@example.com" \
	--bcc audit@example.com
rc_is 0
sed -n '/^ARG /p' "$CCSENT" >"$W/out"
out_is "ARG -oi
ARG --
ARG cy@example.com
ARG boss@example.com
ARG ops@example.com
ARG audit@example.com"
grep -v '^ARG ' "$CCSENT" >"$TMP/cc/mail"
has "the mail" "$TMP/cc/mail" "Cc: boss@example.com, ops@example.com"
lacks "the mail" "$TMP/cc/mail" "Bcc"
lacks "the mail" "$TMP/cc/mail" "audit@example.com"
end

t "desk show lists a reply's copies"
cc_run show 1
rc_is 0
out_has "Cc: boss@example.com, ops@example.com"
out_has "Bcc: audit@example.com"
end

t "reply --cc with only Cc keeps -t: the MTA reads To and Cc from the header"
: >"$CCSENT"
cc_run reply 1 --body "Only a copy." --cc boss@example.com
rc_is 0
has "the arguments" "$CCSENT" "ARG -t"
has "the mail" "$CCSENT" "Cc: boss@example.com"
end

t "reply --cc refuses a bad address; nothing is stored or sent"
before=$(count 'SELECT count(*) FROM messages' "$CCDB")
: >"$CCSENT"
cc_run reply 1 --body "x" --cc "boss@example.com" --cc "evil@example.com>\\nBcc: x@y"
rc_is 2
err_has "--cc address"
err_has "is not a plain address desk can mail"
cc_run reply 1 --body "x" --bcc "-oQ@example.com"
rc_is 2
err_has "--bcc address \"-oQ@example.com\""
[ "$(count 'SELECT count(*) FROM messages' "$CCDB")" = "$before" ] || fail "a message was stored"
[ ! -s "$CCSENT" ] || fail "sendmail ran"
end

t "note --cc is refused: notes are never mailed"
cc_run note 1 --body "internal" --cc boss@example.com
rc_is 2
err_has "a note is never mailed"
end

t "reply --cc on a ticket whose replies are not mailed is refused, nothing stored"
cc_run new --subject "Call me" --name "Di" --phone "+1 555" --channel phone --body "Call."
rc_is 0
before=$(count 'SELECT count(*) FROM messages' "$CCDB")
cc_run reply 2 --body "Called." --cc boss@example.com
rc_is 1
err_has "Cc and Bcc need a reply that is mailed"
[ "$(count 'SELECT count(*) FROM messages' "$CCDB")" = "$before" ] || fail "a message was stored"
end

t "forward: chosen messages to a third party, recorded as a note; their answer is a note"
: >"$CCSENT"
cc_run forward 1 --to eng@example.org --message 1 --body "Known hinge bug?"
rc_is 0
out_is "desk: note 5 added to ticket 1: forwarded to eng@example.org"
err_has "forward 5 mailed: sendmail accepted it"
grep -v '^ARG ' "$CCSENT" >"$TMP/cc/mail"
has "the forward" "$TMP/cc/mail" "To: eng@example.org"
has "the forward" "$TMP/cc/mail" "Subject: Fwd: Broken hinge [#1]"
has "the forward" "$TMP/cc/mail" "> The hinge broke."
lacks "the forward" "$TMP/cc/mail" "Copying my colleagues."
lacks "the forward" "$TMP/cc/mail" "cy@example.com"
fid=$(sed -n 's/^Message-Id: <\(.*\)>$/\1/p' "$TMP/cc/mail")
[ -n "$fid" ] || fail "no Message-Id in the forward"
cc_run set 1 status=pending
rc_is 0
printf 'From: Eng <eng@example.org>\nSubject: Re: Fwd: Broken hinge [#1]\nMessage-ID: <e1@example.org>\nIn-Reply-To: <%s>\n\nYes, fixed in 2.1.\n' "$fid" >"$TMP/cc/answer"
DESK_SYSTEM_CONFIG=$CCDB_SYS run_file "$TMP/cc/answer" --db "$CCDB" --config "$CCPERS" ingest
rc_is 0
cc_run show 1
rc_is 0
out_has "Forwarded to: eng@example.org"
out_has "--- internal note, eng@example.org,"
out_has "Yes, fixed in 2.1."
[ "$(db_sql "$CCDB" 'SELECT status FROM tickets WHERE id = 1')" = pending ] || fail "the answer changed the status"
end

t "forward: refusals (bad --to, no --to, a message of another ticket), nothing stored"
before=$(count 'SELECT count(*) FROM messages' "$CCDB")
cc_run forward 1 --to "eng@example.org, x@evil.example"
rc_is 2
err_has "is not a plain address desk can mail"
cc_run forward 1
rc_is 2
err_has "forward to whom? (--to ADDR)"
cc_run forward 1 --to eng@example.org --message 4
rc_is 1
err_has "ticket 1 has no message 4"
[ "$(count 'SELECT count(*) FROM messages' "$CCDB")" = "$before" ] || fail "a message was stored"
end
