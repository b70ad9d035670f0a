# outbound_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W).  desk new --send: a ticket the agent starts by mailing the
# customer, on a database of its own with a stand-in sendmail that keeps
# its arguments and the message; the customer's answer (desk ingest)
# threads into it; refusals create nothing; desk config check names a
# follow-up rule's missing canned response; desk list shows a follow-up
# time in its DUE column.

# shellcheck source=tests/cli/team_db.bash
. "$ROOT/tests/cli/team_db.bash"
mkdir -p "$TMP/ob"
team_db OBDB "$TMP/ob/desk.db"
OBPERS=$TMP/ob/personal.yaml
OBSENT=$TMP/ob/sent
: >"$OBPERS"
cat >"$TMP/ob/sendmail" <<EOS
#!/bin/sh
for a in "\$@"; do echo "ARG \$a"; done >> '$OBSENT'
cat >> '$OBSENT'
EOS
chmod +x "$TMP/ob/sendmail"
printf 'mail:\n  support_address: Support <help@desk.test>\n  sendmail: ["%s", "-t", "-oi"]\n' \
	"$TMP/ob/sendmail" >"$TMP/ob/config.yaml"
ob_run() { DESK_SYSTEM_CONFIG=$OBDB_SYS run --db "$OBDB" --config "$OBPERS" "$@"; }
ob_q() { db_sql "$OBDB" "$1"; }

t "outbound: setup"
ob_run init
rc_is 0
end

t "new --send: the agent's first mail goes out; the ticket is theirs and pending"
: >"$OBSENT"
ob_run new --send --subject "Your renewal" --name "Ann Lee" --email ann@example.com \
	--body "Hi Ann, your plan renews on Monday." --cc boss@example.com --bcc audit@example.com
rc_is 0
out_is "desk: ticket 1 created"
err_is "desk: ticket 1 mailed to the customer: sendmail accepted it"
has "the envelope" "$OBSENT" "ARG ann@example.com"
has "the envelope" "$OBSENT" "ARG audit@example.com"
grep -v '^ARG ' "$OBSENT" >"$TMP/ob/mail"
has "the mail" "$TMP/ob/mail" "Subject: Your renewal [#1]"
has "the mail" "$TMP/ob/mail" "To: Ann Lee <ann@example.com>"
has "the mail" "$TMP/ob/mail" "Cc: boss@example.com"
has "the mail" "$TMP/ob/mail" "Hi Ann, your plan renews on Monday."
lacks "the mail" "$TMP/ob/mail" "Re: "
lacks "the mail" "$TMP/ob/mail" "In-Reply-To"
lacks "the mail" "$TMP/ob/mail" "Bcc"
ob_run show 1
out_has "status     pending"
out_has "assignee   $ME"
out_has "channel    email"
out_has "--- reply, $ME,"
out_has "Cc: boss@example.com"
out_has "Bcc: audit@example.com"
out_lacks "--- customer"
[ "$(ob_q "SELECT delivery FROM messages WHERE ticket_id = 1")" = sent ] ||
	fail "delivery: $(ob_q "SELECT delivery FROM messages WHERE ticket_id = 1")"
end

t "new --send: the customer's answer threads in by In-Reply-To and reopens it"
MID=$(sed -n 's/^Message-I[dD]: *<\(.*\)>.*/\1/p' "$TMP/ob/mail" | head -1)
printf 'From: Ann Lee <ann@example.com>\nTo: help@desk.test\nSubject: Re: renewal\nMessage-ID: <ann1@example.com>\nIn-Reply-To: <%s>\n\nYes, renew it.\n' \
	"$MID" >"$TMP/ob/answer"
DESK_SYSTEM_CONFIG=$OBDB_SYS run_file "$TMP/ob/answer" --db "$OBDB" --config "$OBPERS" ingest
rc_is 0
[ "$(ob_q "SELECT ticket_id FROM messages WHERE message_id = 'ann1@example.com'")" = 1 ] ||
	fail "the answer is on ticket $(ob_q "SELECT ticket_id FROM messages WHERE message_id = 'ann1@example.com'")"
ob_run show 1
out_has "status     open"
out_has "Yes, renew it."
[ "$(ob_q "SELECT count(*) FROM tickets")" = 1 ] || fail "a second ticket was made"
end

t "new --send with --status and --until; a failed sendmail says so (exit 75), the ticket stays"
cat >"$TMP/ob/config.yaml" <<YAML
mail:
  support_address: Support <help@desk.test>
  sendmail: [/bin/sh, -c, "echo 'mailq full' >&2; exit 75"]
YAML
ob_run new --send --subject "Parts on order" --email bo@example.com --body "We ordered it." \
	--status on_hold --until 3d
rc_is 75
out_is "desk: ticket 2 created"
err_has "ticket 2 saved; its first mail failed:"
err_has "mailq full"
err_has "desk outbox --retry"
ob_run show 2
out_has "status     on_hold"
[ "$(ob_q "SELECT delivery FROM messages WHERE ticket_id = 2")" = failed ] ||
	fail "delivery: $(ob_q "SELECT delivery FROM messages WHERE ticket_id = 2")"
[ -n "$(ob_q "SELECT follow_up_at FROM tickets WHERE id = 2")" ] || fail "no follow-up time"
printf 'mail:\n  support_address: Support <help@desk.test>\n  sendmail: ["%s", "-t", "-oi"]\n' \
	"$TMP/ob/sendmail" >"$TMP/ob/config.yaml"
end

t "new --send refusals: bad copies, no text, no address, not mailed: nothing created"
ob_run new --send --subject S --email cy@example.com --body hi --cc "ok@example.com, nope"
rc_is 2
err_has "--cc address \"nope\" is not a plain address desk can mail"
ob_run new --send --subject S --email cy@example.com --body hi --bcc -oQ/tmp
rc_is 2
err_has "--bcc address \"-oQ/tmp\""
ob_run new --send --subject S --email cy@example.com --body "   "
rc_is 1
err_has "a ticket started by mail needs the text to send the customer"
ob_run new --send --subject S --phone 555 --body hi
rc_is 2
err_has "--send mails the customer: give their --email"
ob_run new --send --subject S --email cy@example.com --channel phone --body hi
rc_is 1
err_has "a ticket started by mail must be mailed, and replies on phone tickets are not mailed"
ob_run new --send --note --subject S --email cy@example.com --body hi
rc_is 2
err_has "--note or --send"
ob_run new --subject S --email cy@example.com --body hi --cc boss@example.com
rc_is 2
err_has "--cc and --bcc are for a ticket started by mail (--send)"
ob_run new --subject S --email cy@example.com --body hi --status waiting
rc_is 2
err_has "--status waiting: expected"
[ "$(ob_q "SELECT count(*) FROM tickets")" = 2 ] || fail "tickets: $(ob_q "SELECT count(*) FROM tickets")"
end

t "list: the DUE column shows a waiting ticket's follow-up time (f and the time left)"
ob_run set 1 status=pending until=2d
rc_is 0
ob_run list --view all
out_match "^ +1 normal pending f[12]d "
out_match "^ +2 normal on_hold f[23]d "
end

t "config check: a follow-up rule naming a canned response that does not exist"
mkdir -p "$TMP/ob/rules"
team_db OBRDB "$TMP/ob/rules/desk.db" "$OBDB"
cat >"$TMP/ob/rules/canned.yaml" <<'YAML'
- name: nudge
  title: A nudge
  body: Any news?
YAML
cat >"$TMP/ob/rules/config.yaml" <<YAML
canned: $TMP/ob/rules/canned.yaml
follow_up_rules:
  - name: nudge-them
    when: on_hold
    after: 3d
    do: {status: open, canned: nudge}
  - name: close-quiet
    when: pending
    after: 7d
    do: {status: solved, canned: no-reply-closed}
YAML
DESK_SYSTEM_CONFIG=$OBRDB_SYS run --db "$OBRDB" --config "$OBPERS" config check
rc_is 1
err_has "$TMP/ob/rules/config.yaml:10:"
err_has "rule \"close-quiet\""
err_has "\"no-reply-closed\""
sed -i 's/no-reply-closed/nudge/' "$TMP/ob/rules/config.yaml"
DESK_SYSTEM_CONFIG=$OBRDB_SYS run --db "$OBRDB" --config "$OBPERS" config check
rc_is 0
out_has "(the team's file) is valid"
sed -i '/^canned:/d' "$TMP/ob/rules/config.yaml"
DESK_SYSTEM_CONFIG=$OBRDB_SYS run --db "$OBRDB" --config "$OBPERS" config check
rc_is 1
err_has "config.yaml:5:"
err_has "no canned file"
end
