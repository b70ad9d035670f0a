#!/usr/bin/env bash
# run.sh: desk against faults of the disk and of its files, each made
# for real:
#   - an empty (0-byte) file is refused, never made into a database;
#   - a -shm that counts commits whose -wal is gone is refused, files
#     left as they were;
#   - read-only commands write nothing (not even statistics at exit) and
#     finish promptly while another process holds the write lock;
#   - a note the database would not take (locked past the bound, disk
#     full, read-only) keeps its text in a 0600 file of the agent's,
#     printed by the CLI and named in the console until dismissed;
#   - a 100 % full disk says "disk full", for writes and for reads;
#   - a read-only filesystem (tmpfs remounted, a read-only bind mount)
#     is named as such, with no talk of owners and modes;
#   - desk backup during a write storm: the restored copy passes
#     integrity_check and holds every note acknowledged before the
#     snapshot it reports.
#
#   bash tests/fault/run.sh PATH-TO-DESK
#
# The filesystem cases mount a small tmpfs in a private mount namespace
# (unshare -m, so nothing leaks to the host): root only, with a SKIP line
# otherwise.  Every desk run is cut after 60 s.  Prints TAP-like lines,
# ends with "N passed, M failed"; exits 1 if any failed.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: bash tests/fault/run.sh PATH-TO-DESK" >&2
	exit 2
fi
for tool in python3 sqlite3 timeout tmux; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "fault tests: $tool is needed (make deps installs what is missing)" >&2
		exit 2
	fi
done
DESK_GIVEN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

# As root, the whole run moves into a private mount namespace first, so
# that its tmpfs mounts are seen by nobody else and vanish with it.
CAN_MOUNT=no
if [ "$(id -u)" = 0 ]; then
	if [ -z "${DESK_FAULT_NS:-}" ] && unshare -m --propagation private true 2>/dev/null; then
		DESK_FAULT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
	fi
	[ -n "${DESK_FAULT_NS:-}" ] && CAN_MOUNT=yes
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/desk-fault.XXXXXX")
SOCK=desk-fault-$$
TM=(tmux -L "$SOCK" -f /dev/null)
PIDS=()
MOUNTS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"${TM[@]}" kill-server 2>/dev/null
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null; done
	rm -rf "$T"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

export HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_STATE_HOME=$T/state
export TZ=UTC LANG=C.UTF-8
unset LC_ALL LANGUAGE DESK_CONFIG DESK_DB VISUAL SQLITE_TMPDIR
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
DESK=$T/desk
cp "$DESK_GIVEN" "$DESK"
W=$T/w
mkdir -p "$W"
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

N=0 PASSED=0 FAILED=0 T_NAME= T_DIAG=
t() { T_NAME=$1; T_DIAG=; }
fail() { T_DIAG+="$1"$'\n'; }
end() {
	N=$((N + 1))
	if [ -z "$T_DIAG" ]; then
		echo "ok $N - $T_NAME"
		PASSED=$((PASSED + 1))
	else
		echo "not ok $N - $T_NAME"
		printf '%s' "$T_DIAG" | sed 's/^/#   /'
		FAILED=$((FAILED + 1))
	fi
}
skip() { N=$((N + 1)); PASSED=$((PASSED + 1)); echo "ok $N - $T_NAME # SKIP $1"; }

# run ARGS...: desk with stdin from /dev/null; RC, $W/out, $W/err.
run() {
	timeout 60 "$DESK" "$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
}
rc_is() { [ "$RC" = "$1" ] || fail "exit status $RC, expected $1; stderr: $(cat "$W/err")"; }
err_has() { grep -qF -- "$1" "$W/err" || fail "stderr lacks \"$1\": $(cat "$W/err")"; }
err_lacks() { ! grep -qiE -- "$1" "$W/err" || fail "stderr has /$1/: $(cat "$W/err")"; }
count() { sqlite3 "$2" "$1" 2>&1; }

# A small database of one ticket at $1.
small_db() {
	"$DESK" --db "$1" init >/dev/null 2>&1 </dev/null &&
		"$DESK" --db "$1" new --subject "Fault test" --email f@example.com \
			--body "first" >/dev/null 2>&1 </dev/null
}

# The unsent file named on stderr ("... its text is kept in PATH"):
# exists, mode 0600, holds exactly $1.
unsent_kept() {
	local path
	path=$(sed -n 's/.*its text is kept in \(.*\)$/\1/p' "$W/err" | tail -1)
	if [ -z "$path" ]; then
		fail "stderr names no file keeping the text: $(cat "$W/err")"
		return
	fi
	case $path in "$XDG_STATE_HOME"/desk/unsent/*) ;; *) fail "kept outside \$XDG_STATE_HOME/desk/unsent: $path" ;; esac
	[ -f "$path" ] || { fail "$path: no such file"; return; }
	[ "$(stat -c %a "$path")" = 600 ] || fail "$path: mode $(stat -c %a "$path"), expected 600"
	[ "$(stat -c %u "$path")" = "$(id -u)" ] || fail "$path: not the caller's"
	[ "$(cat "$path")" = "$1" ] || fail "$path holds \"$(cat "$path")\", expected \"$1\""
}

# hold_open DB FILE: a python3 process keeping a connection to DB open
# (so its -wal and -shm stay); with "lock", inside BEGIN IMMEDIATE.
# Waits until it holds; its pid is in HOLD_PID.
hold_open() {
	local db=$1 mode=${2:-open} ready=$T/hold.$RANDOM
	"$PYTHON" - "$db" "$mode" "$ready" <<'EOF' &
import sqlite3, sys, time
db, mode, ready = sys.argv[1:4]
c = sqlite3.connect(db, isolation_level=None, timeout=10)
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.execute("SELECT count(*) FROM tickets").fetchall()
if mode == "lock":
    c.execute("BEGIN IMMEDIATE")
open(ready, "w").close()
time.sleep(300)
EOF
	HOLD_PID=$!
	PIDS+=("$HOLD_PID")
	local i
	for i in $(seq 200); do
		[ -e "$ready" ] && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
unhold() { kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null; }

# =========================================================================
t "an empty (0-byte) file is refused by every command but init, and stays empty"
: >"$T/empty.db"
for cmd in list "show 1" "note 1 --body x" export; do
	# shellcheck disable=SC2086
	run --db "$T/empty.db" $cmd
	rc_is 1
	err_has "$T/empty.db: the file is empty (0 bytes), not a database"
	err_has "desk init"
done
[ -s "$T/empty.db" ] && fail "the empty file was written to"
ls "$T"/empty.db-* >/dev/null 2>&1 && fail "files were made beside it: $(ls "$T"/empty.db-*)"
run --db "$T/empty.db" init
rc_is 0
run --db "$T/empty.db" list
rc_is 0
end

# =========================================================================
t "a -shm counting commits whose -wal is gone is refused, the files untouched"
small_db "$T/lost.db"
# A writer that commits into the WAL (no checkpoint) and dies (in a
# subshell: bash's "Killed" goes with its stderr).
("$PYTHON" - "$T/lost.db" <<'EOF'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint = 0")
c.execute("UPDATE tickets SET subject = 'Changed in the WAL' WHERE id = 1")
os.kill(os.getpid(), 9)
EOF
	true # not the subshell's last command: it is not exec'd
) 2>/dev/null
cp "$T/lost.db-wal" "$T/lost.wal.saved"
rm "$T/lost.db-wal"
cp "$T/lost.db" "$T/lost.db.before"
cp "$T/lost.db-shm" "$T/lost.shm.before"
frames=$("$PYTHON" -c "import struct,sys; print(struct.unpack_from('=I', open(sys.argv[1],'rb').read(), 16)[0])" "$T/lost.db-shm")
for cmd in list "show 1" "note 1 --body x" "backup $T/lost-backup.db"; do
	# shellcheck disable=SC2086
	run --db "$T/lost.db" $cmd
	rc_is 1
	err_has "$T/lost.db-wal is missing but $T/lost.db-shm says $frames frames were committed"
	err_has "restore the -wal or a backup"
done
[ "$frames" -gt 0 ] 2>/dev/null || fail "the -shm counts no frames ($frames): the test made no WAL"
cmp -s "$T/lost.db" "$T/lost.db.before" || fail "the database was changed"
cmp -s "$T/lost.db-shm" "$T/lost.shm.before" || fail "the -shm was changed"
[ -e "$T/lost.db-wal" ] && fail "a new -wal was made"
# With the -wal back, the change is there.
cp "$T/lost.wal.saved" "$T/lost.db-wal"
run --db "$T/lost.db" show 1
rc_is 0
grep -qF "Changed in the WAL" "$W/out" || fail "with the -wal restored, the commit is not seen: $(head -3 "$W/out")"
end

# =========================================================================
t "read-only commands write nothing, and finish promptly under another's write lock"
"$DESK" --db "$T/ro.db" init --demo >/dev/null 2>&1 </dev/null
"$DESK" --db "$T/ro.db" config show >/dev/null 2>&1 # warm the page cache
# data_version of a connection of our own moves when anyone else commits.
cat >"$T/probe.py" <<'EOF'
import sqlite3, subprocess, sys, time
db, desk = sys.argv[1], sys.argv[2]
cmds = [l.split() for l in sys.argv[3:]]
c = sqlite3.connect(db, isolation_level=None)
def version():
    return c.execute("PRAGMA data_version").fetchone()[0]
for cmd in cmds:
    v0 = version()
    p = subprocess.run([desk, "--db", db] + cmd, capture_output=True, timeout=60)
    print("write", " ".join(cmd), p.returncode, "wrote" if version() != v0 else "none")
lock = sqlite3.connect(db, isolation_level=None)
lock.execute("BEGIN IMMEDIATE")
for cmd in cmds:
    t0 = time.monotonic()
    p = subprocess.run([desk, "--db", db] + cmd, capture_output=True, timeout=60)
    ms = int((time.monotonic() - t0) * 1000)
    print("locked", " ".join(cmd), p.returncode, ms, p.stderr.decode().strip().replace("\n", " | "))
lock.execute("ROLLBACK")
EOF
"$PYTHON" "$T/probe.py" "$T/ro.db" "$DESK" "list" "list --view all" "show 1" "show 2 --json" \
	"export" "report" "outbox" "config show" "keys" "agent list" >"$W/probe" 2>&1
while read -r kind rest; do
	case $kind in
	write)
		[[ $rest == *" 0 none" ]] || fail "desk $rest (expected exit 0 and no write)" ;;
	locked)
		# "CMD... RC MS STDERR"
		if [[ ! $rest =~ \ 0\ ([0-9]+)\ ?$ ]]; then
			fail "under the lock: desk $rest"
		elif [ "${BASH_REMATCH[1]}" -gt 2000 ]; then
			fail "under the lock: desk $rest ms (more than 2 s)"
		fi ;;
	*) fail "probe: $kind $rest" ;;
	esac
done <"$W/probe"
[ "$(grep -c '^write' "$W/probe")" = 10 ] || fail "probe ran $(grep -c '^write' "$W/probe") commands: $(cat "$W/probe")"
end

# =========================================================================
t "a note the locked database would not take keeps its text (CLI), exit 1"
small_db "$T/locked.db"
if hold_open "$T/locked.db" lock; then
	run --db "$T/locked.db" note 1 --body "Kept while locked"
	rc_is 1
	err_has "stayed locked by another desk"
	unsent_kept "Kept while locked"
	unhold
	[ "$(count 'SELECT count(*) FROM messages WHERE body LIKE "Kept%"' "$T/locked.db")" = 0 ] ||
		fail "the note was stored after all"
else
	fail "could not take the write lock with python3"
fi
end

# =========================================================================
# Full disk and read-only filesystems: a tmpfs of our own.
if [ "$CAN_MOUNT" != yes ]; then
	for name in "disk full: a write says so and keeps the note's text" \
		"disk full: a read that needs the -shm says so" \
		"disk full: the console names the file keeping the note until dismissed" \
		"a read-only filesystem is named as such" \
		"a read-only bind mount is named as such"; do
		t "$name"
		skip "needs root (a tmpfs in a private mount namespace)"
	done
	echo "SKIP: the filesystem cases need root (tmpfs in unshare -m)"
else
	FULL=$T/full
	mkdir -p "$FULL"
	mount -t tmpfs -o size=2m,mode=0755 desk-fault "$FULL" && MOUNTS+=("$FULL")
	fill() { dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null; sync; }
	unfill() { rm -f "$FULL/filler"; }

	t "disk full: a write says so and keeps the note's text"
	small_db "$FULL/desk.db"
	before=$(count 'SELECT count(*) FROM messages' "$FULL/desk.db")
	if hold_open "$FULL/desk.db"; then
		fill
		[ "$(df --output=avail "$FULL" | tail -1 | tr -d ' ')" = 0 ] || fail "the tmpfs is not full: $(df "$FULL")"
		run --db "$FULL/desk.db" note 1 --body "Written on a full disk"
		rc_is 1
		err_has "$FULL/desk.db: disk full while"
		err_lacks "chmod|owner|mode [0-9]"
		unsent_kept "Written on a full disk"
		unhold
		unfill
		[ "$(count 'SELECT count(*) FROM messages' "$FULL/desk.db")" = "$before" ] ||
			fail "messages: $(count 'SELECT count(*) FROM messages' "$FULL/desk.db"), expected $before"
		[ "$(count 'PRAGMA integrity_check' "$FULL/desk.db")" = ok ] || fail "integrity_check failed"
	else
		fail "could not hold the database open"
	fi
	end

	t "disk full: a read that needs the -shm says so"
	rm -f "$FULL/desk.db-wal" "$FULL/desk.db-shm"
	fill
	run --db "$FULL/desk.db" list
	rc_is 1
	err_has "$FULL/desk.db: disk full while"
	err_lacks "chmod|owner"
	unfill
	run --db "$FULL/desk.db" list
	rc_is 0
	end

	t "disk full: the console names the file keeping the note until dismissed"
	if hold_open "$FULL/desk.db"; then
		fill
		printf '#!/bin/sh\necho "Console note on a full disk" >"$1"\n' >"$T/editor.sh"
		chmod +x "$T/editor.sh"
		"${TM[@]}" new-session -d -s fault -x 200 -y 30 \
			"env TERM=xterm-256color EDITOR=$T/editor.sh $DESK --db $FULL/desk.db 2>$T/console.err; sleep 600"
		scr() { SCREEN=$("${TM[@]}" capture-pane -p -t fault 2>/dev/null); }
		wait_for() {
			local end=$((SECONDS + ${2:-10}))
			while :; do
				scr
				case $SCREEN in *"$1"*) return 0 ;; esac
				[ $SECONDS -ge $end ] && return 1
				sleep 0.05
			done
		}
		keys() { "${TM[@]}" send-keys -t fault "$@"; }
		if wait_for "Fault test"; then
			keys Enter i
			if wait_for "Add the note to #1?"; then
				keys s
				if wait_for "Note not added; its text is kept in $XDG_STATE_HOME/desk/unsent/note-1-" 10; then
					path=$(printf '%s\n' "$SCREEN" | grep -ao "$XDG_STATE_HOME/desk/unsent/note-1-[^ :]*\.txt" | head -1)
					[[ $SCREEN == *"disk full"* ]] || fail "the status line does not say disk full"
					if [ -z "$path" ] || [ "$(cat "$path" 2>/dev/null)" != "Console note on a full disk" ]; then
						fail "no file named on screen holds the note (path: $path)"
					else
						[ "$(stat -c %a "$path")" = 600 ] || fail "$path: mode $(stat -c %a "$path")"
					fi
					# Still there after other keys, until :dismiss.
					keys j k q
					wait_for "Unsent text kept in $path" 3 || fail "the notice went away after other keys"
					keys : && sleep 0.2 && "${TM[@]}" send-keys -t fault -l "dismiss" && keys Enter
					if wait_for "Dismissed" 3; then
						keys j
						sleep 0.5
						scr
						[[ $SCREEN == *"Unsent text kept in"* ]] && fail "the notice stayed after :dismiss"
					else
						fail ":dismiss did not answer"
					fi
				else
					fail "the console did not say where the note is kept: $(cat "$T/console.err")"
				fi
			else
				fail "no note prompt"
			fi
		else
			fail "the console did not start: $(cat "$T/console.err")"
		fi
		"${TM[@]}" kill-server 2>/dev/null
		unhold
		unfill
	else
		fail "could not hold the database open"
	fi
	end

	t "a read-only filesystem is named as such"
	rm -f "$FULL"/*.db-wal "$FULL"/*.db-shm
	mount -o remount,ro "$FULL"
	for cmd in list "note 1 --body Read-only-note"; do
		# shellcheck disable=SC2086
		run --db "$FULL/desk.db" $cmd
		rc_is 1
		err_has "read-only filesystem"
		err_lacks "chmod|owner|mode [0-9]|cannot read and write"
	done
	unsent_kept "Read-only-note"
	mount -o remount,rw "$FULL"
	end

	t "a read-only bind mount is named as such"
	mkdir -p "$T/rw" "$T/robind"
	small_db "$T/rw/desk.db"
	mount --bind "$T/rw" "$T/robind" && MOUNTS+=("$T/robind") &&
		mount -o remount,ro,bind "$T/robind"
	run --db "$T/robind/desk.db" show 1
	rc_is 1
	err_has "read-only filesystem"
	err_lacks "chmod|owner|mode [0-9]|cannot read and write"
	end
fi

# =========================================================================
t "desk backup during a write storm: consistent, and holds every note acknowledged before its snapshot"
small_db "$T/storm.db"
STORM_END=$T/storm.stop
writer() {
	local i=0 out id
	while [ ! -e "$STORM_END" ]; do
		i=$((i + 1))
		if out=$("$DESK" --db "$T/storm.db" note 1 --body "writer $1 note $i" 2>&1 </dev/null); then
			id=$(printf '%s' "$out" | sed -n 's/^desk: note \([0-9]*\) added to ticket 1$/\1/p')
			echo "$id $(date +%s%N)" >>"$T/acks.$1"
		fi
	done
}
for w in 1 2 3 4; do
	writer "$w" &
	PIDS+=("$!")
done
sleep 1.5
run --db "$T/storm.db" backup "$T/backup.db"
backup_rc=$RC
cp "$W/out" "$T/backup.out"
cp "$W/err" "$T/backup.err"
sleep 1
touch "$STORM_END"
wait
PIDS=()
RC=$backup_rc
rc_is 0
snap=$(sed -n 's/.*snapshot taken at \([0-9-]* [0-9:.]*\) UTC.*/\1/p' "$T/backup.out")
last=$(sed -n 's/.*messages (the last #\([0-9]*\)).*/\1/p' "$T/backup.out")
if [ -z "$snap" ] || [ -z "$last" ]; then
	fail "the backup did not say when its snapshot was taken: $(cat "$T/backup.out" "$T/backup.err")"
else
	[ "$(stat -c %a "$T/backup.db")" = 600 ] || fail "backup mode $(stat -c %a "$T/backup.db")"
	ls "$T"/.desk-backup-* >/dev/null 2>&1 && fail "temporary files left: $(ls -a "$T")"
	# Restored as the README says: a fresh folder, the copy as the database.
	mkdir -p "$T/restored"
	cp "$T/backup.db" "$T/restored/desk.db"
	[ "$(count 'PRAGMA integrity_check' "$T/restored/desk.db")" = ok ] || fail "integrity_check of the restored copy failed"
	count 'SELECT id FROM messages' "$T/restored/desk.db" | sort -n >"$T/restored.ids"
	snap_ns=$(date -u -d "$snap" +%s%N)
	cat "$T"/acks.* | sort -n >"$T/acks"
	before=0 after=0 missing=
	while read -r id at; do
		if [ "$at" -lt "$snap_ns" ]; then
			before=$((before + 1))
			grep -qx "$id" "$T/restored.ids" || missing+=" $id"
		else
			after=$((after + 1))
		fi
	done <"$T/acks"
	echo "# storm: $(wc -l <"$T/acks") notes acknowledged, $before before the snapshot, $after after"
	[ -z "$missing" ] || fail "acknowledged before the snapshot but missing from the backup:$missing"
	[ "$before" -gt 0 ] && [ "$after" -gt 0 ] || fail "the backup did not fall inside the storm ($before before, $after after)"
	[ "$(tail -1 "$T/restored.ids")" = "$last" ] || fail "the backup says the last message is #$last, it holds up to #$(tail -1 "$T/restored.ids")"
	run --db "$T/restored/desk.db" list --view all
	rc_is 0
fi
run --db "$T/storm.db" backup "$T/backup.db"
rc_is 1
err_has "$T/backup.db: already exists; give a new path, or --force to replace it"
run --db "$T/storm.db" backup --force "$T/backup.db"
rc_is 0
run --db "$T/storm.db" backup --force "$T/storm.db"
rc_is 1
err_has "is the database itself"
if [ "$(id -u)" = 0 ]; then
	"$DESK" --db "$T/storm.db" agent add fault-agent >/dev/null 2>&1
	run --db "$T/storm.db" --as fault-agent backup "$T/by-agent.db"
	rc_is 1
	err_has "backup: only an admin may do that"
	[ -e "$T/by-agent.db" ] && fail "an agent's backup was written"
fi
[ "$(count 'PRAGMA integrity_check' "$T/storm.db")" = ok ] || fail "integrity_check of the live database failed"
end

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
