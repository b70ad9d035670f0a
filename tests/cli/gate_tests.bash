# gate_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  The write gate (PATH-gate, a flock every writer queues on): made
# beside the database with its mode, never touched by a read-only
# command, waited on while it moves, and a holder that does not move is
# named after the bound (DESK_GATE_STUCK_MS shortens it here).  The many
# writers at once are tests/stress.

mkdir -p "$TMP/gate"
GDB=$TMP/gate/desk.db
gate() { run --db "$GDB" "$@"; }

t "gate: a write makes PATH-gate beside the database, with the database's mode"
gate init
gate new --subject "Gate" --email gate@example.com --body "hello"
rc_is 0
[ -f "$GDB-gate" ] || fail "no $GDB-gate after a write"
[ "$(stat -c %a "$GDB-gate")" = "$(stat -c %a "$GDB")" ] ||
	fail "gate mode $(stat -c %a "$GDB-gate"), database $(stat -c %a "$GDB")"
end

t "gate: read-only commands never take (nor make) the gate"
rm -f "$GDB-gate"
gate list
rc_is 0
gate show 1
rc_is 0
[ ! -e "$GDB-gate" ] || fail "a read-only command made the gate"
# the gate held by someone else: reads go on at once
gate note 1 --body "makes the gate again"
flock "$GDB-gate" sleep 2 &
holder=$!
sleep 0.3
start=$(date +%s%N)
gate list
rc_is 0
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 2000 ] || fail "desk list took $ms ms while the gate was held"
wait "$holder" 2>/dev/null # (killing flock would leave its sleep holding the gate)
end

t "gate: a writer waits while the gate moves, however long that takes"
# A queue of holders that hands the gate on without a gap, each writing
# its own record, for about 3 s: longer than the bound, but the gate
# moves, so the note waits and goes.  (One process plays the queue, so
# the note cannot slip in between.)
flock "$GDB-gate" sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do
	printf '%s %s mover%s\n' \$\$ \$i \$i >'$GDB-gate'; sleep 0.3; done" &
movers=$!
sleep 0.2
DESK_GATE_STUCK_MS=1000 gate note 1 --body "after the movers"
rc_is 0
err_empty
wait "$movers" 2>/dev/null
[ "$(sqlite3 "$GDB" "SELECT count(*) FROM messages WHERE body = 'after the movers'")" = 1 ] ||
	fail "the note is not stored"
end

t "gate: a holder that does not move is named after the bound; nothing changed"
before=$(sqlite3 "$GDB" "SELECT count(*) FROM messages")
flock "$GDB-gate" sh -c "printf '%s %s stuckagent\n' \$\$ $(date +%s%3N) >'$GDB-gate'; sleep 2.5" &
holder=$!
sleep 0.3
DESK_GATE_STUCK_MS=1000 gate note 1 --body "never stored"
rc_is 1
err_has "held the database's write gate for over 1 s without finishing: stuckagent (pid"
err_match "stuckagent \(pid [0-9]+, \"sh -c .*\"\) for [12] s;"
err_has "nothing was changed"
[ "$(sqlite3 "$GDB" "SELECT count(*) FROM messages")" = "$before" ] || fail "a message was stored"
wait "$holder" 2>/dev/null # (killing flock would leave its sleep holding the gate)
end

t "gate: a holder that is not desk (no record of its own) is said so, with how to find it"
flock "$GDB-gate" sh -c ": >'$GDB-gate'; sleep 2.5" &
holder=$!
sleep 0.3
DESK_GATE_STUCK_MS=1000 gate note 1 --body "never stored"
rc_is 1
err_has "a program that is not desk holds it (\`fuser $GDB-gate\` names it)"
wait "$holder" 2>/dev/null # (killing flock would leave its sleep holding the gate)
end

t "gate: a gate that cannot be opened: the write goes on without it, with one warning"
NG=$TMP/gate/nogate
mkdir -p "$NG"
cp "$GDB" "$NG/desk.db"
# a folder in its place, or a link (refused: O_NOFOLLOW), as a read-only
# folder or someone else's file would refuse it
mkdir "$NG/desk.db-gate"
run --db "$NG/desk.db" note 1 --body "without the gate"
rc_is 0
err_has "desk: cannot use the write gate beside $NG/desk.db"
err_has "writing without it"
[ "$(grep -c "write gate" "$W/err")" = 1 ] || fail "the warning is not said exactly once"
[ "$(sqlite3 "$NG/desk.db" "SELECT count(*) FROM messages WHERE body = 'without the gate'")" = 1 ] ||
	fail "the note is not stored"
run --db "$NG/desk.db" list
rc_is 0
err_empty
end

t "gate: a long transaction at work (an import) keeps the gate moving; a writer waits it out"
IDB=$TMP/gate/import.db
run --db "$TMP/gate/demo.db" init --demo
run --db "$TMP/gate/demo.db" export
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$W/out"; done >"$TMP/gate/ten.jsonl"
run --db "$IDB" init
run --db "$IDB" new --subject "Gate import" --email gi@example.com --body "hi"
timeout 120 "$DESK" --db "$IDB" import "$TMP/gate/ten.jsonl" >"$TMP/gate/import.out" 2>&1 &
importer=$!
sleep 0.5
start=$(date +%s%N)
DESK_GATE_STUCK_MS=1000 run --db "$IDB" note 1 --body "waited for the import"
ms=$((($(date +%s%N) - start) / 1000000))
rc_is 0
err_empty
wait "$importer" || fail "the import failed: $(cat "$TMP/gate/import.out")"
grep -q "updated tickets" "$TMP/gate/import.out" || fail "import said: $(cat "$TMP/gate/import.out")"
echo "# the note waited $ms ms behind the import (bound 1000 ms)"
end
