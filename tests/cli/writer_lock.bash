# writer_lock.bash: sourced by the parts about desk's write lock (gate,
# readonly), not a part itself.  On PostgreSQL every desk writer takes
# one transaction advisory lock of the database's after BEGIN (pg_conn.c
# pg_begin, WRITER_LOCK_KEY): the write gate's and SQLite's write lock's
# counterpart there.  These hold it from another session, as a writer
# that does not finish would.

PG_WRITER_LOCK=1684370283

# pg_writer_hold DB DIR [SQL]: a psql session of DB (a conninfo; its
# application_name, if it names one, is what the server shows) begins a
# transaction, takes desk's writers' lock, runs SQL in it, and holds
# them until the file DIR/stop appears (or DIR goes, as at the run's
# cleanup, or 300 s pass); returns once they are held (or fails, saying
# why).  HOLD_PID is the session's psql.
pg_writer_hold() {
	local db=$1 dir=$2 sql=${3:-}
	mkdir -p "$dir"
	rm -f "$dir/held" "$dir/stop"
	psql "$db" -XqAt -v ON_ERROR_STOP=1 >"$dir/hold.out" 2>&1 <<-EOF &
	BEGIN;
	SELECT pg_advisory_xact_lock($PG_WRITER_LOCK);
	$sql
	\! touch '$dir/held'
	\! i=0; while [ -d '$dir' ] && [ ! -e '$dir/stop' ] && [ \$i -lt 3000 ]; do sleep 0.1; i=\$((i + 1)); done
	ROLLBACK;
	EOF
	HOLD_PID=$!
	local i
	for i in $(seq 300); do
		[ -e "$dir/held" ] && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "the writers' lock was not taken: $(cat "$dir/hold.out")"
	pg_writer_release "$dir"
	return 1
}

# pg_writer_release DIR: the session of pg_writer_hold lets go and ends.
pg_writer_release() {
	touch "$1/stop"
	wait "$HOLD_PID" 2>/dev/null
}

# pg_lock_waiters DB: how many sessions of DB wait for desk's writers'
# lock now.
pg_lock_waiters() {
	db_sql "$1" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND NOT granted AND classid = 0 AND objid = $PG_WRITER_LOCK AND objsubid = 1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}
