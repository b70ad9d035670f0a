# keys.bash: end-to-end tests of what issue 16 made cheaper per key in
# the console: the customer pane reads a long ticket list only as far as
# it is shown or moved through, and still counts and reaches all of it.
#
#   bash tests/e2e/keys.bash PATH-TO-DESK     (run.sh runs every file)

source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

# A customer with more tickets than the pane reads at first (64 past the
# one shown): 70, the first of them the oldest.
n=70
first=
for i in $(seq 1 $n); do
	id=$("$DESK" new --subject "Keys history $i" --name "Kim Many" --email kim.many@example.com \
		--body "Ticket $i" 2>&1 | sed -n 's/.*ticket \([0-9]*\) created.*/\1/p')
	[ -n "$first" ] || first=$id
done
last=$id

start 200 50
wait_for "Queue: open (" && wait_for "? help"
keys :
type_text "open $last"
keys Enter
check "the customer pane counts every ticket of the customer" wait_for "Tickets ($n)"
keys Tab
check "Tab to the customer pane: the ticket shown is marked, first" wait_for "*#$last new"
keys G
check "G (End) in the pane reaches the oldest, past the rows read at first" \
	wait_for "#$first new"
keys g
check "g (Home) goes back to the newest" wait_for "#$last new"
# Opening the oldest ticket: its own place in the list is read at once
# (it is the last of 70), with the count unchanged.
keys q
wait_for "Queue: open ("
keys :
type_text "open $first"
keys Enter
check "a ticket deep in the list is shown marked, the count the same" \
	wait_for "*#$first new"
check "... Tickets ($n) still" wait_for "Tickets ($n)"

keys Q
finish
