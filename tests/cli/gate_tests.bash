# gate_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  The write gate (PATH-gate, a flock every writer queues on): made
# beside the database with its mode, never touched by a read-only
# command, waited on while it moves, and a holder that does not move is
# named after the bound (DESK_GATE_STUCK_MS shortens it here).  The many
# writers at once are tests/stress.
#
# On PostgreSQL the gate is the writers' advisory lock (writer_lock.bash):
# reads go on while another session holds it, a writer waits for it and
# goes once it is let go, and one held past the bound (the same knob) is
# named; the gate file as such is SQLite's alone.

# shellcheck source=tests/cli/writer_lock.bash
. "$ROOT/tests/cli/writer_lock.bash"
mkdir -p "$TMP/gate"
db_new GDB gate/desk
gate() { run --db "$GDB" "$@"; }

t "gate: setup (a ticket)"
gate init
rc_is 0
gate new --subject "Gate" --email gate@example.com --body "hello"
rc_is 0
end

t "gate: a write makes PATH-gate beside the database, with the database's mode"
if sqlite_only "the gate file (the server's lock is no file)"; then
	[ -f "$GDB-gate" ] || fail "no $GDB-gate after a write"
	[ "$(stat -c %a "$GDB-gate")" = "$(stat -c %a "$GDB")" ] ||
		fail "gate mode $(stat -c %a "$GDB-gate"), database $(stat -c %a "$GDB")"
	end
fi

t "gate: read-only commands never take (nor make) the gate"
if on_pg; then
	# The writers' lock held by another session until let go: a reading
	# command that took it would wait (up to run's 60 s).
	if pg_writer_hold "$GDB" "$TMP/gate/h1"; then
		for cmd in list "show 1"; do
			start=$(date +%s%N)
			# shellcheck disable=SC2086 # cmd is a list of words
			gate $cmd
			ms=$((($(date +%s%N) - start) / 1000000))
			rc_is 0
			[ "$ms" -lt 2000 ] || fail "desk $cmd took $ms ms while the writers' lock was held"
		done
		pg_writer_release "$TMP/gate/h1"
	fi
	end
else
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
fi

t "gate: a writer waits while the gate moves, however long that takes"
if on_pg; then
	# The server's bound is on the whole wait (30 s), so "moving" is one
	# holder here: the note queues on the lock as the server sees it,
	# stores nothing while it is held, and goes once it is let go.
	if pg_writer_hold "$GDB" "$TMP/gate/h2"; then
		timeout 60 "$DESK" --db "$GDB" note 1 --body "after the movers" \
			>"$W/out" 2>"$W/err" </dev/null &
		writer=$!
		for _ in $(seq 300); do
			[ "$(pg_lock_waiters "$GDB")" = 1 ] && break
			sleep 0.1
		done
		[ "$(pg_lock_waiters "$GDB")" = 1 ] || fail "the note did not queue on the writers' lock"
		[ "$(count "SELECT count(*) FROM messages WHERE body = 'after the movers'" "$GDB")" = 0 ] ||
			fail "the note was stored while the lock was held"
		pg_writer_release "$TMP/gate/h2"
		wait "$writer"
		RC=$?
		rc_is 0
		err_empty
	fi
else
	# A queue of holders that hands the gate on without a gap, each
	# writing its own record, for about 3 s: longer than the bound, but
	# the gate moves, so the note waits and goes.  (One process plays
	# the queue, so the note cannot slip in between.)
	flock "$GDB-gate" sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do
		printf '%s %s mover%s\n' \$\$ \$i \$i >'$GDB-gate'; sleep 0.3; done" &
	movers=$!
	sleep 0.2
	DESK_GATE_STUCK_MS=1000 gate note 1 --body "after the movers"
	rc_is 0
	err_empty
	wait "$movers" 2>/dev/null
fi
[ "$(count "SELECT count(*) FROM messages WHERE body = 'after the movers'" "$GDB")" = 1 ] ||
	fail "the note is not stored"
end

t "gate: a holder that does not move is named after the bound; nothing changed"
before=$(count "SELECT count(*) FROM messages" "$GDB")
if on_pg; then
	# A session that took the lock and does nothing more, under a name
	# of its own; the server names its role (the login's, here).
	if pg_writer_hold "$GDB application_name=stuckagent" "$TMP/gate/h3"; then
		DESK_GATE_STUCK_MS=1000 gate note 1 --body "never stored"
		rc_is 1
		err_has "held the database's write lock for over 1 s without finishing: $ME (server pid"
		err_match "$(rx "$ME") \(server pid [0-9]+, \"stuckagent\"\) for [0-9]+ s;"
		err_has "nothing was changed"
		pg_writer_release "$TMP/gate/h3"
	fi
else
	flock "$GDB-gate" sh -c "printf '%s %s stuckagent\n' \$\$ $(date +%s%3N) >'$GDB-gate'; sleep 2.5" &
	holder=$!
	sleep 0.3
	DESK_GATE_STUCK_MS=1000 gate note 1 --body "never stored"
	rc_is 1
	err_has "held the database's write gate for over 1 s without finishing: stuckagent (pid"
	err_match "stuckagent \(pid [0-9]+, \"sh -c .*\"\) for [12] s;"
	err_has "nothing was changed"
	wait "$holder" 2>/dev/null # (killing flock would leave its sleep holding the gate)
fi
[ "$(count "SELECT count(*) FROM messages" "$GDB")" = "$before" ] || fail "a message was stored"
end

t "gate: a holder that is not desk (no record of its own) is said so, with how to find it"
if sqlite_only "the gate file's record (the server names any session, the test before)"; then
	flock "$GDB-gate" sh -c ": >'$GDB-gate'; sleep 2.5" &
	holder=$!
	sleep 0.3
	DESK_GATE_STUCK_MS=1000 gate note 1 --body "never stored"
	rc_is 1
	err_has "a program that is not desk holds it (\`fuser $GDB-gate\` names it)"
	wait "$holder" 2>/dev/null # (killing flock would leave its sleep holding the gate)
	end
fi

t "gate: a gate that cannot be opened: the write goes on without it, with one warning"
if sqlite_only "the gate file"; then
	NG=$TMP/gate/nogate
	mkdir -p "$NG"
	cp "$GDB" "$NG/desk.db"
	# a folder in its place, or a link (refused: O_NOFOLLOW), as a
	# read-only folder or someone else's file would refuse it
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
fi

t "gate: a long transaction at work (an import) keeps the gate moving; a writer waits it out"
# (On the server: the import's batches let the note in within the bound.)
# The demo's export ten times: the workflow's demo, or one of its own.
GDEMO=${DEMO:-}
if [ -z "$GDEMO" ]; then
	db_new GDEMO gate/demo
	run --db "$GDEMO" init --demo
fi
db_new GIDB gate/import
run --db "$GDEMO" export
[ -s "$W/out" ] || fail "the demo's export is empty: $(cat "$W/err")"
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$W/out"; done >"$TMP/gate/ten.jsonl"
run --db "$GIDB" init
run --db "$GIDB" new --subject "Gate import" --email gi@example.com --body "hi"
timeout 120 "$DESK" --db "$GIDB" import "$TMP/gate/ten.jsonl" >"$TMP/gate/import.out" 2>&1 &
importer=$!
sleep 0.5
start=$(date +%s%N)
DESK_GATE_STUCK_MS=1000 run --db "$GIDB" note 1 --body "waited for the import"
ms=$((($(date +%s%N) - start) / 1000000))
rc_is 0
err_empty
wait "$importer" || fail "the import failed: $(cat "$TMP/gate/import.out")"
grep -q "updated tickets" "$TMP/gate/import.out" || fail "import said: $(cat "$TMP/gate/import.out")"
[ "$(count "SELECT count(*) FROM messages WHERE body = 'waited for the import'" "$GIDB")" = 1 ] ||
	fail "the note is not stored"
echo "# the note waited $ms ms behind the import (bound 1000 ms)"
end
