#!/bin/sh
# run.sh: desk report from the outside: who may run it, exit codes,
# --json that parses and holds the figures of a small scripted week,
# --csv with its header and quoting, and the demo database.  With
# DESK_TEST_PG set (tests/pg/with-cluster.sh), both databases are on that
# PostgreSQL server instead (tests/pg/testdb.sh): the same figures.
# Usage: sh tests/report/run.sh PATH-TO-DESK
set -u
DESK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/desk-report-XXXXXX")
TESTDB_WHO=report
# shellcheck source=tests/pg/testdb.sh
. "$HERE/../pg/testdb.sh"
trap 'db_drop_all; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
db_new DB desk "$T/desk.db"
# The team's config: config.yaml beside the database (no personal file).
export DESK_DB="$DB" XDG_CONFIG_HOME="$T/personal"
unset DESK_NOW DESK_CONFIG DESK_SYSTEM_CONFIG
TEAM="$T/config.yaml"
db_team "$TEAM"
: >"$TEAM"
N=0 PASS=0 FAIL=0 SKIP=0

ok() { # description, then a command that must succeed
	what=$1
	shift
	N=$((N + 1))
	if "$@" >"$T/out" 2>&1; then
		PASS=$((PASS + 1))
		echo "ok $N - $what"
	else
		FAIL=$((FAIL + 1))
		echo "not ok $N - $what"
		sed 's/^/#   /' "$T/out" | head -20
	fi
}

skip() { # description, why
	N=$((N + 1))
	SKIP=$((SKIP + 1))
	echo "ok $N - $1 # SKIP $2"
}

# exits WANT, stderr matching the extended regex MSG (may be empty)
exits() { # want, msg, desk args...
	want=$1 msg=$2
	shift 2
	"$DESK" "$@" >"$T/stdout" 2>"$T/stderr"
	got=$?
	[ "$got" -eq "$want" ] || { echo "exit $got, want $want"; cat "$T/stderr"; return 1; }
	[ -z "$msg" ] || grep -Eq "$msg" "$T/stderr" || { echo "stderr:"; cat "$T/stderr"; return 1; }
}

json_ok() { "$DESK" "$@" | python3 -c 'import json,sys; json.load(sys.stdin)'; }

# python3 EXPR over the report's JSON (as d) must be true
json_is() { # expr, desk args...
	expr=$1
	shift
	"$DESK" "$@" >"$T/json" || return 1
	python3 - "$expr" "$T/json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[2]))
t = d["total"]
if not eval("(" + sys.argv[1] + ")"):
    print("false:", sys.argv[1])
    print(json.dumps(d, indent=1)[:3000])
    sys.exit(1)
EOF
}

# The reports of the database (on a server) and of its copy in a SQLite
# file (desk db copy, lossless) are the same bytes: the figures do not
# depend on the engine that computed them (src/store/metrics*.c).
same_figures() { # report args (a period)...
	rm -f "$T/copy.db"
	"$DESK" db copy "$DESK_DB" "$T/copy.db" >"$T/copy.out" 2>&1 || { cat "$T/copy.out"; return 1; }
	# the JSON holds every figure; the table and the CSV, the same again
	for how in --json "--by agent --json" "--by queue --json" "--by channel --json" \
		"--by priority --json" "--by tag --json" "--by agent" "--by tag --csv"; do
		# shellcheck disable=SC2086 # $how is words
		"$DESK" report "$@" $how >"$T/server.out" 2>&1
		# shellcheck disable=SC2086
		DESK_DB=$T/copy.db "$DESK" report "$@" $how >"$T/sqlite.out" 2>&1
		if ! cmp -s "$T/server.out" "$T/sqlite.out"; then
			echo "desk report $* $how: the server's (<) and SQLite's (>) differ:"
			# a field a line: JSON's one line says little in a diff
			tr ',' '\n' <"$T/server.out" >"$T/server.lines"
			tr ',' '\n' <"$T/sqlite.out" >"$T/sqlite.lines"
			diff "$T/server.lines" "$T/sqlite.lines" | head -40
			return 1
		fi
	done
}
figures_check() { # description, report args...
	what=$1
	shift
	if on_pg; then
		ok "$what" same_figures "$@"
	else
		skip "$what" "needs a PostgreSQL server (make test-report-pg)"
	fi
}

run_at() { # time, desk args... (the time is not passed on)
	when=$1
	shift
	DESK_NOW=$when "$DESK" "$@" >/dev/null 2>"$T/err" || { echo "desk $*:"; cat "$T/err"; exit 1; }
}

"$DESK" init >/dev/null || { echo "not ok 1 - desk init"; echo "0 passed, 1 failed"; exit 1; }
ME=$(id -un)
"$DESK" agent add bob --role agent >/dev/null
"$DESK" agent add sue --role supervisor >/dev/null

# --- a scripted week: 2026-03-02 (Monday) to 2026-03-09, now the 10th ---
# 1: high, customer at 00:00, reply 01:00 (FRT 1h), solved 02:00: FCR
# 2: normal, customer at 01:00, reply 03:00 (FRT 2h), reply 05:00,
#    solved 06:00: not FCR (two replies)
# 3: created exactly at until: out
# 4: outbound (a note), 03-03: no first response; unsolved, its 3d
#    resolution due 03-06 is past: a breach
# created 3, inbound 2, FRT median (3600 + 7200) / 2 = 5400, p90 7200;
# solved 2, FCR 1 of 2; resolution rate 2 / 3; backlog 1 (4, new).
run_at 2026-03-02T00:00:00Z new --subject one --email a@example.com --body hi --priority high
run_at 2026-03-02T01:00:00Z reply 1 --body hello
run_at 2026-03-02T02:00:00Z set 1 assignee="$ME" status=solved
run_at 2026-03-02T01:00:00Z new --subject two --email b@example.com --body hi
run_at 2026-03-02T03:00:00Z reply 2 --body hello
run_at 2026-03-02T05:00:00Z reply 2 --body again
run_at 2026-03-02T06:00:00Z set 2 assignee=bob status=solved
run_at 2026-03-09T00:00:00Z new --subject three --email c@example.com --body hi
run_at 2026-03-03T00:00:00Z new --subject four --email d@example.com --note --body 'we call them'
WEEK="--since 2026-03-02 --until 2026-03-09"
export DESK_NOW=2026-03-10T00:00:00Z

ok "report prints a table" exits 0 "" report $WEEK
ok "the table has every section" sh -c "grep -q '^TICKETS' '$T/stdout' &&
	grep -q '^FIRST RESPONSE' '$T/stdout' && grep -q '^RESOLUTION' '$T/stdout' &&
	grep -q '^BACKLOG AT 2026-03-09 00:00 UTC' '$T/stdout' &&
	grep -q '^SLA ' '$T/stdout' && grep -q '^SURVEYS' '$T/stdout' &&
	grep -q '^SLA BREACHES: 1,' '$T/stdout'"
ok "--json parses" json_ok report $WEEK --json
ok "--json: period and counts" json_is 'd["since"] == "2026-03-02T00:00:00Z" and
	d["until"] == "2026-03-09T00:00:00Z" and d["by"] is None and t["created"] == 3' \
	report $WEEK --json
ok "--json: first response" json_is 't["first_response"] == {"tickets": 2,
	"outbound": 1, "answered": 2, "unanswered": 0, "median_seconds": 5400.0,
	"p90_seconds": 7200.0, "mean_seconds": 5400.0, "business": None}' report $WEEK --json
ok "--json: resolution, FCR, rates" json_is 't["resolution"]["solved"] == 2 and
	t["resolution"]["first"]["median_seconds"] == (7200 + 18000) / 2 and
	t["first_contact_resolution"] == {"solved": 2, "count": 1, "percent": 50.0} and
	t["reopen_rate"]["percent"] == 0.0 and t["resolution_rate"]["percent"] == 66.67' \
	report $WEEK --json
ok "--json: backlog at the end" json_is 't["backlog"]["total"] == 1 and
	t["backlog"]["status"]["new"] == 1 and t["backlog"]["age"]["3d_to_7d"] == 1' \
	report $WEEK --json
ok "--json: SLA and the breach" json_is 't["sla"]["first_response"] == {"met": 2,
	"breached": 0, "percent": 100.0} and t["sla"]["resolution"]["met"] == 2 and
	t["sla"]["resolution"]["breached"] == 1 and len(d["breaches"]) == 1 and
	d["breaches"][0]["ticket"] == 4 and d["breaches"][0]["target"] == "resolution" and
	d["breaches"][0]["due"] == "2026-03-06T00:00:00Z" and
	d["breaches"][0]["done_at"] is None' report $WEEK --json
ok "--json: no surveys, null scores" json_is 't["csat"] == {"answers": 0, "satisfied": 0,
	"score": None} and t["nps"]["score"] is None' report $WEEK --json
ok "--json --by agent: a group each" json_is 'd["by"] == "agent" and
	sorted(g["key"] for g in d["groups"]) == sorted(["bob", "'"$ME"'", "(unassigned)"]) and
	d["groups"][-1]["key"] == "(unassigned)" and d["groups"][-1]["created"] == 1 and
	[g for g in d["groups"] if g["key"] == "bob"][0]["first_contact_resolution"] ==
	{"solved": 1, "count": 0, "percent": 0.0}' report $WEEK --by agent --json
ok "--csv: header, one row per group" sh -c "'$DESK' report $WEEK --csv --by priority >'$T/csv' &&
	head -1 '$T/csv' | grep -q '^by,key,created,inbound,answered,frt_median_s,' &&
	[ \$(wc -l <'$T/csv') -eq 4 ] && sed -n 2p '$T/csv' | grep -q '^all,,3,2,2,5400.00,7200.00,'"
ok "--csv parses, every row as wide as the header" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 4, rows
assert all(len(r) == len(rows[0]) for r in rows), [len(r) for r in rows]
assert [r[1] for r in rows[1:]] == ["", "high", "normal"], rows' "$T/csv"
ok "a supervisor may run it" exits 0 "" --as sue report
ok "an agent may not" exits 1 '^desk: reports are for supervisors and admins$' --as bob report
ok "an agent may not, in JSON either" exits 1 "supervisors and admins" --as bob report --json
ok "--help" exits 0 "" report --help
ok "a bad date" exits 2 '^desk report: --since 2026-13-01: expected a date' report --since 2026-13-01
ok "an empty period" exits 2 'since must be before --until' report --since 2026-03-09 --until 2026-03-02
ok "an unknown breakdown" exits 2 '^desk report: --by team: expected agent, queue' report --by team
ok "--json and --csv together" exits 2 'choose one' report --json --csv
ok "a stray argument" exits 2 'unexpected argument' report now
ok "an RFC 3339 period, the end excluded" json_is 't["created"] == 1' report \
	--since 2026-03-02T01:00:00+01:00 --until 2026-03-02T01:00:00+00:00 --json
figures_check "the week's figures, the same on SQLite" $WEEK
unset DESK_NOW

# --- the demo database --------------------------------------------------
db_new DB demo "$T/demo.db"
export DESK_DB="$DB"
ok "desk init --demo" "$DESK" init --demo
ok "report on the demo" exits 0 "" report
ok "the demo has tickets, answers and a backlog" json_is 't["created"] > 50 and
	t["first_response"]["median_seconds"] > 0 and t["backlog"]["total"] > 0 and
	t["csat"]["answers"] > 0' report --json
for by in agent queue channel priority tag; do
	ok "demo --by $by --json" json_is 'len(d["groups"]) > 1 and
		sum(g["created"] for g in d["groups"]) >= t["created"]' report --by $by --json
	ok "demo --by $by --csv" sh -c "'$DESK' report --by $by --csv >'$T/csv' &&
		python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); assert len(set(map(len,r)))==1' '$T/csv'"
done
cat >"$TEAM" <<EOF
business_hours:
  timezone: Europe/Paris
  monday: "09:00-17:30"
  tuesday: "09:00-17:30"
  wednesday: "09:00-17:30"
  thursday: "09:00-17:30"
  friday: "09:00-17:00"
EOF
ok "business hours: business figures too" json_is 'd["business_hours"] is True and
	t["first_response"]["business"]["p90_seconds"] <= t["first_response"]["p90_seconds"]' \
	report --json
ok "business hours: a table of its own" sh -c "'$DESK' report | grep -q '^IN BUSINESS HOURS'"
# time logged yesterday, for the report's time spent
DAY=$(($(date +%s) - 86400))
for id in 1 2 3; do
	DESK_NOW=$DAY "$DESK" time $id 1h${id}0m --note "report test" >/dev/null 2>&1
done
ok "time spent: three tickets, 4h" json_is 'd["time_spent"]["total"] == {"tickets": 3,
	"entries": 3, "seconds": 4 * 3600, "median_per_ticket_seconds": 4800.0}' report --json
# at one instant: a second later a ticket's age may be in the next bucket
DESK_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export DESK_NOW
figures_check "the demo's figures, business hours and time spent too, the same on SQLite"
unset DESK_NOW
start=$(date +%s%N)
"$DESK" report >/dev/null
end=$(date +%s%N)
echo "# desk report on the demo database: $(((end - start) / 1000000)) ms"

if [ "$SKIP" -gt 0 ]; then
	echo "$PASS passed, $FAIL failed, $SKIP skipped"
else
	echo "$PASS passed, $FAIL failed"
fi
[ "$FAIL" -eq 0 ]
