#!/bin/sh
# The KEYS section of man/desk.1 is made from `desk keys`, the console's
# action table.  `keys.sh DESK` prints it; `keys.sh DESK --write` puts it
# into man/desk.1 between the BEGIN KEYS and END KEYS markers.
set -eu
desk=$1
section=$("$desk" keys --builtin | awk '
	{
		ctx = $1; key = $2; act = $3
		help = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", help)
		id = ctx SUBSEP act
		if (!(id in keys)) { order[++n] = id; helps[id] = help; ctxs[id] = ctx; acts[id] = act }
		if (key != "none") keys[id] = (keys[id] == "" ? "" : keys[id] ", ") key
		else if (!(id in keys)) keys[id] = ""
	}
	END {
		for (i = 1; i <= n; i++) {
			id = order[i]
			if (ctxs[id] != last) {
				title = ctxs[id] == "prompt" ? "In prompts and pickers" : \
					ctxs[id] == "history" ? "In the customer pane" : \
					ctxs[id] == "queue" ? "In the queue" : \
					ctxs[id] == "conversation" ? "In the conversation" : "Everywhere else"
				print ".SS " title
				last = ctxs[id]
			}
			k = keys[id] == "" ? "(no key: :" acts[id] ")" : keys[id]
			gsub(/\\/, "\\e", k)
			h = helps[id]; gsub(/\\/, "\\e", h); gsub(/`/, "", h)
			print ".TP 18"
			print ".B \"" k "\""
			print "\\fI" acts[id] "\\fR: " h
		}
	}')
if [ "${2:-}" = --write ]; then
	man=man/desk.1
	NEW="$section" awk '
		/^\.\\" BEGIN KEYS/ { print; print ENVIRON["NEW"]; skip = 1; next }
		/^\.\\" END KEYS/ { skip = 0 }
		!skip' "$man" > "$man.tmp" && mv "$man.tmp" "$man"
else
	printf '%s\n' "$section"
fi
