# workflow_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W, $DB).  The plain workflow on the run's main database: help
# and usage, init and identity, tickets from new to merge, drafts,
# untrusted text, the demo, export and import, config, policy, locks,
# read-only files, schema versions and mail.  It leaves $DEMO and $IDB
# for the parts after it.

COMMANDS="init new list show reply note set claim merge import export agent config undo"

# =========================================================================
# Help, version and usage errors (no database yet)
# =========================================================================

t "--help: usage on stdout, every command and option listed, exit 0"
run --help
rc_is 0
err_empty
[ "$(head -1 "$W/out")" = "usage: desk [--db PATH] [--config PATH] [--as LOGIN] [COMMAND [ARGS...]]" ] ||
	fail "first line: $(head -1 "$W/out")"
for c in $COMMANDS; do
	out_match "^  $c +[a-z]"
done
for o in --db --config --as --help --version; do
	out_match "^  $o( |$)"
done
end

t "-h is --help"
run --help
cp "$W/out" "$W/help.long"
run -h
rc_is 0
same_text "stdout of -h" "$(cat "$W/help.long")" "$W/out"
end

t "--version: one line \"desk VERSION\", exit 0"
run --version
rc_is 0
err_empty
VERSION=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile" 2>/dev/null)
if [ -n "$VERSION" ]; then
	out_is "desk $VERSION"
else
	out_match '^desk [0-9]+\.[0-9]+'
	[ "$(wc -l <"$W/out")" = 1 ] || fail "expected one line"
fi
end

t "CMD --help for every command desk --help lists: its usage line, summary and exit 0"
# every command desk --help lists (the first test checks the ones above
# are among them)
ALL_COMMANDS=$(sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$W/help.long")
[ -n "$ALL_COMMANDS" ] || fail "no commands found in desk --help"
for c in $ALL_COMMANDS; do
	run "$c" --help
	[ "$RC" = 0 ] || fail "desk $c --help: exit $RC"
	[ -s "$W/err" ] && fail "desk $c --help wrote on stderr: $(cat "$W/err")"
	l1=$(sed -n 1p "$W/out")
	l2=$(sed -n 2p "$W/out")
	l3=$(sed -n 3p "$W/out")
	case $l1 in
	"usage: desk $c"*) ;;
	*) fail "desk $c --help: first line is \"$l1\"" ;;
	esac
	{ [ -z "$l2" ] && [ -n "$l3" ]; } || fail "desk $c --help: no summary after the usage line"
	# the same summary as in desk --help
	grep -qF -- "$l3" "$W/help.long" || fail "desk $c --help: summary \"$l3\" is not in desk --help"
done
db_made "$DB" && fail "--help created the database"
end

t "--help after a command's arguments still shows help (nothing run)"
run set 1 status=solved --help
rc_is 0
err_empty
[ "$(head -1 "$W/out")" = "$(usage_line set)" ] || fail "first line: $(head -1 "$W/out")"
end

t "unknown command -> exit 2, one-line problem and hint"
run frobnicate
rc_is 2
out_empty
err_is 'desk: unknown command "frobnicate"
Try '\''desk --help'\''.'
end

t "unknown global option -> exit 2, names it"
run --frob list
rc_is 2
out_empty
err_is 'desk: unknown option "--frob"
Try '\''desk --help'\''.'
end

t "global option without its value -> exit 2, says it needs one"
run --db
rc_is 2
out_empty
err_is 'desk: option "--db" needs a value
Try '\''desk --help'\''.'
end

usage_case list 'unknown option "--frob"' list --frob
usage_case list 'option "--view" needs a value' list --view
usage_case reply 'option "--body" needs a value' reply 1 --body
usage_case list 'unexpected argument "extra"' list extra
usage_case list '--sort sideways: expected urgency, priority, created, updated or id' list --sort sideways
usage_case list '--limit x: expected a number' list --limit x
usage_case show 'which ticket?' show
usage_case show '"abc" is not a ticket number' show abc
usage_case show '"0" is not a ticket number' show 0
usage_case show 'one ticket at a time' show 1 2
usage_case reply 'which ticket?' reply --body hello
usage_case reply '"abc" is not a ticket number' reply abc --body hello
usage_case note 'unknown option "--bodyy"' note 1 --bodyy x
usage_case claim 'which ticket?' claim
usage_case claim '"12x" is not a ticket number' claim 12x
usage_case set 'which ticket?' set
usage_case set '"abc" is not a ticket number' set abc status=open
usage_case set 'nothing to set' set 1
usage_case set '"colour=red": unknown field "colour"; expected status, priority, queue, assignee, subject, until, tag+ or tag-' set 1 colour=red
usage_case set '"status": expected FIELD=VALUE (status, priority, queue, assignee, subject, until) or tag+=TAG / tag-=TAG' set 1 status
usage_case reply '"colour=red": unknown field "colour"; expected status, priority, queue, assignee, subject, until, tag+ or tag-' reply 1 --body hi colour=red
usage_case merge 'expected two tickets' merge 1
usage_case new '--subject is required' new --email a@example.com
usage_case new 'who is the customer? give --email, --name or --phone' new --subject Hello
usage_case new '--priority huge: expected low, normal, high or urgent' new --subject Hi --email a@example.com --priority huge
usage_case new '--channel fax: expected email, phone, chat, web, social or walk_in' new --subject Hi --email a@example.com --channel fax
usage_case init '--seed "x": expected a number' init --demo --seed x
usage_case init 'unexpected argument "now"' init now
usage_case import 'which file? (- for standard input)' import
usage_case import 'one file at a time' import a.jsonl b.jsonl
usage_case export 'unexpected argument "all"' export all
usage_case agent 'expected add, remove, list, role or signature' agent
usage_case agent '"fire": expected add, remove, list, role or signature' agent fire bob
usage_case agent 'wrong number of arguments for agent add' agent add
usage_case agent '--role boss: expected agent, supervisor or admin' agent add zed --role boss
usage_case config 'expected: desk config check, or desk config show' config
usage_case config 'expected: desk config check, or desk config show' config lint

# =========================================================================
# init and identity
# =========================================================================

t "no database yet -> exit 1, says where and how to create one"
run list
rc_is 1
out_empty
err_is "desk: $DB: $NO_DB (create one with: desk init)"
db_made "$DB" && fail "list created $DB"
end

t "init creates the database and makes the current login its admin"
run init
rc_is 0
err_empty
out_is "desk: created $DB; $ME is its admin"
db_made "$DB" || fail "no database at $DB"
end

t "agent list shows the creator as an active admin"
run agent list
rc_is 0
err_empty
out_is "$(printf '%-16s %-11s %-8s %s\n%-16s %-11s %-8s %s' LOGIN ROLE ACTIVE NAME "$ME" admin yes "$ME")"
end

t "init a second time -> exit 1 naming the file; the database is untouched"
before=$(count 'SELECT count(*) FROM agents')
run init
rc_is 1
out_empty
err_match "^desk: $(rx "$DB") already holds a desk database"
[ "$(wc -l <"$W/err")" = 1 ] || fail "expected one line on stderr"
[ "$(count 'SELECT count(*) FROM agents')" = "$before" ] || fail "the agents changed"
end

t "init --db creates the missing folders"
if sqlite_only "a database file's folders"; then
	run --db "$TMP/deep/er/desk.db" init
	rc_is 0
	out_is "desk: created $TMP/deep/er/desk.db; $ME is its admin"
	[ -f "$TMP/deep/er/desk.db" ] || fail "no database file"
	end
fi

t "--as a login that is not an agent -> exit 1, tells how an admin adds them"
run --as nosuchagent list
rc_is 1
out_empty
err_is "desk: nosuchagent is not an agent of the desk at $DB; an admin can add you with: desk agent add nosuchagent"
end

t "agent add: an admin adds an agent"
run agent add bob --name "Bob Bauer"
rc_is 0
err_empty
out_is "desk: bob added as agent"
run agent list
out_match "^bob +agent +yes +Bob Bauer$"
end

t "agent add of an existing login -> exit 1, nothing changed"
run agent add bob
rc_is 1
out_empty
err_is 'desk: agent "bob" already exists'
[ "$(count "SELECT count(*) FROM agents WHERE login = 'bob'")" = 1 ] || fail "bob twice"
end

t "agent add with a bad login -> exit 1, says what a login is"
run agent add 'a b'
rc_is 1
out_empty
err_is "desk: \"a b\" is not a valid login (letters, digits, '.', '_', '-'; at most 32)"
end

t "agent add by a non-admin -> exit 1 \"only an admin\", nobody added"
run --as bob agent add carol
rc_is 1
out_empty
err_is "desk: adding an agent: only an admin may do that (you are bob, an agent)"
[ "$(count "SELECT count(*) FROM agents WHERE login = 'carol'")" = 0 ] || fail "carol was added"
end

t "agent add --role supervisor"
run agent add carol --role supervisor
rc_is 0
out_is "desk: carol added as supervisor"
run agent list
out_match "^carol +supervisor +yes +carol$"
end

t "agent remove deactivates; the deactivated agent is refused"
run agent add dave
run agent remove dave
rc_is 0
out_is "desk: dave deactivated (their history stays)"
run --as dave list
rc_is 1
out_empty
err_is "desk: agent dave is deactivated on $DB"
end

t "agent role by a non-admin -> exit 1"
run --as carol agent role bob admin
rc_is 1
err_is "desk: changing an agent: only an admin may do that (you are carol, a supervisor)"
end

t "agent signature: none set -> says so on stderr, exit 0"
run agent signature
rc_is 0
out_empty
err_is "desk: no signature is set"
end

t "agent signature --text sets it; without an option it prints it; audited"
run agent signature --text $'Ann Smith\nThe Support Team'
rc_is 0
err_empty
out_is "desk: $ME: signature set"
run agent signature
rc_is 0
out_is $'Ann Smith\nThe Support Team'
[ "$(count "SELECT count(*) FROM events WHERE action = 'agent' AND field = 'signature:$ME' AND new_value = 'Ann Smith'||$(sql_chr 10)||'The Support Team'")" = 1 ] ||
	fail "no audit event"
end

t "agent signature --file - reads stdin: CRLF, a leading '-- ' line and trailing blank lines go"
run_in $'-- \r\nAnn\r\nSupport\r\n\r\n' agent signature --file -
rc_is 0
out_is "desk: $ME: signature set"
[ "$(count "SELECT count(*) FROM agents WHERE login = '$ME' AND signature = 'Ann'||$(sql_chr 10)||'Support'")" = 1 ] ||
	fail "stored: $(count "SELECT signature FROM agents WHERE login = '$ME'")"
end

t "agent signature: setting the same text again logs nothing"
before=$(count "SELECT count(*) FROM events WHERE field = 'signature:$ME'")
run agent signature --text $'Ann\nSupport'
rc_is 0
[ "$(count "SELECT count(*) FROM events WHERE field = 'signature:$ME'")" = "$before" ] || fail "logged again"
end

t "agent signature of another agent by a non-admin -> exit 1, nothing changed"
run --as bob agent signature --agent "$ME" --text "Bob was here"
rc_is 1
out_empty
err_is "desk: setting the signature of another agent: only an admin may do that (you are bob, an agent)"
run --as bob agent signature --agent "$ME"
rc_is 1
err_is "desk: reading the signature of another agent: only an admin may do that (you are bob, an agent)"
[ "$(count "SELECT signature FROM agents WHERE login = '$ME'")" = $'Ann\nSupport' ] || fail "changed"
end

t "agent signature --agent: an admin sets another's, who reads it"
run agent signature --agent bob --text "Bob, Support"
rc_is 0
out_is "desk: bob: signature set"
run --as bob agent signature
rc_is 0
out_is "Bob, Support"
end

t "agent signature too long -> exit 1 naming the cap, nothing changed"
run agent signature --text "$(printf 'x%.0s' $(seq 1 2049))"
rc_is 1
out_empty
err_is "desk: the signature: 2049 bytes, more than the 2048 bytes desk takes"
[ "$(count "SELECT signature FROM agents WHERE login = '$ME'")" = $'Ann\nSupport' ] || fail "changed"
end

t "agent signature with an escape sequence -> exit 1 naming the line, nothing changed"
run agent signature --text $'Ann\nSupport \e[31mred'
rc_is 1
err_is "desk: the signature, line 2: holds a control, invisible or invalid character (^[); a signature is plain text"
[ "$(count "SELECT signature FROM agents WHERE login = '$ME'")" = $'Ann\nSupport' ] || fail "changed"
end

t "agent signature: two of --text, --file, --clear -> usage error"
run agent signature --text a --clear
rc_is 2
err_match '^desk agent: give one of --text, --file and --clear$'
end

t "agent signature --clear removes it"
run --as bob agent signature --clear
rc_is 0
out_is "desk: bob: signature cleared"
[ "$(count "SELECT count(*) FROM agents WHERE login = 'bob' AND signature IS NULL")" = 1 ] || fail "not cleared"
end

# =========================================================================
# Tickets: new, show, reply, note, set, claim, merge
# =========================================================================

t "new: a ticket with the customer's first message"
new_ticket --subject "Printer on fire" --email ann@example.com --name "Ann Smith" \
	--body "It is smoking."
T1=$NEW_ID
[ "$RC" = 0 ] && out_is "desk: ticket $T1 created"
err_empty
show_json "$T1"
jis 'd["subject"]' "Printer on fire"
jis 'd["status"]' new
jis 'd["customer"]["email"]' ann@example.com
jis '[(m["kind"], m["body"]) for m in d["messages"]]' '[["customer", "It is smoking."]]'
end

t "show: the ticket, its customer and thread as text"
run show "$T1"
rc_is 0
err_empty
[ "$(head -1 "$W/out")" = "Ticket #$T1: Printer on fire" ] || fail "first line: $(head -1 "$W/out")"
out_match '^status +new$'
out_match '^customer +Ann Smith <ann@example.com>$'
out_match '^--- customer, .*---$'
out_match '^It is smoking\.$'
end

t "show of a ticket that does not exist -> exit 1"
run show 999
rc_is 1
out_empty
err_is "desk: no ticket 999"
end

t "new: the first message from stdin, queue, priority, channel and tags"
run_in $'Line one\nLine two\n\n' new --subject "Call about invoice" --phone "+33 1 23 45 67 89" \
	--channel phone --priority high --queue billing --tag vip --tag callback
T2=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$W/out")
rc_is 0
[ -n "$T2" ] || fail "no ticket number in: $(cat "$W/out")"
show_json "${T2:-0}"
jis '[d["priority"], d["channel"], d["queue"], d["tags"]]' '["high", "phone", "billing", ["callback", "vip"]]'
jis 'd["messages"][0]["body"]' $'Line one\nLine two'
end

t "reply --body: stored, and a second process sees it at once"
run reply "$T1" --body "We are sending a technician."
rc_is 0
err_empty
out_match "^desk: reply [0-9]+ added to ticket $T1\$"
show_json "$T1"
jis '[d["messages"][-1][k] for k in ("kind", "author", "body")]' "[\"reply\", \"$ME\", \"We are sending a technician.\"]"
jis 'd["status"]' open
end

t "note from stdin: printf text | desk note ID"
run_in 'Checked the logs: toner overheats.' note "$T1"
rc_is 0
err_empty
out_match "^desk: note [0-9]+ added to ticket $T1\$"
show_json "$T1"
jis '[d["messages"][-1][k] for k in ("kind", "body")]' '["note", "Checked the logs: toner overheats."]'
end

t "empty note on stdin -> exit 1 \"nothing was sent\", no message stored"
before=$(count "SELECT count(*) FROM messages")
run_in '' note "$T1"
rc_is 1
out_empty
err_is "desk: the note is empty: nothing was sent"
[ "$(count "SELECT count(*) FROM messages")" = "$before" ] || fail "a message was stored"
end

t "blank reply (spaces and newlines) -> exit 1, no message stored"
before=$(count "SELECT count(*) FROM messages")
run reply "$T1" --body $'  \n\t\n'
rc_is 1
out_empty
err_is "desk: the reply is empty: nothing was sent"
[ "$(count "SELECT count(*) FROM messages")" = "$before" ] || fail "a message was stored"
end

t "reply to a ticket that does not exist -> exit 1, nothing stored"
before=$(count "SELECT count(*) FROM messages")
run reply 999 --body "Hello?"
rc_is 1
out_empty
err_is "desk: no ticket 999"
[ "$(count "SELECT count(*) FROM messages")" = "$before" ] || fail "a message was stored"
end

t "reply with field changes makes them in the same step"
run reply "$T1" --body "Technician booked." tag+=onsite priority=high
rc_is 0
show_json "$T1"
jis '[d["priority"], d["tags"], d["messages"][-1]["body"]]' '["high", ["onsite"], "Technician booked."]'
end

t "reply with a bad field change -> exit 1, neither message nor change stored"
before=$(count "SELECT count(*) FROM messages")
run reply "$T1" --body "Should not be stored." priority=low status=bogus
rc_is 1
out_empty
err_is 'desk: status "bogus": expected new, open, pending, on_hold, solved or closed'
[ "$(count "SELECT count(*) FROM messages")" = "$before" ] || fail "the message was stored"
show_json "$T1"
jis 'd["priority"]' high
end

t "claim of a ticket nobody holds: yours"
run --as bob claim "$T1"
rc_is 0
err_empty
out_is "desk: ticket $T1 is yours, bob"
show_json "$T1"
jis 'd["assignee"]' bob
end

t "claim of a ticket another agent holds -> exit 1 \"already assigned to bob\""
run claim "$T1"
rc_is 1
out_empty
err_is "desk: ticket $T1 is already assigned to bob"
show_json "$T1"
jis 'd["assignee"]' bob
end

t "claim of a ticket one already holds: fine"
run --as bob claim "$T1"
rc_is 0
out_is "desk: ticket $T1 is yours, bob"
end

t "two agents claiming at once: exactly one wins, the other is told who"
ids=()
for i in 1 2 3 4 5 6; do
	new_ticket --subject "Race $i" --email race$i@example.com --body "Who takes me?"
	ids+=("$NEW_ID")
done
for id in "${ids[@]}"; do
	timeout 60 "$DESK" --as bob claim "$id" >"$W/bob.$id" 2>&1 </dev/null &
	p1=$!
	timeout 60 "$DESK" --as carol claim "$id" >"$W/carol.$id" 2>&1 </dev/null &
	p2=$!
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	owner=$(count "SELECT a.login FROM tickets t JOIN agents a ON a.id = t.assignee_id WHERE t.id = $id")
	if [ "$r1$r2" = 01 ]; then
		winner=bob loser=carol
	elif [ "$r1$r2" = 10 ]; then
		winner=carol loser=bob
	else
		fail "ticket $id: exit codes bob $r1, carol $r2: $(cat "$W/bob.$id" "$W/carol.$id")"
		continue
	fi
	[ "$owner" = "$winner" ] || fail "ticket $id: $winner was told yes but $owner holds it"
	[ "$(cat "$W/$loser.$id")" = "desk: ticket $id is already assigned to $winner" ] ||
		fail "ticket $id: $loser was told: $(cat "$W/$loser.$id")"
done
end

t "set tag+= twice, then tag-="
new_ticket --subject "Refund request" --email zoe@example.com --name "Zoë Müller" --body "Money back please"
T3=$NEW_ID
run set "$T3" tag+=vip tag+=refund
rc_is 0
err_empty
out_is "desk: ticket $T3 updated"
show_json "$T3"
jis 'd["tags"]' '["refund", "vip"]'
run set "$T3" tag-=vip
rc_is 0
show_json "$T3"
jis 'd["tags"]' '["refund"]'
end

t "set a bad tag -> exit 1 saying what a tag is; tags unchanged"
run set "$T3" 'tag+=bad tag'
rc_is 1
out_empty
err_is "desk: tag \"bad tag\": expected a tag name: $LABEL_RULE"
show_json "$T3"
jis 'd["tags"]' '["refund"]'
end

t "set priority"
run set "$T3" priority=urgent
rc_is 0
show_json "$T3"
jis 'd["priority"]' urgent
run set "$T3" priority=huge
rc_is 1
err_is 'desk: priority "huge": expected low, normal, high or urgent'
show_json "$T3"
jis 'd["priority"]' urgent
end

t "set queue"
run set "$T3" queue=billing
rc_is 0
show_json "$T3"
jis 'd["queue"]' billing
run set "$T3" 'queue=two words'
rc_is 1
err_is "desk: queue \"two words\": expected a queue name: $LABEL_RULE"
show_json "$T3"
jis 'd["queue"]' billing
end

t "set subject"
run set "$T3" "subject=Refund for order 1234"
rc_is 0
show_json "$T3"
jis 'd["subject"]' "Refund for order 1234"
run set "$T3" "subject=   "
rc_is 1
err_is "desk: subject: must not be empty"
end

t "set assignee=LOGIN, then assignee=none"
run set "$T3" assignee=bob
rc_is 0
show_json "$T3"
jis 'd.get("assignee")' bob
run set "$T3" assignee=none
rc_is 0
show_json "$T3"
jis '"assignee" in d' false
end

t "set assignee to an unknown agent -> exit 1"
run set "$T3" assignee=zed
rc_is 1
out_empty
err_is 'desk: no agent "zed" (desk agent list shows them)'
end

t "set is all or nothing: a bad change undoes the good ones before it"
run set "$T3" priority=low tag+=partial status=bogus
rc_is 1
err_is 'desk: status "bogus": expected new, open, pending, on_hold, solved or closed'
show_json "$T3"
jis '[d["priority"], d["tags"]]' '["urgent", ["refund"]]'
end

t "set on a ticket that does not exist -> exit 1"
run set 999 priority=low
rc_is 1
err_is "desk: no ticket 999"
end

t "status: solving an unassigned ticket -> exit 1 with what to do"
run set "$T3" status=solved
rc_is 1
out_empty
err_is "desk: ticket $T3 has no assignee; claim or assign it before solving (or set allow_solve_unassigned in the team's config)"
show_json "$T3"
jis 'd["status"]' new
end

t "status: only a solved ticket can be closed"
run set "$T3" status=closed
rc_is 1
err_is "desk: ticket $T3 is new; only a solved ticket can be closed"
end

t "status: pending, and nothing goes back to new"
run set "$T3" status=pending
rc_is 0
show_json "$T3"
jis 'd["status"]' pending
run set "$T3" status=new
rc_is 1
err_is "desk: ticket $T3 cannot go back to new"
end

t "status: claim then solve; solved_at set"
run claim "$T3"
rc_is 0
run set "$T3" status=solved
rc_is 0
out_is "desk: ticket $T3 updated"
show_json "$T3"
jis '[d["status"], d["assignee"], "solved_at" in d, "first_solved_at" in d]' "[\"solved\", \"$ME\", true, true]"
end

t "status: leaving solved counts a reopen"
run set "$T3" status=open
rc_is 0
show_json "$T3"
jis '[d["status"], d["reopens"]]' '["open", 1]'
end

t "status: solved then closed; closed is final"
run set "$T3" status=solved
rc_is 0
run set "$T3" status=closed
rc_is 0
show_json "$T3"
jis '[d["status"], "closed_at" in d]' '["closed", true]'
run set "$T3" status=open
rc_is 1
out_empty
err_is "desk: ticket $T3 is closed, and closed is final; open a new ticket"
show_json "$T3"
jis 'd["status"]' closed
end

t "reply on a closed ticket -> exit 1, nothing sent"
before=$(count "SELECT count(*) FROM messages")
run reply "$T3" --body "Anything else?"
rc_is 1
err_is "desk: ticket $T3 is closed; nothing was sent (open a new ticket)"
[ "$(count "SELECT count(*) FROM messages")" = "$before" ] || fail "a message was stored"
end

t "show --history lists who changed what"
run show "$T3" --history
rc_is 0
out_has "--- history ---"
out_match "^.*  $ME +set +priority: normal -> urgent$"
out_match "^.*  $ME +set +status: solved -> closed$"
out_match "reopen +reopens: 0 -> 1$"
end

t "merge: messages and tags move, the duplicate is closed"
new_ticket --subject "Printer still smoking" --email ann@example.com --body "Any news?"
TA=$NEW_ID
run set "$TA" tag+=duplicate
new_ticket --subject "Printer smoke" --email ann@example.com --body "First report"
TB=$NEW_ID
run merge "$TA" "$TB"
rc_is 0
err_empty
out_is "desk: ticket $TA merged into $TB"
show_json "$TA"
jis 'd["status"]' closed
jis 'd["messages"][-1]["body"]' "Merged into ticket #$TB."
show_json "$TB"
jis 'sorted(m["body"] for m in d["messages"])' "[\"Any news?\", \"First report\", \"Ticket #$TA (Printer still smoking) was merged into this ticket.\"]"
jis 'd["tags"]' '["duplicate"]'
run show "$TA"
out_match "^merged +#$TB\$"
end

t "merge errors: itself, again, into a closed or missing ticket"
run merge "$TB" "$TB"
rc_is 1
err_is "desk: cannot merge ticket $TB into itself"
run merge "$TA" "$TB"
rc_is 1
err_is "desk: ticket $TA was merged into ticket $TB"
run merge "$TB" "$T3"
rc_is 1
err_is "desk: ticket $T3 is closed; closed tickets are not merged"
run merge "$TB" 999
rc_is 1
err_is "desk: no ticket 999"
run set "$TA" status=open
rc_is 1
err_is "desk: ticket $TA was merged into ticket $TB"
show_json "$TB"
jis 'd["status"]' new
end

t "list: the default view as a table, and --json"
run list
rc_is 0
err_empty
[ "$(head -1 "$W/out")" = "$(printf '%6s %-6s %-7s %-5s %-4s %-18s %-36s %-10s %s' ID PRI STATUS DUE AGE CUSTOMER SUBJECT ASSIGNEE TAGS)" ] ||
	fail "header: $(head -1 "$W/out")"
out_match "^ +$T1 high +open "
run list --json
rc_is 0
json_valid "$W/out"
jis "sorted(r['id'] for r in d if r['id'] in ($T1, $T3))" "[$T1]" "$W/out"
run list --view all --json
jis "sorted(r['id'] for r in d if r['id'] in ($T1, $T3))" "[$T1, $T3]" "$W/out"
jis 'len(d)' "$(count 'SELECT count(*) FROM tickets WHERE merged_into IS NULL')" "$W/out"
end

t "list --view of an unknown view -> exit 1"
run list --view nosuchview
rc_is 1
out_empty
err_match 'nosuchview'
end

t "drafts: none -> says so on stderr, exit 0"
run drafts
rc_is 0
out_empty
err_is "desk: you have no unsent drafts"
run drafts --json
out_is "[]"
end

t "merge keeps the merged ticket's drafts; drafts lists them, newest first, marked"
# A database of its own: the merge here would change what later tests count.
db_new DRAFTS_DB drafts
export DESK_DB=$DRAFTS_DB
run init
run agent add bob
new_ticket --subject "Draft source" --email drafts@example.com --body "x"
TDA=$NEW_ID
new_ticket --subject $'Draft \e[31mtarget' --email drafts@example.com --body "y"
TDB=$NEW_ID
count "INSERT INTO drafts (ticket_id, agent_id, kind, body, updated_at, canned)
	SELECT $TDA, id, 'reply', $(sql_chr 10) || '  Dear Ann,' || $(sql_chr 10) || 'more', $SQL_NOW - 7200, 'greet' FROM agents WHERE login = '$ME';
	INSERT INTO drafts (ticket_id, agent_id, kind, body, updated_at)
	SELECT $TDB, id, 'note', 'Check the '||$(sql_chr 27)||'[2J logs', $SQL_NOW - 120 FROM agents WHERE login = '$ME';" "$DESK_DB" >/dev/null
run merge "$TDA" "$TDB"
rc_is 0
[ "$(count "SELECT count(*) FROM drafts WHERE ticket_id = $TDA" "$DESK_DB")" = 1 ] || fail "the merge deleted the draft"
run drafts
rc_is 0
err_empty
out_is "$(printf '%6s %-5s %-10s %-12s %-30s %s\n%6s %-5s %-10s %-12s %-30s %s\n%6s %-5s %-10s %-12s %-30s %s' \
	TICKET KIND SAVED STATE SUBJECT "FIRST LINE" \
	"$TDB" note "2 min" "" 'Draft ^[[31mtarget' 'Check the ^[[2J logs' \
	"$TDA" reply "2 h" "merged>$TDB" "Draft source" "Dear Ann,")"
run drafts --json
rc_is 0
json_valid "$W/out"
jmany "$W/out" <<EOF
[r['ticket'] for r in d] => [$TDB, $TDA]
d[1]['merged_into'] => $TDB
d[1]['status'] => closed
d[1]['canned'] => greet
d[1]['body'] == '\\n  Dear Ann,\\nmore' => true
d[0]['kind'] => note
EOF
grep -q $'\e' "$W/out" && fail "an escape reached the terminal"
run --as bob drafts
rc_is 0
err_is "desk: you have no unsent drafts"
export DESK_DB=$DB
end

# =========================================================================
# Untrusted text (its own database, so that a failure here spoils nothing
# else)
# =========================================================================

db_new UDB untrusted
"$DESK" --db "$UDB" init >/dev/null 2>&1 </dev/null
EVIL_SUBJECT=$'Evil \e[31mred\e[0m "q" \\ end\a'
EVIL_NAME=$'Mallory \e]0;pwned\a'
t "control characters and escapes in a ticket are shown visibly, never raw"
run --db "$UDB" new --subject "$EVIL_SUBJECT" --email mallory@example.com --name "$EVIL_NAME" \
	--body $'line one\n\e[2Jcleared?\r\nline three'
rc_is 0
UT=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$W/out")
for cmd in "show ${UT:-0}" "show ${UT:-0} --history" "list --view all"; do
	# shellcheck disable=SC2086
	run --db "$UDB" $cmd
	rc_is 0
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$W/out"; then
		fail "desk $cmd printed a raw control character:"$'\n'"$(od -c "$W/out" | grep -m3 '033\|\\a\|\\r')"
	fi
done
run --db "$UDB" show "${UT:-0}"
[ "$(head -1 "$W/out")" = 'Ticket #'"$UT"': Evil ^[[31mred^[[0m "q" \ end^G' ] ||
	fail "first line: $(head -1 "$W/out" | od -c | head -3)"
out_match '^\^\[\[2Jcleared\?$'
end

t "JSON keeps the text exactly, correctly escaped (list --json, show --json, export)"
run --db "$UDB" list --view all --json
rc_is 0
json_valid "$W/out"
[ "$(py 'd[0]["subject"] == sys.argv[4]' "$W/out" "" "$EVIL_SUBJECT" 2>&1)" = true ] ||
	fail "list --json subject is not the original: $(py 'repr(d[0]["subject"])' "$W/out")"
show_json "${UT:-0}" --db "$UDB"
[ "$(py '[d["subject"], d["customer"]["name"], d["messages"][0]["body"]] == [sys.argv[4], sys.argv[5], sys.argv[6]]' "$W/show.json" "" "$EVIL_SUBJECT" "$EVIL_NAME" $'line one\n\e[2Jcleared?\nline three' 2>&1)" = true ] ||
	fail "show --json lost or changed the text: $(py 'repr([d["subject"], d["customer"]["name"], d["messages"][0]["body"]])' "$W/show.json")"
end

t "invalid UTF-8 typed in (new --body, --subject): replaced, and the JSON stays valid UTF-8"
run --db "$UDB" new --subject $'Bad \xff\xfe bytes' --email bytes@example.com --body $'caf\xe9 au lait'
rc_is 0
BT=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$W/out")
run --db "$UDB" show "${BT:-0}"
rc_is 0
"$PYTHON" -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$W/out" 2>/dev/null ||
	fail "show printed invalid UTF-8"
run --db "$UDB" show "${BT:-0}" --json
rc_is 0
json_valid "$W/out"
run --db "$UDB" export
rc_is 0
"$PYTHON" -c '
import json, sys
for n, l in enumerate(open(sys.argv[1], "rb"), 1):
    json.loads(l.decode("utf-8"))
' "$W/out" 2>"$W/pyerr" || fail "export is not valid UTF-8 JSON Lines: $(tail -1 "$W/pyerr")"
end

t "invalid UTF-8 in an import line: refused as FILE:LINE: field: problem, or replaced; never stored raw"
printf '{"external_id": "U-1", "subject": "bad \xff byte", "customer": {"email": "u@example.com"}}\n' >"$TMP/badutf8.jsonl"
run --db "$UDB" import "$TMP/badutf8.jsonl"
if [ "$RC" = 1 ]; then
	err_match "^$(rx "$TMP/badutf8.jsonl"):1: "
else
	rc_is 0
fi
run --db "$UDB" export
"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1], "rb"):
    json.loads(l.decode("utf-8"))
' "$W/out" 2>"$W/pyerr" || fail "export is not valid UTF-8 JSON Lines: $(tail -1 "$W/pyerr")"
end

# =========================================================================
# Demo data
# =========================================================================

db_new DEMO demo
t "init --demo fills a month of a support team's work"
start=$SECONDS
run --db "$DEMO" init --demo
rc_is 0
err_empty
out_is "desk: created $DEMO with a month of demo data; $ME is its admin"
demo_secs=$((SECONDS - start))
end

t "demo: list --json is valid JSON"
run --db "$DEMO" list --json
rc_is 0
err_empty
json_valid "$W/out"
jis 'type(d).__name__ == "list" and len(d) > 0' true "$W/out"
end

t "demo: about 200 tickets, every status, priority and channel"
run --db "$DEMO" list --view all --json
rc_is 0
json_valid "$W/out"
jmany "$W/out" <<'CHECKS'
150 <= len(d) <= 260 => true
sorted(set(r["status"] for r in d)) => ["closed", "new", "on_hold", "open", "pending", "solved"]
sorted(set(r["priority"] for r in d)) => ["high", "low", "normal", "urgent"]
sorted(set(r["channel"] for r in d)) => ["chat", "email", "phone", "social", "walk_in", "web"]
len(set(r["queue"] for r in d)) >= 2 => true
len(set(r.get("customer_email") for r in d)) >= 25 => true
len(d) == len(set(r["id"] for r in d)) => true
CHECKS
end

t "demo: messages of every kind, tags, surveys of every kind, reopens, accents, CJK and emoji"
run --db "$DEMO" export
rc_is 0
cp "$W/out" "$W/demo.export"
jmany "$W/demo.export" lines <<'CHECKS'
sorted({"customer", "note", "reply"} - set(m["kind"] for t in d for m in t["messages"])) => []
sum(1 for t in d if len(t["messages"]) >= 3) >= 50 => true
sum(1 for t in d if t["tags"]) >= 20 => true
sorted(set(s["kind"] for t in d for s in t["surveys"])) => ["ces", "csat", "nps"]
any(t.get("reopens", 0) > 0 for t in d) => true
any(t.get("customer", {}).get("organization") for t in d) => true
sorted(k for k, pat in (("accents", range(0xC0, 0x180)), ("cjk", range(0x3040, 0xA000)), ("emoji", range(0x1F300, 0x1FAFF))) if any(ord(ch) in pat for ch in open(path, encoding="utf-8").read())) => ["accents", "cjk", "emoji"]
CHECKS
end

t "demo: some tickets are past their SLA due time"
run --db "$DEMO" list --view breaching --json
rc_is 0
json_valid "$W/out"
jis 'len(d) > 0' true "$W/out"
end

t "demo: the same seed gives the same data, another seed other data"
db_new DEMO_B demo_b
db_new DEMO_C demo_c
run --db "$DEMO_B" init --demo
rc_is 0
run --db "$DEMO_C" init --demo --seed 7
rc_is 0
for x in demo demo-b demo-c; do
	case $x in demo) xdb=$DEMO ;; demo-b) xdb=$DEMO_B ;; demo-c) xdb=$DEMO_C ;; esac
	"$DESK" --db "$xdb" list --view all --sort id --json >"$W/$x.list" 2>&1 </dev/null
done
summary='[(r["id"], r["subject"], r["status"], r["priority"], r["channel"], r.get("assignee"), r["tags"]) for r in d]'
[ "$(py "$summary" "$W/demo.list")" = "$(py "$summary" "$W/demo-b.list")" ] ||
	fail "seed 1 twice gave different tickets"
[ "$(py "$summary" "$W/demo.list")" != "$(py "$summary" "$W/demo-c.list")" ] ||
	fail "seeds 1 and 7 gave the same tickets"
end

t "demo: show 1"
run --db "$DEMO" show 1
rc_is 0
err_empty
out_match '^Ticket #1: .'
out_match '^status +(new|open|pending|on_hold|solved|closed)$'
out_match '^--- (customer|reply|internal note|system), '
end

t "demo: reply 1 --body, a second process sees the reply"
run --db "$DEMO" reply 1 --body "Thanks — we are on it. ✓"
rc_is 0
err_empty
out_match '^desk: reply [0-9]+ added to ticket 1$'
show_json 1 --db "$DEMO"
jis '[d["messages"][-1][k] for k in ("kind", "author", "body")]' "[\"reply\", \"$ME\", \"Thanks — we are on it. ✓\"]"
end

t "demo: set 1 assignee=ME then status=solved, a second process sees each"
run --db "$DEMO" set 1 assignee="$ME"
rc_is 0
out_is "desk: ticket 1 updated"
show_json 1 --db "$DEMO"
jis 'd.get("assignee")' "$ME"
run --db "$DEMO" set 1 status=solved
rc_is 0
err_empty
out_is "desk: ticket 1 updated"
show_json 1 --db "$DEMO"
jis 'd["status"]' solved
end

# =========================================================================
# Import and export
# =========================================================================

db_new OTHER other
t "export | other import - | other export: the same, and who imported each ticket (demo data)"
run --db "$OTHER" init
rc_is 0
run --db "$DEMO" export
rc_is 0
err_empty
cp "$W/out" "$W/export1"
timeout 60 "$DESK" --db "$DEMO" export </dev/null 2>"$W/err.exp" |
	timeout 60 "$DESK" --db "$OTHER" import - >"$W/out" 2>"$W/err"
RC=$?
rc_is 0
err_empty
[ -s "$W/err.exp" ] && fail "export wrote on stderr: $(cat "$W/err.exp")"
out_is "desk: imported $(grep -c . "$W/export1") new and 0 updated tickets"
run --db "$OTHER" export
rc_is 0
cp "$W/out" "$W/export2"
same_but_import_events "$W/export1" "$W/export2" stdin
end

t "the export holds tickets, messages, tags, surveys and events (so the round trip compares them)"
jmany "$W/export1" lines <<CHECKS
sorted({"external_id", "subject", "status", "priority", "channel", "queue", "created_at", "updated_at", "customer", "tags", "messages", "surveys", "events"} - set(k for t in d for k in t)) => []
all(t["events"] for t in d) and sum(len(t["surveys"]) for t in d) > 0 and sum(len(t["tags"]) for t in d) > 0 => true
[sum(len(t["messages"]) for t in d), sum(len(t["events"]) for t in d)] => [$(count 'SELECT count(*) FROM messages' "$DEMO"), $(count 'SELECT count(*) FROM events WHERE ticket_id IS NOT NULL' "$DEMO")]
[sum(len(t["surveys"]) for t in d), sum(len(t["tags"]) for t in d)] => [$(count 'SELECT count(*) FROM surveys' "$DEMO"), $(count 'SELECT count(*) FROM ticket_tags' "$DEMO")]
CHECKS
[ "$(count 'SELECT count(*) FROM tickets' "$OTHER")" = "$(count 'SELECT count(*) FROM tickets' "$DEMO")" ] ||
	fail "ticket counts differ"
[ "$(count 'SELECT count(*) FROM surveys' "$OTHER")" = "$(count 'SELECT count(*) FROM surveys' "$DEMO")" ] ||
	fail "survey counts differ"
end

t "round trip of the hand-made database (merges, reopens, closed tickets)"
run export
rc_is 0
cp "$W/out" "$W/export3"
db_new OTHER2 other2
run --db "$OTHER2" init
run_file "$W/export3" --db "$OTHER2" import -
rc_is 0
run --db "$OTHER2" export
same_but_import_events "$W/export3" "$W/out" stdin
jis '[len(d), sum(len(t["messages"]) for t in d), sum(len(t["events"]) for t in d), sum(len(t["tags"]) for t in d)]' \
	"[$(count 'SELECT count(*) FROM tickets'), $(count 'SELECT count(*) FROM messages'), $(count 'SELECT count(*) FROM events WHERE ticket_id IS NOT NULL'), $(count 'SELECT count(*) FROM ticket_tags')]" "$W/export3" lines
jmany "$W/out" lines <<'CHECKS'
[(t["status"], t["subject"]) for t in d if t.get("merged_into")] => [["closed", "Printer still smoking"]]
[t["subject"] for t in d if t["external_id"] in set(x.get("merged_into") for x in d)] => ["Printer smoke"]
sorted(t["reopens"] for t in d if t["reopens"]) => [1]
CHECKS
end

IMP=$TMP/import
mkdir -p "$IMP"
db_new IDB import
"$DESK" --db "$IDB" init >/dev/null 2>&1 </dev/null
GOOD1='{"external_id": "Z-1001", "subject": "Où est mon colis ? 荷物", "status": "open", "priority": "high", "channel": "email", "queue": "billing", "assignee": "alice", "created_at": "2026-11-01T09:30:00Z", "reopens": 0, "customer": {"name": "Zoë Müller", "email": "zoe@example.com", "organization": "Müller GmbH"}, "tags": ["refund", "vip"], "messages": [{"kind": "customer", "at": "2026-11-01T09:30:00Z", "body": "Where is my parcel?"}, {"kind": "reply", "author": "alice", "at": "2026-11-01T11:00:00+01:00", "body": "On its way 🚚"}, {"kind": "note", "author": "alice", "at": "2026-11-01T10:05:00Z", "body": "Carrier says Tuesday."}], "surveys": [{"kind": "csat", "score": 5, "at": "2026-11-02T09:00:00Z"}]}'
GOOD2='{"external_id": "Z-1002", "subject": "Second order", "status": "solved", "priority": "low", "channel": "chat", "queue": "billing", "assignee": "alice", "created_at": "2026-11-03T08:00:00-05:00", "first_solved_at": "2026-11-03T15:00:00Z", "solved_at": "2026-11-03T15:00:00Z", "customer": {"name": "Zoë Müller", "email": "zoe@example.com"}, "messages": [{"kind": "customer", "at": "2026-11-03T13:00:00Z", "body": "Again me"}], "surveys": [{"kind": "nps", "score": 9, "at": "2026-11-04T09:00:00Z"}, {"kind": "ces", "score": 2, "at": "2026-11-04T09:00:00Z"}]}'
GOOD3='{"external_id": "Z-1003", "subject": "Third", "customer": {"email": "max@example.com"}}'
printf '%s\n%s\n' "$GOOD1" "$GOOD2" >"$IMP/good.jsonl"

t "import: a file of good lines"
run --db "$IDB" import "$IMP/good.jsonl"
rc_is 0
err_empty
out_is "desk: imported 2 new and 0 updated tickets"
[ "$(count 'SELECT count(*) FROM tickets' "$IDB")" = 2 ] || fail "expected 2 tickets"
end

t "import: times with offsets stored as UTC, unknown agents created, customers matched by email"
Z1=$(count "SELECT id FROM tickets WHERE external_id = 'Z-1001'" "$IDB")
Z2=$(count "SELECT id FROM tickets WHERE external_id = 'Z-1002'" "$IDB")
show_json "${Z1:-0}" --db "$IDB"
jis '[m["at"] for m in d["messages"]]' '["2026-11-01T09:30:00Z", "2026-11-01T10:00:00Z", "2026-11-01T10:05:00Z"]'
jis '[d["subject"], d["assignee"], d["tags"], d["messages"][1]["body"], d["customer"]["organization"]]' \
	'["Où est mon colis ? 荷物", "alice", ["refund", "vip"], "On its way 🚚", "Müller GmbH"]'
jis 'd["surveys"]' '[{"at": "2026-11-02T09:00:00Z", "kind": "csat", "score": 5}]'
show_json "${Z2:-0}" --db "$IDB"
jis '[d["created_at"], d["status"], d["solved_at"]]' '["2026-11-03T13:00:00Z", "solved", "2026-11-03T15:00:00Z"]'
run --db "$IDB" agent list
out_match '^alice +agent +yes '
[ "$(count "SELECT count(*) FROM customers WHERE email = 'zoe@example.com'" "$IDB")" = 1 ] ||
	fail "zoe@example.com is not one customer"
end

t "import: a minimal line takes the defaults"
printf '%s\n' "$GOOD3" >"$IMP/minimal.jsonl"
run --db "$IDB" import "$IMP/minimal.jsonl"
rc_is 0
out_is "desk: imported 1 new and 0 updated tickets"
Z3=$(count "SELECT id FROM tickets WHERE external_id = 'Z-1003'" "$IDB")
show_json "${Z3:-0}" --db "$IDB"
jis '[d["subject"], d["status"], d["priority"], d["customer"]["email"]]' '["Third", "new", "normal", "max@example.com"]'
end

t "import: the same external_id again updates instead of duplicating"
tickets=$(count 'SELECT count(*) FROM tickets' "$IDB")
messages=$(count 'SELECT count(*) FROM messages' "$IDB")
printf '%s\n' "${GOOD1/Où est mon colis ? 荷物/Parcel found}" >"$IMP/update.jsonl"
run --db "$IDB" import "$IMP/update.jsonl"
rc_is 0
err_empty
out_is "desk: imported 0 new and 1 updated tickets"
[ "$(count 'SELECT count(*) FROM tickets' "$IDB")" = "$tickets" ] || fail "the ticket was duplicated"
[ "$(count 'SELECT count(*) FROM messages' "$IDB")" = "$messages" ] || fail "the messages were duplicated"
show_json "${Z1:-0}" --db "$IDB"
jis '[d["subject"], len(d["messages"]), len(d["surveys"])]' '["Parcel found", 3, 1]'
end

t "import from a file that does not exist -> exit 1 naming it"
run --db "$IDB" import "$IMP/nope.jsonl"
rc_is 1
out_empty
err_is "desk: $IMP/nope.jsonl: No such file or directory"
end

# bad_import NAME LINE PROBLEM: a file of a good line, then LINE; the
# import must say "FILE:2: PROBLEM" (PROBLEM is "field: what", or with a
# leading ~ a regex for it), then "desk: nothing was imported", exit 1,
# and store nothing.
bad_import() {
	local name=$1 line=$2 exp=$3
	local f="$IMP/bad-$name.jsonl"
	t "import: $name -> FILE:LINE: field: problem, exit 1, nothing imported"
	# the good line is new each time, so that importing it would show
	printf '{"external_id": "OK-%s", "subject": "Fine", "customer": {"email": "ok%s@example.com"}, "messages": [{"kind": "customer", "at": "2026-11-01T09:30:00Z", "body": "Fine"}]}\n%s\n' \
		"$N" "$N" "$line" >"$f"
	local tickets messages customers
	tickets=$(count 'SELECT count(*) FROM tickets' "$IDB")
	messages=$(count 'SELECT count(*) FROM messages' "$IDB")
	customers=$(count 'SELECT count(*) FROM customers' "$IDB")
	run --db "$IDB" import "$f"
	rc_is 1
	out_empty
	case $exp in
	"~"*)
		[ "$(wc -l <"$W/err")" = 2 ] || fail "expected two lines on stderr"
		head -1 "$W/err" >"$W/err1"
		matches "stderr line 1" "$W/err1" "^$(rx "$f"):2: ${exp#\~}\$"
		[ "$(tail -1 "$W/err")" = "desk: nothing was imported" ] ||
			fail "last line of stderr: $(tail -1 "$W/err")"
		;;
	*) err_is "$f:2: $exp
desk: nothing was imported" ;;
	esac
	[ "$(count 'SELECT count(*) FROM tickets' "$IDB")" = "$tickets" ] || fail "tickets were imported"
	[ "$(count 'SELECT count(*) FROM messages' "$IDB")" = "$messages" ] || fail "messages were imported"
	[ "$(count 'SELECT count(*) FROM customers' "$IDB")" = "$customers" ] || fail "customers were added"
	end
}

B='"subject": "x", "customer": {"email": "b@example.com"}'
bad_import "not JSON" '{"external_id": "B-1", "subject": "cut short' 'not valid JSON'
bad_import "not an object" '["external_id", "B-1"]' 'expected a JSON object (one ticket), got an array'
bad_import "missing subject" '{"external_id": "B-2", "status": "open", "customer": {"email": "b@example.com"}}' 'subject: required'
bad_import "empty subject" '{"external_id": "B-2", "subject": " ", "customer": {"email": "b@example.com"}}' 'subject: must not be empty'
bad_import "bad status" "{$B, \"status\": \"sleeping\"}" 'status: expected one of new, open, pending, on_hold, solved, closed, got "sleeping"'
bad_import "bad priority" "{$B, \"priority\": \"asap\"}" 'priority: expected one of low, normal, high, urgent, got "asap"'
bad_import "bad channel" "{$B, \"channel\": \"fax\"}" 'channel: expected one of email, phone, chat, web, social, walk_in, got "fax"'
bad_import "bad time" "{$B, \"created_at\": \"yesterday\"}" 'created_at: expected an RFC 3339 time like 2026-11-01T09:30:00Z, got "yesterday"'
bad_import "time without offset" "{$B, \"solved_at\": \"2026-11-01T09:30:00\"}" 'solved_at: expected an RFC 3339 time like 2026-11-01T09:30:00Z, got "2026-11-01T09:30:00"'
bad_import "bad message kind" "{$B, \"messages\": [{\"kind\": \"shout\", \"at\": \"2026-11-01T09:30:00Z\", \"body\": \"HEY\"}]}" 'messages[0].kind: expected one of customer, reply, note, system, got "shout"'
bad_import "bad message time" "{$B, \"messages\": [{\"kind\": \"customer\", \"at\": \"2026-11-01T09:30:00Z\", \"body\": \"a\"}, {\"kind\": \"customer\", \"at\": \"2026-13-45T09:30:00Z\", \"body\": \"b\"}]}" 'messages[1].at: expected an RFC 3339 time like 2026-11-01T09:30:00Z, got "2026-13-45T09:30:00Z"'
bad_import "message without time" "{$B, \"messages\": [{\"kind\": \"reply\", \"author\": \"alice\", \"body\": \"x\"}]}" 'messages[0].at: required'
bad_import "bad author" "{$B, \"messages\": [{\"kind\": \"reply\", \"author\": \"not a login\", \"at\": \"2026-11-01T09:30:00Z\", \"body\": \"x\"}]}" "messages[0].author: \"not a login\" is not a valid login (letters, digits, '.', '_', '-'; at most 32)"
bad_import "wrong type" "{$B, \"reopens\": \"two\"}" 'reopens: expected a whole number from 0 up, got a string'
bad_import "wrong type of a list" "{$B, \"tags\": \"refund\"}" 'tags: expected an array, got a string'
bad_import "wrong type in the customer" '{"subject": "x", "customer": {"email": 5}}' 'customer.email: expected a string, got a number'
bad_import "unknown field" "{$B, \"colour\": \"red\"}" '~colour: unknown field; expected one of external_id, subject, .*'
bad_import "bad survey score" "{$B, \"surveys\": [{\"kind\": \"csat\", \"score\": 9, \"at\": \"2026-11-02T09:00:00Z\"}]}" 'surveys[0].score: expected 1 to 5 for csat, got 9'
bad_import "bad NPS score" "{$B, \"surveys\": [{\"kind\": \"nps\", \"score\": 11, \"at\": \"2026-11-02T09:00:00Z\"}]}" 'surveys[0].score: expected 0 to 10 for nps, got 11'
bad_import "bad survey kind" "{$B, \"surveys\": [{\"kind\": \"likes\", \"score\": 1, \"at\": \"2026-11-02T09:00:00Z\"}]}" 'surveys[0].kind: expected one of csat, ces, nps, got "likes"'

t "import --skip-bad: the good lines go in, the bad are reported, exit 1"
printf '%s\n%s\n%s\n' '{"external_id": "S-1", "subject": "One", "customer": {"email": "s@example.com"}}' \
	'{"external_id": "S-2", "subject": "Two", "status": "sleeping", "customer": {"email": "s@example.com"}}' \
	'{"external_id": "S-3", "subject": "Three", "customer": {"email": "s@example.com"}}' >"$IMP/skip.jsonl"
tickets=$(count 'SELECT count(*) FROM tickets' "$IDB")
run --db "$IDB" import --skip-bad "$IMP/skip.jsonl"
rc_is 1
out_is "desk: imported 2 new and 0 updated tickets; 1 bad lines skipped (listed above)"
err_match "^$(rx "$IMP/skip.jsonl"):2: status: [^ ]"
[ "$(count 'SELECT count(*) FROM tickets' "$IDB")" = "$((tickets + 2))" ] || fail "expected 2 more tickets"
[ "$(count "SELECT group_concat(external_id) FROM (SELECT external_id FROM tickets WHERE external_id LIKE 'S-%' ORDER BY 1) AS s" "$IDB")" = "S-1,S-3" ] ||
	fail "expected S-1 and S-3 imported"
end

t "import --skip-bad with the bad line last: the good lines still go in"
printf '%s\n%s\n' '{"external_id": "L-1", "subject": "One", "customer": {"email": "l@example.com"}}' \
	'{"external_id": "L-2", "subject": 5}' >"$IMP/lastbad.jsonl"
tickets=$(count 'SELECT count(*) FROM tickets' "$IDB")
run --db "$IDB" import --skip-bad "$IMP/lastbad.jsonl"
rc_is 1
out_is "desk: imported 1 new and 0 updated tickets; 1 bad lines skipped (listed above)"
err_match "^$(rx "$IMP/lastbad.jsonl"):2: subject: expected a string, got a number"
[ "$(count 'SELECT count(*) FROM tickets' "$IDB")" = "$((tickets + 1))" ] || fail "expected 1 more ticket"
end

t "import from stdin names it \"stdin\" in messages"
tickets=$(count 'SELECT count(*) FROM tickets' "$IDB")
run_in $'{"external_id": "C-1", "subject": "x", "customer": {"email": "c@example.com"}, "colour": "red"}\n' --db "$IDB" import -
rc_is 1
err_match '^stdin:1: colour: [^ ]'
[ "$(count 'SELECT count(*) FROM tickets' "$IDB")" = "$tickets" ] || fail "tickets were imported"
end

t "import of an empty file: nothing to do, exit 0"
: >"$IMP/empty.jsonl"
run --db "$IDB" import "$IMP/empty.jsonl"
rc_is 0
out_is "desk: imported 0 new and 0 updated tickets"
end

t "import and export are for admins: an agent is refused, exit 1, nothing changes"
run --db "$IDB" agent add carol
before=$(count "SELECT count(*) || '/' || group_concat(subject) || '/' || (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM agents) FROM tickets" "$IDB")
printf '%s\n' "${GOOD1/Où est mon colis ? 荷物/Taken over}" >"$IMP/agent.jsonl"
run --db "$IDB" --as carol import "$IMP/agent.jsonl"
rc_is 1
out_empty
err_is "desk: importing is for admins: an import replaces tickets, names their authors and adds agents (you are carol, an agent)"
run --db "$IDB" --as carol export
rc_is 1
out_empty
err_is "desk: exporting is for admins: an export holds every customer's details and the whole audit trail (you are carol, an agent)"
[ "$(count "SELECT count(*) || '/' || group_concat(subject) || '/' || (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM agents) FROM tickets" "$IDB")" = "$before" ] ||
	fail "the database changed"
end

t "import: every ticket it creates or replaces records who ran it; the old events stay"
events=$(count "SELECT count(*) FROM events WHERE ticket_id = ${Z1:-0}" "$IDB")
run --db "$IDB" import "$IMP/update.jsonl"
rc_is 0
[ "$(count "SELECT count(*) FROM events WHERE ticket_id = ${Z1:-0}" "$IDB")" = "$((events + 1))" ] ||
	fail "expected one more event on ticket ${Z1:-0}"
[ "$(count "SELECT a.login || ' ' || e.action || ' ' || e.new_value FROM events e JOIN agents a ON a.id = e.agent_id WHERE e.ticket_id = ${Z1:-0} ORDER BY e.id DESC LIMIT 1" "$IDB")" = "$ME import $IMP/update.jsonl:1" ] ||
	fail "the last event does not name $ME and the file"
end

t "the audit trail is append-only: the engine's own client cannot change or delete an event"
events=$(count 'SELECT count(*) FROM events' "$IDB")
for sql in "UPDATE events SET new_value = 'forged'" "DELETE FROM events"; do
	db_sql "$IDB" "$sql" >"$W/out"
	grep -q 'append-only' "$W/out" || fail "$sql succeeded"
	grep -q 'the audit trail is append-only' "$W/out" || fail "$sql: $(cat "$W/out")"
done
[ "$(count 'SELECT count(*) FROM events' "$IDB")" = "$events" ] || fail "events were deleted"
end

# =========================================================================
# Configuration
# =========================================================================

CFG=$TMP/cfg
mkdir -p "$CFG"
# The team's file for $DB: beside it.  Each test that writes it removes it.
TEAMF=$TMP/config.yaml

# config_error NAME TEXT EXPECTED: the team's file holding TEXT; `config
# check` and any other command fail with "desk: FILE:EXPECTED" (or, when
# EXPECTED is ~REGEX, a whole line matching "desk: FILE:REGEX").
config_error() {
	local name=$1 text=$2 exp=$3
	local f=$TEAMF
	printf '%s' "$text" >"$f"
	t "config: $name -> file:line:column and what was expected, exit 1"
	local agents
	agents=$(count 'SELECT count(*) FROM agents')
	for cmd in "config check" "agent add shouldnotexist"; do
		# shellcheck disable=SC2086
		run $cmd
		rc_is 1
		out_empty
		case $exp in
		"~"*)
			err_match "^desk: $(rx "$f"):${exp#\~}\$"
			[ "$(wc -l <"$W/err")" = 1 ] || fail "expected one line on stderr"
			;;
		*) err_is "desk: $f:$exp" ;;
		esac
	done
	[ "$(count 'SELECT count(*) FROM agents')" = "$agents" ] || fail "an agent was added despite the bad config"
	rm -f "$f"
	end
}

config_error "YAML syntax error" $'theme: default\nviews: [mine, all\n' \
	"3:1: did not find expected ',' or ']'"
config_error "bad indentation" $'sla:\n  urgent:\n    first_response: 1h\n   resolution: 4h\n' \
	"4:4: did not find expected key"
config_error "unknown key" $'theme: default\ncolour: blue\n' \
	'~2:1: unknown key "colour" in the top level; expected one of: database, theme, [a-z_, ]+'
config_error "unknown nested key" $'sla:\n  urgent:\n    first_reply: 1h\n' \
	'3:5: unknown key "first_reply" in sla.urgent; expected one of: first_response, next_response, resolution'
config_error "wrong type" $'theme: [dark, light]\n' \
	'1:8: expected a theme name or path, got a sequence'
config_error "wrong type of a section" $'sla: 4h\n' \
	'1:6: expected a mapping of SLA settings, got "4h"'
config_error "bad duration" $'sla:\n  urgent:\n    first_response: 4x\n' \
	'3:21: expected a duration like 30m, 4h or 2d, got "4x"'
config_error "bad enum" $'views:\n  - name: mine2\n    filter: "assignee:me"\n    sort: sideways\n' \
	'4:11: expected urgency, priority, created, updated or id, got "sideways"'
config_error "bad boolean" $'allow_solve_unassigned: maybe\n' \
	'1:25: expected a boolean (true/false/yes/no), got "maybe"'
config_error "bad number" $'sla:\n  warn_percent: 100\n' \
	'2:17: expected an integer from 1 to 99, got "100"'
config_error "bad opening hours" $'business_hours:\n  monday: "9-5"\n' \
	'2:11: expected opening hours like "09:00-17:30" or "closed", got "9-5"'
config_error "bad view filter" $'views:\n  - {name: v, filter: "priority:>=hgh"}\n' \
	'2: view "v": priority:>=hgh: expected low, normal, high or urgent'
config_error "duplicate key" $'theme: default\nsla: {}\ntheme: dark\n' \
	'3:1: duplicate key "theme"; first defined on line 1'

t "desk keys: the effective bindings, the keys file included; each key it took is said naming both"
cat >"$CFG/mykeys.yaml" <<'EOF'
global:
  j: reply
  Q: none
EOF
printf 'keys: mykeys.yaml\n' >"$CFG/withkeys.yaml"
run --config "$CFG/withkeys.yaml" keys
rc_is 0
out_match '^global j reply '
lacks stdout "$W/out" "global j down "
lacks stdout "$W/out" "global Q quit "
err_is "desk: $CFG/mykeys.yaml:2:3: j in global now runs reply, no longer down
desk: $CFG/mykeys.yaml:3:3: Q in global no longer runs quit (unbound)"
run --config "$CFG/withkeys.yaml" keys --builtin
rc_is 0
out_match '^global j down '
err_empty
end

t "config check: config.example.yaml (top of the repo) is a valid team file, exit 0"
if [ -f "$ROOT/config.example.yaml" ]; then
	cp "$ROOT/config.example.yaml" "$TEAMF"
	run config check
	rc_is 0
	err_empty
	out_is "desk: $TEAMF (the team's file) is valid"
	rm -f "$TEAMF"
	end
else
	skip "no $ROOT/config.example.yaml"
fi

# A team file and a personal file of our own.
cat >"$CFG/team.yaml" <<'YAML'
# a comment
theme: default
default_queue: support
allow_solve_unassigned: yes
sla:
  warn_percent: 30
  urgent: {first_response: 30m, resolution: 4h}
  low: {first_response: none, resolution: 2w}
business_hours:
  monday: "09:00-17:30"
  friday: "08:15 - 24:00"
  holidays: ["2026-12-25"]
views:
  - name: billing
    filter: "queue:billing status:new,open"
    sort: priority
    reverse: true
YAML
cat >"$CFG/good.yaml" <<'YAML'
# a personal file: only personal things
theme: default
views:
  - name: everything
    filter: ""
YAML

t "config check: a valid team file of our own"
cp "$CFG/team.yaml" "$TEAMF"
run config check
rc_is 0
err_empty
out_is "desk: $TEAMF (the team's file) is valid"
end

t "config check: both layers, each named"
run --config "$CFG/good.yaml" config check
rc_is 0
err_empty
out_is "desk: $TEAMF (the team's file) is valid
desk: $CFG/good.yaml (your personal file) is valid"
rm -f "$TEAMF"
end

t "config: an empty file is valid (all defaults)"
: >"$CFG/empty.yaml"
run --config "$CFG/empty.yaml" config check
rc_is 0
out_is "desk: $CFG/empty.yaml (your personal file) is valid"
end

t "--config naming a missing file -> exit 1 naming it"
run --config "$CFG/missing.yaml" list
rc_is 1
out_empty
err_is "desk: $CFG/missing.yaml: No such file or directory"
end

t "\$DESK_CONFIG is used"
DESK_CONFIG=$CFG/good.yaml run config check
rc_is 0
out_is "desk: $CFG/good.yaml (your personal file) is valid"
end

t "\$DESK_CONFIG naming a missing file -> exit 1 naming it and where it came from"
DESK_CONFIG=$CFG/missing.yaml run list
rc_is 1
out_empty
err_is "desk: $CFG/missing.yaml (from \$DESK_CONFIG): No such file or directory"
end

t "--config wins over \$DESK_CONFIG"
DESK_CONFIG=$CFG/missing.yaml run --config "$CFG/good.yaml" config check
rc_is 0
out_is "desk: $CFG/good.yaml (your personal file) is valid"
end

t "no config anywhere: the built-in one"
if [ -e /etc/desk/config.yaml ]; then
	skip "/etc/desk/config.yaml exists on this machine"
else
	run config check
	rc_is 0
	out_is "desk: the built-in config is valid"
	end
fi

t "\$XDG_CONFIG_HOME/desk/config.yaml is found"
mkdir -p "$XDG_CONFIG_HOME/desk"
cp "$CFG/good.yaml" "$XDG_CONFIG_HOME/desk/config.yaml"
run config check
rc_is 0
out_is "desk: $XDG_CONFIG_HOME/desk/config.yaml (your personal file) is valid"
end

t "\$DESK_CONFIG wins over \$XDG_CONFIG_HOME"
DESK_CONFIG=$CFG/empty.yaml run config check
rc_is 0
out_is "desk: $CFG/empty.yaml (your personal file) is valid"
end

t "a broken \$XDG_CONFIG_HOME/desk/config.yaml is an error, not the defaults"
printf 'colour: blue\n' >"$XDG_CONFIG_HOME/desk/config.yaml"
run list
rc_is 1
err_is "desk: $XDG_CONFIG_HOME/desk/config.yaml:1:1: unknown key \"colour\" in the top level; expected one of: database, theme, keys, themes_dir, views, signature, undo_send_seconds, notify"
rm -f "$XDG_CONFIG_HOME/desk/config.yaml"
end

t "a relative \$XDG_CONFIG_HOME is ignored: ~/.config/desk/config.yaml"
mkdir -p "$HOME/.config/desk" "$TMP/rel/desk"
cp "$CFG/empty.yaml" "$HOME/.config/desk/config.yaml"
printf 'colour: blue\n' >"$TMP/rel/desk/config.yaml"
(cd "$TMP" && XDG_CONFIG_HOME=rel run config check; echo "$RC" >"$W/rc")
RC=$(cat "$W/rc")
rc_is 0
out_is "desk: $HOME/.config/desk/config.yaml (your personal file) is valid"
rm -f "$HOME/.config/desk/config.yaml"
end

t "the config's database: is used when there is no --db or \$DESK_DB"
printf 'database: %s\n' "$TMP/from-config/desk.db" >"$CFG/db.yaml"
DESK_DB='' run --config "$CFG/db.yaml" init
rc_is 0
out_is "desk: created $TMP/from-config/desk.db; $ME is its admin"
[ -f "$TMP/from-config/desk.db" ] || fail "no database at the config's path"
end

t "a relative database: is taken from the config file's folder"
printf 'database: rel/desk.db\n' >"$CFG/reldb.yaml"
(cd "$TMP/home" && DESK_DB='' run --config "$CFG/reldb.yaml" init; echo "$RC" >"$W/rc")
RC=$(cat "$W/rc")
rc_is 0
out_is "desk: created $CFG/rel/desk.db; $ME is its admin"
[ -f "$CFG/rel/desk.db" ] || fail "no database at $CFG/rel/desk.db"
end

t "\$DESK_DB wins over the config's database:, --db over both"
DESK_DB=$DB run --config "$CFG/db.yaml" list --view all --json
rc_is 0
jis 'len(d)' "$(count 'SELECT count(*) FROM tickets WHERE merged_into IS NULL')" "$W/out"
DESK_DB=$TMP/nowhere.db run --config "$CFG/db.yaml" --db "$DB" list --view all --json
rc_is 0
jis 'len(d)' "$(count 'SELECT count(*) FROM tickets WHERE merged_into IS NULL')" "$W/out"
[ -e "$TMP/nowhere.db" ] && fail "\$DESK_DB was used over --db"
end

t "no --db, \$DESK_DB or config: \$XDG_DATA_HOME/desk/desk.db"
DESK_DB='' run init
rc_is 0
out_is "desk: created $XDG_DATA_HOME/desk/desk.db; $ME is its admin"
[ -f "$XDG_DATA_HOME/desk/desk.db" ] || fail "no database there"
end

t "config: allow_solve_unassigned (the team's) lets an unassigned ticket be solved"
cp "$CFG/team.yaml" "$TEAMF"
new_ticket --subject "Solve me" --email solve@example.com --body "Easy one"
run set "$NEW_ID" status=solved
rc_is 0
show_json "$NEW_ID"
jis '[d["status"], "assignee" in d]' '["solved", false]'
end

t "config: default_queue (the team's) is where new tickets land"
run new --subject "Where do I go" --email q@example.com --body "?"
rc_is 0
id=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$W/out")
show_json "${id:-0}"
jis 'd["queue"]' support
end

t "config: the team's views and the personal ones are offered by list --view"
run --config "$CFG/good.yaml" list --view billing --json
rc_is 0
json_valid "$W/out"
jis "sorted(set(r['queue'] for r in d))" '["billing"]' "$W/out"
run --config "$CFG/good.yaml" list --view everything --json
rc_is 0
jis 'len(d)' "$(count 'SELECT count(*) FROM tickets WHERE merged_into IS NULL')" "$W/out"
end

t "config show: every setting and where it came from"
run --config "$CFG/good.yaml" config show
rc_is 0
err_empty
grep -qxF "# team file: $TEAMF" "$W/out" || fail "no team file line"
grep -qxF "# personal file: $CFG/good.yaml" "$W/out" || fail "no personal file line"
grep -qxF "database: $DB  # \$DESK_DB" "$W/out" || fail "database line: $(grep '^database' "$W/out")"
grep -qxF "theme: default  # $CFG/good.yaml:2" "$W/out" || fail "theme line: $(grep '^theme' "$W/out")"
grep -qxF "report_database: none (reports read the database)  # default" "$W/out" ||
	fail "report_database line: $(grep '^report_database' "$W/out")"
grep -qxF "default_queue: support  # $TEAMF:3" "$W/out" || fail "default_queue line"
grep -qxF "allow_solve_unassigned: true  # $TEAMF:4" "$W/out" || fail "allow_solve_unassigned line"
grep -qxF "agents_may_reassign: false  # default" "$W/out" || fail "agents_may_reassign line"
grep -qxF "sla:  # $TEAMF:5" "$W/out" || fail "sla line"
grep -qxF "  urgent: {first_response: 30m, next_response: 2h, resolution: 4h}" "$W/out" || fail "sla.urgent line"
grep -qxF "  - name: billing  # $TEAMF:14" "$W/out" || fail "team view line"
grep -qxF "  - name: everything  # $CFG/good.yaml:4" "$W/out" || fail "personal view line"
rm -f "$TEAMF"
end

t "config: a personal signature: comes before the stored one; config show and agent signature say so"
printf 'signature: |\n  Ann from the file\n  Support\n' >"$CFG/sig.yaml"
run --config "$CFG/sig.yaml" config show
rc_is 0
grep -qxF "signature: 2 lines (desk agent signature prints it)  # $CFG/sig.yaml:1" "$W/out" ||
	fail "signature line: $(grep '^signature' "$W/out")"
run --config "$CFG/sig.yaml" agent signature
rc_is 0
out_is $'Ann\nSupport'
err_is "desk: note: replies get the signature of your personal file ($CFG/sig.yaml:1) instead"
end

t "config: a signature: with an escape sequence -> file:line:column, its line; exit 1"
printf 'signature: "Ann\\n\\e[2J"\n' >"$CFG/badsig.yaml"
run --config "$CFG/badsig.yaml" list
rc_is 1
out_empty
err_is "desk: $CFG/badsig.yaml:1:12: signature: its line 2 holds a control, invisible or invalid character; a signature is plain text"
end

# policy_refused KEY TEXT: a personal file setting the team's KEY is an
# error naming it, its place and the team file; nothing runs.
policy_refused() {
	local key=$1 text=$2
	t "config: $key in a personal file -> file:line:column, the key, the team's file; exit 1"
	printf 'theme: default\n%s' "$text" >"$CFG/policy.yaml"
	printf '' >"$TEAMF"
	run --config "$CFG/policy.yaml" list
	rc_is 1
	out_empty
	err_is "desk: $CFG/policy.yaml:2:1: $key is the team's policy, not a personal setting: it belongs in $TEAMF, the team's file"
	rm -f "$TEAMF"
	end
}
policy_refused canned $'canned: canned.yaml\n'
policy_refused default_queue $'default_queue: vip\n'
policy_refused allow_solve_unassigned $'allow_solve_unassigned: true\n'
policy_refused agents_may_reassign $'agents_may_reassign: true\n'
policy_refused agents_may_bulk_edit $'agents_may_bulk_edit: true\n'
policy_refused sla $'sla:\n  normal: {first_response: 1w}\n'
policy_refused business_hours $'business_hours:\n  monday: "09:00-10:00"\n'
policy_refused mail $'mail:\n  support_address: "a@example.com"\n'
policy_refused queues $'queues: [general, billing]\n'

t "roles come from the team's file only: --config mine.yaml cannot lift the reassign rule"
run agent add erin
run agent add frank
new_ticket --subject "Frank's ticket" --email owned@example.com --body "Mine"
OWNED=$NEW_ID
run set "$OWNED" assignee=frank
rc_is 0
printf 'agents_may_reassign: true\n' >"$CFG/mine.yaml"
run --as erin --config "$CFG/mine.yaml" set "$OWNED" assignee=erin
rc_is 1
if on_pg; then # a database on a server has only the one place for it
	err_is "desk: $CFG/mine.yaml:1:1: agents_may_reassign is the team's policy, not a personal setting: it belongs in the team's file, $TEAMF"
else
	err_is "desk: $CFG/mine.yaml:1:1: agents_may_reassign is the team's policy, not a personal setting: it belongs in the team's file: $TEAMF beside the database, or /etc/desk/config.yaml"
fi
DESK_CONFIG=$CFG/mine.yaml run --as erin set "$OWNED" assignee=erin
rc_is 1
run --as erin set "$OWNED" assignee=erin
rc_is 1
err_is "desk: ticket $OWNED belongs to frank; only a supervisor or an admin can reassign it (or set agents_may_reassign in the team's config)"
show_json "$OWNED"
jis 'd["assignee"]' frank
# the team's file does lift it
printf 'agents_may_reassign: true\n' >"$TEAMF"
run --as erin set "$OWNED" assignee=erin
rc_is 0
show_json "$OWNED"
jis 'd["assignee"]' erin
rm -f "$TEAMF"
end

t "roles come from the team's file only: a link to the database beside a config of one's own"
if sqlite_only "a link to the database file"; then
	mkdir -p "$TMP/own"
	ln -sf "$DB" "$TMP/own/desk.db"
	printf 'agents_may_reassign: true\n' >"$TMP/own/config.yaml"
	run --as frank --db "$TMP/own/desk.db" set "$OWNED" assignee=frank
	rc_is 1
	err_is "desk: ticket $OWNED belongs to erin; only a supervisor or an admin can reassign it (or set agents_may_reassign in the team's config)"
	rm -rf "$TMP/own"
	end
fi

t "two agents with different personal files compute the same SLA due times"
printf 'sla:\n  normal: {first_response: 2h}\n  high: {first_response: 20m}\n' >"$TEAMF"
printf 'theme: default\n' >"$CFG/erin.yaml"
printf 'views:\n  - name: franks\n    filter: "assignee:frank"\n' >"$CFG/frank.yaml"
run --as erin --config "$CFG/erin.yaml" new --subject "Due when?" --email due@example.com --body "?"
rc_is 0
DUE=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$W/out")
due_of() {
	run "$@" list --view all --json
	"$PYTHON" -c 'import json,sys; print([r["next_due"] for r in json.load(open(sys.argv[1])) if r["id"] == int(sys.argv[2])][0])' "$W/out" "${DUE:-0}"
}
created=$(count "SELECT created_at FROM tickets WHERE id = ${DUE:-0}")
[ "$(count "SELECT next_due - created_at FROM tickets WHERE id = ${DUE:-0}")" = 7200 ] ||
	fail "erin's ticket is not due in the team's 2h"
run --as frank --config "$CFG/frank.yaml" set "$DUE" priority=high
rc_is 0
[ "$(count "SELECT next_due FROM tickets WHERE id = ${DUE:-0}")" = "$((created + 1200))" ] ||
	fail "frank's change did not give the team's 20m"
a=$(due_of --as erin --config "$CFG/erin.yaml")
b=$(due_of --as frank --config "$CFG/frank.yaml")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "erin sees $a, frank sees $b"
# a personal file that tries to set the SLA is refused, and changes nothing
printf 'sla:\n  high: {first_response: 1w}\n' >"$CFG/sneaky.yaml"
run --as frank --config "$CFG/sneaky.yaml" set "$DUE" priority=normal
rc_is 1
err_match "^desk: $(rx "$CFG/sneaky.yaml"):1:1: sla is the team's policy, not a personal setting"
[ "$(count "SELECT next_due FROM tickets WHERE id = ${DUE:-0}")" = "$((created + 1200))" ] ||
	fail "the refused config changed the due time"
rm -f "$TEAMF"
end

# =========================================================================
# The database: locked, read-only, newer, not a database
# =========================================================================

t "a locked database: a write fails within ~15 s saying so, exit 1"
LT=$T1
show_json "$LT"
cp "$W/show.json" "$W/before-lock.json"
mkfifo "$TMP/lock.fifo"
# The lock another desk's writer holds: SQLite's write lock, or on the
# server the advisory lock every desk writer takes (pg_conn.c's key).
if on_pg; then
	psql "$DB" -Xq <"$TMP/lock.fifo" >"$TMP/lock.out" 2>&1 &
else
	sqlite3 "$DB" <"$TMP/lock.fifo" >"$TMP/lock.out" 2>&1 &
fi
LOCK_PID=$!
exec 9<>"$TMP/lock.fifo"
if on_pg; then
	echo 'SELECT pg_advisory_lock(1684370283);' >&9
else
	echo 'BEGIN IMMEDIATE;' >&9
fi
held=no
for _ in $(seq 100); do
	if on_pg; then
		[ "$(count "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1684370283 AND granted")" = 1 ] &&
			held=yes
	elif ! sqlite3 -cmd '.timeout 0' "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; then
		held=yes
	fi
	[ $held = yes ] && break
	sleep 0.05
done
if [ $held = no ]; then
	fail "could not take the lock: $(cat "$TMP/lock.out")"
else
	t0=$(date +%s%N)
	if on_pg; then
		# The holder is a session like another desk's: desk waits the
		# writers' bound (30 s; 5 s here), then names it.
		DESK_GATE_STUCK_MS=5000 run set "$LT" priority=low
	else
		run set "$LT" priority=low
	fi
	ms=$((($(date +%s%N) - t0) / 1000000))
	rc_is 1
	out_empty
	if on_pg; then
		err_match "^desk: $(rx "$DB"): another desk has held the database's write lock for over 5 s without finishing: $ME \(server pid [0-9]+, \"psql\"\)( for [0-9]+ s)?; nothing was changed"
	else
		err_is "desk: $DB: the database stayed locked by another desk while waiting to write; nothing was changed, try again"
	fi
	echo "# desk gave up on the lock after ${ms} ms"
	[ "$ms" -le 15000 ] || fail "desk waited ${ms} ms (more than 15 s)"
	# Reading goes on while another process writes (WAL).
	t0=$(date +%s%N)
	run show "$LT" --json
	rms=$((($(date +%s%N) - t0) / 1000000))
	rc_is 0
	[ "$rms" -le 2000 ] || fail "a read under the lock took ${rms} ms"
fi
if on_pg; then
	echo 'SELECT pg_advisory_unlock(1684370283);' >&9
else
	echo 'ROLLBACK;' >&9
fi
exec 9>&-
wait "$LOCK_PID"
LOCK_PID=
show_json "$LT"
cmp -s "$W/before-lock.json" "$W/show.json" ||
	fail "the ticket changed:"$'\n'"$(diff "$W/before-lock.json" "$W/show.json")"
run set "$LT" priority=low
rc_is 0
show_json "$LT"
jis 'd["priority"]' low
run --db "$DB" export
rc_is 0
end

t "a read-only database file: a clear message, exit 1, nothing changed"
RO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/desk-cli-ro.XXXXXX")
chmod 755 "$RO_DIR"
"$DESK" --db "$RO_DIR/ro.db" init >/dev/null 2>&1 </dev/null
"$DESK" --db "$RO_DIR/ro.db" new --subject "Read only" --email ro@example.com --body x >/dev/null 2>&1 </dev/null
if [ "$(id -u)" = 0 ]; then
	# root writes whatever the mode says: play an ordinary user, an agent,
	# who owns the file but made it read-only.
	cp "$DESK" "$RO_DIR/desk"
	NOBODY=$(getent passwd 65534 | cut -d: -f1)
	if command -v setpriv >/dev/null 2>&1 && [ -n "$NOBODY" ] &&
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$RO_DIR/desk" --version >/dev/null 2>&1; then
		"$DESK" --db "$RO_DIR/ro.db" agent add "$NOBODY" >/dev/null 2>&1 </dev/null
		chown -R 65534 "$RO_DIR"
		RC_SETPRIV=yes
		as_user() {
			timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
				env HOME="$RO_DIR" XDG_CONFIG_HOME="$RO_DIR/config" XDG_DATA_HOME="$RO_DIR/data" \
				"$RO_DIR/desk" --db "$RO_DIR/ro.db" "$@" >"$W/out" 2>"$W/err" </dev/null
			RC=$?
		}
		echo "# running as root: the read-only case runs as uid 65534 (setpriv)"
	else
		as_user() { RC=skip; }
	fi
else
	as_user() {
		timeout 60 "$DESK" --db "$RO_DIR/ro.db" "$@" >"$W/out" 2>"$W/err" </dev/null
		RC=$?
	}
fi
chmod 444 "$RO_DIR/ro.db"
as_user set 1 priority=urgent
if [ "$RC" = skip ]; then
	skip "running as root, which ignores file modes, and setpriv cannot run desk as another user"
else
	rc_is 1
	out_empty
	err_match "^desk: $(rx "$RO_DIR/ro.db"): .*(read-only|cannot read and write)"
	[ "$(wc -l <"$W/err")" = 1 ] || fail "expected one line on stderr"
	# A file, whichever engine the run is on: sqlite3 is its witness.
	[ "$(sqlite3 "$RO_DIR/ro.db" 'SELECT subject, priority FROM tickets WHERE id = 1')" = "Read only|1" ] ||
		fail "the ticket changed: $(sqlite3 "$RO_DIR/ro.db" 'SELECT subject, priority FROM tickets WHERE id = 1')"
	end
fi

t "--as by anyone but root, even the database file's owner -> exit 1"
if [ "$(id -u)" != 0 ]; then
	run --as "$ME" list
	rc_is 1
	out_empty
	err_is "desk: --as $ME: only root may act as another agent"
	end
elif [ "$RC_SETPRIV" = yes ]; then
	as_user --as "$ME" list
	rc_is 1
	out_empty
	err_is "desk: --as $ME: only root may act as another agent"
	end
else
	skip "setpriv cannot run desk as another user"
fi

t "a database straight in /tmp (sticky, world-writable, someone else's): init, then use it"
# Not a shared folder: desk must not ask for chmod g+s on /tmp.
STICKY=
if [ "$(stat -c %a /tmp 2>/dev/null)" != 1777 ]; then
	skip "/tmp is not mode 1777 here"
elif [ "$(id -u)" = 0 ] && [ "$RC_SETPRIV" != yes ]; then
	skip "running as root, and setpriv cannot run desk as another user"
else
	STICKY=$(mktemp -u /tmp/desk-cli-sticky.XXXXXX).db
	if [ "$(id -u)" = 0 ]; then
		sticky() {
			timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
				env HOME="$RO_DIR" XDG_CONFIG_HOME="$RO_DIR/config" XDG_DATA_HOME="$RO_DIR/data" \
				"$RO_DIR/desk" --db "$STICKY" "$@" >"$W/out" 2>"$W/err" </dev/null
			RC=$?
		}
	else
		sticky() {
			timeout 60 "$DESK" --db "$STICKY" "$@" >"$W/out" 2>"$W/err" </dev/null
			RC=$?
		}
	fi
	sticky init
	rc_is 0
	sticky new --subject "In /tmp" --email tmp@example.com --body "hello"
	rc_is 0
	err_empty
	sticky list --view all
	rc_is 0
	err_empty
	out_match ' In /tmp '
	end
fi

t "a database from a newer desk -> exit 1 \"newer\", left as it was"
db_new NEWER newer
# Where the schema's version is kept: SQLite's user_version, the server's
# meta row.
VERSION_SQL="PRAGMA user_version"
on_pg && VERSION_SQL="SELECT value FROM meta WHERE key = 'schema_version'"
run --db "$NEWER" init
if on_pg; then
	count "UPDATE meta SET value = '99' WHERE key = 'schema_version'" "$NEWER" >/dev/null
else
	count 'PRAGMA user_version = 99' "$NEWER" >/dev/null
fi
run --db "$NEWER" list
rc_is 1
out_empty
err_match "^desk: $(rx "$NEWER"): database schema version 99 is newer than this desk understands \([0-9]+\); use a newer desk$"
run --db "$NEWER" set 1 status=open
rc_is 1
err_has "newer"
[ "$(count "$VERSION_SQL" "$NEWER")" = 99 ] || fail "the version was changed"
end

t "queues: the team's list; set queue=biling -> did you mean billing, exit 1, nothing changed"
printf 'queues: [general, billing, tech]\n' >"$TEAMF"
new_ticket --subject "Which queue?" --email queues@example.com --body "?"
QT=$NEW_ID
events=$(count "SELECT count(*) FROM events WHERE ticket_id = ${QT:-0}")
run set "$QT" queue=biling
rc_is 1
out_empty
err_is 'desk: no queue "biling"; did you mean "billing"?'
run set "$QT" priority=high queue=zzz
rc_is 1
err_is "desk: no queue \"zzz\": the team's queues are general, billing, tech"
[ "$(count "SELECT queue || ' ' || priority FROM tickets WHERE id = ${QT:-0}")" = "general 1" ] ||
	fail "the ticket changed: $(count "SELECT queue, priority FROM tickets WHERE id = ${QT:-0}")"
[ "$(count "SELECT count(*) FROM events WHERE ticket_id = ${QT:-0}")" = "$events" ] ||
	fail "an event was written"
run set "$QT" queue=billing
rc_is 0
[ "$(count "SELECT queue FROM tickets WHERE id = ${QT:-0}")" = billing ] || fail "not moved to billing"
tickets=$(count 'SELECT count(*) FROM tickets')
run new --queue tehc --subject "New one" --email queues@example.com --body "?"
rc_is 1
err_is 'desk: no queue "tehc"; did you mean "tech"?'
[ "$(count 'SELECT count(*) FROM tickets')" = "$tickets" ] || fail "a ticket was created"
run config show
grep -qxF "queues: [general, billing, tech]  # $TEAMF:1" "$W/out" || fail "config show: $(grep '^queues' "$W/out")"
end

t "queues: every queue the config names must be listed -> file:line:column, exit 1"
printf 'queues: [general, billing]\nviews:\n  - name: b\n    filter: "queue:biling"\n' >"$TEAMF"
run config check
rc_is 1
err_is "desk: $TEAMF:4:13: the view's filter: no queue \"biling\"; did you mean \"billing\"?"
printf 'queues: [general, billing]\nmail:\n  default_queue: tech\n' >"$TEAMF"
run list
rc_is 1
err_is "desk: $TEAMF:3:18: mail.default_queue: no queue \"tech\": the team's queues are general, billing"
printf 'queues: [billing]\n' >"$TEAMF"
run config check
rc_is 1
err_is "desk: $TEAMF:1:9: default_queue is \"general\" (the default), which queues does not list: add it, or set default_queue to one of them"
printf 'queues: [general, billing]\n' >"$TEAMF"
printf 'views:\n  - name: mybills\n    filter: "queue:biling"\n' >"$CFG/queues.yaml"
run --config "$CFG/queues.yaml" list
rc_is 1
err_is "desk: $CFG/queues.yaml:2: view \"mybills\": no queue \"biling\"; did you mean \"billing\"?"
end

t "queues: without a list any queue name is taken (existing databases keep working)"
rm -f "$TEAMF"
run set "$QT" queue=brand-new
rc_is 0
[ "$(count "SELECT queue FROM tickets WHERE id = ${QT:-0}")" = brand-new ] || fail "not moved"
run config show
grep -qxF "queues: none listed (any queue name is taken)  # default" "$W/out" || fail "config show: $(grep '^queues' "$W/out")"
end

t "a file that is not a database -> exit 1, says so, file untouched"
printf 'These are my notes, not a database.\n%.0s' $(seq 40) >"$TMP/notes.txt"
cp "$TMP/notes.txt" "$TMP/notes.orig"
run --db "$TMP/notes.txt" list
rc_is 1
out_empty
err_match "^desk: $(rx "$TMP/notes.txt"): not a desk database, or damaged"
cmp -s "$TMP/notes.txt" "$TMP/notes.orig" || fail "the file was changed"
end

t "a folder given as the database -> exit 1"
run --db "$TMP" list
rc_is 1
out_empty
err_is "desk: $TMP: is a directory, not a database file"
end

# --- what became of a reply's mail ------------------------------------------
# A desk of its own, whose team file (beside its database) sets mail up
# with stand-in sendmails.
MD=$TMP/mailcli
mkdir -p "$MD"
db_new MDB mail "$MD/desk.db"
# On the server the team's file is named (on SQLite: beside the database).
on_pg && export DESK_SYSTEM_CONFIG=$MD/config.yaml
printf '#!/bin/sh\ncat >/dev/null\necho "queue full" >&2\nexit 75\n' >"$MD/sendmail-75"
printf '#!/bin/sh\ncat >>"%s/sent"\n' "$MD" >"$MD/sendmail-ok"
printf '#!/bin/sh\ncat >/dev/null\nsleep 120 &\necho $! >"%s/sleep.pid"\nwait\n' "$MD" >"$MD/sendmail-hung"
chmod +x "$MD"/sendmail-*
# mail_team SENDMAIL [MORE-YAML]: the team's mail settings.
mail_team() {
	printf 'mail:\n  support_address: "Help <help@desk.test>"\n  sendmail: ["%s/%s", "-t"]\n%s' \
		"$MD" "$1" "${2:-}" >"$MD/config.yaml"
}
mail_team sendmail-ok
run --db "$MDB" init
MT=$("$DESK" --db "$MDB" new --subject "Mail me" --email ann@example.com --name "Ann Lee" --body "hi" 2>/dev/null | sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p')
PT=$("$DESK" --db "$MDB" new --subject "Called" --channel phone --email bob@example.com --name "Bob" --body "rang" 2>/dev/null | sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p')
mq() { db_sql "$MDB" "$1"; }

t "reply: sendmail exits 75 -> stored, exit 75, stderr says mail failed and where it is kept"
mail_team sendmail-75
run --db "$MDB" reply "${MT:-0}" --body "First answer."
rc_is 75
out_match "^desk: reply [0-9]+ added to ticket ${MT:-0}\$"
R1=$(sed -n 's/^desk: reply \([0-9]*\) added.*/\1/p' "$W/out")
err_is "desk: reply ${R1:-?} saved on ticket ${MT:-0}; mail failed: sendmail-75 exited with status 75: queue full, kept in the outbox (desk outbox --retry)"
[ "$(mq "SELECT delivery || '|' || delivery_error FROM messages WHERE id = ${R1:-0}")" = "failed|sendmail-75 exited with status 75: queue full" ] ||
	fail "stored as: $(mq "SELECT delivery, delivery_error FROM messages WHERE id = ${R1:-0}")"
end

t "reply --json: ticket, message, kind, delivery failed with the reason; exit 75"
run --db "$MDB" reply "${MT:-0}" --json --body "Second answer."
rc_is 75
json_valid "$W/out"
jmany "$W/out" <<EOF
d["ticket"] => ${MT:-0}
d["kind"] => reply
d["delivery"] => failed
d["reason"] => sendmail-75 exited with status 75: queue full
isinstance(d["message"], int) => true
EOF
end

t "desk outbox lists both; --retry with a working sendmail sends them; their state is sent"
mail_team sendmail-ok
run --db "$MDB" outbox
rc_is 0
[ "$(grep -c 'failed.*sendmail-75 exited with status 75: queue full' "$W/out")" = 2 ] || fail "outbox: $(cat "$W/out")"
run --db "$MDB" outbox --retry
rc_is 0
out_has "desk: 2 sent, 0 failed"
[ "$(mq "SELECT group_concat(delivery) FROM messages WHERE kind = 'reply'")" = "sent,sent" ] ||
	fail "states: $(mq "SELECT group_concat(delivery) FROM messages WHERE kind = 'reply'")"
grep -q "First answer." "$MD/sent" || fail "not through sendmail"
end

t "reply: sendmail accepts it -> exit 0, delivery sent, reason null"
run --db "$MDB" reply "${MT:-0}" --json --body "Third answer."
rc_is 0
jmany "$W/out" <<EOF
d["delivery"] => sent
d["reason"] => null
EOF
err_match "^desk: reply [0-9]+ mailed: sendmail accepted it\$"
end

t "reply on a phone ticket -> not mailed (mail.reply_by_mail), exit 0; the team may mail them"
run --db "$MDB" reply "${PT:-0}" --json --body "As discussed on the phone."
rc_is 0
jmany "$W/out" <<EOF
d["delivery"] => not mailed
d["reason"] => replies on phone tickets are not mailed (mail.reply_by_mail)
EOF
err_match "^desk: reply [0-9]+ is not mailed: replies on phone tickets are not mailed \(mail.reply_by_mail\)\$"
mail_team sendmail-ok $'  reply_by_mail: {phone: true}\n'
run --db "$MDB" reply "${PT:-0}" --json --body "And in writing."
rc_is 0
jis 'd["delivery"]' sent "$W/out"
end

t "note --json: delivery null"
run --db "$MDB" note "${MT:-0}" --json --body "internal"
rc_is 0
jmany "$W/out" <<EOF
d["kind"] => note
d["delivery"] => null
EOF
err_empty
end

t "reply: a hung sendmail is killed at mail.sendmail_timeout with its children -> failed, exit 75"
mail_team sendmail-hung $'  sendmail_timeout: 1s\n'
start=$SECONDS
run --db "$MDB" reply "${MT:-0}" --body "Slow answer."
rc_is 75
[ $((SECONDS - start)) -le 10 ] || fail "took $((SECONDS - start)) s"
err_has "mail failed: sendmail-hung did not finish within 1 seconds (mail.sendmail_timeout), kept in the outbox"
sp=$(cat "$MD/sleep.pid" 2>/dev/null)
if [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null && [ "$(ps -o stat= -p "$sp" | cut -c1)" != Z ]; then
	fail "its sleep ($sp) still runs"
	kill "$sp"
fi
mail_team sendmail-ok
end

t "reply: C-c while sendmail hangs stops it and leaves the reply queued with why"
mail_team sendmail-hung $'  sendmail_timeout: 60s\n'
rm -f "$MD/sleep.pid"
timeout -s INT 2 "$DESK" --db "$MDB" reply "${MT:-0}" --body "Interrupted answer." \
	</dev/null >"$W/out" 2>"$W/err"
RC=$?
[ "$RC" != 0 ] || fail "desk reply went on after C-c (exit 0)"
sp=$(cat "$MD/sleep.pid" 2>/dev/null)
if [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null && [ "$(ps -o stat= -p "$sp" | cut -c1)" != Z ]; then
	fail "its sleep ($sp) still runs"
	kill "$sp"
fi
note=$(db_sql "$MDB" "SELECT delivery || '|' || coalesce(delivery_error, '') FROM messages WHERE body = 'Interrupted answer.'")
case $note in
"queued|desk stopped while sendmail ran"*) ;;
*) fail "the reply is \"$note\", want queued with the note" ;;
esac
mail_team sendmail-ok
end
on_pg && export DESK_SYSTEM_CONFIG=$TMP/config.yaml
