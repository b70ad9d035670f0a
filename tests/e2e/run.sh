#!/bin/sh
# run.sh: desk's end-to-end tests of the console.  `make test-e2e` runs
#   sh tests/e2e/run.sh ./desk
# from the top of the repository, and `make test-e2e-pg` runs it again
# on PostgreSQL:
#   sh tests/pg/with-cluster.sh sh tests/e2e/run.sh ./desk
# The tests themselves are bash and drive the real binary in a private
# tmux server, one file a subject (each with its own server and
# database, sharing lib.bash: with DESK_TEST_PG set, a database of its
# own on that PostgreSQL server); this wrapper checks the tools and runs
# every file (pg_*.bash on PostgreSQL only), failing if any failed or,
# on PostgreSQL, left its database behind.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/run.sh PATH-TO-DESK" >&2
	exit 2
fi
tools="bash tmux"
engine=SQLite
if [ -n "${DESK_TEST_PG:-}" ]; then
	engine=PostgreSQL
	psql=psql
	command -v psql >/dev/null 2>&1 ||
		psql=$(sh "$(dirname "$0")/../pg/cluster.sh" bindir)/psql
else
	tools="$tools sqlite3"
fi
for tool in $tools; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "e2e tests: $tool is missing; \`make deps\` installs it" >&2
		exit 1
	fi
done
started=$(date +%s)
status=0
for t in "$(dirname "$0")"/*.bash; do
	[ "${t##*/}" = lib.bash ] && continue
	# A file about PostgreSQL itself runs in the PostgreSQL run, which
	# make check runs too: not here with a cluster of its own besides.
	case ${t##*/} in
	pg_*.bash)
		if [ -z "${DESK_TEST_PG:-}" ]; then
			echo "# ${t##*/}: skipped, PostgreSQL only (make test-e2e-pg)"
			continue
		fi
		;;
	esac
	echo "# ${t##*/}"
	t0=$(date +%s)
	bash "$t" "$@" || status=1
	echo "# ${t##*/}: $(($(date +%s) - t0)) s"
done
if [ -n "${DESK_TEST_PG:-}" ]; then
	if ! left=$("$psql" -X "$DESK_TEST_PG" -Atc "SELECT string_agg(datname, ' ')
		FROM pg_database WHERE datname LIKE 'desk\_e2e\_%'"); then
		echo "e2e tests: the server in DESK_TEST_PG could not be asked what is left" >&2
		status=1
	elif [ -n "$left" ]; then
		echo "e2e tests: databases left behind: $left" >&2
		status=1
	fi
fi
echo "e2e tests on $engine: $([ $status -eq 0 ] && echo passed || echo FAILED)" \
     "in $(($(date +%s) - started)) s"
exit $status
