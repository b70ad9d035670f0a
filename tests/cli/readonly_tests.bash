# readonly_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W, $ROOT).  Read-only commands never take the write lock: with
# the write gate held by one process and SQLite's write lock (BEGIN
# IMMEDIATE) by another, every command that only reads finishes at once
# with exit 0 and the database is unchanged (issue 16).

ROD=$TMP/readonly
mkdir -p "$ROD"
cp -r "$ROOT/tests/data/kb" "$ROD/kb"
printf 'knowledge_base:\n  path: kb\n' >"$ROD/config.yaml"
: >"$ROD/personal.yaml"
RDB=$ROD/desk.db
ro() { run --db "$RDB" --config "$ROD/personal.yaml" "$@"; }

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
before=$(sqlite3 "$RDB" "SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM messages)")

t "read-only: with the gate and the write lock held, every reading command goes on at once"
grep -q locked "$ROD/sql.out" || fail "the sqlite3 shell did not take the write lock: $(cat "$ROD/sql.out")"
[ -e "$ROD/gate.held" ] || fail "the gate was not held"
while IFS= read -r cmd; do
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
backup $ROD/copy.db
EOF
ro drafts # exit 0, or 1 with "no unsent drafts": either way at once
[ "$RC" -le 1 ] || fail "desk drafts: exit $RC: $(head -c 300 "$W/err")"
after=$(sqlite3 "$RDB" "SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM messages)")
[ "$before" = "$after" ] || fail "the database changed under the held lock: $before -> $after"
end

echo "ROLLBACK;" >&8
exec 8>&-
touch "$ROD/stop"
wait "$ro_sql" "$ro_gate" 2>/dev/null

t "read-only: the lock holders let go, writes go on"
ro note 1 --body "After the lock."
rc_is 0
end
