# engine.bash: sourced by cli_tests.bash once $TMP and $ME are set: which
# engine the run's databases are on, and the means to make and question
# them on either.
#
# Without DESK_TEST_PG every database is a SQLite file in $TMP.  With it
# (tests/pg/with-cluster.sh sets it to a throwaway server's superuser),
# each is a database of its own on that server, made empty by db_new and
# reached as a superuser role named like the Unix login: desk knows the
# agent by the connected role there and by the login on SQLite, so the
# same name is the admin on both and every expected text stays the same.

# The role, the server's databases and their cleanup: tests/pg/testdb.sh,
# which the mail and report suites share; this file adds the CLI's ways.
TESTDB_WHO=cli
# shellcheck source=tests/pg/testdb.sh
. "$ROOT/tests/pg/testdb.sh"
PG_BASE=$TESTDB_BASE

# What desk says of a database that holds no desk yet: a missing file on
# SQLite, an empty database on the server.
NO_DB="no database here"
on_pg && NO_DB="no desk database here"

# The witnesses' SQL is SQLite's; the server gets SQLite's group_concat
# (comma-joined, NULLs left out), the one function they use it lacks.
PG_GROUP_CONCAT='
CREATE FUNCTION group_concat_step(acc text, x text) RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT CASE WHEN acc IS NULL THEN x WHEN x IS NULL THEN acc
	                  ELSE acc || '"','"' || x END $$;
CREATE AGGREGATE group_concat(text) (SFUNC = group_concat_step, STYPE = text);'

# db_new VAR NAME [FILE]: sets VAR to a new database called NAME, not
# made yet: the file FILE (default $TMP/NAME.db; a team file beside it
# is the database's), or an empty database on the server (testdb.sh's
# testdb_make) that knows group_concat.
db_new() {
	local var=$1 name=$2 file=${3:-$TMP/$2.db}
	if ! on_pg; then
		printf -v "$var" '%s' "$file"
		return
	fi
	testdb_make "$name"
	if ! psql "$PG_BASE dbname=$DB_NAME" -XqAt -v ON_ERROR_STOP=1 -c "$PG_GROUP_CONCAT" >/dev/null; then
		echo "cli tests: cannot add group_concat to $DB_NAME on $PG_BASE" >&2
		exit 2
	fi
	printf -v "$var" '%s' "$PG_BASE dbname=$DB_NAME user=$ME"
}

# db_sql DB SQL: SQL's rows as sqlite3 prints them (columns joined by
# '|'), errors included, asked of the engine directly rather than desk:
# an independent witness.
db_sql() {
	if on_pg; then
		psql "$1" -XqAt -F'|' -c "$2" 2>&1
	else
		sqlite3 "$1" "$2" 2>&1
	fi
}

# db_made DB: DB holds a desk database (a file; the server: desk's meta
# table).
db_made() {
	if on_pg; then
		[ "$(psql "$1" -XqAt -c "SELECT to_regclass('meta') IS NOT NULL" 2>/dev/null)" = t ]
	else
		[ -e "$1" ]
	fi
}

# sqlite_only WHY: on the server, the current test is skipped (it is
# about SQLite's file as such: WHY) and this fails; else it succeeds.
#   t "..."; if sqlite_only "file modes"; then ...; end; fi
sqlite_only() {
	if on_pg; then
		skip "SQLite only: $1"
		return 1
	fi
	return 0
}

# What the two dialects spell differently, for the witnesses' SQL: now in
# Unix seconds, and the character with code N.
SQL_NOW="strftime('%s','now')"
on_pg && SQL_NOW="floor(extract(epoch FROM now()))::bigint"
sql_chr() {
	if on_pg; then printf 'chr(%d)' "$1"; else printf 'char(%d)' "$1"; fi
}
