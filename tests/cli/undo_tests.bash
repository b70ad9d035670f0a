# undo_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  desk undo: what it puts back and says, the refusal after another
# agent's change, a merge undone, usage.  Its own database, so the tests
# around it see nothing of it.

db_new UDB undo
u() { run --db "$UDB" "$@"; }
u_new() {
	u new "$@"
	NEW_ID=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$W/out")
	[ -n "$NEW_ID" ] || { fail "desk new $* failed ($RC): $(cat "$W/out" "$W/err")"; NEW_ID=0; }
}
u_field() { db_sql "$UDB" "SELECT $2 FROM tickets WHERE id = $1"; }

t "undo: takes back the latest change and says what it put back"
u init
u agent add ben
u_new --subject "Printer" --email ann@example.com --body "It jams."
U1=$NEW_ID
u set "$U1" status=pending priority=high tag+=printer
u undo
rc_is 0
err_empty
out_is "desk: undone: #$U1: tag printer off, priority back to normal, status back to new"
[ "$(u_field "$U1" "status || ' ' || priority")" = "new 1" ] || fail "ticket is $(u_field "$U1" "status || ' ' || priority")"
[ "$(count "SELECT count(*) FROM ticket_tags WHERE ticket_id = $U1" "$UDB")" = 0 ] || fail "the tag stayed"
[ "$(count "SELECT count(*) FROM events WHERE ticket_id = $U1 AND action = 'undo'" "$UDB")" = 4 ] ||
	fail "undo events: $(db_sql "$UDB" "SELECT field FROM events WHERE ticket_id = $U1 AND action = 'undo'")"
end

t "undo: again is not a redo, and nothing left is exit 1"
u undo
rc_is 1
out_empty
err_is "desk: nothing to undo: you have no change left to take back"
[ "$(u_field "$U1" status)" = new ] || fail "status is $(u_field "$U1" status)"
end

t "undo: refused after another agent's change, naming who and what; nothing changes"
u set "$U1" status=open
u --as ben set "$U1" tag+=urgent
before=$(count "SELECT count(*) FROM events" "$UDB")
u undo
rc_is 1
out_empty
err_match "^desk: nothing was undone: ticket $U1 changed since your change \\(ben added tag urgent at [0-9-]+ [0-9:]+\\)\$"
[ "$(u_field "$U1" status)" = open ] || fail "status is $(u_field "$U1" status)"
[ "$(count "SELECT count(*) FROM events" "$UDB")" = "$before" ] || fail "the refusal wrote events"
# ben's own change is his to undo
u --as ben undo
rc_is 0
out_is "desk: undone: #$U1: tag urgent off"
end

t "undo: a merge goes back whole"
u_new --subject "Printer again" --email ann@example.com --body "Still jams."
U2=$NEW_ID
u set "$U2" tag+=dup
u merge "$U2" "$U1"
u undo
rc_is 0
out_has "merge into #$U1 undone"
[ "$(u_field "$U2" "status || ' ' || coalesce(CAST(merged_into AS TEXT), '-')")" = "new -" ] ||
	fail "ticket $U2 is $(u_field "$U2" "status || ' ' || coalesce(CAST(merged_into AS TEXT), '-')")"
[ "$(count "SELECT count(*) FROM messages WHERE ticket_id = $U2 AND body = 'Still jams.'" "$UDB")" = 1 ] ||
	fail "its message did not come back"
[ "$(db_sql "$UDB" "SELECT group_concat(tag) FROM ticket_tags WHERE ticket_id = $U1")" = "" ] ||
	fail "the merge's tag stayed on $U1"
[ "$(db_sql "$UDB" "SELECT group_concat(tag) FROM ticket_tags WHERE ticket_id = $U2")" = dup ] ||
	fail "the tag did not come back to $U2"
end

t "undo: takes no arguments (exit 2)"
u undo 12
rc_is 2
err_has "desk undo: desk undo takes no arguments"
end
