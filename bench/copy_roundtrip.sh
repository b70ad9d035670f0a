#!/bin/sh
# copy_roundtrip.sh: desk db copy on a benchmark database, there and back:
# SQLite -> PostgreSQL -> SQLite on a throwaway cluster (tests/pg/cluster.sh),
# each leg timed, then `desk export` of the source and of the copy that came
# back compared byte for byte.  The source is only read, through a copy
# made with SQLite's backup (never opened read-write).
# Usage: sh bench/copy_roundtrip.sh [PATH-TO-DESK] [SOURCE.db]
#   (default: ./desk and bench/data/desk-100k-s1.db, which `make bench-data`
#   or bench/run.sh makes)
set -eu
DESK=$(cd "$(dirname "${1:-./desk}")" && pwd)/$(basename "${1:-./desk}")
SRC=${2:-bench/data/desk-100k-s1.db}
[ -r "$SRC" ] || { echo "copy_roundtrip: no $SRC (bench/run.sh makes it)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/desk-bench-copy-XXXXXX")
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/desk-bench-pg-XXXXXX")
cleanup() {
	sh tests/pg/cluster.sh stop "$PGDIR" >/dev/null 2>&1 || rm -rf "$PGDIR"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset DESK_CONFIG DESK_DB
export XDG_CONFIG_HOME="$T/config" TZ=UTC
# A copy of the binary, so that a rebuild during the run changes nothing.
cp "$DESK" "$T/desk"
DESK=$T/desk

now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{ printf "%.1f", $2 - $1 }'; }

sqlite3 -readonly "$SRC" ".backup '$T/from.db'"
# The copy is read only, so it must be at this desk's schema version: an
# older one is migrated first by a command that opens it read-write (the
# admin's signature set to what it is: the rows stay as they were).
admin=$(sqlite3 "$T/from.db" "SELECT login FROM agents WHERE role = 'admin' ORDER BY id LIMIT 1")
if [ "$(sqlite3 "$T/from.db" 'PRAGMA user_version')" != \
	"$(sed -n 's/^#define STORE_SCHEMA_VERSION //p' include/store.h)" ]; then
	sig=$(sqlite3 "$T/from.db" "SELECT coalesce(signature, '') FROM agents WHERE login = '$admin'")
	t0=$(now)
	if [ -n "$sig" ]; then
		"$DESK" --db "$T/from.db" --as "$admin" agent signature --text "$sig"
	else
		"$DESK" --db "$T/from.db" --as "$admin" agent signature --clear
	fi
	echo "copy_roundtrip: migrated the source's copy to this desk's schema in" \
		"$(secs "$t0" "$(now)") s (not counted)"
fi
sh tests/pg/cluster.sh start "$PGDIR" >/dev/null
ADMIN=$(sh tests/pg/cluster.sh env "$PGDIR")
psql "$ADMIN" -qc "CREATE DATABASE desk_copy" >/dev/null
PG="$ADMIN dbname=desk_copy"

rows=$(sqlite3 "$T/from.db" "SELECT (SELECT count(*) FROM tickets) || ' tickets, ' ||
	(SELECT count(*) FROM messages) || ' messages, ' || (SELECT count(*) FROM events) ||
	' events'")
echo "copy_roundtrip: $SRC: $rows"
t0=$(now)
"$DESK" db copy "$T/from.db" "$PG"
t1=$(now)
"$DESK" db copy "$PG" "$T/back.db"
t2=$(now)
echo "copy_roundtrip: SQLite -> PostgreSQL $(secs "$t0" "$t1") s," \
	"PostgreSQL -> SQLite $(secs "$t1" "$t2") s"
# Export as the database's first admin (root may act as anyone).
"$DESK" --db "$T/from.db" --as "$admin" export >"$T/from.jsonl"
"$DESK" --db "$T/back.db" --as "$admin" export >"$T/back.jsonl"
if cmp -s "$T/from.jsonl" "$T/back.jsonl"; then
	echo "copy_roundtrip: exports equal ($(wc -c <"$T/from.jsonl") bytes)"
else
	echo "copy_roundtrip: THE EXPORTS DIFFER" >&2
	cmp "$T/from.jsonl" "$T/back.jsonl" >&2 || true
	exit 1
fi
