# outbound.bash: mail the console starts (issue 14).
#   - C, then "email: write to the customer": a new ticket whose first
#     message is the agent's mail, written in $EDITOR with Cc: lines at
#     the top, mailed; the status line says sent only once sendmail took
#     it, and says it failed when it did;
#   - a bad Cc address asks again with the text kept; nothing is created;
#   - r with "Cc:" and "Bcc:" lines at the top of the reply: taken off the
#     text, checked, Cc in the mail, Bcc only in the envelope, both shown
#     in the conversation; a bad one keeps the draft.
#
#   bash tests/e2e/outbound.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

MAILD=$TMP/mail
mkdir -p "$MAILD"
cat >"$MAILD/sendmail-ok" <<EOF
#!/bin/sh
for a in "\$@"; do echo "ARG \$a"; done >>"$MAILD/sent"
cat >>"$MAILD/sent"
EOF
printf '#!/bin/sh\necho "relay refused" >&2\nexit 1\n' >"$MAILD/sendmail-bad"
chmod +x "$MAILD/sendmail-ok" "$MAILD/sendmail-bad"
BASE=$(cat "$DESK_CONFIG")
# undo_send_seconds 0: the mail goes at once (the countdown has its own tests)
printf '%s\nundo_send_seconds: 0\nmail:\n  support_address: "Help <help@desk.test>"\n  sendmail: ["%s/sendmail-ok", "-t"]\n' \
	"$BASE" "$MAILD" >"$DESK_CONFIG"

# editor_writes TEXT: the next $EDITOR puts TEXT (printf format) on top.
editor_writes() {
	cat >"$TMP/editor.sh" <<EOF
#!/bin/sh
{ printf '$1'; cat "\$1"; } >"\$1.new" && mv "\$1.new" "\$1"
EOF
	chmod +x "$TMP/editor.sh"
}
q() { db_sql "$1"; }
colon() {
	keys :
	type_text "$1"
	keys Enter
}
# new_outbound WHO SUBJECT: C, the customer, the subject, then the
# outbound choice of the channel picker; the editor runs.
new_outbound() {
	keys C
	wait_for "Customer (name or email" || return 1
	type_text "$1"
	keys Enter
	wait_for "Which customer?" || return 1
	keys Enter
	wait_for "Subject:" || return 1
	type_text "$2"
	keys Enter
	wait_for "How did they get in touch?" || return 1
	wait_for "email: write to the customer (mailed by desk)" || return 1
	type_text "write"
	keys Enter
}

start 200 50
wait_for "Queue: open ("
tickets0=$(q "SELECT count(*) FROM tickets")

editor_writes 'Cc: nope\n\nHELLO-BAD\n'
new_outbound "ann.out@example.com" "OUT-BAD"
if wait_for 'Cc address "nope" is not a plain address desk can mail' &&
	wait_for "Create the ticket and mail it to ann.out@example.com" &&
	[ "$(q "SELECT count(*) FROM tickets")" = "$tickets0" ]; then
	ok "an outbound ticket with a bad Cc address asks again; nothing is created"
else
	fail "an outbound ticket with a bad Cc address asks again; nothing is created" \
		"tickets $(q "SELECT count(*) FROM tickets") (was $tickets0)"
fi
keys d
wait_for "Discard this ticket? (y/n)"
keys y
wait_for "Discarded."

editor_writes 'Cc: boss@example.com\n\nHELLO-OUTBOUND\n'
: >"$MAILD/sent"
new_outbound "ann.out@example.com" "OUT-RENEWAL"
if wait_for "Create the ticket and mail it to ann.out@example.com, Cc boss@example.com? (s)end"; then
	ok "the outbound mail is written in \$EDITOR; the question names the customer and the copy"
else
	fail "the outbound mail is written in \$EDITOR; the question names the customer and the copy" "no question"
fi
keys s
wait_for "sent: sendmail accepted it."
t=$(q "SELECT id FROM tickets WHERE subject = 'OUT-RENEWAL'")
if [ -n "$t" ] && wait_for "Reply on #$t sent: sendmail accepted it." &&
	wait_for "#$t OUT-RENEWAL" && wait_for "HELLO-OUTBOUND" && wait_for "Cc: boss@example.com"; then
	ok "s creates the ticket, shows it, and says sent once sendmail took the mail"
else
	fail "s creates the ticket, shows it, and says sent once sendmail took the mail" "ticket '$t'"
fi
check "... the first message is the agent's reply, mailed; the ticket is pending" \
	test "$(q "SELECT m.kind || ' ' || m.delivery || ' ' || t.status || ' ' || m.body FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.id = ${t:-0}")" = "reply sent pending HELLO-OUTBOUND"
check "... mailed to the customer with the copy, as a new thread" \
	sh -c "grep -q '^To: ann.out@example.com' '$MAILD/sent' && grep -q '^Cc: boss@example.com' '$MAILD/sent' && grep -q '^Subject: OUT-RENEWAL \[#${t:-0}\]' '$MAILD/sent'"

# A reply with copies at the top of its text.
r=$("$DESK" new --subject "CC-HINGE" --email cy@example.com --name "Cy" --channel email \
	--body "The hinge broke." 2>&1 | sed -n "s/.*ticket \([0-9][0-9]*\) created.*/\1/p")
colon "open $r"
wait_for "#$r CC-HINGE"
editor_writes 'Cc: boss2@example.com\nBcc: audit@example.com\n\nREPLY-WITH-COPIES\n'
: >"$MAILD/sent"
keys r
if wait_for "Send the reply on #$r? (by mail, Cc boss2@example.com, Bcc audit@example.com)"; then
	ok "r: Cc: and Bcc: lines at the top of the reply are named in the question"
else
	fail "r: Cc: and Bcc: lines at the top of the reply are named in the question" "no question"
fi
keys s
if wait_for "Reply on #$r sent: sendmail accepted it." && wait_for "Cc: boss2@example.com" &&
	wait_for "Bcc: audit@example.com"; then
	ok "... sent, and the conversation shows the copies"
else
	fail "... sent, and the conversation shows the copies" "not shown"
fi
check "... the stored text is without the header lines" \
	test "$(q "SELECT body || '|' || cc || '|' || bcc FROM messages WHERE ticket_id = ${r:-0} AND kind = 'reply'")" = "REPLY-WITH-COPIES|boss2@example.com|audit@example.com"
check "... Cc in the mail, Bcc only in the envelope" \
	sh -c "grep -q '^Cc: boss2@example.com' '$MAILD/sent' && grep -q '^ARG audit@example.com' '$MAILD/sent' && ! grep -qi '^Bcc' '$MAILD/sent' && grep -q '^REPLY-WITH-COPIES' '$MAILD/sent'"

editor_writes 'Bcc: -oQ/tmp\n\nBAD-BCC-REPLY\n'
replies=$(q "SELECT count(*) FROM messages WHERE ticket_id = ${r:-0} AND kind = 'reply'")
keys r
if wait_for 'Bcc address "-oQ/tmp" is not a plain address desk can mail' &&
	wait_for "Send the reply on #$r?"; then
	ok "a bad Bcc address asks again, naming it"
else
	fail "a bad Bcc address asks again, naming it" "no message"
fi
keys p
if wait_for "Draft saved" &&
	[ "$(q "SELECT count(*) FROM messages WHERE ticket_id = ${r:-0} AND kind = 'reply'")" = "$replies" ] &&
	q "SELECT body FROM drafts WHERE ticket_id = ${r:-0}" | grep -q "BAD-BCC-REPLY"; then
	ok "... nothing is sent, and p keeps the text as a draft"
else
	fail "... nothing is sent, and p keeps the text as a draft" "replies $(q "SELECT count(*) FROM messages WHERE ticket_id = ${r:-0} AND kind = 'reply'")"
fi

# The mail fails: the screen says so, never "sent".  (The team's file
# holds mail: rewritten, and read by a new console.)
printf '%s\nundo_send_seconds: 0\nmail:\n  support_address: "Help <help@desk.test>"\n  sendmail: ["%s/sendmail-bad"]\n' \
	"$BASE" "$MAILD" >"$DESK_CONFIG"
start 200 50
wait_for "Queue: open ("
editor_writes 'HELLO-FAILS\n'
new_outbound "bo.out@example.com" "OUT-FAILS"
wait_for "Create the ticket and mail it to bo.out@example.com? (s)end"
keys s
wait_for "mail failed:"
f=$(q "SELECT id FROM tickets WHERE subject = 'OUT-FAILS'")
if [ -n "$f" ] && wait_for "Reply saved on #$f; mail failed:" && wait_for "relay refused" &&
	[ "$(q "SELECT delivery FROM messages WHERE ticket_id = $f")" = failed ]; then
	ok "a failed sendmail is said on the status line, the mail kept in the outbox"
else
	fail "a failed sendmail is said on the status line, the mail kept in the outbox" "ticket '$f'"
fi
case $SCREEN in
*"sendmail accepted"*) fail "... never says sent" "it did" ;;
*) ok "... never says sent" ;;
esac
finish
