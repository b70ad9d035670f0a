# time.bash: time spent in the console: the stopwatch measures the time
# from opening a ticket to sending (the editor's time counts), the send
# question offers it (t edits it), W logs time by hand, and desk show
# and desk report show what was recorded.
#
#   bash tests/e2e/time.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

# An editor that takes a known time: the agent writes for as many
# seconds as editor.secs says.
cat >"$TMP/slow-editor.sh" <<EOF
#!/bin/sh
sleep \$(cat "$TMP/editor.secs")
sed -i '1s/^/TIMED-ANSWER /' "\$1"
EOF
echo 12 >"$TMP/editor.secs"
chmod +x "$TMP/slow-editor.sh"

new_id() { sed -n 's/.*ticket \([0-9]*\) created.*/\1/p'; }
# Seconds of a duration as desk writes it (1h2m3s, 4m, 45s).
seconds_of() {
	local d=$1 s=0
	[[ $d =~ ([0-9]+)h ]] && s=$((s + BASH_REMATCH[1] * 3600))
	[[ $d =~ ([0-9]+)m ]] && s=$((s + BASH_REMATCH[1] * 60))
	[[ $d =~ ([0-9]+)s ]] && s=$((s + BASH_REMATCH[1]))
	echo $s
}
# The time offered on the send question, as shown.
offered() { cap; printf '%s\n' "$SCREEN" | tr '\n' ' ' | sed -n 's/.* time \([0-9hms]*\|none\), .*/\1/p'; }

# A short idle timeout, so that the pause can be seen in seconds.
cat >>"$DESK_CONFIG" <<EOF
time_tracking: {enabled: true, idle: 10s}
EOF

t1=$("$DESK" new --subject "TIMESUBJ one" --email one@example.com --name "One" --body "how long?" 2>&1 | new_id)
me=$(id -un)

START_ENV="EDITOR=$TMP/slow-editor.sh" start 160 45
wait_for "Queue: open ("
keys :
type_text "open $t1"
keys Enter
wait_for "#$t1 TIMESUBJ one"

# A reply: 12 seconds in the editor, longer than the idle timeout (10 s),
# all counted: the editor is the work.
keys r
if wait_for "Send the reply on #$t1?" 30; then
	got=$(offered)
	secs=$(seconds_of "$got")
	check "the send question offers the time measured, all the editor's included ($got)" \
		test -n "$got" -a "$secs" -ge 12 -a "$secs" -lt 60
	# t: the time is edited in a prompt prefilled with it (Enter would keep it).
	keys t
	wait_for "Time spent on #$t1"
	cap
	check "the time prompt is prefilled with the time offered" \
		grep -q "Time spent on #$t1 (15m, 1h30m; empty: none): $got" <<<"$SCREEN"
	keys C-u
	type_text "4m"
	keys Enter
	check "the edited time is on the send question" wait_for " time 4m, "
	keys s
	wait_for "TIMED-ANSWER"
fi
show=$(desk_show "$t1")
check "the reply is stored with its time, by hand (edited)" \
	grep -Eq "4m +manual +$me \(with message [0-9]+\)" <<<"$show"

echo 3 >"$TMP/editor.secs"
# A note sent with the time measured as offered: Enter-free, one key.
keys i
if wait_for "Add the note to #$t1?" 30; then
	got=$(offered)
	keys s
	wait_for "Note added to #$t1"
	show=$(desk_show "$t1")
	check "a time accepted as offered is recorded as measured ($got)" \
		grep -Eq "$got +measured +$me \(with message [0-9]+\)" <<<"$show"
	note_secs=$(seconds_of "$got")
	check "the clock started again after the reply: the note's time is its own" \
		test "$note_secs" -ge 3 -a "$note_secs" -lt 120
fi

# W: time logged by hand, with a note.
keys W
wait_for "Time spent on #$t1 (15m, 1h30m, 90s):"
keys C-u
type_text "15m"
keys Enter
wait_for "Note for 15m on #$t1"
type_text "called the customer back"
keys Enter
check "W logs the time and says the ticket's total" wait_for "Logged 15m on #$t1 ("
show=$(desk_show "$t1")
check "desk show lists the time logged with W and its note" \
	grep -Eq "15m +manual +$me: called the customer back" <<<"$show"
total_shown=$(sed -n 's/^time  *\([0-9hms]*\) (3 entries)$/\1/p' <<<"$show")
header_time() { [ -n "$1" ] && wait_for " · time $1"; }
check "the conversation's header says the ticket's time in all ($total_shown)" \
	header_time "$total_shown"
# A bad duration is refused and asked again; Esc logs nothing.
keys W
wait_for "Time spent on #$t1 (15m, 1h30m, 90s):"
keys C-u
type_text "soon"
keys Enter
check "W refuses a duration it cannot read, and asks again" wait_for "\"soon\": expected a duration like 15m. Time spent on #$t1: soon"
keys Escape
check "Esc logs nothing" wait_for "No time logged."

# Idle: 16 s on a ticket without a key count only the 10 s of idle,
# then the 3 s in the editor: about 13 s, never the whole 19 s.
t2=$("$DESK" new --subject "TIMESUBJ two" --email two@example.com --name "Two" --body "idle?" 2>&1 | new_id)
keys :
type_text "open $t2"
keys Enter
wait_for "#$t2 TIMESUBJ two"
sleep 16
keys r
if wait_for "Send the reply on #$t2?" 30; then
	got=$(offered)
	secs=$(seconds_of "$got")
	check "after the idle timeout the clock stopped: $got for 16 s idle + 3 s in the editor" \
		test "$secs" -ge 12 -a "$secs" -le 17
	# Esc: the reply waits as a draft, and no time is recorded
	keys Escape
	wait_for "Draft saved"
fi

# Help over the ticket: the agent is reading help, not working the
# ticket, so 12 s under it (more than the idle timeout) count nothing;
# only the 3 s in the editor do.
t3=$("$DESK" new --subject "TIMESUBJ three" --email three@example.com --name "Three" --body "help?" 2>&1 | new_id)
echo 3 >"$TMP/editor.secs"
keys :
type_text "open $t3"
keys Enter
wait_for "#$t3 TIMESUBJ three"
keys '?'
wait_for "this help"
sleep 12
keys q
wait_for "#$t3 TIMESUBJ three"
keys r
if wait_for "Send the reply on #$t3?" 30; then
	got=$(offered)
	secs=$(seconds_of "$got")
	check "time under the help screen is not the ticket's: $got for 12 s of help + 3 s in the editor" \
		test "$secs" -ge 3 -a "$secs" -le 8
	keys Escape
	wait_for "Draft saved"
fi

# The report sums what was recorded: 4m + the note's + 15m on one ticket.
until=$(date -u -d tomorrow +%F)
total=$((240 + note_secs + 900))
json=$("$DESK" report --until "$until" --json 2>&1)
check "desk report --json: the time spent in all ($total s)" \
	python3 -c 'import json,sys
t = json.loads(sys.argv[1])["time_spent"]
want = int(sys.argv[2])
assert t["total"]["seconds"] == want and t["total"]["tickets"] == 1 and t["total"]["entries"] == 3, t
assert t["by_agent"][0]["key"] == sys.argv[3] and t["by_agent"][0]["seconds"] == want, t
assert t["total"]["median_per_ticket_seconds"] == want, t' "$json" "$total" "$me"
text=$("$DESK" report --until "$until" 2>&1)
check "desk report shows the Time spent section" \
	grep -Eq "^TIME BY AGENT +tickets +entries +total +med/ticket" <<<"$text"

finish
