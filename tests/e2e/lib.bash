# lib.bash: what every end-to-end test file of the console shares.
#
# A test file (tests/e2e/*.bash but this one) starts with
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"
# and ends with `finish`.  It runs the real `desk` in a private tmux
# server (its own socket, no config) on a demo database in a scratch
# folder of its own, types with send-keys and asserts what a person
# would see with capture-pane, waiting for text to appear (never fixed
# sleeps).  It prints "ok N - name" or "not ok N - name" with the
# screen, and ends with "N passed, M failed"; it exits 1 if anything
# failed.
#
# With DESK_TEST_PG set (a superuser's libpq conninfo, as tests/pg/
# with-cluster.sh sets it), the database is instead a fresh one of the
# file's own on that server, reached as a superuser role named like the
# Unix login (desk knows the agent by the connected role there, and
# `desk init` makes that role an admin, who may use --as); it is dropped
# at the end.  db_sql reads either database the same way; on_pg tells
# which it is.

set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: bash ${0##*/} PATH-TO-DESK (an executable)" >&2
	exit 2
fi
DESK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/desk-e2e.XXXXXX")
SOCK=desk-e2e-$$
TM=(tmux -L "$SOCK" -f /dev/null)
PG_DB=
cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	rm -rf "$TMP"
	# FORCE: a desk the tmux server ran may not have hung up yet.
	[ -n "$PG_DB" ] && pg_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)"
	# A file that brought its own database server stops it here.
	[ -n "${E2E_AFTER:-}" ] && eval "$E2E_AFTER"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A scratch world: nothing of the user's is read or written.
export HOME=$TMP/home
export XDG_CONFIG_HOME=$TMP/config
export XDG_DATA_HOME=$TMP/data
# The team's file, named as the personal one too (read once, as the
# team's) so that `start` can name another: beside a SQLite database, or
# on a server (which has no folder for it) the file that stands for
# /etc/desk/config.yaml.  Either way the same canned responses, mail
# settings and the rest on both engines.
export DESK_CONFIG=$TMP/config.yaml
if [ -z "${DESK_TEST_PG:-}" ]; then
	export DESK_DB=$TMP/desk.db
	unset DESK_SYSTEM_CONFIG
else
	PSQL=psql
	command -v psql >/dev/null 2>&1 || PSQL=$(sh "$ROOT/tests/pg/cluster.sh" bindir)/psql
	pg_admin() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$DESK_TEST_PG" "$@" >/dev/null; }
	ME=$(id -un)
	# desk_e2e_FILE_PID: each file its own, and a run's leftovers name
	# the file that left them (run.sh looks).
	PG_DB=$(basename "$0" .bash | tr -c 'a-z0-9_\n' _)
	PG_DB=desk_e2e_${PG_DB}_$$
	# The role may be there already (an earlier file, another run).
	if ! pg_admin -v role="$ME" 2>"$TMP/psql.err" <<'EOF'
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', :'role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
EOF
	then
		grep -q 'already exists' "$TMP/psql.err" || {
			echo "e2e: DESK_TEST_PG is set, and the role $ME could not be made on it:" >&2
			cat "$TMP/psql.err" >&2
			exit 1
		}
	fi
	if ! pg_admin -c "CREATE DATABASE \"$PG_DB\" TEMPLATE template0 ENCODING 'UTF8'" \
		2>"$TMP/psql.err"; then
		echo "e2e: DESK_TEST_PG is set, and the database $PG_DB could not be made on it:" >&2
		cat "$TMP/psql.err" >&2
		PG_DB=
		exit 1
	fi
	export DESK_DB="$DESK_TEST_PG dbname=$PG_DB user=$ME"
	export DESK_SYSTEM_CONFIG=$DESK_CONFIG
fi
# db_sql SQL: the rows, fields joined by |, as sqlite3 prints them by
# default; SQL that both engines accept.
db_sql() {
	if [ -n "$PG_DB" ]; then
		"$PSQL" -X -q -A -t -F '|' -v ON_ERROR_STOP=1 "$DESK_DB" -c "$1"
	else
		sqlite3 -batch "$DESK_DB" "$1"
	fi
}
on_pg() { [ -n "$PG_DB" ]; }
export TZ=UTC
export LANG=C.UTF-8
unset LC_ALL LANGUAGE NO_COLOR VISUAL
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

# The editor: a script that edits the file it is given, like a person
# adding a line on top of the canned text.
cat >"$TMP/editor.sh" <<'EOF'
#!/bin/sh
sed -i '1s/^/E2E-EDIT /' "$1"
EOF
chmod +x "$TMP/editor.sh"
export EDITOR=$TMP/editor.sh

cat >"$DESK_CONFIG" <<EOF
canned: $ROOT/tests/data/canned.yaml
themes_dir: $ROOT/themes
theme: default
EOF

if ! "$DESK" init --demo >"$TMP/init.out" 2>&1; then
	echo "e2e: desk init --demo failed:" >&2
	cat "$TMP/init.out" >&2
	exit 1
fi
# On a server, the demo must be in the database made for it: a desk that
# fell back to some file would pass every test on the wrong engine.
if on_pg && ! [ "$(db_sql "SELECT count(*) > 0 FROM tickets")" = t ]; then
	echo "e2e: desk init --demo left no tickets in the PostgreSQL database $PG_DB" >&2
	exit 1
fi

PASS=0
FAIL=0
N=0
SCREEN=
# ok NAME / fail NAME WHY: one line of TAP each.
ok() {
	N=$((N + 1))
	PASS=$((PASS + 1))
	echo "ok $N - $1"
}
fail() {
	N=$((N + 1))
	FAIL=$((FAIL + 1))
	echo "not ok $N - $1"
	echo "#   $2"
	cap
	printf '%s\n' "$SCREEN" | sed 's/^/#   | /'
}
# check NAME CONDITION...: runs the condition; ok or not ok.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "failed: $*"; fi
}

# --- the terminal --------------------------------------------------------

# start W H [CONFIG]: the console in a fresh session.
# Each start is a new session; the old one goes only after, so the
# server never exits between them.
SESS=
SESSIONS=0
start() {
	local old=$SESS
	SESSIONS=$((SESSIONS + 1))
	SESS=e2e$SESSIONS
	rm -f "$TMP/desk.pid"
	"${TM[@]}" new-session -d -s "$SESS" -x "$1" -y "$2" \
		"env TERM=xterm-256color ${START_ENV:-} DESK_CONFIG=${3:-$DESK_CONFIG} sh -c 'echo \$\$ >$TMP/desk.pid; exec $DESK ${START_ARGS:-}'; echo DESK-EXITED=\$?; sleep 600"
	"${TM[@]}" set-option -g set-clipboard on >/dev/null 2>&1
	[ -n "$old" ] && "${TM[@]}" kill-session -t "$old" 2>/dev/null
	return 0
}
keys() { "${TM[@]}" send-keys -t "$SESS" "$@"; }
# Typed text, literally.
type_text() { "${TM[@]}" send-keys -t "$SESS" -l "$1"; }
cap() { SCREEN=$("${TM[@]}" capture-pane -p -t "$SESS" 2>/dev/null); }
resize() { "${TM[@]}" resize-window -t "$SESS" -x "$1" -y "$2"; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
wait_for() {
	local end=$((SECONDS + ${2:-6}))
	while :; do
		cap
		case $SCREEN in *"$1"*) return 0 ;; esac
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
# wait_gone TEXT [SECONDS]: until it is no longer on the screen.
wait_gone() {
	local end=$((SECONDS + ${2:-6}))
	while :; do
		cap
		case $SCREEN in *"$1"*) ;; *) return 0 ;; esac
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
# Lines of the screen matching a regex.
count_lines() { printf '%s\n' "$SCREEN" | grep -Ec -- "$1"; }
line() { printf '%s\n' "$SCREEN" | sed -n "$1p"; }
# No captured line is wider than the terminal.
fits() {
	printf '%s\n' "$SCREEN" | python3 -c '
import sys, unicodedata
w = int(sys.argv[1])
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)
sys.exit(any(width(l.rstrip("\n")) > w for l in sys.stdin))' "$1"
}
# The id in the queue row with the cursor: the row drawn in the
# selected colour; found through the escape-coded capture.
queue_ids() { printf '%s\n' "$SCREEN" | sed -n 's/^ *\([0-9][0-9]*\) \(URG\|high\|norm\|low\) .*/\1/p'; }
desk_show() { "$DESK" show "$1" 2>&1; }

# finish: the summary line and the file's exit status.
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
