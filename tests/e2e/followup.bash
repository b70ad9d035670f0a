# followup.bash: end-to-end test of follow-ups (issue 14): a ticket of
# the agent's set pending until a time that has come is counted in the
# status line ("1 follow-up"), told through the notify hook when it comes
# due while the console runs, and
# listed by the follow-up view.
#
#   bash tests/e2e/followup.bash PATH-TO-DESK     (run.sh runs every file)

source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

cat >"$TMP/hook.sh" <<EOF2
#!/bin/sh
printf '%s\n' "\$@" >"$TMP/hook.tmp.\$\$"
mv "$TMP/hook.tmp.\$\$" "$TMP/hook.\$1.\$2"
EOF2
chmod +x "$TMP/hook.sh"
cat >"$TMP/mine.yaml" <<EOF2
notify:
  hook: [$TMP/hook.sh]
EOF2

# Made two hours ago, pending until an hour ago: due now.
past=$(($(date +%s) - 7200))
id=$(DESK_NOW=$past "$DESK" new --subject "E2E follow-up due" --name "Fay Lo" \
	--email fay@example.com --body "Waiting on a part." | sed -n 's/.*ticket \([0-9]*\).*/\1/p')
DESK_NOW=$past "$DESK" claim "$id" >/dev/null
said=$(DESK_NOW=$past "$DESK" set "$id" status=pending until=1h)
case $said in
"desk: ticket $id updated, pending until "*) ok "desk set ... until=1h says the time back" ;;
*) fail "desk set ... until=1h says the time back" "got: $said" ;;
esac

start 200 50 "$TMP/mine.yaml"
wait_for "Queue: open (" && wait_for "? help"
if wait_for "1 follow-up" 5; then
	ok "the status line counts the agent's follow-up that has come due"
else
	fail "the status line counts the agent's follow-up that has come due" "$(line 50)"
fi
# What was due when the console started is counted, not announced; one
# that comes due while it runs is told, once.
id2=$(DESK_NOW=$past "$DESK" new --subject "E2E second due" --name "Gil Ng" \
	--email gil@example.com --body "Still waiting." | sed -n 's/.*ticket \([0-9]*\).*/\1/p')
DESK_NOW=$past "$DESK" claim "$id2" >/dev/null
DESK_NOW=$past "$DESK" set "$id2" status=on_hold until=1h >/dev/null
wait_for "2 follow-ups" 5
end=$((SECONDS + 5))
until [ -f "$TMP/hook.follow-up.$id2" ] || [ $SECONDS -ge $end ]; do sleep 0.1; done
if [ "$(sed -n 3p "$TMP/hook.follow-up.$id2" 2>/dev/null)" = "E2E second due" ] &&
	[ ! -f "$TMP/hook.follow-up.$id" ]; then
	ok "the notify hook is told of it as a follow-up event"
else
	fail "the notify hook is told of it as a follow-up event" "$(ls "$TMP")"
fi
keys v
wait_for "follow-up"
type_text "follow-up"
keys Enter
if wait_for "Queue: follow-up (2" 5 && [[ $SCREEN == *"[F] E2E follow-up due"* ]]; then
	ok "the follow-up view lists it, marked [F]"
else
	fail "the follow-up view lists it, marked [F]" "$(printf '%s\n' "$SCREEN" | grep E2E)"
fi
# Answered: set open, the count goes down.
"$DESK" set "$id" status=open >/dev/null
if wait_for "1 follow-up" 5 && [[ $SCREEN != *"2 follow-ups"* ]]; then
	ok "leaving pending takes it off the count"
else
	fail "leaving pending takes it off the count" "$(line 50)"
fi
# In the console: ":status pending 2d" on the ticket shown, said back.
keys g Enter
wait_for "E2E second due" 3
keys :
type_text "status pending 2d"
keys Enter
if wait_for "is now pending until" 5 && "$DESK" show "$id2" --history | grep -q "follow_up"; then
	ok ":status pending 2d sets the follow-up time and says it back"
else
	fail ":status pending 2d sets the follow-up time and says it back" "$(line 50)"
fi
finish
