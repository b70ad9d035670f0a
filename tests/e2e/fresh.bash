# fresh.bash: end-to-end tests of knowing what is new and who is online
# (issue 13): rows another agent changed are marked N and counted in the
# status line; opening one clears it; a ticket assigned from elsewhere
# counts as yours, runs the notify hook with its argv and writes the
# desktop notification's OSC bytes; `:who` lists a second console and
# the ticket it shows.
#
#   bash tests/e2e/fresh.bash PATH-TO-DESK     (run.sh runs every file)

source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

# The hook: writes its argv, one element a line, then the event's
# environment, to a file (through a temporary file of its own: one event
# may start two hooks at once, "new" and "sla" for the same ticket).
cat >"$TMP/hook.sh" <<EOF2
#!/bin/sh
printf '%s\n' "\$@" >"$TMP/hook.tmp.\$\$"
printf 'env %s %s\n' "\$DESK_EVENT" "\$DESK_TICKET" >>"$TMP/hook.tmp.\$\$"
mv "$TMP/hook.tmp.\$\$" "$TMP/hook.\$2.\$3"
EOF2
chmod +x "$TMP/hook.sh"
# The agent's own file: notifications on (the team's file is DESK_CONFIG).
cat >"$TMP/mine.yaml" <<EOF2
notify:
  desktop: true
  bell: true
  hook: [$TMP/hook.sh, from-desk]
  sla_warning: 30d
EOF2

# subject ID: the first 12 characters of the ticket's subject.
subject() {
	"$DESK" show --json "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['subject'][:12])"
}
# The queue row of ticket ID, as on the screen.
row() { printf '%s\n' "$SCREEN" | grep -E "^ *$1 (URG|high|norm|low) " | head -1; }

start 200 50 "$TMP/mine.yaml"
"${TM[@]}" pipe-pane -o -t "$SESS" "cat >>$TMP/raw.out"
wait_for "Queue: open (" && wait_for "? help"
keys v
wait_for "unassigned"
type_text "unassigned"
keys Enter
wait_for "Queue: unassigned (" && sleep 0.3
cap
ids=($(queue_ids))
if [ "${#ids[@]}" -ge 4 ] && [[ $SCREEN != *" new │"* ]] && [[ $SCREEN != *" new "*"yours"* ]] &&
	! printf '%s\n' "$SCREEN" | grep -qE "^ *[0-9]+ (URG|high|norm|low) .* N [^ ]"; then
	ok "the first start marks none of the backlog new"
else
	fail "the first start marks none of the backlog new" "${#ids[@]} rows"
fi

# Another agent writes a note on the fourth row: it is marked and counted.
target=${ids[3]}
subj=$(subject "$target")
t0=$SECONDS
"$DESK" --as ben note "$target" --body "E2E note from ben" >/dev/null
# Within a second as a rule; 8 s for a loaded machine.  (A note typed in
# the very second the console started was once never marked: times are
# whole seconds, and that second now counts as after the baseline.)
if wait_for "N $subj" 8 && wait_for "│ 1 new" 5; then
	ok "another agent's change marks the row N and counts 1 new"
else
	fail "another agent's change marks the row N and counts 1 new" "row: $(row "$target")"
fi

end=$((SECONDS + 8))
until [ -f "$TMP/hook.new.$target" ] || [ $SECONDS -ge $end ]; do sleep 0.1; done
check "the hook runs for a ticket new in the agent's views" test -f "$TMP/hook.new.$target"

# Opening it clears the mark and the count.
keys j j j
if wait_for "#$target " && wait_gone "N $subj" 3 && wait_gone "│ 1 new" 3; then
	ok "showing the ticket in the conversation clears its mark and the count"
else
	fail "showing the ticket in the conversation clears its mark and the count" "row: $(row "$target")"
fi

# The agent's own change to it does not make it new, also once the
# cursor has left it (a second after it was seen: a later second).
sleep 1.1
keys :
type_text "tag-add e2e-own"
keys Enter
wait_for "create it? (y/n)" && keys y
wait_for "e2e-own"
sleep 1
keys k
sleep 1.5
cap
if [[ $SCREEN != *"N $subj"* ]] && [[ $SCREEN != *"│ 1 new"* ]] &&
	"$DESK" show --json "$target" | grep -q e2e-own; then
	ok "the agent's own change to the ticket shown is not new to them"
else
	fail "the agent's own change to the ticket shown is not new to them" "row: $(row "$target")"
fi

# The agent's own change made elsewhere (the command line, as this
# console's agent) to a ticket not shown is not new either.
other=${ids[6]}
osubj=$(subject "$other")
"$DESK" note "$other" --body "E2E note of my own, from the shell" >/dev/null
"$DESK" --as ben note "${ids[7]}" --body "E2E note from ben, for contrast" >/dev/null
if wait_for "N $(subject "${ids[7]}")" 5 && [[ $SCREEN != *"N $osubj"* ]]; then
	ok "the agent's own change from the command line is not new to them, another's is"
else
	fail "the agent's own change from the command line is not new to them, another's is" "row: $(row "$other")"
fi

# Assigned to the agent from elsewhere: "1 yours", the hook, the OSC.
given=${ids[5]}
gsubj=$("$DESK" show --json "$given" | python3 -c "import json,sys; print(json.load(sys.stdin)['subject'])")
"$DESK" --as amelie set "$given" assignee=root >/dev/null
if wait_for "1 yours" 4; then
	ok "a ticket assigned to the agent by someone else counts as theirs"
else
	fail "a ticket assigned to the agent by someone else counts as theirs" "no count"
fi
end=$((SECONDS + 5))
until [ -f "$TMP/hook.assigned.$given" ] || [ $SECONDS -ge $end ]; do sleep 0.1; done
want=$(printf '%s\n' from-desk assigned "$given" "${gsubj//;/,}" "env assigned $given")
got=$(cat "$TMP/hook.assigned.$given" 2>/dev/null)
if [ "$got" = "$want" ]; then
	ok "the hook runs for assigned-to-me with its words, then kind, ticket and subject as argv"
else
	fail "the hook runs for assigned-to-me with its words, then kind, ticket and subject as argv" "got: $got"
fi
# tmux shows no desktop notification; the bytes desk wrote do (pipe-pane):
# inside tmux, wrapped for its passthrough (ESC doubled within).
osc=$(printf '\033\033]777;notify;desk: assigned to you;#%s ' "$given")
if grep -qaF -- "$(printf '\033Ptmux;')$osc" "$TMP/raw.out" &&
	grep -qaF -- "$(printf '\033\033]9;desk: assigned to you: #%s ' "$given")" "$TMP/raw.out"; then
	ok "a desktop notification (OSC 777 and OSC 9, in tmux's passthrough) is written for it"
else
	fail "a desktop notification (OSC 777 and OSC 9, in tmux's passthrough) is written for it" "$(grep -ac 777 "$TMP/raw.out") OSC 777 in the output"
fi
# Each event once per console: a second change to it tells nothing new.
"$DESK" --as amelie note "$given" --body "and again" >/dev/null
sleep 1.5
n=$(grep -aoF -- "$osc" "$TMP/raw.out" | wc -l)
check "each event is told once per ticket" test "$n" -eq 1

# An SLA due within sla_warning (30 days here): a new ticket's, told
# once; those already due soon when the console started were not.
fresh_id=$("$DESK" --as ben new --subject "E2E-SLA-SOON" --email sla@example.com --name "Sla Soon" \
	--priority urgent 2>&1 | sed -n 's/.*ticket \([0-9]*\) created.*/\1/p')
end=$((SECONDS + 8))
until [ -f "$TMP/hook.sla.$fresh_id" ] || [ $SECONDS -ge $end ]; do sleep 0.1; done
if [ -n "$fresh_id" ] && [ -f "$TMP/hook.sla.$fresh_id" ] &&
	[ "$(ls "$TMP"/hook.sla.* | wc -l)" -eq 1 ]; then
	ok "the hook runs for an SLA about to be missed, only for what came after the start"
else
	fail "the hook runs for an SLA about to be missed, only for what came after the start" "ticket '$fresh_id': $(ls "$TMP")"
fi

# :who lists a second console, as ben, with the ticket it shows.
"${TM[@]}" new-session -d -s ben -x 160 -y 40 \
	"env TERM=xterm-256color DESK_CONFIG=$DESK_CONFIG $DESK --as ben; sleep 600"
bcap() { "${TM[@]}" capture-pane -p -t ben 2>/dev/null; }
end=$((SECONDS + 6))
until bcap | grep -qF "Queue: open (" || [ $SECONDS -ge $end ]; do sleep 0.1; done
sleep 0.5
bticket=$(bcap | sed -n 's/.*│ *#\([0-9][0-9]*\) .*/\1/p' | head -1)
bsubj=$(subject "$bticket")
keys :
type_text "who"
keys Enter
if wait_for "Who is online: 2 consoles" 4 && wait_for "#$bticket $bsubj" 4 &&
	printf '%s\n' "$SCREEN" | grep -qE "^ ben +#$bticket $bsubj.* for [0-9]+s" &&
	printf '%s\n' "$SCREEN" | grep -qE "^ root .*<- you"; then
	ok ":who lists the other console with its ticket and since when, and this one"
else
	fail ":who lists the other console with its ticket and since when, and this one" "ben on #$bticket"
fi
"${TM[@]}" send-keys -t ben Q
if wait_gone "#$bticket $bsubj" 5 && wait_for "Who is online: 1 console " 2; then
	ok "a console that quits leaves :who"
else
	fail "a console that quits leaves :who" "still listed"
fi
keys q
check "q closes :who" wait_gone "Who is online"

finish
