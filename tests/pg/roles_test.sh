#!/bin/bash
# roles_test.sh: an agent connected to PostgreSQL under their own role
# cannot, with psql, do what desk would refuse them (issue 17), and desk
# still does their normal work under that role.
#
#   bash tests/pg/roles_test.sh ./desk
#
# On a throwaway cluster (tests/pg/cluster.sh; trust authentication on
# its socket: what is tested is authorization, not authentication): a
# superuser makes the owner role deskowner (LOGIN CREATEROLE) and the
# database desk it owns; deskowner runs `desk init --postgresql` and adds
# alice and bob; then alice tries, with psql, to make herself an admin,
# change or delete the audit trail, rewrite or delete bob's message,
# write in bob's name, take another group's rights, and act as bob
# through desk.  Each must be refused and leave the rows as they were.
# Prints "ok N - what" or "not ok N - what"; exits 1 if any failed.
set -u
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: bash tests/pg/roles_test.sh PATH-TO-DESK" >&2
	exit 2
fi
desk=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
bin=$(sh "$here/cluster.sh" bindir) || exit 1
dir=$(mktemp -d "${TMPDIR:-/tmp}/desk-roles-XXXXXX")
trap 'sh "$here/cluster.sh" stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sh "$here/cluster.sh" start "$dir" || exit 1
# desk's own files (config, drafts) in a scratch home, not the caller's.
export HOME=$dir/home XDG_CONFIG_HOME=$dir/home/.config XDG_DATA_HOME=$dir/home/.local
mkdir -p "$HOME"
unset DESK_DB DESK_CONFIG DESK_NOW

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && printf '  %s\n' "$2"
}
# check WHAT COMMAND...: passes when the command succeeds.
check() {
	local what=$1
	shift
	if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "$out"; fi
}

conn() { echo "host=$dir port=5432 user=$1 dbname=${2:-desk}"; }
# One value (or nothing) as ROLE; psql's error goes to $dir/err.
q() {
	"$bin/psql" -X -q -At -v ON_ERROR_STOP=1 "$(conn "$1")" -c "$2" 2>"$dir/err"
}
# refused WHAT ROLE SQL: the statement fails, with a permission error
# or a row policy's refusal.
refused() {
	if q "$2" "$3" >/dev/null; then
		not_ok "$1" "psql as $2 was allowed: $3"
	elif grep -Eq 'permission denied|row-level security|must be (a )?member|must have admin' \
		"$dir/err"; then
		ok "$1"
	else
		not_ok "$1" "refused, but not for want of rights: $(cat "$dir/err")"
	fi
}
# same WHAT ROLE SQL EXPECTED: the value ROLE reads is EXPECTED.
same() {
	local got
	got=$(q "$2" "$3")
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1" "expected [$4], got [$got] from: $3"; fi
}
as() {
	local who=$1
	shift
	"$desk" --db "$(conn "$who")" "$@"
}

# --- set-up, as the README says ------------------------------------------
"$bin/psql" -X -q "$(conn postgres postgres)" -c "CREATE ROLE deskowner LOGIN CREATEROLE" \
	-c "CREATE DATABASE desk OWNER deskowner" >/dev/null 2>"$dir/err" ||
	{ echo "not ok - the owner and its database: $(cat "$dir/err")"; exit 1; }

out=$("$desk" init --postgresql "$dir/desk.db" 2>&1)
if [ $? -eq 2 ] && [[ $out == *"--postgresql \"$dir/desk.db\": expected a postgresql:// URL"* ]]; then
	ok "desk init --postgresql refuses a file's path"
else
	not_ok "desk init --postgresql refuses a file's path" "$out"
fi
"$bin/psql" -X -q "$(conn postgres postgres)" -c "CREATE ROLE plain LOGIN" \
	-c "CREATE DATABASE plain OWNER plain" >/dev/null 2>&1
out=$("$desk" init --postgresql "$(conn plain plain)" 2>&1)
if [ $? -eq 1 ] && [[ $out == *"role plain cannot create roles"*"ALTER ROLE plain CREATEROLE"* ]]; then
	ok "desk init by an owner without CREATEROLE says what is missing"
else
	not_ok "desk init by an owner without CREATEROLE says what is missing" "$out"
fi
out=$("$desk" init --postgresql "$(conn deskowner)" 2>&1)
case $out in
*"deskowner is its admin"*) ok "desk init --postgresql: the owner's role is the first admin" ;;
*) not_ok "desk init --postgresql" "$out" ;;
esac
check "the owner adds alice" as deskowner agent add alice --name Alice
check "the owner adds bob" as deskowner agent add bob --name Bob
same "alice's role is a member of desk_agent, and may log in" deskowner \
	"SELECT string_agg(g.rolname, ',') || ' ' || bool_and(u.rolcanlogin) FROM pg_auth_members m
	 JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
	 WHERE u.rolname = 'alice'" "desk_agent true"
same "the owner's role joined desk_admin" deskowner \
	"SELECT pg_has_role('deskowner', 'desk_admin', 'MEMBER')" "t"

# bob writes a ticket and a reply of his own, through his own role.
bob_id=$(q deskowner "SELECT id FROM agents WHERE login = 'bob'")
alice_id=$(q deskowner "SELECT id FROM agents WHERE login = 'alice'")
ticket=$(q bob "INSERT INTO tickets (subject, created_at, updated_at) VALUES ('Printer', 1, 1)
	RETURNING id")
msg=$(q bob "INSERT INTO messages (ticket_id, kind, author_id, body, created_at)
	VALUES ($ticket, 'reply', $bob_id, 'bob wrote this', 2) RETURNING id")
if [ -n "$msg" ]; then ok "bob writes a reply in his own name"; else not_ok "bob's reply" "$(cat "$dir/err")"; fi
q bob "INSERT INTO events (ticket_id, agent_id, at, action) VALUES ($ticket, $bob_id, 2, 'reply')" >/dev/null &&
	ok "bob adds to the audit trail" || not_ok "bob adds to the audit trail" "$(cat "$dir/err")"
events=$(q deskowner "SELECT count(*) || ':' || string_agg(action, ',' ORDER BY id) FROM events")

# --- what alice must not do ----------------------------------------------
refused "alice cannot make herself an admin" alice \
	"UPDATE agents SET role = 'admin' WHERE login = 'alice'"
same "alice is still an agent" alice "SELECT role FROM agents WHERE login = 'alice'" agent
refused "alice cannot rename her login" alice \
	"UPDATE agents SET login = 'root' WHERE login = 'alice'"
refused "alice cannot add an agent" alice \
	"INSERT INTO agents (login, name, role, created_at) VALUES ('eve', 'Eve', 'admin', 1)"
refused "alice cannot join desk_admin" alice "GRANT desk_admin TO alice"
refused "alice cannot SET ROLE desk_admin" alice "SET ROLE desk_admin"
refused "alice cannot SET ROLE to the owner" alice "SET ROLE deskowner"
refused "alice cannot call desk_agent_role" alice "SELECT desk_agent_role('alice', 'admin', true)"
same "alice's role is still only in desk_agent" deskowner \
	"SELECT string_agg(g.rolname, ',') FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
	 WHERE m.member = 'alice'::regrole" desk_agent

refused "alice cannot change the audit trail" alice "UPDATE events SET action = 'nothing'"
refused "alice cannot delete from the audit trail" alice "DELETE FROM events"
refused "alice cannot truncate the audit trail" alice "TRUNCATE events"
refused "alice cannot write an event in bob's name" alice \
	"INSERT INTO events (ticket_id, agent_id, at, action) VALUES ($ticket, $bob_id, 3, 'claim')"
same "the audit trail is as it was" alice "SELECT count(*) || ':' || string_agg(action, ',' ORDER BY id) FROM events" "$events"

refused "alice cannot rewrite bob's message" alice \
	"UPDATE messages SET body = 'forged' WHERE id = $msg"
refused "alice cannot give bob's message to herself" alice \
	"UPDATE messages SET author_id = $alice_id WHERE id = $msg"
q alice "DELETE FROM messages WHERE id = $msg" >/dev/null
same "alice cannot delete bob's message" alice \
	"SELECT body || ' ' || author_id FROM messages WHERE id = $msg" "bob wrote this $bob_id"
refused "alice cannot write a message in bob's name" alice \
	"INSERT INTO messages (ticket_id, kind, author_id, body, created_at)
	 VALUES ($ticket, 'reply', $bob_id, 'not bob', 3)"
same "bob's messages are as they were" alice \
	"SELECT count(*) FROM messages WHERE author_id = $bob_id" 1

q alice "UPDATE agents SET signature = 'forged' WHERE login = 'bob'" >/dev/null
same "alice cannot set bob's signature" alice \
	"SELECT coalesce(signature, '-') FROM agents WHERE login = 'bob'" "-"
q alice "UPDATE agents SET signature = 'Alice, support' WHERE login = 'alice'" >/dev/null
same "alice may set her own signature" alice \
	"SELECT signature FROM agents WHERE login = 'alice'" "Alice, support"
q bob "INSERT INTO drafts (ticket_id, agent_id, kind, body, updated_at)
	VALUES ($ticket, $bob_id, 'reply', 'bob''s draft', 4)" >/dev/null
same "alice does not see bob's draft" alice "SELECT count(*) FROM drafts" 0
refused "alice cannot write a draft as bob" alice \
	"INSERT INTO drafts (ticket_id, agent_id, kind, body, updated_at)
	 VALUES ($ticket, $bob_id, 'note', 'x', 5)"

out=$(as alice --as bob agent list 2>&1)
case $out in
*"only an admin's database role"*) ok "desk --as bob is refused to alice" ;;
*) not_ok "desk --as bob is refused to alice" "$out" ;;
esac
out=$(as alice agent role alice admin 2>&1)
case $out in
*"only an admin may do that"*) ok "desk agent role is refused to alice" ;;
*) not_ok "desk agent role is refused to alice" "$out" ;;
esac

# --- desk still does alice's work under her role -------------------------
# The store's port to PostgreSQL is merged piece by piece: a step the
# owner cannot do either is not a question of rights yet, and is skipped
# saying so.
step() {
	local what=$1
	shift
	if out=$(as alice "$@" 2>&1); then
		ok "desk as alice: $what"
	elif grep -q 'permission denied\|row-level security' <<<"$out"; then
		not_ok "desk as alice: $what" "$out"
	elif ! own=$(as deskowner "$@" 2>&1); then
		echo "# skipped: desk as alice: $what (the owner cannot either, so the store's port is not there yet: $(head -n 1 <<<"$own"))"
	else
		not_ok "desk as alice: $what (the owner can)" "$out"
	fi
}
before=$(q deskowner "SELECT max(id) FROM tickets")
step "a new ticket" new --subject "Phone call" --name "Carl Caller" --body "It broke"
mine=$(q deskowner "SELECT max(id) FROM tickets")
step "claim" claim "$mine"
step "a note" note "$mine" --body "Looking into it"
step "a reply" reply "$mine" --body "On it"
step "set status" set "$mine" status=pending
step "undo" undo
step "drafts" drafts
step "show" show "$mine"
if [ "$mine" != "$before" ]; then
	same "desk wrote alice's work in her name" deskowner \
		"SELECT count(*) FILTER (WHERE author_id <> $alice_id) FROM messages
		 WHERE ticket_id = $mine" 0
fi

# --- role changes move the login role -------------------------------------
check "the owner makes alice a supervisor" as deskowner agent role alice supervisor
same "alice's role moved to desk_supervisor" deskowner \
	"SELECT string_agg(g.rolname, ',') FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
	 WHERE m.member = 'alice'::regrole" desk_supervisor
check "the owner deactivates bob" as deskowner agent remove bob
same "bob's role may no longer log in" deskowner \
	"SELECT rolcanlogin FROM pg_roles WHERE rolname = 'bob'" f
if q bob "SELECT 1" >/dev/null; then
	not_ok "bob can no longer connect" "he still can"
else
	ok "bob can no longer connect"
fi

echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
