# undo.bash: `u` in the console (issue 13): undoing the last change, its
# refusal when another agent changed the ticket in between, and undo
# send: a reply held for undo_send_seconds, taken back into a draft
# before sendmail ever sees it (also with another agent's change in
# between: the text comes back, the fields stay), sent once its time
# is up, and sent on the way out when the console quits.
#
#   bash tests/e2e/undo.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

"$DESK" agent add ben --name "Ben Other" >/dev/null 2>&1
new_id() { "$DESK" new "$@" 2>&1 | sed -n "s/.*ticket \([0-9][0-9]*\) created.*/\1/p"; }
field() { db_sql "SELECT $2 FROM tickets WHERE id = $1"; }
# open_ticket ID SUBJECT: the ticket in the conversation pane.
open_ticket() {
	keys :
	type_text "open $1"
	keys Enter
	wait_for "#$1 $2"
}
colon() {
	keys :
	type_text "$1"
	keys Enter
}

# --- undo of a change -------------------------------------------------------

t1=$(new_id --subject "UNDO-ONE" --phone 555-0101 --name "Una Phone" --body "Call me.")
start 200 50
wait_for "Queue: open ("
open_ticket "$t1" UNDO-ONE
colon "status pending"
wait_for "#$t1 is now pending."
keys u
if wait_for "Undone: #$t1: status back to new." && [ "$(field "$t1" status)" = new ]; then
	ok "u after a status change puts the status back and says so"
else
	fail "u after a status change puts the status back and says so" "status is $(field "$t1" status)"
fi
check "... written to the audit trail as an undo" \
	[ "$(db_sql "SELECT count(*) FROM events WHERE ticket_id = $t1 AND action = 'undo' AND field = 'status'")" = 1 ]

colon "status pending"
wait_for "#$t1 is now pending."
"$DESK" --as ben set "$t1" priority=high >/dev/null
keys u
if wait_for "nothing was undone: ticket $t1 changed since your change (ben set priority normal -> high at" &&
	[ "$(field "$t1" "status || ' ' || priority")" = "pending 2" ]; then
	ok "u after desk --as ben set in between is refused, naming ben and what he did"
else
	fail "u after desk --as ben set in between is refused, naming ben and what he did" \
		"ticket is $(field "$t1" "status || ' ' || priority")"
fi

# U unassigns now (u undoes)
colon "claim"
wait_for "#$t1 is yours."
keys U
if wait_for "#$t1 is unassigned." && [ -z "$(field "$t1" assignee_id)" ]; then
	ok "U unassigns"
else
	fail "U unassigns" "assignee $(field "$t1" assignee_id)"
fi
keys Q
wait_for "DESK-EXITED=0"

# --- undo send --------------------------------------------------------------

MAILD=$TMP/mail
mkdir -p "$MAILD"
# slow while $MAILD/slow exists: the console must say what it waits for
printf '#!/bin/sh\n[ -f "%s/slow" ] && sleep 3\ncat >>"%s/sent"\n' "$MAILD" "$MAILD" >"$MAILD/sendmail-ok"
chmod +x "$MAILD/sendmail-ok"
cp "$DESK_CONFIG" "$TMP/config-plain.yaml"
printf 'undo_send_seconds: 4\nmail:\n  support_address: "Help <help@desk.test>"\n  sendmail: ["%s/sendmail-ok", "-t"]\n' \
	"$MAILD" >>"$DESK_CONFIG"
sent_count() { grep -c 'E2E-EDIT' "$MAILD/sent" 2>/dev/null || echo 0; }
replies() { db_sql "SELECT count(*) FROM messages WHERE kind = 'reply' AND ticket_id = $1"; }
draft() { db_sql "SELECT body FROM drafts WHERE kind = 'reply' AND ticket_id = $1"; }
reply_to() {
	open_ticket "$1" "$2" || return 1
	keys r
	wait_for "Send the reply on #$1? (by mail)" || return 1
	keys s
}

t2=$(new_id --subject "UNSEND-TWO" --email two@example.com --name "Two Mail" --body "Where is it?")
start 200 50
wait_for "Queue: open ("
if reply_to "$t2" UNSEND-TWO && wait_for "Reply to #$t2 leaves in " &&
	[[ $SCREEN == *"u takes it back"* ]] && [[ $SCREEN != *"sent:"* ]]; then
	ok "a reply is held: the status line counts down and never says sent"
else
	fail "a reply is held: the status line counts down and never says sent" "no countdown"
fi
keys u
if wait_for "Reply to #$t2 taken back: it never left, it is your draft again and its changes are undone." &&
	[ "$(replies "$t2")" = 0 ] && [[ "$(draft "$t2")" == E2E-EDIT* ]] &&
	[ "$(field "$t2" status)" = new ]; then
	ok "u within the delay: the reply is a draft again, the ticket as before"
else
	fail "u within the delay: the reply is a draft again, the ticket as before" \
		"replies $(replies "$t2"), draft '$(draft "$t2")', status $(field "$t2" status)"
fi
sleep 5
check "... and nothing reached sendmail, even after the delay" [ "$(sent_count)" = 0 ]
check "... the audit trail says unsend" \
	[ "$(db_sql "SELECT count(*) FROM events WHERE ticket_id = $t2 AND action = 'unsend'")" = 1 ]

# another agent's change in between: the text comes back, the fields stay
t3=$(new_id --subject "UNSEND-THREE" --email three@example.com --name "Three Mail" --body "Hello?")
if reply_to "$t3" UNSEND-THREE && wait_for "Reply to #$t3 leaves in "; then
	"$DESK" --as ben set "$t3" tag+=ben-was-here >/dev/null
	keys u
	if wait_for "Reply to #$t3 taken back: it is your draft again; its changes stay: nothing was undone: ticket $t3 changed since your change (ben added tag ben-was-here" &&
		[ "$(replies "$t3")" = 0 ] && [[ "$(draft "$t3")" == E2E-EDIT* ]] &&
		[ "$(field "$t3" status)" = open ]; then
		ok "u after ben's change in between: the text is a draft again, the field undo is refused"
	else
		fail "u after ben's change in between: the text is a draft again, the field undo is refused" \
			"replies $(replies "$t3"), draft '$(draft "$t3")', status $(field "$t3" status)"
	fi
else
	fail "u after ben's change in between: the text is a draft again, the field undo is refused" "no countdown"
fi

# after the delay the mail goes
t4=$(new_id --subject "UNSEND-FOUR" --email four@example.com --name "Four Mail" --body "Anyone?")
before=$(sent_count)
if reply_to "$t4" UNSEND-FOUR && wait_for "Reply to #$t4 leaves in " &&
	[ "$(sent_count)" = "$before" ] && wait_for "Reply on #$t4 sent: sendmail accepted it." 10 &&
	[ "$(sent_count)" = $((before + 1)) ]; then
	ok "after the delay the reply goes to sendmail, and only then says sent"
else
	fail "after the delay the reply goes to sendmail, and only then says sent" "sent $(sent_count), before $before"
fi

# quitting with a reply held sends it then, and says so
t5=$(new_id --subject "UNSEND-FIVE" --email five@example.com --name "Five Mail" --body "Quick?")
before=$(sent_count)
if reply_to "$t5" UNSEND-FIVE && wait_for "Reply to #$t5 leaves in "; then
	touch "$MAILD/slow"
	keys Q
	if wait_for "Sending 1 held reply before leaving…" 5 && wait_for "DESK-EXITED=0" &&
		wait_for "desk: 1 held reply was sent on the way out (sendmail accepted it)" &&
		[ "$(sent_count)" = $((before + 1)) ]; then
		ok "quitting with a reply held says it is sending, sends it then and says so"
	else
		fail "quitting with a reply held says it is sending, sends it then and says so" "sent $(sent_count), before $before"
	fi
else
	fail "quitting with a reply held sends it then and says so" "no countdown"
fi
cp "$TMP/config-plain.yaml" "$DESK_CONFIG"

finish
