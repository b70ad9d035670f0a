# db_copy_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W, $DEMO).  desk db copy FROM TO: the demo desk copied to a new
# file and, on PostgreSQL, there and back, with equal exports; a target
# with rows, a missing source and usage errors refused with nothing
# written.  The demo is the workflow's (on the run's engine) or, when
# that part did not run, one of its own.  The server is the run's
# (DESK_TEST_PG) or else a throwaway cluster of its own
# (tests/pg/cluster.sh); the PostgreSQL tests are skipped, saying so,
# without one.  The copies named *.db are SQLite files on either run,
# asked by sqlite3 as such; the server's databases by psql.

mkdir -p "$TMP/dbcopy"
CP=$TMP/dbcopy
export_of() { # DB FILE: desk export of DB into FILE, as its admin
	timeout 120 "$DESK" --db "$1" export >"$2" 2>"$W/err" </dev/null
}

# CPDEMO: the demo (not $DEMO itself, which says the workflow ran).
CPDEMO=${DEMO:-}
if [ -z "$CPDEMO" ]; then
	t "db copy: setup (a demo desk of its own: the workflow part did not run)"
	db_new CPDEMO dbcopy/demo
	timeout 300 "$DESK" --db "$CPDEMO" init --demo >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	rc_is 0
	end
fi

t "db copy: usage errors"
run db
rc_is 2
err_has "desk db: which? desk db copy FROM TO"
run db copy "$CPDEMO"
rc_is 2
err_has "give FROM and TO"
run db copy "$CPDEMO" "$CP/x.db" extra
rc_is 2
err_has 'unexpected argument "extra"'
run db frob
rc_is 2
err_has 'unknown db command "frob"'
[ ! -e "$CP/x.db" ] || fail "a usage error made $CP/x.db"
end

t "db copy: the demo desk into a new SQLite file, export for export"
timeout 120 "$DESK" db copy "$CPDEMO" "$CP/copy.db" >"$W/out" 2>"$W/err" </dev/null
RC=$?
rc_is 0
out_has "desk: copied "
out_has " rows of 22 tables from $CPDEMO to $CP/copy.db"
err_empty
export_of "$CPDEMO" "$CP/demo.jsonl"
export_of "$CP/copy.db" "$CP/copy.jsonl"
[ -s "$CP/demo.jsonl" ] || fail "the demo's export is empty"
cmp -s "$CP/demo.jsonl" "$CP/copy.jsonl" || fail "the exports differ"
[ "$(sqlite3 "$CP/copy.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
run --db "$CP/copy.db" list --search refund
rc_is 0
[ "$(cat "$W/out")" = "$(timeout 60 "$DESK" --db "$CPDEMO" list --search refund 2>&1)" ] ||
	fail "a search finds other tickets on the copy"
end

t "db copy: a target with rows is refused, and left as it was"
before=$(sqlite3 "$CP/copy.db" 'SELECT count(*) FROM tickets')
run db copy "$CPDEMO" "$CP/copy.db"
rc_is 1
err_is "desk: $CP/copy.db: is not empty (its agents table holds $(count 'SELECT count(*) FROM agents' "$CPDEMO") rows); desk db copy writes only into a new or empty database"
[ "$(sqlite3 "$CP/copy.db" 'SELECT count(*) FROM tickets')" = "$before" ] || fail "tickets changed"
run db copy "$CPDEMO" "$CPDEMO"
rc_is 1
err_has "FROM and TO are the same database"
end

t "db copy: a source that is not there is named, and no target is made"
run db copy "$CP/none.db" "$CP/y.db"
rc_is 1
err_is "desk: $CP/none.db: no database here (create one with: desk init)"
[ ! -e "$CP/y.db" ] || fail "made $CP/y.db"
if on_pg; then # a database on the server that holds no desk
	db_new CPNONE dbcopy/none
	run db copy "$CPNONE" "$CP/y.db"
	rc_is 1
	err_is "desk: $CPNONE: $NO_DB (create one with: desk init)"
	[ ! -e "$CP/y.db" ] || fail "made $CP/y.db"
fi
end

# The server: the run's, or a cluster of its own.  PGADMIN reaches it as
# a superuser; PGDB and PGSTOP are empty databases there.
PGADMIN=
PGC=
PG_FAILED=
if on_pg; then
	PGADMIN=$PG_BASE
	db_new PGDB copy_to
	db_new PGSTOP copy_stop
elif [ -z "$(sh "$ROOT/tests/pg/cluster.sh" bindir 2>/dev/null)" ]; then
	echo "# db copy: no PostgreSQL server installed (make deps): the PostgreSQL part is skipped"
	PG_WHY="no PostgreSQL server (make deps installs one)"
else
	PGC=$(mktemp -d)
	if ! sh "$ROOT/tests/pg/cluster.sh" start "$PGC" >"$W/err" 2>&1; then
		echo "# db copy: could not start a PostgreSQL cluster: the PostgreSQL part is skipped"
		PG_WHY="no PostgreSQL cluster: $(head -c 200 "$W/err" | vis)"
	else
		PGADMIN=$(sh "$ROOT/tests/pg/cluster.sh" env "$PGC")
		psql "$PGADMIN" -qc "CREATE DATABASE copy_to" >/dev/null 2>&1 || PG_FAILED+="CREATE DATABASE copy_to; "
		psql "$PGADMIN" -qc "CREATE DATABASE copy_stop" >/dev/null 2>&1 || PG_FAILED+="CREATE DATABASE copy_stop; "
		PGDB="$PGADMIN dbname=copy_to"
		PGSTOP="$PGADMIN dbname=copy_stop"
	fi
fi
# The SQLite source: the demo, or on a run on the server its copy in a
# file (the test above showed it exports the same).
CPLITE=$CPDEMO
on_pg && CPLITE=$CP/copy.db

t "db copy: SQLite -> PostgreSQL -> SQLite, export for export"
if [ -z "$PGADMIN" ]; then
	skip "$PG_WHY"
else
	[ -z "$PG_FAILED" ] || fail "failed: $PG_FAILED"
	timeout 300 "$DESK" db copy "$CPLITE" "$PGDB" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	rc_is 0
	out_has " rows of 22 tables from $CPLITE to "
	[ "$(psql "$PGDB" -Atc 'SELECT count(*) FROM tickets')" = \
		"$(sqlite3 "$CPLITE" 'SELECT count(*) FROM tickets')" ] || fail "tickets on PostgreSQL"
	timeout 300 "$DESK" db copy "$PGDB" "$CP/back.db" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	rc_is 0
	export_of "$CP/back.db" "$CP/back.jsonl"
	cmp -s "$CP/demo.jsonl" "$CP/back.jsonl" || fail "the exports differ after PostgreSQL"
	end
fi

t "db copy: on PostgreSQL the copy's agents work under their own roles, as after desk init"
if [ -z "$PGADMIN" ]; then
	skip "$PG_WHY"
else
	CPAG=$(psql "$PGDB" -XAtc "SELECT login FROM agents WHERE active = 1 AND login <> '$ME' ORDER BY id LIMIT 1")
	[ -n "$CPAG" ] || fail "no active agent in the copy"
	# desk knows the agent by the role it connects as (no --as).
	run --db "$PGDB user=$CPAG" list --view all --json
	rc_is 0
	jis 'len(d) > 0' true "$W/out"
	run --db "$PGDB user=$CPAG" note 1 --body "after the copy"
	rc_is 0
	[ "$(psql "$PGDB" -XAtc "SELECT a.login FROM messages m JOIN agents a ON a.id = m.author_id WHERE m.body = 'after the copy'")" = "$CPAG" ] ||
		fail "the note is not $CPAG's"
	# and the audit trail is no more theirs to change than after desk init
	psql "$PGDB user=$CPAG" -XAtc "DELETE FROM events" >"$W/out" 2>&1 && fail "$CPAG deleted events"
	end
fi

t "db copy: into PostgreSQL again is refused; Ctrl-C leaves no rows"
if [ -z "$PGADMIN" ]; then
	skip "$PG_WHY"
else
	run db copy "$CPLITE" "$PGDB"
	rc_is 1
	err_has "is not empty (its agents table holds"
	# An empty desk on PostgreSQL (its schema only): desk init's, with
	# its admin and that one's event taken out again.
	STOPNAME=$(psql "$PGSTOP" -XAtc 'SELECT current_database()')
	run --db "$PGSTOP" init
	rc_is 0
	psql "$PGSTOP" -q >/dev/null 2>&1 <<-'SQL' || fail "emptying $STOPNAME"
	ALTER TABLE events DISABLE TRIGGER USER; DELETE FROM events; DELETE FROM agents;
	ALTER TABLE events ENABLE TRIGGER USER;
	SQL
	[ "$(psql "$PGSTOP" -Atc 'SELECT count(*) FROM agents')" = 0 ] || fail "not emptied"
	# Another session keeps writers out of events (readers go on): the
	# copy waits there with agents, customers, tickets and messages
	# written (events come after them; messages itself the copy locks
	# at its start, to turn its triggers off); Ctrl-C, then the other
	# session ends: the copy stops at the end of that page, and its
	# transaction is rolled back.  Each step waits for the one before
	# as the server sees it (a loaded machine).
	psql "$PGSTOP" -qc "BEGIN; LOCK TABLE events IN EXCLUSIVE MODE; SELECT pg_sleep(300)" \
		>/dev/null 2>&1 &
	locker=$!
	pg_until() { # SQL: waits (up to 60 s) until SQL says t
		local i=0
		while [ $i -lt 600 ]; do
			[ "$(psql "$PGADMIN" -Atc "$1")" = t ] && return 0
			sleep 0.1
			i=$((i + 1))
		done
		fail "waited 60 s for: $1"
	}
	pg_until "SELECT count(*) = 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE d.datname = '$STOPNAME' AND l.mode = 'ExclusiveLock' AND l.granted
		AND l.locktype = 'relation'"
	timeout 120 "$DESK" db copy "$CPLITE" "$PGSTOP" >"$W/out" 2>"$W/err" </dev/null &
	copier=$!
	pg_until "SELECT count(*) = 1 FROM pg_stat_activity WHERE datname = '$STOPNAME'
		AND wait_event_type = 'Lock' AND query LIKE 'COPY events %'"
	kill -INT "$copier"
	psql "$PGADMIN" -qAtc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = '$STOPNAME' AND query LIKE '%pg_sleep%'" >/dev/null
	wait "$copier"
	RC=$?
	wait "$locker"
	rc_is 1
	err_has "stopped while copying events; nothing was copied: "
	err_has "holds no rows"
	[ "$(psql "$PGSTOP" -Atc 'SELECT count(*) FROM tickets')" = 0 ] || fail "tickets were left"
	[ "$(psql "$PGSTOP" -Atc 'SELECT count(*) FROM agents')" = 0 ] || fail "agents were left"
	# So the copy can simply be run again.
	timeout 300 "$DESK" db copy "$CPLITE" "$PGSTOP" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	rc_is 0
	end
fi

t "db copy: a PostgreSQL server that is not there is named"
run db copy "$CPLITE" "host=$CP/nowhere dbname=desk"
rc_is 1
err_has "nowhere"
end
[ -z "$PGC" ] || sh "$ROOT/tests/pg/cluster.sh" stop "$PGC" >/dev/null 2>&1 || rm -rf "$PGC"
