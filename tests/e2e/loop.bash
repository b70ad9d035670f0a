# loop.bash: end-to-end tests of the shorter loop: the most common work
# (open the most urgent ticket, reply with a canned response, solve)
# typed from the `mine` view and from `unassigned`, counting the keys
# pressed beyond the reply text (the editor script writes that); keys
# bound to actions with arguments and to macros; canned responses that
# only change fields; send and set pending; the claim when a reply
# starts, and what happens when another agent claimed first.
#
#   bash tests/e2e/loop.bash PATH-TO-DESK     (run.sh runs every file)

source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

ME=$(id -un)

# The team's file: the test's canned responses (the usual ones, and a
# macro without text) and keys file.
{
	cat "$ROOT/tests/data/canned.yaml"
	cat <<'EOF'

- name: escalate
  title: Escalate to billing (no text)
  set:
    queue: billing
    assignee: me
    priority: urgent
    tags: [escalated]
EOF
} >"$TMP/canned.yaml"
cat >"$TMP/keys.yaml" <<'EOF'
global:
  F2: canned-reply greeting
  F3: canned-reply escalate
  F4: [status pending, next-ticket]
  F6: [status solved, next-ticket]
EOF
cat >"$DESK_CONFIG" <<EOF
canned: $TMP/canned.yaml
keys: $TMP/keys.yaml
themes_dir: $ROOT/themes
theme: default
EOF

# press KEY...: keys of the loop, counted (the reply text is not a key:
# the editor script writes it).
PRESSED=0
press() {
	PRESSED=$((PRESSED + $#))
	keys "$@"
}
view() { keys :; type_text "view $1"; keys Enter; wait_for "Queue: $1 ("; }
conv_id() { cap; printf '%s\n' "$SCREEN" | sed -n '1s/^[^│]*│ *#\([0-9][0-9]*\) .*/\1/p'; }
# field ID EXPR: a value of `desk show --json ID`, e.g. field 12 "t['status']".
field() {
	"$DESK" show --json "$1" | python3 -c "import json,sys; t=json.load(sys.stdin); print($2)"
}
replies() { field "$1" "sum(1 for m in t['messages'] if m['kind'] == 'reply')"; }
# A ticket whose most recent reply is the canned greeting as edited.
replied_with_greeting() {
	field "$1" "[m['body'] for m in t['messages'] if m['kind'] == 'reply'][-1]" |
		grep "^E2E-EDIT Hi " >/dev/null
}

# Three tickets of the unassigned ones become this agent's, so that
# `mine` has work in it.
MINE=$("$DESK" list --view unassigned --json | python3 -c "
import json,sys
print(' '.join(str(t['id']) for t in json.load(sys.stdin)[-3:]))")
for id in $MINE; do "$DESK" set "$id" "assignee=$ME" >/dev/null; done

# --- the loop from mine --------------------------------------------------

start 200 50
wait_for "? help"
view mine
cap
first=$(queue_ids | head -1)
PRESSED=0
press J
if wait_for "│ #$first " 3; then
	ok "J with nothing opened yet opens the view's first, most urgent ticket"
else
	fail "J with nothing opened yet opens the view's first, most urgent ticket" "want #$first, shown #$(conv_id)"
fi
press F2
if wait_for "Send the reply on #$first?" && wait_for "(S)end+solve"; then
	press S
	wait_for "Reply saved on #$first, now solved" 4
	status=$(field "$first" "t['status'], t['assignee']" | tr -d "(),'")
	if [ "$status" = "solved $ME" ] && replied_with_greeting "$first"; then
		ok "from mine: J, a canned key and S reply and solve ($PRESSED keys beyond the text)"
	else
		fail "from mine: J, a canned key and S reply and solve ($PRESSED keys beyond the text)" "status/assignee: $status"
	fi
	check "from mine the loop takes at most 4 keys beyond the reply text" test "$PRESSED" -le 4
else
	fail "from mine: J, a canned key and S reply and solve" "no question after the editor"
fi

# --- the loop from unassigned: the reply claims the ticket --------------

# Each part in a console of its own: one that fails leaves no question
# open for the next.
fresh() { start 200 50; wait_for "? help"; }
fresh
view unassigned
cap
first=$(queue_ids | head -1)
PRESSED=0
press J
wait_for "│ #$first " 3
press F2
if wait_for "Send the reply on #$first?"; then
	# Claimed when the reply began, before the text was written.
	check "starting the reply claimed the unassigned ticket" test "$(field "$first" "t.get('assignee')")" = "$ME"
	press S
	wait_for "Reply saved on #$first, now solved" 4
	status=$(field "$first" "t['status'], t['assignee']" | tr -d "(),'")
	if [ "$status" = "solved $ME" ] && replied_with_greeting "$first"; then
		ok "from unassigned: J, a canned key and S claim, reply and solve ($PRESSED keys)"
	else
		fail "from unassigned: J, a canned key and S claim, reply and solve ($PRESSED keys)" "status/assignee: $status"
	fi
	check "from unassigned the loop takes at most 5 keys beyond the reply text" test "$PRESSED" -le 5
	claims=$(field "$first" "sum(1 for e in t['events'] if e['action'] == 'claim' and e.get('agent') == '$ME')")
	check "the claim is in the audit trail, once" test "$claims" = 1
else
	fail "from unassigned: J, a canned key and S claim, reply and solve" "no question after the editor"
fi

# --- someone else claims first -------------------------------------------

fresh
view unassigned
keys j
sleep 0.3
target=$(conv_id)
"$DESK" --as ben claim "$target" >/dev/null
before=$(replies "$target")
keys F2
if wait_for "#$target was claimed by ben a moment ago" 4; then
	sleep 0.5
	cap
	if [[ $SCREEN != *"Send the reply on #$target"* ]] && [ "$(replies "$target")" = "$before" ]; then
		ok "a reply to a ticket someone claimed first says who, and no editor opens"
	else
		fail "a reply to a ticket someone claimed first says who, and no editor opens" "the editor ran"
	fi
	# The ticket is ben's now: replying again goes ahead, no claim.
	keys r
	if wait_for "Send the reply on #$target?"; then
		keys s
		wait_for "Reply saved on #$target" 4
		check "replying again goes ahead, and the ticket stays the other agent's" \
			test "$(field "$target" "t['assignee'], sum(1 for m in t['messages'] if m['kind'] == 'reply')")" = "ben $((before + 1))"
	else
		fail "replying again goes ahead, and the ticket stays the other agent's" "no editor"
	fi
else
	fail "a reply to a ticket someone claimed first says who, and no editor opens" "no message"
fi

# --- send and set pending ------------------------------------------------

fresh
view mine
cap
first=$(queue_ids | head -1)
keys J
wait_for "│ #$first " 3
keys r
if wait_for "Send the reply on #$first?"; then
	keys W
	wait_for "Reply saved on #$first, now pending" 4
	check "W sends the reply and sets the ticket pending in one step" \
		test "$(field "$first" "t['status']")" = pending
else
	fail "W sends the reply and sets the ticket pending in one step" "no question"
fi

# --- a canned response without text, and macros --------------------------

fresh
view unassigned
keys j
sleep 0.3
target=$(conv_id)
keys F3
if wait_for "#$target: queue=billing, assignee=$ME, priority=urgent, tag+=escalated (canned escalate)." 4; then
	got=$(field "$target" "t['queue'], t['assignee'], t['priority'], t['tags'], len(t['messages'])")
	want=$(field "$target" "'billing', '$ME', 'urgent', ['escalated'], len(t['messages'])")
	check "a canned response without a body changes the fields at once, no editor" test "$got" = "$want"
else
	fail "a canned response without a body changes the fields at once, no editor" "no message"
fi

# A macro that fails stops there and says which step.
fresh
view unassigned
keys j
sleep 0.3
target=$(conv_id)
cap
ids=($(queue_ids))
keys F6
if wait_for "Step 1 of 2 (status solved) failed: " 4 && wait_for "has no assignee" 1; then
	if [ "$(conv_id)" = "$target" ] && [ "$(field "$target" "t['status']")" != solved ]; then
		ok "a macro stops at the step that fails, saying which, and runs nothing after it"
	else
		fail "a macro stops at the step that fails, saying which, and runs nothing after it" "moved to #$(conv_id)"
	fi
else
	fail "a macro stops at the step that fails, saying which, and runs nothing after it" "no message"
fi

# A macro that works runs each step: pending, then the next ticket.
fresh
view mine
cap
ids=($(queue_ids))
keys J
wait_for "│ #${ids[0]} " 3
keys F4
if wait_for "│ #${ids[1]:-none} " 4; then
	check "a macro runs its steps in order: status pending, then next-ticket" \
		test "$(field "${ids[0]}" "t['status']")" = pending
else
	fail "a macro runs its steps in order: status pending, then next-ticket" "shown #$(conv_id)"
fi

# ? shows what the keys run.
fresh
keys '?'
wait_for "Help: keys and actions"
keys G
if wait_for "Your keys with arguments and macros" && wait_for "canned-reply greeting" &&
	wait_for "[status solved, next-ticket]"; then
	ok "? lists the keys bound to arguments and macros"
else
	fail "? lists the keys bound to arguments and macros" "not in the help"
fi
keys q

# --- the files, checked before the console starts ------------------------

out=$("$DESK" keys 2>&1)
if [[ $out == *"global F2 canned-reply greeting reply starting from a canned response"* ]] &&
	[[ $out == *"global F6 [status solved, next-ticket] a macro: "* ]]; then
	ok "desk keys shows the arguments and macros bound"
else
	fail "desk keys shows the arguments and macros bound" "$out"
fi
cp "$TMP/keys.yaml" "$TMP/keys.good"
printf 'global:\n  F2: [next-ticket, canned-reply greting]\n' >"$TMP/keys.yaml"
out=$("$DESK" config check 2>&1)
rc=$?
want="$TMP/keys.yaml:2:34: canned-reply: unknown canned response \"greting\"; expected one of: greeting,"
if [ "$rc" -ne 0 ] && [[ $out == *"$want"* ]]; then
	ok "desk config check names a keys file's bad argument with FILE:LINE:COL and the choices"
else
	fail "desk config check names a keys file's bad argument with FILE:LINE:COL and the choices" "rc $rc: $out"
fi
cp "$TMP/keys.good" "$TMP/keys.yaml"
cp "$TMP/canned.yaml" "$TMP/canned.good"
printf -- '- name: x\n  title: X\n  set: {assignee: me, owner: bob}\n' >"$TMP/canned.yaml"
out=$("$DESK" config check 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && [[ $out == *"$TMP/canned.yaml:3:23: unknown key \"owner\" in canned[0].set; expected one of: status, priority, tags, remove_tags, assignee, queue"* ]]; then
	ok "desk config check names a canned response's unknown field with FILE:LINE:COL"
else
	fail "desk config check names a canned response's unknown field with FILE:LINE:COL" "rc $rc: $out"
fi
cp "$TMP/canned.good" "$TMP/canned.yaml"

finish
