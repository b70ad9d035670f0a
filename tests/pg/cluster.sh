#!/bin/sh
# cluster.sh: a throwaway PostgreSQL cluster for desk's tests.
#
#   sh tests/pg/cluster.sh start DIR   initdb into DIR/data and start it
#   sh tests/pg/cluster.sh env DIR     the libpq conninfo of its superuser
#   sh tests/pg/cluster.sh stop DIR    stop it at once and remove DIR
#   sh tests/pg/cluster.sh crash DIR   kill -9 the server and its backends
#   sh tests/pg/cluster.sh restart DIR start the server again on DIR/data
#   sh tests/pg/cluster.sh bindir      where the server's programs are
#
# The server listens on a Unix socket in DIR only (no TCP), trades
# durability for speed (fsync, synchronous_commit and full-page writes
# off: the data is thrown away), and allows enough connections for the
# tests that open many desks at once.  With DESK_PG_DURABLE=1 at start
# it keeps PostgreSQL's durable defaults instead (fsync, synchronous_commit
# and full_page_writes on: every commit waits for its WAL flush), as a
# benchmark must; restart keeps what start chose.  initdb refuses to run as root, so
# as root the cluster runs as an unprivileged user ($DESK_PG_USER,
# default nobody, which every Debian has); otherwise as the caller.
#
# One unit suite on PostgreSQL by hand (make unit-pg does this for each
# suite in tests/unit/pg_suites):
#   d=$(mktemp -d); sh tests/pg/cluster.sh start $d
#   DESK_TEST_PG="$(sh tests/pg/cluster.sh env $d)" CK_RUN_SUITE=store ./build/unit
#   sh tests/pg/cluster.sh stop $d
set -eu

me="tests/pg/cluster.sh"
usage() {
	echo "usage: sh $me start|stop|env|crash|restart DIR, or sh $me bindir" >&2
	exit 2
}
[ $# -ge 1 ] || usage
cmd=$1
if [ "$cmd" = bindir ]; then
	[ $# -eq 1 ] || usage
	dir=
else
	[ $# -eq 2 ] || usage
	dir=$2
fi
case $dir in
/* | "") ;;
*) dir=$(pwd)/$dir ;;
esac
port=5432

# The newest server installed (Debian: /usr/lib/postgresql/VERSION/bin),
# or $PG_BINDIR.
bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		echo "$PG_BINDIR"
		return
	fi
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && echo "$d"
	done | sort -V | tail -n 1
}

# Runs a server binary as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$owner" -- "$@"
	else
		"$@"
	fi
}

start() {
	bin=$(bindir)
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
		echo "$me: no PostgreSQL server (looked for /usr/lib/postgresql/*/bin/initdb" \
		     "and pg_ctl${PG_BINDIR:+ in $PG_BINDIR}); \`make deps\` installs it" >&2
		exit 1
	fi
	# The socket's path (DIR/.s.PGSQL.5432) must fit in sun_path.
	if [ ${#dir} -gt 90 ]; then
		echo "$me: $dir is too long for a Unix socket path; use a shorter folder" >&2
		exit 1
	fi
	if [ -e "$dir/data" ]; then
		echo "$me: $dir/data exists already; a cluster is started in a new folder" >&2
		exit 1
	fi
	mkdir -p "$dir"
	chmod 700 "$dir"
	# stop removes only a folder start made its own.
	: >"$dir/.desk-test-cluster"
	if [ "${DESK_PG_DURABLE:-0}" = 1 ]; then
		: >"$dir/.durable"
	fi
	owner=$(id -un)
	if [ "$(id -u)" -eq 0 ]; then
		owner=${DESK_PG_USER:-nobody}
		if ! id "$owner" >/dev/null 2>&1; then
			echo "$me: running as root, and the user $owner to run the server as" \
			     "does not exist (set DESK_PG_USER)" >&2
			exit 1
		fi
		chown "$owner" "$dir"
		# The owner must reach DIR through every folder above it.
		if ! runuser -u "$owner" -- test -w "$dir"; then
			echo "$me: $owner cannot reach $dir (a folder above it is closed" \
			     "to others); use a folder under /tmp" >&2
			exit 1
		fi
	fi
	if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust \
	     -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
		echo "$me: initdb failed in $dir/data:" >&2
		tail -n 20 "$dir/initdb.log" >&2
		exit 1
	fi
	serve
}

# Starts the server on the cluster in DIR/data.
serve() {
	durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	if [ -e "$dir/.durable" ]; then
		durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
	fi
	if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
	     -o "-k $dir -p $port -c listen_addresses=''" -o "$durability" \
	     -o "-c max_connections=300" start >"$dir/pg_ctl.log" 2>&1; then
		echo "$me: the server in $dir/data did not start; its log ends:" >&2
		tail -n 20 "$dir/log" "$dir/pg_ctl.log" >&2 2>/dev/null || true
		exit 1
	fi
}

# kill -9 of the server and every backend (a crash; the data stays, and
# the page cache keeps what fsync=off did not flush), then `restart`.
crash() {
	pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || {
		echo "$me: no server runs in $dir" >&2
		exit 1
	}
	pkill -9 -P "$pid" 2>/dev/null || true
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

restart() {
	bin=$(bindir)
	owner=$(stat -c %U "$dir")
	serve
}

stop() {
	[ -d "$dir" ] || return 0
	if [ ! -e "$dir/.desk-test-cluster" ]; then
		echo "$me: $dir was not made by \`$me start\`; not removing it" >&2
		exit 1
	fi
	bin=$(bindir)
	owner=$(stat -c %U "$dir" 2>/dev/null || id -un)
	if [ -f "$dir/data/postmaster.pid" ] && [ -n "$bin" ]; then
		# Immediate: the data is thrown away, so nothing needs flushing.
		as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || {
			echo "$me: the server in $dir/data did not stop; its log ends:" >&2
			tail -n 20 "$dir/log" >&2 2>/dev/null || true
			exit 1
		}
	fi
	rm -rf "$dir"
}

case $cmd in
start) start ;;
stop) stop ;;
crash) crash ;;
restart) restart ;;
env) echo "host=$dir port=$port user=postgres dbname=postgres" ;;
bindir)
	b=$(bindir)
	[ -n "$b" ] || { echo "$me: no PostgreSQL server installed" >&2; exit 1; }
	echo "$b"
	;;
*) usage ;;
esac
