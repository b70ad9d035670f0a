# pg_live.bash: the console on PostgreSQL (issue 17): it opens on a
# database on a server, shows the demo queue, and another agent's change
# made elsewhere (the command line) reaches it through LISTEN/NOTIFY
# within a second or two, with no file to watch.
#
#   bash tests/e2e/pg_live.bash PATH-TO-DESK     (on a cluster of its own)
# or, as make test-e2e-pg runs it, on the server DESK_TEST_PG names.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# On the server the run was given (DESK_TEST_PG: make test-e2e-pg), or,
# run on its own or among the SQLite files, on a cluster of its own.
if [ -z "${DESK_TEST_PG:-}" ]; then
	PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/desk-e2e-pg.XXXXXX")
	if ! sh "$here/../pg/cluster.sh" start "$PGDIR" >"$PGDIR.log" 2>&1; then
		echo "pg_live: the PostgreSQL cluster did not start:" >&2
		cat "$PGDIR.log" >&2
		rm -f "$PGDIR.log"
		sh "$here/../pg/cluster.sh" stop "$PGDIR" 2>/dev/null
		exit 1
	fi
	rm -f "$PGDIR.log"
	E2E_AFTER="sh '$here/../pg/cluster.sh' stop '$PGDIR'"
	DESK_TEST_PG=$(sh "$here/../pg/cluster.sh" env "$PGDIR")
	# Stopped at exit: here until lib.bash's cleanup, which runs E2E_AFTER.
	trap 'eval "$E2E_AFTER"' EXIT
fi
source "$here/lib.bash" "$@"

start 160 40
if wait_for "Queue: open (" 10 && wait_for "? help"; then
	ok "the console opens on a PostgreSQL database with the demo queue"
	sleep 0.3
	cap
else
	fail "the console opens on a PostgreSQL database with the demo queue" "no queue"
fi

# The ticket under the cursor, shown in the conversation; the queue's count.
shown=$(queue_ids | head -1)
count=$(printf '%s\n' "$SCREEN" | sed -n 's/.*│ open (\([0-9]*\)) │.*/\1/p' | head -1)

# Another agent's ticket, from the command line: the console's queue
# shows it without a key pressed (the console only listens).
t0=$SECONDS
"$DESK" --as ben new --subject "E2E live from PostgreSQL" --email live@example.com \
	--body "hello" >/dev/null
if [ -n "$count" ] && wait_for "│ open ($((count + 1))) │" 8; then
	ok "another agent's new ticket appears in the open console ($((SECONDS - t0)) s)"
else
	fail "another agent's new ticket appears in the open console" "not shown"
fi

# The console's own write lands in the database: a tag on the ticket shown.
keys :
type_text "tag-add e2e-pg"
keys Enter
wait_for "create it? (y/n)" && keys y
end=$((SECONDS + 6))
until "$DESK" show "$shown" 2>/dev/null | grep -q e2e-pg || [ $SECONDS -ge $end ]; do
	sleep 0.1
done
check "a change made in the console is in the database (ticket $shown)" \
	bash -c "'$DESK' show '$shown' | grep -q e2e-pg"

finish
