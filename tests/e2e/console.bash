# console.bash: end-to-end tests of the console (run through run.sh).
#
#   bash tests/e2e/console.bash PATH-TO-DESK
#
# Runs the real `desk` in a private tmux server (its own socket, no
# config) on a demo database in a scratch folder, types with send-keys
# and asserts what a person would see with capture-pane, waiting for
# text to appear (never fixed sleeps).  Prints "ok N - name" or
# "not ok N - name" with the screen, and ends with "N passed, M failed";
# exits 1 if anything failed.

set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: bash tests/e2e/console.bash PATH-TO-DESK (an executable)" >&2
	exit 2
fi
DESK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/desk-e2e.XXXXXX")
SOCK=desk-e2e-$$
TM=(tmux -L "$SOCK" -f /dev/null)
cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A scratch world: nothing of the user's is read or written.
export HOME=$TMP/home
export XDG_CONFIG_HOME=$TMP/config
export XDG_DATA_HOME=$TMP/data
export DESK_DB=$TMP/desk.db
export DESK_CONFIG=$TMP/config.yaml
export TZ=UTC
export LANG=C.UTF-8
unset LC_ALL LANGUAGE NO_COLOR VISUAL
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

# The editor: a script that edits the file it is given, like a person
# adding a line on top of the canned text.
cat >"$TMP/editor.sh" <<'EOF'
#!/bin/sh
sed -i '1s/^/E2E-EDIT /' "$1"
EOF
chmod +x "$TMP/editor.sh"
export EDITOR=$TMP/editor.sh

cat >"$DESK_CONFIG" <<EOF
canned: $ROOT/tests/data/canned.yaml
themes_dir: $ROOT/themes
theme: default
EOF

if ! "$DESK" init --demo >"$TMP/init.out" 2>&1; then
	echo "e2e: desk init --demo failed:" >&2
	cat "$TMP/init.out" >&2
	exit 1
fi

PASS=0
FAIL=0
N=0
SCREEN=
# ok NAME / fail NAME WHY: one line of TAP each.
ok() {
	N=$((N + 1))
	PASS=$((PASS + 1))
	echo "ok $N - $1"
}
fail() {
	N=$((N + 1))
	FAIL=$((FAIL + 1))
	echo "not ok $N - $1"
	echo "#   $2"
	cap
	printf '%s\n' "$SCREEN" | sed 's/^/#   | /'
}
# check NAME CONDITION...: runs the condition; ok or not ok.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "failed: $*"; fi
}

# --- the terminal --------------------------------------------------------

# start W H [CONFIG]: the console in a fresh session.
# Each start is a new session; the old one goes only after, so the
# server never exits between them.
SESS=
SESSIONS=0
start() {
	local old=$SESS
	SESSIONS=$((SESSIONS + 1))
	SESS=e2e$SESSIONS
	rm -f "$TMP/desk.pid"
	"${TM[@]}" new-session -d -s "$SESS" -x "$1" -y "$2" \
		"env TERM=xterm-256color DESK_CONFIG=${3:-$DESK_CONFIG} sh -c 'echo \$\$ >$TMP/desk.pid; exec $DESK'; echo DESK-EXITED=\$?; sleep 600"
	"${TM[@]}" set-option -g set-clipboard on >/dev/null 2>&1
	[ -n "$old" ] && "${TM[@]}" kill-session -t "$old" 2>/dev/null
	return 0
}
keys() { "${TM[@]}" send-keys -t "$SESS" "$@"; }
# Typed text, literally.
type_text() { "${TM[@]}" send-keys -t "$SESS" -l "$1"; }
cap() { SCREEN=$("${TM[@]}" capture-pane -p -t "$SESS" 2>/dev/null); }
resize() { "${TM[@]}" resize-window -t "$SESS" -x "$1" -y "$2"; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
wait_for() {
	local end=$((SECONDS + ${2:-6}))
	while :; do
		cap
		case $SCREEN in *"$1"*) return 0 ;; esac
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
# wait_gone TEXT [SECONDS]: until it is no longer on the screen.
wait_gone() {
	local end=$((SECONDS + ${2:-6}))
	while :; do
		cap
		case $SCREEN in *"$1"*) ;; *) return 0 ;; esac
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
# Lines of the screen matching a regex.
count_lines() { printf '%s\n' "$SCREEN" | grep -Ec -- "$1"; }
line() { printf '%s\n' "$SCREEN" | sed -n "$1p"; }
# No captured line is wider than the terminal.
fits() {
	printf '%s\n' "$SCREEN" | python3 -c '
import sys, unicodedata
w = int(sys.argv[1])
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)
sys.exit(any(width(l.rstrip("\n")) > w for l in sys.stdin))' "$1"
}
# The id in the queue row with the cursor: the row drawn in the
# selected colour; found through the escape-coded capture.
queue_ids() { printf '%s\n' "$SCREEN" | sed -n 's/^ *\([0-9][0-9]*\) \(URG\|high\|norm\|low\) .*/\1/p'; }
desk_show() { "$DESK" show "$1" 2>&1; }

# --- the tests -----------------------------------------------------------

start 200 50
if wait_for "Queue: open (" && wait_for "? help"; then
	rows=$(count_lines '^ *[0-9]+ (URG|high|norm|low) ')
	if [ "$rows" -ge 10 ] && [[ $SCREEN == *"Subject"* ]] && [[ $SCREEN == *"Customer: "* ]]; then
		ok "the queue shows tickets, with the conversation and customer panes beside it"
	else
		fail "the queue shows tickets, with the conversation and customer panes beside it" "$rows ticket rows"
	fi
else
	fail "the queue shows tickets, with the conversation and customer panes beside it" "no queue"
fi

# Move down two rows and open: the conversation shows that ticket.
cap
ids=($(queue_ids))
third=${ids[2]:-0}
keys j j Enter
if wait_for "#$third " && wait_for "── CUSTOMER · " && wait_for "*#$third "; then
	ok "moving and opening shows the ticket's thread and the customer's history"
else
	fail "moving and opening shows the ticket's thread and the customer's history" "ticket $third not shown"
fi
subject=$("$DESK" list --json --view all 2>/dev/null | python3 -c "
import json,sys
for t in json.load(sys.stdin):
    if t['id']==$third: print(t['subject'][:20])" 2>/dev/null)
check "the conversation title is the ticket's subject" wait_for "#$third $subject"

# Tab cycles panes; the history pane lists the customer's tickets.
keys Tab
check "Tab moves to the customer's history" wait_for "Tickets ("
keys q
check "q goes back to the queue" wait_for "Queue: open ("

# Help from the live keymap.
keys '?'
if wait_for "Help: keys and actions" && [[ $SCREEN == *"canned-reply"* ]] && [[ $SCREEN == *"C-d"* ]]; then
	ok "? shows the keys from the action table"
else
	fail "? shows the keys from the action table" "no help"
fi
keys q
check "q closes the help" wait_gone "Help: keys and actions"

# Reply with a canned response through the scripted editor.
cap
count_before=$(printf '%s\n' "$SCREEN" | sed -n 's/.*Queue: open (\([0-9]*\)).*/\1/p' | head -1)
ids=($(queue_ids))
target=${ids[2]:-0}
customer=$("$DESK" list --json --view all 2>/dev/null | python3 -c "
import json,sys
for t in json.load(sys.stdin):
    if t['id']==$target: print(t['customer'].split()[0])" 2>/dev/null)
keys R
if wait_for "Canned reply" && wait_for "refund-approved"; then
	type_text "refund"
	keys Enter
	if wait_for "Send the reply on #$target?"; then
		keys s
		if wait_for "Reply sent on #$target."; then
			out=$(desk_show "$target")
			if [[ $out == *"E2E-EDIT Hi $customer,"* ]] && [[ $out == *"mention"*"ticket #$target."* ]] &&
				[[ $out != *"{{"* ]] && [[ $out != *"everything below this line"* ]]; then
				ok "a canned reply edited in \$EDITOR is stored with its placeholders expanded"
			else
				fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "desk show: $out"
			fi
			status=$("$DESK" show --json "$target" | python3 -c "import json,sys; t=json.load(sys.stdin); print(t['status'], ' '.join(t.get('tags', [])))")
			check "the canned response's macro solved and tagged the ticket" test "${status%% *}" = solved -a -n "$(echo "$status" | grep -w refund)"
			want=$((count_before - 1))
			if wait_for "Queue: open ($want)" && ! queue_ids | grep -qx "$target"; then
				ok "the queue updates: the solved ticket left the open view"
			else
				fail "the queue updates: the solved ticket left the open view" "count $count_before, ticket $target"
			fi
		else
			fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "not sent"
		fi
	else
		fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "no send prompt"
	fi
else
	fail "a canned reply edited in \$EDITOR is stored with its placeholders expanded" "no picker"
fi

# Status through the picker, tags through the prompt and `:`.
cap
ids=($(queue_ids))
t2=${ids[0]:-0}
keys g
keys s
if wait_for "Status of #$t2"; then
	type_text "pend"
	keys Enter
	wait_for "#$t2 is now pending"
	st=$("$DESK" show --json "$t2" | python3 -c "import json,sys; print(json.load(sys.stdin)['status'])")
	check "setting the status with s stores it" test "$st" = pending
else
	fail "setting the status with s stores it" "no status picker"
fi
keys t
if wait_for "Add tags to #$t2"; then
	type_text "e2e-one e2e-two"
	keys Enter
	wait_for "#$t2: tagged e2e-one e2e-two"
	tags=$("$DESK" show --json "$t2" | python3 -c "import json,sys; print(' '.join(json.load(sys.stdin).get('tags', [])))")
	check "adding tags with t stores them" test -n "$(echo "$tags" | grep -w e2e-one | grep -w e2e-two)"
else
	fail "adding tags with t stores them" "no tag prompt"
fi
keys :
wait_for ":"
type_text "tag-remove e2e-one"
keys Enter
wait_for "#$t2: untagged e2e-one"
tags=$("$DESK" show --json "$t2" | python3 -c "import json,sys; print(' '.join(json.load(sys.stdin).get('tags', [])))")
check "the command prompt runs tag-remove" test -z "$(echo "$tags" | grep -w e2e-one)" -a -n "$(echo "$tags" | grep -w e2e-two)"

# Other agents' changes show up by themselves.
"$DESK" set "$t2" priority=low >/dev/null
check "a change made elsewhere appears within a second" wait_for "low · " 4

# Sizes.
resize 80 24
if wait_for "Queue: open (" && wait_for "? help" && fits 80; then
	rows=$(count_lines '^ *[0-9]+ (URG|high|norm|low) ')
	n=$(printf '%s\n' "$SCREEN" | wc -l)
	if [ "$rows" -ge 15 ] && [ "$n" -le 24 ] && [[ "$(line 24)" == *"? help"* || "$(line 23)" == *"? help"* ]]; then
		ok "80x24: one pane, the queue, the status line with its keys"
	else
		fail "80x24: one pane, the queue, the status line with its keys" "$rows rows, $n lines"
	fi
else
	fail "80x24: one pane, the queue, the status line with its keys" "not redrawn"
fi
resize 30 8
if wait_for "Queue: open" && fits 30; then
	rows=$(count_lines '^ *[0-9]+ ')
	if [ "$rows" -ge 3 ] && [[ "$(line 7)" == *"open ("* ]]; then
		ok "30x8: still the queue and the status line, nothing wider than 30"
	else
		fail "30x8: still the queue and the status line, nothing wider than 30" "$rows rows"
	fi
else
	fail "30x8: still the queue and the status line, nothing wider than 30" "not redrawn"
fi
resize 16 5
check "16x5: says the terminal is too small" wait_for "terminal too"
keys j
resize 200 50
if wait_for "Customer: " && wait_for "Queue: open (" && wait_for "? help" && fits 200; then
	ok "200x50: back to three panes after being tiny"
else
	fail "200x50: back to three panes after being tiny" "not redrawn"
fi

# A hostile ticket: escape sequences, controls, C1, bidi, bad UTF-8.
evil_subject=$(printf 'EVIL\033[31mRED\033[2J\033[10;10HMOVED\033]0;pwned-title\007END')
evil_body=$(printf 'Body \033[1;1H\033[2Jcleared?\n\033]0;pwned-body\007\033]52;c;Ym9keQ==\007 BEL\007CR\rBS\b\bX\nC1raw:\233 utf8:\302\233 bidi:\342\200\256gnol\n\377\376bad utf8')
evil=$("$DESK" new --subject "$evil_subject" --email evil@example.com --name $'Eve \e[7mIL' --body "$evil_body" 2>&1 | sed -n 's/.*ticket \([0-9]*\) created.*/\1/p')
keys :
type_text "open $evil"
keys Enter
if wait_for "#$evil EVIL^[[31mRED^[[2J^[[10;10HMOVED^[]0;pwned-title^GEND" &&
	wait_for "Body ^[[1;1H^[[2Jcleared?" && wait_for "^[]0;pwned-body^G^[]52;c;Ym9keQ==^G BEL^GCR^MBS^H^HX" &&
	wait_for "Customer: Eve ^[[7mIL"; then
	ok "a hostile subject, body and name are shown as visible text (^[, ^G, ^M, ^H)"
else
	fail "a hostile subject, body and name are shown as visible text (^[, ^G, ^M, ^H)" "ticket $evil"
fi
cap
title=$("${TM[@]}" display-message -p -t "$SESS" '#{pane_title}')
buffers=$("${TM[@]}" list-buffers 2>/dev/null | wc -l)
if [[ $SCREEN == *"C1raw:"$'\ufffd'" utf8:<U+009B> bidi:gnol"* ]] && [[ $SCREEN != *$'\u202e'* ]] &&
	[[ $SCREEN == *$'\ufffd\ufffd'"bad utf8"* ]] && [[ $title != *pwned* ]] && [ "$buffers" -eq 0 ]; then
	ok "C1 controls, bidi overrides and bad UTF-8 are neutralised; no title or clipboard set"
else
	fail "C1 controls, bidi overrides and bad UTF-8 are neutralised; no title or clipboard set" "title '$title', $buffers buffers"
fi
# The rest of the screen is intact: the queue, the status line, the
# rules between the three panes on every row.
rules=$(count_lines '│.*│')
if [[ "$(line 1)" == *"Queue: open ("* ]] && [[ "$(line 49)" == *"? help"* ]] && [ "$rules" -ge 47 ] && fits 200 &&
	[[ $SCREEN != *"MOVED"*"cleared?"*"MOVED"* ]]; then
	ok "the rest of the screen is intact around the hostile ticket"
else
	fail "the rest of the screen is intact around the hostile ticket" "$rules rows with both rules"
fi

# Search: results as a view, n/N.
keys /
if wait_for "Search:"; then
	type_text "refund"
	keys Enter
	if wait_for 'search "refund"' && wait_for "n and N open"; then
		first=$(queue_ids | head -1)
		keys n
		second=$(cap; queue_ids | sed -n 2p)
		if [ -n "$second" ] && wait_for "#$second "; then
			ok "/ searches subjects and messages; n opens the next result"
		else
			fail "/ searches subjects and messages; n opens the next result" "first $first second $second"
		fi
	else
		fail "/ searches subjects and messages; n opens the next result" "no results"
	fi
else
	fail "/ searches subjects and messages; n opens the next result" "no prompt"
fi
keys q
check "q leaves the search" wait_for "Queue: open ("

# Filter as you type: the queue narrows with each key; Esc restores it.
want=$("$DESK" list --view open --filter tag:vip --json | python3 -c "import json,sys; print(' '.join(str(t['id']) for t in json.load(sys.stdin)))")
n=$(echo "$want" | wc -w)
keys f
if wait_for "Filter:"; then
	type_text "tag:vip"
	if wait_for "| tag:vip ($n)"; then
		shown=$(queue_ids)
		bad=0
		for id in $shown; do case " $want " in *" $id "*) ;; *) bad=1 ;; esac; done
		if [ -n "$shown" ] && [ $bad -eq 0 ] && [[ $SCREEN == *"| tag:vip ($n)"* ]]; then
			ok "f filters the queue as you type"
		else
			fail "f filters the queue as you type" "shown: $shown; want: $want"
		fi
	else
		fail "f filters the queue as you type" "no filtered view"
	fi
	keys Escape
	check "Esc takes the filter back" wait_gone "| tag:vip"
else
	fail "f filters the queue as you type" "no prompt"
fi

# Quit.
keys Q
check "Q quits with status 0" wait_for "DESK-EXITED=0"

# SIGTERM while the reply waits for send/postpone: kept as a draft.
start 120 40
wait_for "Queue: open ("
cap
ids=($(queue_ids))
t3=${ids[0]:-0}
keys r
if wait_for "Send the reply on #$t3?"; then
	kill -TERM "$(cat "$TMP/desk.pid")"
	if wait_for "DESK-EXITED=0" && wait_for "kept as a draft"; then
		start 120 40
		wait_for "Queue: open ("
		keys r
		if wait_for "You have an unsent reply on #$t3"; then
			ok "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time"
		else
			fail "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time" "no draft offered"
		fi
		keys c
		keys Q
		wait_for "DESK-EXITED=0"
	else
		fail "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time" "no clean exit"
	fi
else
	fail "SIGTERM exits cleanly and keeps the unsent reply as a draft, offered next time" "no send prompt"
fi

# A broken keys file: exit 1 with FILE:LINE:COL before curses starts.
cat >"$TMP/keys.yaml" <<'EOF'
queue:
  j: down
  r: rpely
EOF
cat >"$TMP/bad.yaml" <<EOF
keys: $TMP/keys.yaml
EOF
out=$(DESK_CONFIG=$TMP/bad.yaml "$DESK" </dev/null 2>&1)
rc=$?
want="desk: $TMP/keys.yaml:3:3: unknown action \"rpely\" (did you mean \"reply\"?)"
if [ $rc -eq 1 ] && [ "$out" = "$want" ]; then
	ok "a broken keys file: exit 1 and FILE:LINE:COL, before curses"
else
	fail "a broken keys file: exit 1 and FILE:LINE:COL, before curses" "rc $rc, got: $out"
fi
start 80 24 "$TMP/bad.yaml"
if wait_for "DESK-EXITED=1" && [[ $SCREEN == *"keys.yaml:3:3: unknown action"* ]]; then
	ok "in a terminal too, the message is printed and the screen left alone"
else
	fail "in a terminal too, the message is printed and the screen left alone" "no message"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
