# readonly_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W, $ROOT).  Read-only commands never take the write lock: with
# the write gate held by one process and SQLite's write lock (BEGIN
# IMMEDIATE) by another, every command that only reads finishes at once
# with exit 0 and the database is unchanged (issue 16).
#
# On PostgreSQL one session holds both: desk's writers' advisory lock
# (writer_lock.bash) and a writer's open transaction (a row inserted, a
# ticket's row locked), as a desk stopped in the middle of a write would.
# backup is SQLite's alone (it refuses a server's database).

# shellcheck source=tests/cli/writer_lock.bash
. "$ROOT/tests/cli/writer_lock.bash"
ROD=$TMP/readonly
mkdir -p "$ROD"
cp -r "$ROOT/tests/data/kb" "$ROD/kb"
printf 'knowledge_base:\n  path: kb\n' >"$ROD/config.yaml"
: >"$ROD/personal.yaml"
db_new RDB readonly/desk # beside config.yaml on SQLite
# ro ARGS...: desk on $RDB; on the server its team file is named.
ro() {
	if on_pg; then
		DESK_SYSTEM_CONFIG=$ROD/config.yaml run --db "$RDB" --config "$ROD/personal.yaml" "$@"
	else
		run --db "$RDB" --config "$ROD/personal.yaml" "$@"
	fi
}

t "read-only: setup (tickets, a note, a customer, the knowledge base indexed)"
ro init
rc_is 0
ro new --subject "Parcel lost" --name "Ann Lee" --email ann@example.com --body "Where is my parcel?"
rc_is 0
ro note 1 --body "Asked the courier."
rc_is 0
ro kb search password # indexes the folder: the next ones only read
rc_is 0
end

# The holders: each waits for its stop file, so that the test ends them
# by name (killing flock would leave its child holding the gate).
if on_pg; then
	pg_writer_hold "$RDB" "$ROD/hold" "INSERT INTO events (ticket_id, at, action) VALUES (1, 1, 'lock');
	UPDATE tickets SET subject = subject WHERE id = 1;"
	ro_held=$?
else
	flock "$RDB-gate" sh -c "echo held >'$ROD/gate.held'; while [ ! -e '$ROD/stop' ]; do sleep 0.1; done" &
	ro_gate=$!
	mkfifo "$ROD/sql"
	sqlite3 "$RDB" <"$ROD/sql" >"$ROD/sql.out" 2>&1 &
	ro_sql=$!
	exec 8>"$ROD/sql"
	echo "BEGIN IMMEDIATE; INSERT INTO events (ticket_id, at, action) VALUES (1, 1, 'lock'); SELECT 'locked';" >&8
	for _ in $(seq 100); do
		grep -q locked "$ROD/sql.out" 2>/dev/null && [ -e "$ROD/gate.held" ] && break
		sleep 0.1
	done
fi
RO_COUNTS="SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM messages)"
before=$(count "$RO_COUNTS" "$RDB")

t "read-only: with the gate and the write lock held, every reading command goes on at once"
if on_pg; then
	[ "$ro_held" = 0 ] || fail "the writers' lock was not taken: $(cat "$ROD/hold/hold.out")"
else
	grep -q locked "$ROD/sql.out" || fail "the sqlite3 shell did not take the write lock: $(cat "$ROD/sql.out")"
	[ -e "$ROD/gate.held" ] || fail "the gate was not held"
fi
while IFS= read -r cmd; do
	[ -n "$cmd" ] || continue
	start=$(date +%s%N)
	# shellcheck disable=SC2086 # cmd is a list of words
	ro $cmd
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$RC" = 0 ] || fail "desk $cmd: exit $RC: $(head -c 300 "$W/err")"
	[ "$ms" -lt 5000 ] || fail "desk $cmd took $ms ms: it waited for the writer"
done <<EOF
list
list --view all
list --search parcel
show 1
show 1 --json
export
report
customer list
customer show 1
customer tickets 1
agent list
outbox
attachment list 1
survey list
kb search password
kb show reset-password
kb check
config check
config show
keys
$(on_pg || echo "backup $ROD/copy.db")
EOF
ro drafts # exit 0, or 1 with "no unsent drafts": either way at once
[ "$RC" -le 1 ] || fail "desk drafts: exit $RC: $(head -c 300 "$W/err")"
after=$(count "$RO_COUNTS" "$RDB")
[ "$before" = "$after" ] || fail "the database changed under the held lock: $before -> $after"
end

if on_pg; then
	pg_writer_release "$ROD/hold"
else
	echo "ROLLBACK;" >&8
	exec 8>&-
	touch "$ROD/stop"
	wait "$ro_sql" "$ro_gate" 2>/dev/null
fi

t "read-only: the lock holders let go, writes go on"
ro note 1 --body "After the lock."
rc_is 0
end
