#!/usr/bin/env bash
# The shared database as the box's users meet it: real Unix users (an
# admin, two agents, an outsider) and desk installed setgid to its own
# group by `make install` into a scratch prefix.  Asserts, as each user:
#   - agents and the outsider cannot read or write the database with any
#     other program (sqlite3, cat, cp, ln), nor list its folder;
#   - an agent cannot make themselves admin, act --as someone, alter the
#     audit trail, or read another agent's draft through desk;
#   - the outsider reads nothing, through desk either;
#   - both agents write through desk at the same time (umask 077), and
#     every write lands;
#   - the editor and sendmail run without desk's group;
#   - DESK_NOW (a test clock) is ignored by the setgid desk;
#   - an old database shared through the agents' own group is refused
#     with the way to move it; init --shared refuses a home folder.
#
#   bash tests/priv/run.sh PATH-TO-SOURCE-TREE
#
# Needs root (it creates users and a group, all removed at the end, even
# on failure): prints "SKIP: needs root" and exits 0 otherwise.
set -u

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (tests/priv creates Unix users and installs desk setgid)"
	exit 0
fi
ROOT=$(cd "${1:-.}" && pwd)
for tool in useradd userdel groupadd groupdel setpriv sqlite3 tmux findmnt getent python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "priv tests: $tool is needed (make deps installs what is missing)" >&2
		exit 2
	fi
done

tag=$$
G=dkg$tag ADMIN=dka$tag A1=dk1$tag A2=dk2$tag OUT=dko$tag OLDG=dkold$tag
USERS="$ADMIN $A1 $A2 $OUT"
T=$(mktemp -d /tmp/desk-priv.XXXXXX)
chmod 755 "$T"
SOCK=$T/home/$A1/tmux.sock # made by the agent
cleanup() {
	[ -S "$SOCK" ] && setpriv --reuid="$A1" --regid="$A1" --clear-groups -- \
		tmux -S "$SOCK" kill-server >/dev/null 2>&1
	for u in $USERS; do
		pkill -KILL -U "$u" 2>/dev/null
		getent passwd "$u" >/dev/null && userdel "$u" 2>/dev/null
		getent group "$u" >/dev/null && groupdel "$u" 2>/dev/null
	done
	for g in $G $OLDG; do getent group "$g" >/dev/null && groupdel "$g"; done
	rm -rf "$T"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if findmnt -n -o OPTIONS -T "$T" | tr ',' '\n' | grep -qx nosuid; then
	echo "SKIP: $T is on a nosuid filesystem; setgid cannot be tested there"
	exit 0
fi

passed=0 failed=0 n=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
	printf '#   %s\n' "$@"
}
# yes NAME CMD...: must succeed.  no NAME CMD...: must fail.
yes() { local name=$1; shift; if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi; }
no() { local name=$1; shift; if out=$("$@" 2>&1); then not_ok "$name" "it worked: $out"; else ok "$name"; fi; }

# as USER CMD...: a login-less run as USER with their own groups, a clean
# environment and their own home.
as() {
	local u=$1; shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- \
		env -i HOME="$T/home/$u" PATH=/usr/bin:/bin LANG=C.UTF-8 TERM=xterm-256color \
		USER="$u" LOGNAME="$u" ${ASENV:-} "$@"
}

# --- users, group, install ----------------------------------------------
groupadd "$G" && groupadd "$OLDG" || { echo "priv tests: groupadd failed" >&2; exit 1; }
mkdir -p "$T/home"
for u in $USERS; do
	useradd -M -U -d "$T/home/$u" -s /bin/sh "$u" || { echo "priv tests: useradd $u failed" >&2; exit 1; }
	install -d -o "$u" -g "$u" -m 700 "$T/home/$u"
done
usermod -aG "$OLDG" "$A1"

INST=$T/inst
if ! make -s -C "$ROOT" install DESTDIR="$INST" DESK_GROUP="$G" >"$T/install.log" 2>&1; then
	echo "priv tests: make install failed:" >&2
	cat "$T/install.log" >&2
	exit 1
fi
DESK=$INST/usr/local/bin/desk
SHARED=$INST/var/lib/desk
DB=$SHARED/desk.db
[ "$(stat -c '%a %U %G' "$DESK")" = "2755 root $G" ] && ok "make install: desk is root:$G 2755" ||
	not_ok "make install: desk is root:$G 2755" "$(stat -c '%a %U %G' "$DESK")"
[ "$(stat -c '%a %U %G' "$SHARED")" = "2770 root $G" ] && ok "make install: the shared folder is root:$G 2770" ||
	not_ok "make install: the shared folder is root:$G 2770" "$(stat -c '%a %U %G' "$SHARED")"

# --- the shared database ------------------------------------------------
yes "root makes the shared database" "$DESK" init --shared "$G" "$DB"
[ "$(stat -c '%a %U %G' "$DB")" = "660 root $G" ] && ok "the database is root:$G 0660" ||
	not_ok "the database is root:$G 0660" "$(stat -c '%a %U %G' "$DB")"
yes "root adds the admin" "$DESK" --db "$DB" agent add "$ADMIN" --role admin
yes "the admin adds the first agent, through desk" as "$ADMIN" "$DESK" --db "$DB" agent add "$A1"
yes "the admin adds the second agent" as "$ADMIN" "$DESK" --db "$DB" agent add "$A2"
yes "an agent opens a ticket" as "$A1" "$DESK" --db "$DB" new --subject "Printer on fire" \
	--email cust@example.com --body "help"
events_before=$(sqlite3 "$DB" 'SELECT count(*) FROM events')

# --- no way in but desk -------------------------------------------------
for u in "$A1" "$OUT"; do
	who=$([ "$u" = "$OUT" ] && echo "the outsider" || echo "an agent")
	no "$who cannot read the database with sqlite3" as "$u" sqlite3 "$DB" 'SELECT login FROM agents'
	no "$who cannot make themselves admin with sqlite3" as "$u" sqlite3 "$DB" \
		"UPDATE agents SET role = 'admin' WHERE login = '$u'"
	no "$who cannot delete the audit trail with sqlite3" as "$u" sqlite3 "$DB" 'DELETE FROM events'
	no "$who cannot cat the database" as "$u" cat "$DB"
	no "$who cannot copy the database" as "$u" cp "$DB" "$T/home/$u/copy.db"
	no "$who cannot hard-link the database" as "$u" ln "$DB" "$T/home/$u/link.db"
	no "$who cannot list desk's folder" as "$u" ls "$SHARED"
	no "$who cannot read the -wal file" as "$u" cat "$DB-wal"
done
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" = "$events_before" ] &&
	ok "the audit trail is as it was" || not_ok "the audit trail is as it was"
[ "$(sqlite3 "$DB" "SELECT role FROM agents WHERE login = '$A1'")" = agent ] &&
	ok "the agent is still an agent" || not_ok "the agent is still an agent"

# --- through desk: only what the role allows ------------------------------
out=$(as "$A1" "$DESK" --db "$DB" agent role "$A1" admin 2>&1)
if [ $? -eq 1 ] && [ "$(sqlite3 "$DB" "SELECT role FROM agents WHERE login = '$A1'")" = agent ]; then
	ok "an agent cannot make themselves admin through desk"
else not_ok "an agent cannot make themselves admin through desk" "$out"; fi
out=$(as "$A1" "$DESK" --db "$DB" --as "$ADMIN" agent role "$A1" admin 2>&1)
if [ $? -eq 1 ] && [[ $out == *"only root may act as another agent"* ]]; then
	ok "an agent cannot act --as the admin"
else not_ok "an agent cannot act --as the admin" "$out"; fi
out=$(as "$A1" "$DESK" --db "$DB" --as "$A2" note 1 --body "forged" 2>&1)
if [ $? -eq 1 ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM messages WHERE body = 'forged'")" = 0 ]; then
	ok "an agent cannot write as another agent"
else not_ok "an agent cannot write as another agent" "$out"; fi

# Another agent's draft: in the database, never shown to someone else.
sqlite3 "$DB" "INSERT INTO drafts (ticket_id, agent_id, kind, body, updated_at)
	SELECT 1, id, 'reply', 'SECRET-DRAFT-OF-A2', 0 FROM agents WHERE login = '$A2'"
leak=
for cmd in "show 1" "show 1 --json" "list --view all" "export"; do
	# shellcheck disable=SC2086
	as "$A1" "$DESK" --db "$DB" $cmd 2>&1 | grep -q SECRET-DRAFT && leak="$leak [$cmd]"
done
[ -z "$leak" ] && ok "an agent does not see another's draft through desk" ||
	not_ok "an agent does not see another's draft through desk" "shown by:$leak"

# DESK_NOW is a test clock: the setgid desk ignores it.
ASENV="DESK_NOW=1000" as "$A1" "$DESK" --db "$DB" note 1 --body "clock check" >/dev/null 2>&1
at=$(sqlite3 "$DB" "SELECT created_at FROM messages WHERE body = 'clock check'")
[ -n "$at" ] && [ "$at" -gt 1000000000 ] && ok "DESK_NOW is ignored by the setgid desk" ||
	not_ok "DESK_NOW is ignored by the setgid desk" "created_at=$at"

# --- the outsider reads nothing, through desk either --------------------
out=$(as "$OUT" "$DESK" --db "$DB" list 2>&1)
if [ $? -eq 1 ] && [[ $out == *"is not an agent"* ]] && [[ $out != *Printer* ]]; then
	ok "the outsider is refused by desk, and told why"
else not_ok "the outsider is refused by desk, and told why" "$out"; fi
out=$(as "$OUT" "$DESK" --db "$DB" export 2>&1)
[[ $out != *Printer* && $out != *cust@example.com* ]] && ok "the outsider exports nothing" ||
	not_ok "the outsider exports nothing" "$out"

# --- two agents at once ----------------------------------------------------
# With umask 077: SQLite gives the -wal and -shm files the database's
# mode whoever makes them, so the other agent's desk still writes them.
writes() { # user
	local i rc=0
	for i in $(seq 1 15); do
		as "$1" sh -c 'umask 077; exec "$@"' sh "$DESK" --db "$DB" note 1 \
			--body "concurrent $1 $i" >/dev/null 2>>"$T/$1.err" || rc=1
	done
	return $rc
}
writes "$A1" & p1=$!
writes "$A2" & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
c1=$(sqlite3 "$DB" "SELECT count(*) FROM messages WHERE body LIKE 'concurrent $A1 %'")
c2=$(sqlite3 "$DB" "SELECT count(*) FROM messages WHERE body LIKE 'concurrent $A2 %'")
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ "$c1" = 15 ] && [ "$c2" = 15 ]; then
	ok "two agents write at once through desk, and all 30 writes land"
else not_ok "two agents write at once through desk, and all 30 writes land" \
	"exit $r1/$r2, notes $c1/$c2" "$(cat "$T/$A1.err" "$T/$A2.err")"; fi
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && ok "integrity ok" || not_ok "integrity ok"

# The write gate beside the database: made by whoever writes first, with
# the database's mode and the folder's group, so the next agent queues on
# it too (with umask 077 as well), and nobody is told it was unusable.
[ "$(stat -c '%a %G' "$DB-gate")" = "660 $G" ] && ok "the write gate is 0660, group $G" ||
	not_ok "the write gate is 0660, group $G" "$(stat -c '%a %U %G' "$DB-gate")"
rm -f "$DB-gate"
as "$A1" sh -c 'umask 077; exec "$@"' sh "$DESK" --db "$DB" note 1 --body "gate by $A1" \
	>/dev/null 2>"$T/gate1.err"
out=$(as "$A2" sh -c 'umask 077; exec "$@"' sh "$DESK" --db "$DB" note 1 --body "gate then $A2" 2>&1)
if [ "$(stat -c '%a %G' "$DB-gate")" = "660 $G" ] && [ ! -s "$T/gate1.err" ] &&
	[[ $out != *"write gate"* ]] &&
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM messages WHERE body = 'gate then $A2'")" = 1 ]; then
	ok "an agent's desk makes the gate 0660 $G (umask 077), and another agent writes through it"
else not_ok "an agent's desk makes the gate 0660 $G (umask 077), and another agent writes through it" \
	"$(stat -c '%a %U %G' "$DB-gate")" "$(cat "$T/gate1.err")" "$out"; fi

# --- children run without desk's group -----------------------------------
gid=$(getent group "$G" | cut -d: -f3)
mkdir -p "$T/bin"
# Recorders in Python, not sh: dash and bash drop a set-id group
# themselves, which would hide a desk that forgot to.  Each writes the
# Gid: line of /proc (real, effective, saved, fs) and the Groups: line.
cat >"$T/bin/sendmail" <<'EOF'
#!/usr/bin/python3
import os, sys
ids = [l for l in open("/proc/self/status").read().splitlines() if l.startswith(("Gid:", "Groups:"))]
open(os.path.join(os.environ["HOME"], "sendmail.ids"), "w").write("\n".join(ids) + "\n")
sys.stdin.read()
EOF
cat >"$T/bin/editor" <<'EOF'
#!/usr/bin/python3
import os, sys
ids = [l for l in open("/proc/self/status").read().splitlines() if l.startswith(("Gid:", "Groups:"))]
open(os.path.join(os.environ["HOME"], "editor.ids"), "w").write("\n".join(ids) + "\n")
open(sys.argv[1], "a").write("written in the editor\n")
EOF
chmod 755 "$T/bin/sendmail" "$T/bin/editor"
# The team's policy, sendmail included: config.yaml beside the database,
# root's and closed to the agents like the rest of desk's folder; desk
# reads it with its group.
TEAMCFG=$(dirname "$DB")/config.yaml
cat >"$TEAMCFG" <<EOF
mail:
  support_address: "Help <help@example.com>"
  sendmail: ["$T/bin/sendmail"]
EOF
chown root:"$G" "$TEAMCFG" && chmod 640 "$TEAMCFG"
out=$(as "$A1" cat "$TEAMCFG" 2>&1)
[ $? -ne 0 ] && ok "the agent cannot read the team's file directly" ||
	not_ok "the agent cannot read the team's file directly" "$out"
# ... nor through desk, by naming it (or a link to it) as their own file:
# what the agent names is read as the agent.
ln -s "$TEAMCFG" "$T/home/$A1/team-link.yaml" && chown -h "$A1:" "$T/home/$A1/team-link.yaml"
out=$(as "$A1" "$DESK" --db "$DB" --config "$T/home/$A1/team-link.yaml" config show 2>&1)
[ $? -ne 0 ] && [[ $out != *"$T/bin/sendmail"* ]] &&
	ok "a personal --config linked to the team's file is read as the agent" ||
	not_ok "a personal --config linked to the team's file is read as the agent" "$out"

# A link swapped while desk reads "the team's file" beside it (held open
# by a FIFO) does not pair desk's database with the agent's policy.
H=$T/home/$A1
mkdir "$H/fake" && mkfifo "$H/fake/config.yaml" && ln -s "$H/fake" "$H/l"
chown -h "$A1:" "$H/fake" "$H/fake/config.yaml" "$H/l"
as "$A1" "$DESK" --db "$H/l/desk.db" agent list >"$T/swap.out" 2>&1 &
swap_pid=$!
sleep 0.5
rm "$H/l" && ln -s "$SHARED" "$H/l"
printf 'agents_may_reassign: true\n' >"$H/fake/config.yaml"
wait "$swap_pid"
swap_rc=$?
if [ "$swap_rc" -ne 0 ] && grep -q "folder changed while desk started" "$T/swap.out"; then
	ok "a link swapped between reading the policy and opening the database is refused"
else
	not_ok "a link swapped between reading the policy and opening the database is refused" \
		"exit $swap_rc: $(cat "$T/swap.out")"
fi
no_group() { # file: exists, the agent's, without desk's group
	[ -f "$1" ] && [ "$(stat -c %U "$1")" = "$A1" ] &&
		! grep -qw -e "$gid" "$1"
}
as "$A1" "$DESK" --db "$DB" reply 1 --body "sent through sendmail" >"$T/reply.out" 2>&1
if no_group "$T/home/$A1/sendmail.ids"; then ok "sendmail runs without desk's group"
else not_ok "sendmail runs without desk's group" "$(cat "$T/reply.out" "$T/home/$A1/sendmail.ids" 2>&1)"; fi

ASENV="EDITOR=$T/bin/editor" as "$A1" tmux -S "$SOCK" new-session -d -x 120 -y 40 \
	"$DESK --db $DB; sleep 60"
seen=
for _ in $(seq 1 100); do
	screen=$(as "$A1" tmux -S "$SOCK" capture-pane -p 2>/dev/null)
	[[ $screen == *"Queue: "* ]] && { seen=yes; break; }
	sleep 0.1
done
[ -n "$seen" ] && as "$A1" tmux -S "$SOCK" send-keys r
for _ in $(seq 1 100); do [ -f "$T/home/$A1/editor.ids" ] && break; sleep 0.1; done
if no_group "$T/home/$A1/editor.ids"; then ok "the editor runs without desk's group"
else not_ok "the editor runs without desk's group" "$(cat "$T/home/$A1/editor.ids" 2>&1)" "$screen"; fi
tmp_files=$(find /tmp -maxdepth 1 -name 'desk-*' -user "$A1" -perm -g+r 2>/dev/null)
[ -z "$tmp_files" ] && ok "the editor's folder is the agent's alone" ||
	not_ok "the editor's folder is the agent's alone" "$tmp_files"
as "$A1" tmux -S "$SOCK" kill-server >/dev/null 2>&1

# --- the old set-up, and folders that are someone's ----------------------
mkdir -m 2770 "$T/old" && chgrp "$OLDG" "$T/old"
"$DESK" --db "$T/old/desk.db" init >/dev/null 2>&1
"$DESK" --db "$T/old/desk.db" agent add "$A1" >/dev/null 2>&1
chgrp "$OLDG" "$T/old/desk.db" && chmod 660 "$T/old/desk.db"
out=$(as "$A1" "$DESK" --db "$T/old/desk.db" list 2>&1)
if [ $? -eq 1 ] && [[ $out == *"group $OLDG can write the database"* && $out == *"gpasswd -d"* ]]; then
	ok "a database shared through the agents' own group is refused, with the way to move it"
else not_ok "a database shared through the agents' own group is refused, with the way to move it" "$out"; fi

touch "$T/home/$A2/.bashrc" && chown "$A2:" "$T/home/$A2/.bashrc"
out=$("$DESK" init --shared "$G" "$T/home/$A2/desk.db" 2>&1)
if [ $? -eq 1 ] && [ "$(stat -c '%a %U' "$T/home/$A2")" = "700 $A2" ] &&
	[ ! -e "$T/home/$A2/desk.db" ]; then
	ok "init --shared refuses someone's folder and leaves it as it was"
else not_ok "init --shared refuses someone's folder and leaves it as it was" "$out"; fi
out=$("$DESK" init --shared "$G" "$T/home/$A2/sub/desk.db" 2>&1)
if [ $? -eq 1 ] && [[ $out == *"can be changed by someone other than root"* ]] &&
	[ ! -e "$T/home/$A2/sub" ]; then
	ok "init --shared refuses a folder under an agent's, making nothing"
else not_ok "init --shared refuses a folder under an agent's, making nothing" "$out"; fi
out=$(as "$ADMIN" "$DESK" init --shared "$G" "$T/home/$ADMIN/team/desk.db" 2>&1)
[ $? -eq 1 ] && [[ $out == *"is for root"* ]] && ok "init --shared is root's" ||
	not_ok "init --shared is root's" "$out"

# An agent's own database elsewhere works, as the agent alone.
yes "an agent keeps a database of their own" as "$A2" "$DESK" --db "$T/home/$A2/own.db" init
[ "$(stat -c '%a %U %G' "$T/home/$A2/own.db")" = "600 $A2 $A2" ] &&
	ok "made private to them, without desk's group" ||
	not_ok "made private to them, without desk's group" "$(stat -c '%a %U %G' "$T/home/$A2/own.db")"

# The team's business hours without a timezone: an agent's $TZ does not
# move the due times desk stores (the box's own zone is used).
printf 'business_hours:\n  monday: "09:00-17:00"\n  tuesday: "09:00-17:00"\n  wednesday: "09:00-17:00"\n  thursday: "09:00-17:00"\n  friday: "09:00-17:00"\n' >>"$TEAMCFG"
tz_due() { # agent, TZ: creates a ticket; prints its first-response due time
	ASENV="TZ=$2" as "$1" "$DESK" --db "$DB" new --subject "TZ $2" --email tz@example.com \
		--body x >/dev/null 2>&1
	sqlite3 "$DB" "SELECT first_response_due FROM tickets WHERE subject = 'TZ $2'"
}
d1=$(tz_due "$A1" Pacific/Kiritimati)
d2=$(tz_due "$A2" America/Los_Angeles)
# (made a moment apart: equal within a few seconds; a zone would be hours)
[ -n "$d1" ] && [ -n "$d2" ] && [ $((d1 > d2 ? d1 - d2 : d2 - d1)) -le 5 ] &&
	ok "an agent's TZ does not move the team's due times" ||
	not_ok "an agent's TZ does not move the team's due times" "due at ${d1:-none} and ${d2:-none}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
