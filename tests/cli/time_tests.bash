# time_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W; TZ=UTC).  Time spent, on a database of its own with a fixed clock:
# desk time (manual entries, refusals that store nothing, another
# agent's), reply --time, desk show and --json, desk report's figures
# worked out by hand, and an export/import round trip.  On either engine
# (engine.bash's db_new).

mkdir -p "$TMP/time"
db_new TDB time
TCFG=$TMP/time/personal.yaml
: >"$TCFG"
# Fri 15 Jan 2027 08:00 UTC
tm() { DESK_NOW=1800000000 run --db "$TDB" --config "$TCFG" "$@"; }
tm_at() { local now=$1; shift; DESK_NOW=$now run --db "$TDB" --config "$TCFG" "$@"; }

t "time: setup (three tickets: general/email, billing/phone, billing/email; agent bob)"
tm init
rc_is 0
tm new --subject "Refund" --name "Ann Lee" --email ann@example.com --body "Where is it?"
rc_is 0
tm new --subject "Invoice" --name "Bo Kim" --phone 555-0100 --channel phone --queue billing --body "Wrong sum"
rc_is 0
tm new --subject "VAT" --name "Cy" --email cy@example.com --queue billing --body "VAT id?"
rc_is 0
tm agent add bob --name "Bob"
rc_is 0
end

t "desk time logs by hand and says the ticket's total"
tm time 1 10m --note "called the bank"
rc_is 0
out_is "desk: 10m logged on #1 (10m in all)"
err_empty
tm_at 1800000060 time 1 5m --agent bob
rc_is 0
out_is "desk: 5m logged on #1 (15m in all)"
tm_at 1800003600 time 2 1h30m
rc_is 0
out_is "desk: 1h30m logged on #2 (1h30m in all)"
end

t "desk time refuses what it cannot take and stores nothing"
tm time 1 soon
rc_is 2
err_has 'desk time: "soon": expected a duration like 15m, 1h30m or 90s'
tm time 1 2d
rc_is 1
err_is "desk: 172800 seconds is more than one entry may hold (24h); log the days separately"
tm time 1 5m --note $'two\nlines'
rc_is 1
err_has "the time note must be one line of plain text"
tm time 1 5m --agent nobody
rc_is 1
err_is 'desk: no agent "nobody" (desk agent list)'
tm time 99 5m
rc_is 1
err_has "no ticket 99"
tm time 1
rc_is 2
err_has "how long?"
# an agent logs their own time only
tm --as bob time 1 5m --agent root
rc_is 1
err_is "desk: only supervisors and admins log time for another agent"
[ "$(count 'SELECT count(*), sum(seconds) FROM time_entries' "$TDB")" = "3|6300" ] ||
	fail "entries: $(count 'SELECT count(*), sum(seconds) FROM time_entries' "$TDB")"
end

t "reply --time records the time with the reply, audited"
tm_at 1800007200 reply 3 --body "Here it is." --time 2m
rc_is 0
tm reply 3 --body "x" --time 0s
rc_is 2
err_has "--time 0s: expected a duration like 15m, 1h30m or 90s"
tm show 3 --history
out_match "^time +2m \(1 entry\)$"
out_match "2027-01-15 10:00  2m +manual +$(rx "$ME") \(with message [0-9]+\)$"
out_match "time +2m manual$"
end

t "desk show lists the entries, --json their sum and the export record's time"
tm show 1
rc_is 0
out_match "^time +15m \(2 entries\)$"
out_has "--- time spent ---"
out_match "^2027-01-15 08:00  10m +manual +$(rx "$ME"): called the bank$"
out_match "^2027-01-15 08:01  5m +manual +bob$"
show_json 1 --db "$TDB" --config "$TCFG"
jis 'd["time_spent_seconds"]' 900
jis '[(x["agent"], x["seconds"], x["source"], x.get("note"), x["at"]) for x in d["time"]]' \
	"[[\"$ME\", 600, \"manual\", \"called the bank\", \"2027-01-15T08:00:00Z\"], [\"bob\", 300, \"manual\", null, \"2027-01-15T08:01:00Z\"]]"
show_json 3 --db "$TDB" --config "$TCFG"
jis 'd["time"][0]["message"]' 2
jis 'd["messages"][1]["body"]' "Here it is."
end

t "desk report: Time spent, total and median per ticket, by agent, queue, channel"
# Per ticket: #1 900 (root 600, bob 300), #2 5400, #3 120.
# All: 3 tickets, 4 entries, 6420 s, median 900 (120, 900, 5400).
# root: #1 600, #2 5400, #3 120 -> median 600; bob: #1 300.
# billing: 5400, 120 -> median 2760 (46m); general: 900.
# email: 900, 120 -> median 510 (8m 30s); phone: 5400.
tm_at 1800086400 report --since 2027-01-15 --json
rc_is 0
jmany "$W/out" <<EOF
d["time_spent"]["total"] => {"entries": 4, "median_per_ticket_seconds": 900.0, "seconds": 6420, "tickets": 3}
[(g["key"], g["tickets"], g["seconds"], g["median_per_ticket_seconds"]) for g in d["time_spent"]["by_agent"]] => [["bob", 1, 300, 300.0], ["$ME", 3, 6120, 600.0]]
[(g["key"], g["seconds"], g["median_per_ticket_seconds"]) for g in d["time_spent"]["by_queue"]] => [["billing", 5520, 2760.0], ["general", 900, 900.0]]
[(g["key"], g["seconds"], g["median_per_ticket_seconds"]) for g in d["time_spent"]["by_channel"]] => [["email", 1020, 510.0], ["phone", 5400, 5400.0]]
EOF
tm_at 1800086400 report --since 2027-01-15
rc_is 0
out_match "^TIME SPENT +tickets +entries +total +med/ticket$"
out_match "^all +3 +4 +1h 47m +15m 00s$"
out_match "^billing +2 +2 +1h 32m +46m 00s$"
out_match "^email +2 +3 +17m 00s +8m 30s$"
out_match "^bob +1 +1 +5m 00s +5m 00s$"
# a period without entries: the total says none, no breakdowns
tm_at 1800086400 report --since 2027-01-10 --until 2027-01-12
out_match "^all +0 +0 +- +-$"
out_lacks "TIME BY AGENT"
end

t "export and import carry the time spent (the reply it was sent with too)"
tm export
rc_is 0
cp "$W/out" "$TMP/time/export.jsonl"
db_new TDB2 time_copy
DESK_NOW=1800000000 run --db "$TDB2" --config "$TCFG" init
DESK_NOW=1800000000 run --db "$TDB2" --config "$TCFG" import "$TMP/time/export.jsonl"
rc_is 0
DESK_NOW=1800000000 run --db "$TDB2" --config "$TCFG" export
"$PYTHON" - "$TMP/time/export.jsonl" "$W/out" >"$W/pyerr" 2>&1 <<'PY' || fail "$(head -c 3000 "$W/pyerr")"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
b = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert [x.get("time") for x in a] == [y.get("time") for y in b], (a, b)
assert sum(len(x.get("time", [])) for x in b) == 4
PY
[ "$(count "SELECT m.body FROM time_entries te JOIN messages m ON m.id = te.message_id" "$TDB2")" = "Here it is." ] ||
	fail "the imported entry is not tied to its reply"
# importing again replaces the entries, never doubles them
DESK_NOW=1800000000 run --db "$TDB2" --config "$TCFG" import "$TMP/time/export.jsonl"
rc_is 0
[ "$(count 'SELECT count(*), sum(seconds) FROM time_entries' "$TDB2")" = "4|6420" ] ||
	fail "after a second import: $(count 'SELECT count(*), sum(seconds) FROM time_entries' "$TDB2")"
end

t "import refuses a bad time entry, naming the line and field, and stores nothing"
sed 's/"seconds":600/"seconds":0/' "$TMP/time/export.jsonl" >"$TMP/time/bad.jsonl"
db_new TDB3 time_bad
DESK_NOW=1800000000 run --db "$TDB3" --config "$TCFG" init
DESK_NOW=1800000000 run --db "$TDB3" --config "$TCFG" import "$TMP/time/bad.jsonl"
rc_is 1
err_has "bad.jsonl:1: time[0].seconds: expected a whole number of seconds from 1 to 86400, got 0"
sed 's/"message":2/"message":7/' "$TMP/time/export.jsonl" >"$TMP/time/bad2.jsonl"
DESK_NOW=1800000000 run --db "$TDB3" --config "$TCFG" import "$TMP/time/bad2.jsonl"
rc_is 1
err_has "bad2.jsonl:3: time[0].message: 7, but the ticket has 2 messages"
sed 's/"source":"manual"/"source":"guessed"/' "$TMP/time/export.jsonl" >"$TMP/time/bad3.jsonl"
DESK_NOW=1800000000 run --db "$TDB3" --config "$TCFG" import "$TMP/time/bad3.jsonl"
rc_is 1
err_has 'time[0].source: expected one of manual, measured, got "guessed"'
[ "$(count 'SELECT count(*) FROM tickets' "$TDB3")" = 0 ] || fail "a bad file stored tickets"
end
