# console.bash: end-to-end tests of the console: panes, keys, prompts,
# compose, the queue under other agents' changes, delivery.
#
#   bash tests/e2e/console.bash PATH-TO-DESK     (run.sh runs every file)

source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"
# --- the tests -----------------------------------------------------------

start 200 50
if wait_for "Queue: open (" && wait_for "? help"; then
	rows=$(count_lines '^ *[0-9]+ (URG|high|norm|low) ')
	if [ "$rows" -ge 10 ] && [[ $SCREEN == *"Subject"* ]] && [[ $SCREEN == *"Customer #"* ]]; then
		ok "the queue shows tickets, with the conversation and customer panes beside it"
	else
		fail "the queue shows tickets, with the conversation and customer panes beside it" "$rows ticket rows"
	fi
else
	fail "the queue shows tickets, with the conversation and customer panes beside it" "no queue"
fi

# Move down two rows and open: the conversation shows that ticket.
cap
ids=($(queue_ids))
third=${ids[2]:-0}
keys j j Enter
if wait_for "#$third " && wait_for "── CUSTOMER · " && wait_for "*#$third "; then
	ok "moving and opening shows the ticket's thread and the customer's history"
else
	fail "moving and opening shows the ticket's thread and the customer's history" "ticket $third not shown"
fi
subject=$("$DESK" list --json --view all 2>/dev/null | python3 -c "
import json,sys
for t in json.load(sys.stdin):
    if t['id']==$third: print(t['subject'][:20])" 2>/dev/null)
check "the conversation title is the ticket's subject" wait_for "#$third $subject"

# Tab cycles panes; the history pane lists the customer's tickets.
keys Tab
check "Tab moves to the customer's history" wait_for "Tickets ("
keys q
check "q goes back to the queue" wait_for "Queue: open ("

# Help from the live keymap.
keys '?'
# (wait for the whole overlay: the terminal may show it in pieces)
if wait_for "Help: keys and actions" && wait_for "canned-reply" && [[ $SCREEN == *"C-d"* ]]; then
	ok "? shows the keys from the action table"
else
	fail "? shows the keys from the action table" "no help"
fi
keys q
check "q closes the help" wait_gone "Help: keys and actions"

# Reply with a canned response through the scripted editor.
cap
count_before=$(printf '%s\n' "$SCREEN" | sed -n 's/.*Queue: open (\([0-9]*\)).*/\1/p' | head -1)
ids=($(queue_ids))
target=${ids[2]:-0}
customer=$("$DESK" list --json --view all 2>/dev/null | python3 -c "
import json,sys
for t in json.load(sys.stdin):
    if t['id']==$target: print(t['customer'].split()[0])" 2>/dev/null)
keys R
if wait_for "Canned reply" && wait_for "refund-approved"; then
	type_text "refund"
	keys Enter
	if wait_for "Send the reply on #$target?"; then
		keys s
		if wait_for "Reply saved on #$target; not mailed: mail is not set up"; then
			out=$(desk_show "$target")
			if [[ $out == *"E2E-EDIT Hi $customer,"* ]] && [[ $out == *"mention"*"ticket #$target."* ]] &&
				[[ $out != *"{{"* ]] && [[ $out != *"everything below this line"* ]]; then
				ok "a canned reply edited in \$EDITOR is stored with its placeholders expanded"
			else
				fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "desk show: $out"
			fi
			status=$("$DESK" show --json "$target" | python3 -c "import json,sys; t=json.load(sys.stdin); print(t['status'], ' '.join(t.get('tags', [])))")
			check "the canned response's macro solved and tagged the ticket" test "${status%% *}" = solved -a -n "$(echo "$status" | grep -w refund)"
			want=$((count_before - 1))
			if wait_for "Queue: open ($want)" && wait_for "[solved by you] " &&
				keys j && wait_gone "[solved by you] " && ! queue_ids | grep -qx "$target"; then
				ok "the queue updates: the solved ticket stays marked under the cursor, then leaves the open view"
			else
				fail "the queue updates: the solved ticket stays marked under the cursor, then leaves the open view" "count $count_before, ticket $target"
			fi
		else
			fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "not sent"
		fi
	else
		fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "no send prompt"
	fi
else
	fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "no picker"
fi

# Status through the picker, tags through the prompt and `:`.
cap
ids=($(queue_ids))
t2=${ids[0]:-0}
keys g
keys s
if wait_for "Status of #$t2"; then
	type_text "pend"
	keys Enter
	wait_for "#$t2 is now pending"
	st=$("$DESK" show --json "$t2" | python3 -c "import json,sys; print(json.load(sys.stdin)['status'])")
	check "setting the status with s stores it" test "$st" = pending
else
	fail "setting the status with s stores it" "no status picker"
fi
keys t
if wait_for "Add tags to #$t2"; then
	type_text "e2e-one e2e-two"
	keys Enter
	# tags no ticket carries yet: asked about first
	wait_for 'tags "e2e-one", "e2e-two" are new: create them? (y/n)' 3 && keys y
	wait_for "#$t2: tagged e2e-one e2e-two"
	tags=$("$DESK" show --json "$t2" | python3 -c "import json,sys; print(' '.join(json.load(sys.stdin).get('tags', [])))")
	check "adding tags with t stores them" test -n "$(echo "$tags" | grep -w e2e-one | grep -w e2e-two)"
else
	fail "adding tags with t stores them" "no tag prompt"
fi
keys :
wait_for ":"
type_text "tag-remove e2e-one"
keys Enter
wait_for "#$t2: untagged e2e-one"
tags=$("$DESK" show --json "$t2" | python3 -c "import json,sys; print(' '.join(json.load(sys.stdin).get('tags', [])))")
check "the command prompt runs tag-remove" test -z "$(echo "$tags" | grep -w e2e-one)" -a -n "$(echo "$tags" | grep -w e2e-two)"

# Other agents' changes show up by themselves.
"$DESK" set "$t2" priority=low >/dev/null
check "a change made elsewhere appears within a second" wait_for "low · " 4

# Sizes.
resize 80 24
if wait_for "Queue: open (" && wait_for "? help" && fits 80; then
	rows=$(count_lines '^ *[0-9]+ (URG|high|norm|low) ')
	n=$(printf '%s\n' "$SCREEN" | wc -l)
	if [ "$rows" -ge 15 ] && [ "$n" -le 24 ] && [[ "$(line 24)" == *"? help"* || "$(line 23)" == *"? help"* ]]; then
		ok "80x24: one pane, the queue, the status line with its keys"
	else
		fail "80x24: one pane, the queue, the status line with its keys" "$rows rows, $n lines"
	fi
else
	fail "80x24: one pane, the queue, the status line with its keys" "not redrawn"
fi
resize 30 8
if wait_for "Queue: open" && fits 30; then
	rows=$(count_lines '^ *[0-9]+ ')
	if [ "$rows" -ge 3 ] && [[ "$(line 7)" == *"open ("* ]]; then
		ok "30x8: still the queue and the status line, nothing wider than 30"
	else
		fail "30x8: still the queue and the status line, nothing wider than 30" "$rows rows"
	fi
else
	fail "30x8: still the queue and the status line, nothing wider than 30" "not redrawn"
fi
resize 16 5
check "16x5: says the terminal is too small" wait_for "terminal too"
keys j
resize 200 50
if wait_for "Customer #" && wait_for "Queue: open (" && wait_for "? help" && fits 200; then
	ok "200x50: back to three panes after being tiny"
else
	fail "200x50: back to three panes after being tiny" "not redrawn"
fi

# A hostile ticket: escape sequences, controls, C1, bidi, bad UTF-8.
evil_subject=$(printf 'EVIL\033[31mRED\033[2J\033[10;10HMOVED\033]0;pwned-title\007END')
evil_body=$(printf 'Body \033[1;1H\033[2Jcleared?\n\033]0;pwned-body\007\033]52;c;Ym9keQ==\007 BEL\007CR\rBS\b\bX\nC1raw:\233 utf8:\302\233 bidi:\342\200\256gnol\n\377\376bad utf8')
evil=$("$DESK" new --subject "$evil_subject" --email evil@example.com --name $'Eve \e[7mIL' --body "$evil_body" 2>&1 | sed -n 's/.*ticket \([0-9]*\) created.*/\1/p')
keys :
type_text "open $evil"
keys Enter
if wait_for "#$evil EVIL^[[31mRED^[[2J^[[10;10HMOVED^[]0;pwned-title^GEND" &&
	wait_for "Body ^[[1;1H^[[2Jcleared?" && wait_for "^[]0;pwned-body^G^[]52;c;Ym9keQ==^G BEL^GCR^MBS^H^HX" &&
	wait_for ": Eve ^[[7mIL"; then
	ok "a hostile subject, body and name are shown as visible text (^[, ^G, ^M, ^H)"
else
	fail "a hostile subject, body and name are shown as visible text (^[, ^G, ^M, ^H)" "ticket $evil"
fi
cap
title=$("${TM[@]}" display-message -p -t "$SESS" '#{pane_title}')
buffers=$("${TM[@]}" list-buffers 2>/dev/null | wc -l)
if [[ $SCREEN == *"C1raw:"$'\ufffd'" utf8:<U+009B> bidi:gnol"* ]] && [[ $SCREEN != *$'\u202e'* ]] &&
	[[ $SCREEN == *$'\ufffd\ufffd'"bad utf8"* ]] && [[ $title != *pwned* ]] && [ "$buffers" -eq 0 ]; then
	ok "C1 controls, bidi overrides and bad UTF-8 are neutralised; no title or clipboard set"
else
	fail "C1 controls, bidi overrides and bad UTF-8 are neutralised; no title or clipboard set" "title '$title', $buffers buffers"
fi
# The rest of the screen is intact: the queue, the status line, the
# rules between the three panes on every row.
rules=$(count_lines '│.*│')
if [[ "$(line 1)" == *"Queue: open ("* ]] && [[ "$(line 49)" == *"? help"* ]] && [ "$rules" -ge 47 ] && fits 200 &&
	[[ $SCREEN != *"MOVED"*"cleared?"*"MOVED"* ]]; then
	ok "the rest of the screen is intact around the hostile ticket"
else
	fail "the rest of the screen is intact around the hostile ticket" "$rules rows with both rules"
fi

# A long thread opens at its latest messages with the older ones
# wrapped only when scrolled to: "N older above", then g shows the first.
long=$("$DESK" new --subject "LONG-THREAD" --email long@example.com --name "Long Writer" \
	--body "FIRST-OF-THE-THREAD" 2>&1 | sed -n 's/.*ticket \([0-9]*\) created.*/\1/p')
for i in $(seq 1 40); do
	"$DESK" note "$long" --body "note $i of the long thread
second line of note $i" >/dev/null
done
"$DESK" note "$long" --body "LAST-OF-THE-THREAD" >/dev/null
keys :
type_text "open $long"
keys Enter
if wait_for "#$long LONG-THREAD" && wait_for "LAST-OF-THE-THREAD" && wait_for "older above"; then
	cap
	if [[ $SCREEN != *"FIRST-OF-THE-THREAD"* ]]; then
		ok "a long thread opens at its latest message, the older ones marked as above"
	else
		fail "a long thread opens at its latest message, the older ones marked as above" "first message shown"
	fi
else
	fail "a long thread opens at its latest message, the older ones marked as above" "ticket $long"
fi
keys g # :open leaves the conversation focused
if wait_for "FIRST-OF-THE-THREAD" && wait_gone "older above"; then
	cap
	if [[ $SCREEN == *"note 1 of the long thread"* ]] && [[ $SCREEN != *"LAST-OF-THE-THREAD"* ]]; then
		ok "g in the conversation goes to the first message of a long thread"
	else
		fail "g in the conversation goes to the first message of a long thread" "not at the top"
	fi
else
	fail "g in the conversation goes to the first message of a long thread" "first message not shown"
fi
keys G
check "G goes back to the latest message" wait_for "LAST-OF-THE-THREAD"
keys q

# Search: results as a view, n/N.
keys /
if wait_for "Search:"; then
	type_text "refund"
	keys Enter
	if wait_for 'search "refund"' && wait_for "n and N open"; then
		first=$(queue_ids | head -1)
		keys n
		second=$(cap; queue_ids | sed -n 2p)
		if [ -n "$second" ] && wait_for "#$second "; then
			ok "/ searches subjects and messages; n opens the next result"
		else
			fail "/ searches subjects and messages; n opens the next result" "first $first second $second"
		fi
	else
		fail "/ searches subjects and messages; n opens the next result" "no results"
	fi
else
	fail "/ searches subjects and messages; n opens the next result" "no prompt"
fi
keys q
check "q leaves the search" wait_for "Queue: open ("

# Filter as you type: the queue narrows with each key; Esc restores it.
want=$("$DESK" list --view open --filter tag:vip --json | python3 -c "import json,sys; print(' '.join(str(t['id']) for t in json.load(sys.stdin)))")
n=$(echo "$want" | wc -w)
keys f
if wait_for "Filter:"; then
	type_text "tag:vip"
	if wait_for "| tag:vip ($n)"; then
		shown=$(queue_ids)
		bad=0
		for id in $shown; do case " $want " in *" $id "*) ;; *) bad=1 ;; esac; done
		if [ -n "$shown" ] && [ $bad -eq 0 ] && [[ $SCREEN == *"| tag:vip ($n)"* ]]; then
			ok "f filters the queue as you type"
		else
			fail "f filters the queue as you type" "shown: $shown; want: $want"
		fi
	else
		fail "f filters the queue as you type" "no filtered view"
	fi
	keys Escape
	check "Esc takes the filter back" wait_gone "| tag:vip"
else
	fail "f filters the queue as you type" "no prompt"
fi

# Quit.
keys Q
check "Q quits with status 0" wait_for "DESK-EXITED=0"

# SIGTERM while the reply waits for send/postpone: kept as a draft.
start 120 40
wait_for "Queue: open ("
cap
ids=($(queue_ids))
t3=${ids[0]:-0}
keys r
if wait_for "Send the reply on #$t3?"; then
	kill -TERM "$(cat "$TMP/desk.pid")"
	if wait_for "DESK-EXITED=0" && wait_for "kept as a draft"; then
		start 120 40
		wait_for "Queue: open ("
		keys r
		if wait_for "You have an unsent reply on #$t3"; then
			ok "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time"
		else
			fail "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time" "no draft offered"
		fi
		keys c
		keys Q
		wait_for "DESK-EXITED=0"
	else
		fail "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time" "no clean exit"
	fi
else
	fail "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time" "no send prompt"
fi

# A broken keys file: exit 1 with FILE:LINE:COL before curses starts.
cat >"$TMP/keys.yaml" <<'EOF'
queue:
  j: down
  r: rpely
EOF
cat >"$TMP/bad.yaml" <<EOF
keys: $TMP/keys.yaml
EOF
out=$(DESK_CONFIG=$TMP/bad.yaml "$DESK" </dev/null 2>&1)
rc=$?
want="desk: $TMP/keys.yaml:3:6: unknown action \"rpely\" (did you mean \"reply\"?)"
if [ $rc -eq 1 ] && [ "$out" = "$want" ]; then
	ok "a broken keys file: exit 1 and FILE:LINE:COL, before curses"
else
	fail "a broken keys file: exit 1 and FILE:LINE:COL, before curses" "rc $rc, got: $out"
fi
start 80 24 "$TMP/bad.yaml"
if wait_for "DESK-EXITED=1" && [[ $SCREEN == *"keys.yaml:3:6: unknown action"* ]]; then
	ok "in a terminal too, the message is printed and the screen left alone"
else
	fail "in a terminal too, the message is printed and the screen left alone" "no message"
fi

# --- many agents on one database ------------------------------------------

# The conversation's title row, "#ID subject", tells which ticket the
# queue's cursor is on (the conversation follows the cursor).
conv_id() { cap; printf '%s\n' "$SCREEN" | sed -n '1s/^[^│]*│ *#\([0-9][0-9]*\) .*/\1/p'; }
# The draft row of a ticket for this user, straight from the database.
draft_of() {
	db_sql "SELECT d.body || '|' || coalesce(d.canned, '') FROM drafts d JOIN agents a ON a.id = d.agent_id WHERE d.ticket_id = $1 AND a.login = '$(id -un)' AND d.kind = 'reply'"
}

# Live updates: another process's set, reply and new ticket show in the
# rows and the open conversation within about a second, and in the count
# within a few (other agents' writes recount at most every 3 s); the
# cursor stays on its ticket and a half-typed command stays as it is.
start 200 50
wait_for "Queue: open ("
keys j j j
sleep 0.3
live=$(conv_id)
cap
count0=$(printf '%s\n' "$SCREEN" | sed -n 's/.*Queue: open (\([0-9]*\)).*/\1/p' | head -1)
keys :
type_text "tag-add half-typed"
wait_for ":tag-add half-typed"
"$DESK" set "$live" queue=live-e2e >/dev/null
"$DESK" --as ben reply "$live" --body "LIVE-REPLY from ben, typed elsewhere" >/dev/null
"$DESK" new --subject "LIVE-NEW-TICKET" --email live@example.com --name "Live Person" >/dev/null
want=$((count0 + 1))
t0=$SECONDS
if wait_for "LIVE-REPLY from ben" 2 && wait_for " · live-e2e · " 2 && wait_for "Queue: open ($want)" 5; then
	if [ "$(conv_id)" = "$live" ] && [[ $SCREEN == *":tag-add half-typed"* ]]; then
		ok "changes from other processes show within a second (the count within a few); cursor and typed text stay"
	else
		fail "changes from other processes show within a second (the count within a few); cursor and typed text stay" "shown #$(conv_id), want #$live"
	fi
else
	fail "changes from other processes show within a second (the count within a few); cursor and typed text stay" "not refreshed in $((SECONDS - t0))s (count $count0)"
fi
keys Escape
wait_gone ":tag-add half-typed"

# Presence: ben opens the ticket, then replies in a slow editor; this
# console says so in the conversation and on the queue row.
cat >"$TMP/slow-editor.sh" <<'EOF'
#!/bin/sh
echo $$ >"$(dirname "$0")/slow-editor.pid"
printf 'SLOW-TEXT from a slow editor\n' >"$1"
sleep "${SLOW_SECONDS:-4}"
EOF
chmod +x "$TMP/slow-editor.sh"
"${TM[@]}" new-session -d -s ben -x 120 -y 40 \
	"env TERM=xterm-256color EDITOR=$TMP/slow-editor.sh SLOW_SECONDS=4 DESK_CONFIG=$DESK_CONFIG $DESK --as ben; sleep 600"
bcap() { "${TM[@]}" capture-pane -p -t ben 2>/dev/null; }
bwait() { local end=$((SECONDS + 6)); until bcap | grep -qF -- "$1"; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done; }
bwait "Queue: open ("
"${TM[@]}" send-keys -t ben : ; "${TM[@]}" send-keys -t ben -l "open $live"; "${TM[@]}" send-keys -t ben Enter
if wait_for "ben is viewing · " 3 && wait_for "[ben] " 3; then
	ok "another agent viewing the ticket shows in the conversation and on its row"
else
	fail "another agent viewing the ticket shows in the conversation and on its row" "no presence"
fi
"${TM[@]}" send-keys -t ben r
if wait_for "ben is replying" 4 && wait_for "[ben✎] " 2; then
	ok "another agent replying shows as \"ben is replying\""
else
	fail "another agent replying shows as \"ben is replying\"" "no replying"
fi
bwait "Send the reply on #$live?" && "${TM[@]}" send-keys -t ben p
if bwait "Draft saved" && wait_for "ben is viewing · " 3; then
	"${TM[@]}" send-keys -t ben Q
	check "presence goes back to viewing, and clears when the other agent leaves" wait_gone "ben is" 3
else
	fail "presence goes back to viewing, and clears when the other agent leaves" "not viewing after postponing"
fi
"${TM[@]}" kill-session -t ben 2>/dev/null

# Collision: ben replies while this agent composes; before sending, his
# reply is shown and the agent chooses.
keys Tab
keys r
if wait_for "Send the reply on #$live?"; then
	"$DESK" --as ben reply "$live" --body $'BEN-WAS-FASTER first line\nsecond line\e[31m' >/dev/null
	keys s
	if wait_for "A new message since you began" && wait_for "ben replied at" &&
		wait_for "BEN-WAS-FASTER first line" && wait_for "second line^[[31m"; then
		ok "a reply that arrived while composing is shown (author, time, first lines) before sending"
	else
		fail "a reply that arrived while composing is shown (author, time, first lines) before sending" "no collision"
	fi
	keys s
	if wait_for "Reply saved on #$live; not mailed" && [[ $(desk_show "$live") == *"BEN-WAS-FASTER"*"E2E-EDIT"* ]]; then
		ok "send anyway sends it after the other reply"
	else
		fail "send anyway sends it after the other reply" "not sent"
	fi
else
	fail "a reply that arrived while composing is shown (author, time, first lines) before sending" "no send prompt"
fi

# The audit trail of the ticket: who changed what, old and new.
keys A
if wait_for "History of #$live" && wait_for "queue: " && wait_for " → live-e2e" &&
	wait_for "ben          reply    message: - → "; then
	ok "A shows the ticket's audit trail with old and new values"
else
	fail "A shows the ticket's audit trail with old and new values" "no history"
fi
keys q
wait_gone "History of #$live"
keys Q
wait_for "DESK-EXITED=0"

# Drafts survive a kill -9: the editor's text is saved while it runs.
START_ENV="EDITOR=$TMP/slow-editor.sh SLOW_SECONDS=60" start 120 40
wait_for "Queue: open ("
keys j j
sleep 0.3
dr=$(conv_id)
keys r
end=$((SECONDS + 6))
until [[ $(draft_of "$dr") == "SLOW-TEXT from a slow editor"* ]] || [ $SECONDS -ge $end ]; do sleep 0.2; done
if [[ $(draft_of "$dr") == "SLOW-TEXT from a slow editor"* ]]; then
	ok "the text in the editor is saved as a draft while the editor runs"
else
	fail "the text in the editor is saved as a draft while the editor runs" "draft: '$(draft_of "$dr")'"
fi
kill -KILL "$(cat "$TMP/desk.pid")"
kill "$(cat "$TMP/slow-editor.pid")" 2>/dev/null
wait_for "DESK-EXITED=137"
START_ARGS="" start 120 40
wait_for "Queue: open ("
keys :
type_text "open $dr"
keys Enter
if wait_for "#$dr " && wait_for "unsent reply draft (r resumes)"; then
	keys r
	if wait_for "You have an unsent reply on #$dr"; then
		keys r
		if wait_for "Send the reply on #$dr?"; then
			keys s
			if wait_for "Reply saved on #$dr; not mailed" &&
				[[ $(desk_show "$dr") == *"E2E-EDIT SLOW-TEXT from a slow editor"* ]] &&
				[ -z "$(draft_of "$dr")" ]; then
				ok "after kill -9 the draft is offered again and sent"
			else
				fail "after kill -9 the draft is offered again and sent" "not in desk show"
			fi
		else
			fail "after kill -9 the draft is offered again and sent" "no send prompt"
		fi
	else
		fail "after kill -9 the draft is offered again and sent" "no draft offered"
	fi
else
	fail "after kill -9 the draft is offered again and sent" "ticket not shown with its draft"
fi
keys Q
wait_for "DESK-EXITED=0"

# =========================================================================
# The supervisors' dashboard and bulk changes to marked tickets.
# `desk init --demo` made this user an admin, who may use both.
# =========================================================================

start 200 50
wait_for "Queue: open ("
keys D
if wait_for "BACKLOG NOW: " && wait_for "AGE OF THE OPEN TICKETS" && wait_for "LOAD PER AGENT" &&
	wait_for "SLA RISK: NEXT TO BREACH" && wait_for "PER DAY, LAST 14 DAYS"; then
	open_now=$("$DESK" list --view open --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
	sparks=$(printf '%s\n' "$SCREEN" | grep -cE '^ +(created|solved|backlog) +[▁▂▃▄▅▆▇█]{14}  ')
	if [[ $SCREEN == *"BACKLOG NOW: $open_now open"* ]] && [ "$sparks" -eq 3 ] &&
		[[ $SCREEN == *"(unassigned)"* ]] && fits 200; then
		ok "D opens the dashboard: backlog, age, load per agent, SLA risk, sparklines"
	else
		fail "D opens the dashboard: backlog, age, load per agent, SLA risk, sparklines" "open $open_now, $sparks sparklines"
	fi
else
	fail "D opens the dashboard: backlog, age, load per agent, SLA risk, sparklines" "sections missing"
fi
keys P
check "P switches the dashboard's period" wait_for "PER DAY, LAST 30 DAYS"
# Tab to the agents, down to the second, Enter: the queue shows that
# agent's open tickets; q goes back to the view before.
keys Tab Tab j Enter
if wait_for "Queue: all | assignee:" && wait_for "From the dashboard: assignee:"; then
	who=$(printf '%s\n' "$SCREEN" | sed -n 's/.*Queue: all | assignee:\([^ ]*\) .*/\1/p' | head -1)
	want=$("$DESK" list --view all --filter "assignee:$who status:new,open,pending,on_hold" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
	if [ -n "$who" ] && wait_for "assignee:$who status:new,open,pending,on_hold ($want)"; then
		ok "Enter on an agent shows that agent's open tickets in the queue"
	else
		fail "Enter on an agent shows that agent's open tickets in the queue" "agent '$who', want $want"
	fi
else
	fail "Enter on an agent shows that agent's open tickets in the queue" "no jump"
fi
keys q
check "q goes back from the dashboard's selection to the view before" wait_for "Queue: open ("

# Mark the first two tickets, reassign both in one action.
keys g
cap
ids=($(queue_ids))
m1=${ids[0]:-0}
m2=${ids[1]:-0}
taken=$("$DESK" show --json "$m1" | python3 -c "import json,sys; print(json.load(sys.stdin).get('assignee') or '')")
taken2=$("$DESK" show --json "$m2" | python3 -c "import json,sys; print(json.load(sys.stdin).get('assignee') or '')")
to=$("$DESK" agent list | awk -v a="$taken" -v b="$taken2" 'NR > 1 && $3 == "yes" && $1 != a && $1 != b && $1 != "root" {print $1; exit}')
keys x x
if wait_for "[2 marked]" && [ "$(count_lines '\[x\] ')" -eq 2 ]; then
	ok "x marks tickets in the queue"
else
	fail "x marks tickets in the queue" "marks not shown"
fi
keys a
if wait_for "Assign 2 marked tickets to"; then
	type_text "$to"
	keys Enter
	if wait_for "2 tickets reassigned to $to." && wait_gone "[2 marked]"; then
		bad=0
		for id in "$m1" "$m2"; do
			out=$("$DESK" show --json "$id" | python3 -c "
import json,sys
t=json.load(sys.stdin)
ev=[e for e in t['events'] if e.get('field')=='assignee' and e.get('new')=='$to' and e.get('action')=='set']
print(t.get('assignee'), len(ev))")
			[ "$out" = "$to 1" ] || bad=1
		done
		if [ $bad -eq 0 ]; then
			ok "a reassigns both marked tickets in one action, each with its audit event"
		else
			fail "a reassigns both marked tickets in one action, each with its audit event" "tickets $m1 $m2 to $to: $out"
		fi
	else
		fail "a reassigns both marked tickets in one action, each with its audit event" "no summary"
	fi
else
	fail "a reassigns both marked tickets in one action, each with its audit event" "no prompt"
fi
keys Q
wait_for "DESK-EXITED=0"

# An agent is told the dashboard is not for them.
agent=$("$DESK" agent list | awk 'NR > 1 && $2 == "agent" && $3 == "yes" {print $1; exit}')
AGENT_SH=$TMP/as-agent.sh
printf '#!/bin/sh\nexec %s --as %s "$@"\n' "$DESK" "$agent" >"$AGENT_SH"
chmod +x "$AGENT_SH"
DESK_REAL=$DESK
DESK=$AGENT_SH
start 120 40
DESK=$DESK_REAL
if wait_for "Queue: open (" ; then
	keys D
	check "an agent pressing D is told the dashboard is for supervisors" wait_for "The dashboard is for supervisors and admins."
	keys Q
	wait_for "DESK-EXITED=0"
else
	fail "an agent pressing D is told the dashboard is for supervisors" "no console as $agent"
fi

# --- the ticket under the agent's hands stays put ----------------------------

# When the ticket under the cursor changes so that it moves or leaves the
# view, its row stays where it was, marked, and the conversation and the
# next action stay on it until the agent moves.
view() { keys :; type_text "view $1"; keys Enter; wait_for "Queue: $1 ("; }
tags_of() { "$DESK" show --json "$1" | python3 -c "import json,sys; print(' '.join(json.load(sys.stdin).get('tags', [])))"; }
# How many tickets carry a tag.
tagged() { "$DESK" list --view all --filter "tag:$1" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))"; }
# The next action: `t` adds a tag to the ticket the console means (a
# tag no ticket carries yet: yes to the question whether to create it).
tag_here() {
	keys t && wait_for "Add tags to #$2" && type_text "$1" && keys Enter &&
		wait_for "is new: create it? (y/n)" 3 && keys y
}
# held_case NAME TAG ID WHY NEWS: the row of ID says WHY, the status line
# NEWS, the conversation still shows ID, and `t TAG` tags ID and nothing
# else.
held_case() {
	if ! wait_for "[$4" 3 || ! wait_for "$5" 1; then
		fail "$1" "no \"[$4\" on the row of #$3 or no \"$5\""
	elif [ "$(conv_id)" != "$3" ]; then
		fail "$1" "the conversation moved to #$(conv_id), want #$3"
	elif ! tag_here "$2" "$3" || ! wait_for "#$3: tagged $2"; then
		fail "$1" "the next action did not go to #$3"
	elif [ "$(tagged "$2")" != 1 ] || [[ " $(tags_of "$3") " != *" $2 "* ]]; then
		fail "$1" "tag $2 is on $(tagged "$2") tickets, #$3 has: $(tags_of "$3")"
	else
		ok "$1"
	fi
}

start 200 50
wait_for "Queue: open ("
view unassigned
keys j
sleep 0.3
held=$(conv_id)
"$DESK" --as ben claim "$held" >/dev/null
held_case "another agent claims the open ticket: it stays, marked, and the next action goes to it" \
	held-one "$held" "claimed by ben] " "#$held claimed by ben, no longer in this view: it stays here until you move."

# Another ticket's change while the cursor is on the top row: nothing
# moves and nothing is held (the refresh starts from the top row).
view all
keys g
sleep 0.3
cap
top_ids=($(queue_ids))
other=${top_ids[3]:-0}
"$DESK" note "$other" --body "TOP-ROW-REFRESH" >/dev/null
sleep 1.5
cap
now_ids=($(queue_ids))
if [ "$(conv_id)" = "${top_ids[0]}" ] && [ "${now_ids[0]}" = "${top_ids[0]}" ] &&
	[[ $SCREEN != *"stays here until you move"* ]]; then
	ok "another ticket's change with the cursor on the top row moves and holds nothing"
else
	fail "another ticket's change with the cursor on the top row moves and holds nothing" "top ${top_ids[0]} -> ${now_ids[0]:-none}, shown #$(conv_id)"
fi
view unassigned

cap
ids=($(queue_ids))
keys j
sleep 0.3
mine=$(conv_id)
after=
for ((i = 0; i < ${#ids[@]}; i++)); do
	[ "${ids[$i]}" = "$mine" ] && after=${ids[$((i + 1))]:-}
done
keys c
held_case "after the agent's own claim in unassigned they stay on the claimed ticket" \
	held-two "$mine" "claimed by you] " "#$mine is yours."
keys J
sleep 0.3
cap
check "J goes on to the ticket that was after it, and the claimed row goes" \
	test "$(conv_id)" = "$after" -a -n "$after" -a "$(queue_ids | grep -cx "$mine")" = 0

view pending
keys j
sleep 0.3
pend=$(conv_id)
keys s
if wait_for "Status of #$pend"; then
	type_text "open"
	keys Enter
	held_case "a status change that takes the ticket out of a status view keeps it under the cursor" \
		held-three "$pend" "open by you] " "#$pend is now open."
else
	fail "a status change that takes the ticket out of a status view keeps it under the cursor" "no status picker"
fi

view open
keys g j j
sleep 0.3
cap
ids=($(queue_ids))
dup=$(conv_id)
into=${ids[0]}
# a supervisor: an agent may merge away only a ticket of their own or
# nobody's, and which tickets come first depends on the urgency order
"$DESK" --as amelie merge "$dup" "$into" >/dev/null
if wait_for "[merged into #$into by ameli" 3 && [ "$(conv_id)" = "$dup" ]; then
	keys t
	if wait_for "Add tags to #$dup"; then
		type_text "held-four"
		keys Enter
		wait_for "is new: create it? (y/n)" 3 && keys y
		if wait_for "ticket $dup was merged into ticket $into" && [ "$(tagged held-four)" = 0 ]; then
			ok "a merge by another agent keeps the merged ticket shown, and the next action does not land on another"
		else
			fail "a merge by another agent keeps the merged ticket shown, and the next action does not land on another" "held-four on $(tagged held-four) tickets"
		fi
	else
		fail "a merge by another agent keeps the merged ticket shown, and the next action does not land on another" "no tag prompt for #$dup"
	fi
else
	fail "a merge by another agent keeps the merged ticket shown, and the next action does not land on another" "shown #$(conv_id), want #$dup"
fi
keys Q
wait_for "DESK-EXITED=0"

# Pickers take the exact match, then a prefix, then a substring: `s p`
# is pending (not open, which has a p inside), `p n` normal (not urgent).
start 200 50
wait_for "Queue: open ("
keys j
sleep 0.3
pick=$(conv_id)
"$DESK" set "$pick" status=open priority=high >/dev/null
wait_for "open · high · " 3
keys s
if wait_for "Status of #$pick"; then
	type_text "p"
	keys Enter
	check "in the status picker, p Enter picks pending (a prefix before a substring)" wait_for "#$pick is now pending."
else
	fail "in the status picker, p Enter picks pending (a prefix before a substring)" "no status picker"
fi
keys p
if wait_for "Priority of #$pick"; then
	type_text "n"
	keys Enter
	check "in the priority picker, n Enter picks normal" wait_for "#$pick is now normal priority."
else
	fail "in the priority picker, n Enter picks normal" "no priority picker"
fi
keys Q
wait_for "DESK-EXITED=0"

# --- terminal hygiene ---------------------------------------------------------

# After a resize the conversation, read to its end, follows new messages.
long=$("$DESK" new --subject "RESIZE-THREAD" --email resize@example.com --name "Resize Reader" \
	--body "$(seq -f 'line %g of a long first message' 1 60)" 2>&1 | sed -n "s/.*ticket \([0-9][0-9]*\) created.*/\1/p")
start 200 50
wait_for "Queue: open ("
keys :
type_text "open $long"
keys Enter
if wait_for "#$long RESIZE-THREAD"; then
	keys G
	wait_for "line 60 of a long first message"
	resize 200 30
	sleep 0.3
	resize 200 26
	wait_gone "line 30 of a long first message"
	"$DESK" note "$long" --body "AFTER-RESIZE-NOTE" >/dev/null
	check "after a resize the conversation still follows new messages" wait_for "AFTER-RESIZE-NOTE" 3
else
	fail "after a resize the conversation still follows new messages" "ticket $long not opened"
fi
keys Q
wait_for "DESK-EXITED=0"

# Ctrl-S is a key, not XOFF: the screen keeps answering after it.
start 200 50
wait_for "Queue: open ("
cap
ids=($(queue_ids))
keys C-s
sleep 0.2
keys j j
check "Ctrl-S does not freeze the console (flow control is off)" wait_for "#${ids[2]} " 3
keys C-q Q
wait_for "DESK-EXITED=0"

# Under the C locale non-ASCII shows as '?', never as blanks or bytes.
START_ENV="LANG=C LC_ALL=C" start 200 50
if wait_for "Queue: open (" && wait_for "M?ller"; then
	if [[ $SCREEN != *"M   ller"* ]] && [[ $SCREEN != *"~T~@"* ]] && [[ $SCREEN == *"-- "* ]]; then
		ok "under LANG=C names show '?' for what the terminal cannot show, and rules as ASCII"
	else
		fail "under LANG=C names show '?' for what the terminal cannot show, and rules as ASCII" "blanks or bytes on screen"
	fi
else
	fail "under LANG=C names show '?' for what the terminal cannot show, and rules as ASCII" "no M?ller"
fi
keys Q
wait_for "DESK-EXITED=0"

# --- queues and tags as managed lists -----------------------------------------

# A tag no ticket carries is asked about before it is made, with the
# tag in use it is closest to; a tag in use is added at once.
start 200 50
wait_for "Queue: open ("
keys j
sleep 0.3
tt=$(conv_id)
keys t
wait_for "Add tags to #$tt"
type_text "refnd"
keys Enter
check "a new tag asks first, naming the tag in use it is closest to" \
	wait_for 'tag "refnd" (did you mean "refund"?) is new: create it? (y/n)' 3
keys n
check "n: not tagged, no ticket carries it" \
	test "$(wait_for "Not tagged." 3 && tagged refnd)" = 0
keys t
wait_for "Add tags to #$tt"
type_text "refnd"
keys Enter
wait_for "is new: create it? (y/n)" 3
keys y
check "y: the new tag is made on the ticket" \
	test "$(wait_for "#$tt: tagged refnd" 3 && tagged refnd)" = 1
keys t
wait_for "Add tags to #$tt"
type_text "vip"
keys Enter
check "a tag in use is added without a question" wait_for "#$tt: tagged vip" 3
# Tab offers every tag in use, not only those on the page: one on a
# closed ticket alone.
closed=$("$DESK" list --view all --filter status:closed --json | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['id'])")
"$DESK" set "$closed" tag+=zebra-rare >/dev/null
keys t
wait_for "Add tags to #$tt"
type_text "zebra"
keys Tab
check "Tab completes a tag that only a closed ticket carries" wait_for "Add tags to #$tt (space-separated): zebra-rare" 3
keys Escape
keys Q
wait_for "DESK-EXITED=0"

# With the team's queues: list, M offers every listed queue (one no
# ticket is in too) and refuses a misspelt one with the right name.
cp "$DESK_CONFIG" "$TMP/config.keep"
printf 'queues: [general, accounts, billing, shipping, technical, warranty]\n' >>"$DESK_CONFIG"
start 200 50
wait_for "Queue: open ("
keys j
sleep 0.3
mq=$(conv_id)
keys M
wait_for "Move #$mq to queue"
keys Tab
check "Tab in the queue prompt offers every queue of the team's list" \
	wait_for "general  accounts  billing  shipping  technical  warranty" 3
type_text "biling"
keys Enter
check "a misspelt queue is refused with the queue meant" \
	wait_for 'no queue "biling"; did you mean "billing"?' 3
keys M
wait_for "Move #$mq to queue"
type_text "warranty"
keys Enter
check "a listed queue no ticket is in yet is taken" wait_for "#$mq moved to queue warranty." 3
keys Q
wait_for "DESK-EXITED=0"
cp "$TMP/config.keep" "$DESK_CONFIG"

# --- the truth about delivery -----------------------------------------------

# The team's file sets mail up with a stand-in sendmail; a reply is "sent"
# only when sendmail took it, and sendmail never holds up the console.
cp "$DESK_CONFIG" "$TMP/config-before-mail.yaml"
MAILD=$TMP/mail
mkdir -p "$MAILD"
printf '#!/bin/sh\ncat >/dev/null\necho "queue full" >&2\nexit 75\n' >"$MAILD/sendmail-75"
printf '#!/bin/sh\ncat >>"%s/sent"\n' "$MAILD" >"$MAILD/sendmail-ok"
printf '#!/bin/sh\ncat >/dev/null\nsleep 120 &\necho $! >"%s/sleep.pid"\nwait\n' "$MAILD" >"$MAILD/sendmail-hung"
chmod +x "$MAILD"/sendmail-*
# with_sendmail NAME: the team's config with that sendmail; replies are
# not held for undo send here (tests/e2e/undo.bash tests that).
with_sendmail() {
	cp "$TMP/config-before-mail.yaml" "$DESK_CONFIG"
	printf 'undo_send_seconds: 0\nmail:\n  support_address: "Help <help@desk.test>"\n  sendmail: ["%s/%s", "-t"]\n  sendmail_timeout: 5m\n' \
		"$MAILD" "$1" >>"$DESK_CONFIG"
}
delivery_of() { db_sql "SELECT delivery || '|' || coalesce(delivery_error, '') FROM messages WHERE kind = 'reply' AND ticket_id = $1 ORDER BY id DESC LIMIT 1"; }
mailt=$("$DESK" new --subject "MAIL-E2E" --email mail-e2e@example.com --name "Mail Reader" \
	--body "Where is my parcel?" 2>&1 | sed -n "s/.*ticket \([0-9][0-9]*\) created.*/\1/p")
# reply_here: opens ticket $mailt, replies through the scripted editor
# and sends; true once the question said it goes by mail.
reply_here() {
	keys :
	type_text "open $mailt"
	keys Enter
	wait_for "#$mailt MAIL-E2E" || return 1
	keys r
	wait_for "Send the reply on #$mailt? (by mail)" || return 1
	keys s
}

with_sendmail sendmail-75
start 200 50
wait_for "Queue: open ("
if reply_here; then
	ok "compose says the reply on an email ticket will be mailed"
	if wait_for "Reply saved on #$mailt; mail failed: sendmail-75 exited with status 75: queue full, kept in the outbox (desk outbox --retry)" 5 &&
		wait_for "REPLY" && [[ $SCREEN == *"MAIL FAILED"* ]] &&
		[[ $SCREEN == *"mail failed: sendmail-75 exited with status 75: queue full; kept"* ]]; then
		ok "sendmail exits 75: the status line and the conversation say mail failed, with the reason"
	else
		fail "sendmail exits 75: the status line and the conversation say mail failed, with the reason" "no failure shown"
	fi
else
	fail "compose says the reply on an email ticket will be mailed" "no (by mail) in the question"
fi
check "... the reply is stored, failed with the reason" [ "$(delivery_of "$mailt")" = "failed|sendmail-75 exited with status 75: queue full" ]
check "... desk outbox lists it" bash -c "'$DESK' outbox | grep -q 'failed.*sendmail-75 exited with status 75'"
keys Q
wait_for "DESK-EXITED=0"
with_sendmail sendmail-ok
check "... desk outbox --retry with a working sendmail delivers it" bash -c "'$DESK' outbox --retry | grep -q '1 sent, 0 failed'"
check "... its state becomes sent" [ "$(delivery_of "$mailt")" = "sent|" ]
start 200 50
wait_for "Queue: open ("
keys :
type_text "open $mailt"
keys Enter
if wait_for "#$mailt MAIL-E2E" && wait_for "── REPLY · " && [[ $SCREEN == *"· sent ─"* ]] && [[ $SCREEN != *"MAIL FAILED"* ]]; then
	ok "... and the conversation shows it sent"
else
	fail "... and the conversation shows it sent" "no sent reply shown"
fi
keys Q
wait_for "DESK-EXITED=0"

# A sendmail that hangs (sleeps 120 s): the console answers every key at
# once meanwhile; quitting leaves the mail queued for desk outbox --retry.
with_sendmail sendmail-hung
rm -f "$MAILD/sleep.pid"
start 200 50
wait_for "Queue: open ("
if reply_here && wait_for "Reply saved on #$mailt; sendmail is taking it (queued)" 5 &&
	wait_for "· queued ─"; then
	ok "a hung sendmail: the reply shows queued"
else
	fail "a hung sendmail: the reply shows queued" "no queued state"
fi
# Key latency while sendmail hangs: ? opens the help, q closes it; each
# timed from send-keys to the screen showing it.
worst=0
lat_ok=1
for i in 1 2 3 4 5; do
	t0=$(date +%s%N)
	keys '?'
	wait_for "Help: keys and actions" 3 || lat_ok=0
	t1=$(date +%s%N)
	keys q
	wait_gone "Help: keys and actions" 3 || lat_ok=0
	t2=$(date +%s%N)
	for d in $(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000)); do
		[ "$d" -gt "$worst" ] && worst=$d
	done
done
sleeper=$(cat "$MAILD/sleep.pid" 2>/dev/null)
echo "# key latency while sendmail hangs: worst of 10 keys ${worst} ms"
if [ $lat_ok -eq 1 ] && [ "$worst" -lt 500 ] && [ -n "$sleeper" ] && kill -0 "$sleeper" 2>/dev/null &&
	[ "$(delivery_of "$mailt")" = "queued|" ]; then
	ok "a hung sendmail never delays a key (worst ${worst} ms < 500 ms, sendmail still running)"
else
	fail "a hung sendmail never delays a key (worst ${worst} ms < 500 ms, sendmail still running)" "latency ok=$lat_ok worst=$worst sleeper=$sleeper state=$(delivery_of "$mailt")"
fi
keys Q
if wait_for "DESK-EXITED=0" && wait_for "1 reply was not mailed yet (sendmail was still running): kept in the outbox; \`desk outbox --retry\` sends it"; then
	ok "quitting with mail in flight says it stays in the outbox"
else
	fail "quitting with mail in flight says it stays in the outbox" "no word on exit"
fi
gone=1
if [ -n "$sleeper" ] && kill -0 "$sleeper" 2>/dev/null && [ "$(ps -o stat= -p "$sleeper" | cut -c1)" != Z ]; then
	gone=0
	kill "$sleeper" 2>/dev/null # nothing lingers, whatever happened
fi
check "... the hung sendmail was stopped with its children" [ $gone -eq 1 ]
check "... the reply stays queued, saying why" [ "$(delivery_of "$mailt")" = "queued|desk stopped while sendmail ran (and stopped it); desk outbox --retry sends it" ]
with_sendmail sendmail-ok
check "... desk outbox --retry delivers it at once" bash -c "'$DESK' outbox --retry | grep -q '1 sent, 0 failed'"
check "... its state becomes sent" [ "$(delivery_of "$mailt")" = "sent|" ]
check "... nothing was lost: both replies reached sendmail" [ "$(grep -c 'E2E-EDIT' "$MAILD/sent")" = 2 ]
cp "$TMP/config-before-mail.yaml" "$DESK_CONFIG"

finish
