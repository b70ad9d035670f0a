#!/bin/sh
# Runs a command against a throwaway PostgreSQL cluster: initdb in a
# scratch folder, a server on a Unix socket there only (no TCP, no
# fsync), DESK_TEST_PG set to its superuser's conninfo; the cluster is
# stopped and removed afterwards, whatever the command did.
#   sh tests/pg/with-cluster.sh CMD [ARG...]
# initdb refuses root: as root, the cluster runs as `nobody`.
set -eu

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || {
	echo "tests/pg: no PostgreSQL server here (make deps installs it)" >&2
	exit 1
}
dir=$(mktemp -d)
as() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$dir"
	as() { runuser -u nobody -- "$@"; }
fi
cleanup() {
	as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

as "$bin/initdb" -D "$dir/data" -U postgres -A trust >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
	-o "-k $dir -c listen_addresses='' -c fsync=off" start >/dev/null ||
	{ cat "$dir/log" >&2; exit 1; }
DESK_TEST_PG="host=$dir user=postgres" "$@"
