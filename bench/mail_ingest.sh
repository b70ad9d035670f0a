#!/bin/sh
# mail_ingest.sh: ingest throughput, the way the MTA drives it: one
# `desk ingest` process per message, on a fresh database, with the real
# messages of tests/data/mail/corpus each given a new Message-ID so that
# none is a duplicate.  Prints messages per second.
# Usage: sh bench/mail_ingest.sh [PATH-TO-DESK] [MESSAGES]
set -eu
DESK=${1:-./desk}
COUNT=${2:-1000}
CORPUS=tests/data/mail/corpus
T=$(mktemp -d "${TMPDIR:-/tmp}/desk-bench-mail-XXXXXX")
trap 'rm -rf "$T"' EXIT
# The team's config: config.yaml beside the database (no personal file).
export DESK_DB="$T/desk.db" XDG_CONFIG_HOME="$T/personal"
unset DESK_CONFIG
TEAM="$T/config.yaml"
: >"$TEAM"
"$DESK" init >/dev/null
# Every file with headers (one corpus file is a bare body: refused).
set -- $(grep -l '^[A-Za-z-]*:' "$CORPUS"/*.txt)
nfiles=$#
mkdir "$T/in"
i=0
while [ $i -lt "$COUNT" ]; do
	for f in "$@"; do
		[ $i -lt "$COUNT" ] || break
		# a new Message-ID in place of the old one (headers only)
		{ printf 'Message-ID: <bench-%d@desk.bench>\n' $i
		  awk 'BEGIN { h = 1 } h && /^$/ { h = 0 }
		       h && tolower($0) ~ /^message-id:/ { skip = 1; next }
		       h && skip && /^[ \t]/ { next } { skip = 0; print }' "$f"; } >"$T/in/$i"
		i=$((i + 1))
	done
done
start=$(date +%s.%N)
i=0
while [ $i -lt "$COUNT" ]; do
	"$DESK" ingest <"$T/in/$i" || [ $? -eq 65 ]
	i=$((i + 1))
done
end=$(date +%s.%N)
stored=$(sqlite3 "$DESK_DB" "SELECT count(*) FROM messages")
awk -v n="$COUNT" -v s="$start" -v e="$end" -v k="$stored" -v f="$nfiles" 'BEGIN {
	t = e - s
	printf "mail ingest: %d messages (%d distinct corpus files, %d stored) in %.2f s: %.0f messages/s, %.1f ms each\n", n, f, k, t, n / t, 1000 * t / n
}'
