# pg_outage.bash: the console when its PostgreSQL server goes away and
# comes back (issue 17).  While the server is down the panes still hold
# what was read before, so the status bar must say OFFLINE and since
# when; once the server is back the console reconnects by itself, says
# so, and shows what changed meanwhile, with no key pressed.
#
#   bash tests/e2e/pg_outage.bash PATH-TO-DESK   (on a cluster of its own)
# or, as make test-e2e-pg runs it, on the run's cluster (DESK_TEST_PG_DIR),
# which it kills and starts again.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster() { sh "$here/../pg/cluster.sh" "$@"; }
if [ -n "${DESK_TEST_PG:-}" ] && [ -n "${DESK_TEST_PG_DIR:-}" ]; then
	PGDIR=$DESK_TEST_PG_DIR
else
	PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/desk-e2e-pg.XXXXXX")
	if ! cluster start "$PGDIR" >"$PGDIR.log" 2>&1; then
		echo "pg_outage: the PostgreSQL cluster did not start:" >&2
		cat "$PGDIR.log" >&2
		rm -f "$PGDIR.log"
		cluster stop "$PGDIR" 2>/dev/null
		exit 1
	fi
	rm -f "$PGDIR.log"
	E2E_AFTER="sh '$here/../pg/cluster.sh' stop '$PGDIR'"
	DESK_TEST_PG=$(cluster env "$PGDIR")
	trap 'eval "$E2E_AFTER"' EXIT
fi
source "$here/lib.bash" "$@"

start 160 40
if wait_for "Queue: open (" 10 && wait_for "? help"; then
	ok "the console opens on the PostgreSQL database"
else
	fail "the console opens on the PostgreSQL database" "no queue"
fi
count=$(printf '%s\n' "$SCREEN" | sed -n 's/.*│ open (\([0-9]*\)) │.*/\1/p' | head -1)

# The server dies (kill -9 of it and its backends): the console notices
# within a poll or two, without a key pressed.
cluster crash "$PGDIR"
if wait_for "OFFLINE since" 6; then
	ok "the status bar says OFFLINE since when, once the server is gone"
else
	fail "the status bar says OFFLINE since when, once the server is gone" "not said"
fi
check "the message line says the screen holds what was read before" \
	bash -c "case \"\$1\" in *'Offline since'*'what was read before'*) ;; *) exit 1 ;; esac" _ "$SCREEN"

# Back: another agent's ticket made while the console was still offline
# or reconnecting reaches it; the console says it is back.
if ! cluster restart "$PGDIR" >"$TMP/restart.log" 2>&1; then
	fail "the server starts again" "$(cat "$TMP/restart.log")"
fi
end=$((SECONDS + 20))
until "$DESK" --as ben new --subject "E2E after the outage" --email back@example.com \
	--body "hello" >/dev/null 2>&1 || [ $SECONDS -ge $end ]; do
	sleep 0.2
done
if wait_gone "OFFLINE since" 10 && wait_for "The database server is back" 2; then
	ok "the console reconnects by itself and says the server is back"
else
	fail "the console reconnects by itself and says the server is back" "still offline"
fi
if [ -n "$count" ] && wait_for "│ open ($((count + 1))) │" 8; then
	ok "a ticket made during the outage shows without a key pressed"
else
	fail "a ticket made during the outage shows without a key pressed" "count not $((count + 1))"
fi

finish
