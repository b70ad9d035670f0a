# cli_tests.bash: desk's command-line tests (run through tests/cli/run.sh).
#
#   bash tests/cli/cli_tests.bash PATH-TO-DESK
#
# Drives the real binary against scratch databases and configs in a
# temporary folder (removed at the end), checking exit codes and the exact
# text on stdout and stderr.  Prints "ok N - name" or "not ok N - name"
# with what differed, and ends with "N passed, M failed"; exits 1 if any
# test failed.  Needs bash, python3 (JSON checks) and sqlite3 (counting
# rows independently of desk, holding a lock, faking a newer schema).
#
# The tests run in order and build on each other (one database for the
# plain workflow, one filled with --demo, more for import and config);
# each test still says exactly what it expected.

set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: bash tests/cli/cli_tests.bash PATH-TO-DESK (an executable)" >&2
	exit 2
fi
DESK_GIVEN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

for tool in python3 sqlite3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "cli tests: $tool is needed (make deps installs what is missing)" >&2
		exit 2
	fi
done

# The interpreter itself, not a wrapper such as a pyenv shim (which costs
# a large part of a second per call).
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

TMP=$(mktemp -d "${TMPDIR:-/tmp}/desk-cli.XXXXXX")
LOCK_PID=
RO_DIR=
STICKY=
RC_SETPRIV=no
cleanup() {
	if [ -n "$LOCK_PID" ]; then
		kill "$LOCK_PID" 2>/dev/null
		wait "$LOCK_PID" 2>/dev/null
	fi
	chmod -R u+rwX "$TMP" 2>/dev/null
	rm -rf "$TMP"
	[ -n "$STICKY" ] && rm -f "$STICKY" "$STICKY-wal" "$STICKY-shm"
	[ -n "$RO_DIR" ] && rm -rf "$RO_DIR"
	declare -F db_drop_all >/dev/null && db_drop_all
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A scratch world: nothing of the user's is read or written.
export HOME=$TMP/home
export XDG_CONFIG_HOME=$TMP/config
export XDG_DATA_HOME=$TMP/data
unset DESK_CONFIG DESK_SYSTEM_CONFIG
export TZ=UTC
if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
	export LC_ALL=C.UTF-8
fi
unset LANGUAGE
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
# A copy of the binary, so that a rebuild during the run changes nothing.
DESK=$TMP/desk
cp "$DESK_GIVEN" "$DESK"
W=$TMP/run
mkdir -p "$W"

ME=$(id -un)
# shellcheck source=tests/cli/engine.bash
. "$ROOT/tests/cli/engine.bash"
db_new DB desk
export DESK_DB=$DB
# On the server the team's file of $DB (beside it on SQLite) is named.
on_pg && export DESK_SYSTEM_CONFIG=$TMP/config.yaml
# The rule for queue and tag names, as desk's messages state it (caps.h).
LABEL_RULE="1 to 64 of a-z, 0-9, '-', '_', '.', '/', starting with a letter or digit"
SECONDS=0

# --- harness -------------------------------------------------------------

N=0
PASSED=0
FAILED=0
T_NAME=
T_DIAG=

# t NAME: starts a test.
t() {
	T_NAME=$1
	T_DIAG=
}

# fail TEXT: records why the current test fails (it goes on checking).
fail() {
	T_DIAG+="$1"$'\n'
}

# end: reports the current test.
end() {
	N=$((N + 1))
	if [ -z "$T_DIAG" ]; then
		echo "ok $N - $T_NAME"
		PASSED=$((PASSED + 1))
	else
		echo "not ok $N - $T_NAME"
		printf '%s' "$T_DIAG" | vis | sed 's/^/#   /'
		FAILED=$((FAILED + 1))
	fi
}

# skip REASON: reports the current test as passed-by-skipping.
skip() {
	N=$((N + 1))
	echo "ok $N - $T_NAME # SKIP $1"
	PASSED=$((PASSED + 1))
}

# run ARGS...: runs desk with stdin from /dev/null; sets RC, and $W/out,
# $W/err hold stdout and stderr.  A hang is cut after 60 s (RC 124).
run() {
	timeout 60 "$DESK" "$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
}

# run_in TEXT ARGS...: the same with TEXT (exactly) on stdin.
run_in() {
	local input=$1
	shift
	printf '%s' "$input" | timeout 60 "$DESK" "$@" >"$W/out" 2>"$W/err"
	RC=$?
}

# run_file FILE ARGS...: the same with FILE on stdin.
run_file() {
	local file=$1
	shift
	timeout 60 "$DESK" "$@" >"$W/out" 2>"$W/err" <"$file"
	RC=$?
}

# vis: control characters made harmless (a message may quote desk's
# output, which must not drive the terminal that shows the test log).
vis() {
	LC_ALL=C tr '\000-\010\013-\037\177' '?'
}

show_file() { # what a file held, for a message
	if [ -s "$1" ]; then
		head -c 3000 "$1" | vis | sed 's/^/  | /'
	else
		echo "  (nothing)"
	fi
}

rc_is() {
	[ "$RC" = "$1" ] ||
		fail "exit code: expected $1, got $RC"$'\n'"stderr:"$'\n'"$(show_file "$W/err")"
}

# same_text WHAT EXPECTED FILE: FILE must hold EXPECTED plus a newline
# (or nothing at all when EXPECTED is empty).
same_text() {
	local what=$1 exp=$2 file=$3
	if [ -z "$exp" ]; then
		: >"$W/exp"
	else
		printf '%s\n' "$exp" >"$W/exp"
	fi
	if ! cmp -s "$W/exp" "$file"; then
		fail "$what differs (- expected, + got):"$'\n'"$(diff -u --label expected --label got "$W/exp" "$file" | tail -n +3 | vis)"
	fi
}
out_is() { same_text stdout "$1" "$W/out"; }
err_is() { same_text stderr "$1" "$W/err"; }
out_empty() { same_text stdout "" "$W/out"; }
err_empty() { same_text stderr "" "$W/err"; }

# has WHAT FILE STRING: FILE contains STRING (fixed text).  A STRING of
# several lines is looked for whole (grep -F would take each of its
# lines as an alternative and pass on any one).
contains() {
	if [[ $2 == *$'\n'* ]]; then
		python3 -c 'import sys; sys.exit(sys.argv[2].encode() not in open(sys.argv[1], "rb").read())' "$1" "$2"
	else
		grep -qF -- "$2" "$1"
	fi
}
has() {
	contains "$2" "$3" ||
		fail "$1 lacks \"$3\"; it was:"$'\n'"$(show_file "$2")"
}
lacks() {
	! contains "$2" "$3" ||
		fail "$1 should not contain \"$3\"; it was:"$'\n'"$(show_file "$2")"
}
# matches WHAT FILE REGEX: some line of FILE matches the extended REGEX.
matches() {
	grep -qE -- "$3" "$2" ||
		fail "$1 has no line matching /$3/; it was:"$'\n'"$(show_file "$2")"
}
out_has() { has stdout "$W/out" "$1"; }
err_has() { has stderr "$W/err" "$1"; }
out_lacks() { lacks stdout "$W/out" "$1"; }
out_match() { matches stdout "$W/out" "$1"; }
err_match() { matches stderr "$W/err" "$1"; }

# rx TEXT: TEXT quoted for use inside an extended regex.
rx() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# py EXPR FILE [lines]: evaluates a Python expression with d = the JSON
# in FILE (with "lines", d = the list of JSON values, one per line).
# Prints a string as is, anything else as JSON.
py() {
	"$PYTHON" -c '
import json, sys
expr, path = sys.argv[1], sys.argv[2]
lines = len(sys.argv) > 3 and sys.argv[3] == "lines"
with open(path, encoding="utf-8") as f:
    d = [json.loads(l) for l in f if l.strip()] if lines else json.load(f)
v = eval(expr)
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True))
' "$@"
}

# jmany FILE [lines]: like jis for many checks at once (one python run):
# stdin holds lines "EXPR => EXPECTED"; path is FILE's name.
jmany() {
	local out
	out=$("$PYTHON" -c '
import json, sys
path = sys.argv[1]
lines = len(sys.argv) > 2 and sys.argv[2] == "lines"
with open(path, encoding="utf-8") as f:
    d = [json.loads(l) for l in f if l.strip()] if lines else json.load(f)
for spec in sys.stdin.read().splitlines():
    if not spec.strip():
        continue
    expr, exp = spec.rsplit(" => ", 1)
    try:
        v = eval(expr.strip())
        got = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
    except Exception as x:
        got = "error: %r" % x
    if got != exp.strip():
        print("JSON %s: expected %s, got %s" % (expr.strip(), exp.strip(), got[:2000]))
' "$@" 2>&1)
	[ -z "$out" ] || fail "$out"
}

# json_valid FILE: FILE holds one JSON value.
json_valid() {
	"$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1" \
		2>"$W/pyerr" ||
		fail "$1 is not valid JSON: $(tail -1 "$W/pyerr")"$'\n'"$(show_file "$1")"
}

# SHOW: the JSON of a ticket as a separate desk process sees it now.
# show_json ID [GLOBAL-OPTS...]: fills $W/show.json.
show_json() {
	local id=$1
	shift
	timeout 60 "$DESK" "$@" show "$id" --json >"$W/show.json" 2>"$W/show.err" </dev/null
	local rc=$?
	if [ $rc -ne 0 ]; then
		fail "desk $* show $id --json failed ($rc): $(cat "$W/show.err")"
		echo '{}' >"$W/show.json"
	fi
}

# jis EXPR EXPECTED [FILE [lines]]: the JSON expression (see py) has
# that value; FILE is by default the last show_json.
jis() {
	local got
	got=$(py "$1" "${3:-$W/show.json}" ${4:+lines} 2>&1)
	[ "$got" = "$2" ] || fail "JSON $1: expected $2, got $got"
}

# same_but_import_events BEFORE AFTER FROM: the export AFTER is BEFORE
# ticket by ticket, but each ticket's events end with one more: the
# import's own, by $ME, naming FROM:LINE (the ticket's line in the file).
same_but_import_events() {
	"$PYTHON" - "$1" "$2" "$3" "$ME" >"$W/pyerr" 2>&1 <<'PY' || fail "$(head -c 3000 "$W/pyerr")"
import json, sys
before, after, src, me = sys.argv[1:]
a = [json.loads(l) for l in open(before, encoding="utf-8")]
b = [json.loads(l) for l in open(after, encoding="utf-8")]
assert len(a) == len(b), f"{len(a)} tickets before, {len(b)} after"
for n, (x, y) in enumerate(zip(a, b), 1):
    ev = y["events"].pop()
    assert x == y, f"line {n} differs:\n{x}\n{y}"
    want = {"agent": me, "action": "import", "new": f"{src}:{n}"}
    assert {k: ev.get(k) for k in want} == want, f"line {n}: last event {ev}"
PY
}

# count SQL [DB]: one number from the database, asked of the engine
# rather than desk, as an independent witness.
count() {
	db_sql "${2:-$DB}" "$1"
}

# new_ticket ARGS...: desk new; NEW_ID is the number it gave.
new_ticket() {
	run new "$@"
	NEW_ID=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$W/out")
	if [ "$RC" != 0 ] || [ -z "$NEW_ID" ]; then
		fail "desk new $* failed ($RC): $(cat "$W/out" "$W/err")"
		NEW_ID=0
	fi
}

# usage_line CMD: the "usage: ..." line of `desk CMD --help`.
usage_line() {
	"$DESK" "$1" --help 2>/dev/null </dev/null | head -1
}

# usage_case CMD-NAME PROBLEM ARGS...: a usage error of a subcommand: exit
# 2, nothing on stdout, and on stderr the problem, the usage line and the
# hint; the database is not created.
usage_case() {
	local cmd=$1 problem=$2
	shift 2
	t "usage: desk $* -> exit 2, \"$problem\""
	local had_db=no
	db_made "$DB" && had_db=yes
	run "$@"
	rc_is 2
	out_empty
	err_is "desk $cmd: $problem
$(usage_line "$cmd")
Try 'desk $cmd --help'."
	if [ $had_db = no ] && db_made "$DB"; then
		fail "a usage error created the database $DB"
	fi
	end
}

# The parts, in order: the workflow first (the later parts use its $DEMO
# and $IDB).  CLI_PARTS="workflow undo" runs only those.
PARTS="workflow output customer cc undo followup outbound survey attach time kb gate
       import_batch readonly exchange db_copy"
for part in ${CLI_PARTS:-$PARTS}; do
	if [ ! -f "$ROOT/tests/cli/${part}_tests.bash" ]; then
		echo "cli tests: no part $part (tests/cli/${part}_tests.bash)" >&2
		exit 2
	fi
	# shellcheck source=/dev/null
	. "$ROOT/tests/cli/${part}_tests.bash"
done

t "the main database is intact after everything (integrity_check)"
if [ -z "${DEMO:-}" ]; then
	skip "the workflow part did not run"
elif sqlite_only "PRAGMA integrity_check (the server's amcheck runs in the stress test)"; then
	[ "$(count 'PRAGMA integrity_check')" = ok ] || fail "integrity_check: $(count 'PRAGMA integrity_check')"
	[ "$(count 'PRAGMA integrity_check' "$DEMO")" = ok ] || fail "demo integrity_check failed"
	end
fi

echo "# demo init took ${demo_secs:-?} s; all tests took ${SECONDS} s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
