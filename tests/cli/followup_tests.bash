# followup_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W; TZ=UTC).  desk set ... until=WHEN on a database of its own
# with a fixed clock: the time said back, the refusals that change
# nothing, the follow-up view when the time comes, and the clearing.

mkdir -p "$TMP/followup"
FDB=$TMP/followup/desk.db
FCFG=$TMP/followup/personal.yaml
: >"$FCFG"
# Fri 15 Jan 2027 08:00 UTC
fu() { DESK_NOW=1800000000 run --db "$FDB" --config "$FCFG" "$@"; }
fu_at() { local now=$1; shift; DESK_NOW=$now run --db "$FDB" --config "$FCFG" "$@"; }

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
