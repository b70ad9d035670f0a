# testdb.sh: sourced (POSIX sh) by the mail and report suites once $T
# (their scratch folder) is set: which engine their databases are on,
# and the means to make and question them on either.  The command-line
# suite's tests/cli/engine.bash builds on it.
#
# Without DESK_TEST_PG every database is a SQLite file.  With it
# (tests/pg/with-cluster.sh sets it to a throwaway server's superuser),
# each is a database of its own on that server, made empty by db_new and
# reached as a superuser role named like the Unix login: desk knows the
# agent by the connected role there and by the login on SQLite, so the
# same name is the admin on both and every expected text stays the same.

TESTDB_BASE=${DESK_TEST_PG:-}
TESTDB_ME=$(id -un)
TESTDB_MADE=
# The suite's name, in messages and in its databases' names.
TESTDB_WHO=${TESTDB_WHO:-tests}

on_pg() { [ -n "$TESTDB_BASE" ]; }

testdb_admin() {
	psql "$TESTDB_BASE" -XqAt -v ON_ERROR_STOP=1 "$@"
}

if on_pg; then
	if ! command -v psql >/dev/null 2>&1; then
		echo "$TESTDB_WHO: DESK_TEST_PG is set but psql is missing (make deps installs it)" >&2
		exit 2
	fi
	if [ "$(testdb_admin -c "SELECT count(*) FROM pg_roles WHERE rolname = '$TESTDB_ME'" 2>&1)" != 1 ] &&
		! testdb_admin -c "CREATE ROLE \"$TESTDB_ME\" LOGIN SUPERUSER" >/dev/null; then
		echo "$TESTDB_WHO: cannot make the role $TESTDB_ME on $TESTDB_BASE" >&2
		exit 2
	fi
fi

# testdb_make NAME: a new, empty database on the server for NAME, its
# name in DB_NAME, dropped by db_drop_all.  A server that refuses ends
# the run: every later result would be meaningless.
testdb_make() {
	DB_NAME=desk_${TESTDB_WHO}_$$_$(printf '%s' "$1" | tr -c 'A-Za-z0-9_' _)
	if ! testdb_admin -c "CREATE DATABASE \"$DB_NAME\" TEMPLATE template0 ENCODING 'UTF8'" >/dev/null; then
		echo "$TESTDB_WHO: cannot make the database $DB_NAME on $TESTDB_BASE" >&2
		exit 2
	fi
	TESTDB_MADE="$TESTDB_MADE $DB_NAME"
}

# db_new VAR NAME FILE: sets VAR to a new database called NAME, not made
# yet: the SQLite file FILE (a team file beside it is the database's),
# or an empty database on the server (testdb_make), whose name is then
# in DB_NAME.
db_new() {
	if ! on_pg; then
		eval "$1=\$3"
		return
	fi
	testdb_make "$2"
	eval "$1=\"\$TESTDB_BASE dbname=\$DB_NAME user=\$TESTDB_ME\""
}

# db_team FILE: FILE is the team's file of the databases made here: on
# SQLite it is beside them already; a server's database has no folder,
# so desk is told (DESK_SYSTEM_CONFIG, which stands for
# /etc/desk/config.yaml).
db_team() {
	if on_pg; then
		DESK_SYSTEM_CONFIG=$1
		export DESK_SYSTEM_CONFIG
	fi
}

# db_drop_all: the server's databases of this run go (the cleanup's).
db_drop_all() {
	for db in $TESTDB_MADE; do
		testdb_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
	done
	TESTDB_MADE=
}

# db_sql DB SQL: SQL's rows as sqlite3 prints them (columns joined by
# '|'; errors on stderr, never taken for a row), asked of the engine
# directly rather than desk: an independent witness.  The SQL must mean
# the same to both engines (a comparison is a boolean on the server:
# count it rather than print it).
db_sql() {
	if on_pg; then
		psql "$1" -XqAt -F'|' -c "$2"
	else
		sqlite3 -batch -noheader "$1" "$2"
	fi
}

# db_conninfo_part KEY: KEY's value in the server's conninfo (host, port).
db_conninfo_part() {
	printf '%s\n' "$TESTDB_BASE" | tr ' ' '\n' | sed -n "s/^$1=//p" | tail -n 1
}
