# followup_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W; TZ=UTC).  desk set ... until=WHEN on a database of its own
# with a fixed clock: the time said back, the refusals that change
# nothing, the follow-up view when the time comes, and the clearing.

# shellcheck source=tests/cli/team_db.bash
. "$ROOT/tests/cli/team_db.bash"
mkdir -p "$TMP/followup"
# no team's file: none in the folder (on the server: none at $FDB_SYS)
team_db FDB "$TMP/followup/desk.db"
FCFG=$TMP/followup/personal.yaml
: >"$FCFG"
# Fri 15 Jan 2027 08:00 UTC
fu() { DESK_NOW=1800000000 DESK_SYSTEM_CONFIG=$FDB_SYS run --db "$FDB" --config "$FCFG" "$@"; }
fu_at() {
	local now=$1
	shift
	DESK_NOW=$now DESK_SYSTEM_CONFIG=$FDB_SYS run --db "$FDB" --config "$FCFG" "$@"
}

t "follow-up: setup (two tickets, both the admin's)"
fu init
rc_is 0
fu new --subject "Refund" --name "Ann Lee" --email ann@example.com --body "Where is it?"
rc_is 0
fu new --subject "Parts" --name "Bo Kim" --email bo@example.com --body "Any news?"
rc_is 0
fu claim 1
rc_is 0
fu claim 2
rc_is 0
end

t "set status=pending until=next monday says the time back"
fu set 1 status=pending "until=next monday"
rc_is 0
out_is "desk: ticket 1 updated, pending until Mon 18 Jan 09:00"
err_empty
fu set 2 status=on_hold until=2d
rc_is 0
out_is "desk: ticket 2 updated, on_hold until Sun 17 Jan 08:00"
end

t "until on an open ticket, in the past or unreadable: refused, nothing changed"
fu new --subject "Other" --name "Cy" --email cy@example.com --body "Hi"
fu set 3 until=3d
rc_is 1
err_is "desk: until \"3d\": ticket 3 is new; only a pending or on_hold ticket waits until a time (status=pending until=3d)"
fu set 3 status=pending until=2020-01-01
rc_is 1
err_has "until \"2020-01-01\": that is not in the future"
fu set 3 status=pending until=soonish
rc_is 1
err_has "until \"soonish\": expected a span (3d, 4h, 1h30m)"
fu show 3
out_has "new"
fu list --view pending
out_lacks "Other"
end

t "the follow-up view lists what has come due, for its assignee"
fu list --view follow-up
rc_is 0
out_lacks "Refund"
out_lacks "Parts"
fu_at 1800172800 list --view follow-up
out_has "Parts"
out_lacks "Refund"
fu_at 1800262800 list --view follow-up
out_has "Parts"
out_has "Refund"
fu_at 1800262800 list --filter follow-up:soon
rc_is 1
err_has "follow-up:soon: expected follow-up:due or follow-up:set"
end

t "leaving pending clears the follow-up time, audited; until=none too"
fu set 1 status=open
rc_is 0
out_is "desk: ticket 1 updated"
fu_at 1800262800 list --view follow-up
out_lacks "Refund"
fu show 1 --history
out_has "follow_up"
out_has "2027-01-18T09:00:00Z"
fu set 2 until=none
out_is "desk: ticket 2 updated"
fu_at 1800262800 list --view follow-up
out_lacks "Parts"
end

# desk tick: a separate database, the rules in the team's file beside
# it.  Ticket 1 pending since Fri 15 Jan 08:00, 2 pending since 3 days
# later, 3 on hold since Fri.
mkdir -p "$TMP/tick"
team_db KDB "$TMP/tick/desk.db"
cat >"$TMP/tick/canned.yaml" <<'YAML'
- name: no-reply-close
  title: Closing for lack of an answer
  body: |
    Hi {{customer.first_name}}, we have not heard back, so we are closing #{{ticket.id}}.
YAML
cat >"$TMP/tick/config.yaml" <<YAML
canned: $TMP/tick/canned.yaml
follow_up_rules:
  - name: no-reply-close
    when: pending
    after: 7d
    without: customer_reply
    do: {status: solved, canned: no-reply-close}
  - name: hold-back
    when: on_hold
    after: 14d
    do: {status: open}
YAML
tk() {
	local now=$1
	shift
	DESK_NOW=$now DESK_SYSTEM_CONFIG=$KDB_SYS run --db "$KDB" --config "$FCFG" "$@"
}

t "tick: setup"
tk 1800000000 init
for s in Waiting Later Held; do
	tk 1800000000 new --subject "$s" --name "Ann Lee" --email ann@example.com --body "Help"
done
for id in 1 2 3; do tk 1800000000 claim $id; done
tk 1800000000 set 1 status=pending
rc_is 0
tk 1800259200 set 2 status=pending
rc_is 0
tk 1800000000 set 3 status=on_hold
rc_is 0
tk 1800000000 config show
rc_is 0
out_has "follow_up_rules:  # $TMP/tick/config.yaml:2"
sed -n '/^follow_up_rules:/,/^[a-z]/p' "$W/out" >"$W/rules"
[ "$(sed -n '2,10p' "$W/rules")" = "  - name: no-reply-close  # $TMP/tick/config.yaml:3
    when: pending
    after: 1w
    without: customer_reply
    do: {status: solved, canned: no-reply-close}
  - name: hold-back  # $TMP/tick/config.yaml:8
    when: on_hold
    after: 2w
    do: {status: open, canned: none}" ] || fail "config show's rules: $(cat "$W/rules")"
end

t "tick --dry-run lists, changes nothing"
tk 1800604800 tick --dry-run
rc_is 0
out_is "would: ticket 1: rule no-reply-close: reply no-reply-close, status pending -> solved
desk tick: 2 rules, 1 ticket would be acted on (dry run), 0 failed"
tk 1800604800 list --view pending
out_has "Waiting"
out_has "Later"
end

t "tick acts once: reply and status through core, audited; a second run does nothing"
tk 1800604800 tick
rc_is 0
out_is "ticket 1: rule no-reply-close: reply no-reply-close, status pending -> solved, reply stored
desk tick: 2 rules, 1 ticket acted on, 0 failed"
tk 1800604800 show 1 --history
out_has "we have not heard back, so we are closing #1."
out_match "status.*pending.*solved"
tk 1800604800 tick
out_is "desk tick: 2 rules, 0 tickets acted on, 0 failed"
tk 1801209600 tick
out_is "ticket 2: rule no-reply-close: reply no-reply-close, status pending -> solved, reply stored
ticket 3: rule hold-back: status on_hold -> open
desk tick: 2 rules, 2 tickets acted on, 0 failed"
tk 1801209600 tick
out_is "desk tick: 2 rules, 0 tickets acted on, 0 failed"
end

t "tick: a bad rule is a config error with file:line"
cat >"$TMP/tick/config.yaml" <<YAML
follow_up_rules:
  - name: bad
    when: pending
    after: 7d
    do: {status: solved, colour: red}
YAML
tk 1801209600 tick
rc_is 1
err_has "config.yaml:5:"
err_has "unknown key \"colour\""
end
