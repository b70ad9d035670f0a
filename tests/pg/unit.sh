#!/bin/sh
# unit.sh: the unit suites ported to PostgreSQL, against a throwaway
# cluster.  `make unit-pg` runs
#   sh tests/pg/unit.sh ./build/unit
# from the top of the repository: it starts a cluster (tests/pg/
# cluster.sh) in a new temporary folder, runs the binary once for each
# suite named in tests/unit/pg_suites (or each SUITE named after the
# binary) with DESK_TEST_PG set to reach it,
# checks that no test left a database behind, and stops the cluster
# whatever happened (a failure, Ctrl-C).  Any build of the unit tests
# will do (build/unit-san too).
set -eu
if [ $# -lt 1 ]; then
	echo "usage: sh tests/pg/unit.sh PATH-TO-UNIT-TESTS [SUITE...]" >&2
	exit 2
fi
unit=$1
shift
here=$(dirname "$0")
list=${here%/pg}/unit/pg_suites
defs=${here%/pg}/unit/suites.def

# Names, without comments and blank lines; each must be a suite, since
# CK_RUN_SUITE with a name nobody has runs nothing and passes.
# Named suites (each must be in the list too), else the whole list.
suites=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' || true)
for s in "$@"; do
	if ! printf '%s\n' $suites | grep -qx "$s"; then
		echo "unit-pg: \"$s\" is not in $list" >&2
		exit 1
	fi
done
[ $# -gt 0 ] && suites="$*"
for s in $suites; do
	if ! grep -qx "SUITE($s)" "$defs"; then
		echo "unit-pg: $list names \"$s\", which is no suite in $defs" >&2
		exit 1
	fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/desk-pg-XXXXXX")
# The cluster goes whatever happens; a signal exits, which runs this.
trap 'sh "$here/cluster.sh" stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
started=$(date +%s%N)
sh "$here/cluster.sh" start "$dir"
DESK_TEST_PG=$(sh "$here/cluster.sh" env "$dir")
export DESK_TEST_PG
echo "unit-pg: cluster in $dir up in $((($(date +%s%N) - started) / 1000000)) ms"

status=0
for s in $suites; do
	CK_RUN_SUITE=$s "$unit" || status=1
done

# A test that forgot test_db_drop leaves its database here.
psql=$(sh "$here/cluster.sh" bindir)/psql
left=$("$psql" "$DESK_TEST_PG" -Atc \
	"SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE 'desk\_t\_%'")
if [ -n "$left" ]; then
	echo "unit-pg: databases left behind: $left" >&2
	status=1
fi
[ -z "$suites" ] && echo "unit-pg: no suite is listed in $list yet"
exit $status
