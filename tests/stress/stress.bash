#!/usr/bin/env bash
# Many writers through the real command line on one database:
#  1. 32 concurrent processes claim, reply, note and change status; every
#     acknowledged write must be there afterwards, no ticket claimed twice,
#     integrity ok, and no "busy"/"locked" error reaches anyone.
#  2. 64 processes adding notes flat out (no pause) for a bounded time,
#     queuing on the write gate: no error at all reaches a writer (busy,
#     locked or the gate's bound), and every writer's acknowledged notes
#     are exactly its notes in the database.
#  3. writers killed with SIGKILL at random moments, many times: integrity
#     ok and every acknowledged write present.
#  4. (PostgreSQL only) the server killed with SIGKILL and restarted
#     while writers go on: every acknowledged write present, and a writer
#     that could not reach the server was told so.
#  (Unix users sharing a database through the setgid desk: tests/priv.)
# With DESK_TEST_PG (a superuser's conninfo: tests/pg/stress.sh runs this
# through tests/pg/with-cluster.sh) every database is a new one on that
# PostgreSQL server, else a file.
set -u
DESK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WRITERS=${STRESS_WRITERS:-32}
OPS=${STRESS_OPS:-12}
TICKETS=40
tmp=$(mktemp -d "${TMPDIR:-/tmp}/desk-stress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data
unset DESK_CONFIG DESK_DB
passed=0 failed=0 n=0
PG=${DESK_TEST_PG:-}

# A new database called NAME: its setting for --db.
new_db() {
	if [ -n "$PG" ]; then
		psql -X -q "$PG dbname=postgres" -c "CREATE DATABASE $1" >&2 || return 1
		echo "$PG dbname=$1"
	else
		echo "$tmp/$1.db"
	fi
}
# One query's rows, one a line, on either engine.
sql() { # db, query
	if [ -n "$PG" ]; then psql -X -q -At "$1" -c "$2"; else sqlite3 "$1" "$2"; fi
}

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
check() { # name, command...
	local name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

setup_db() { # path
	local db=$1
	"$DESK" --db "$db" init >/dev/null || return 1
	for i in $(seq 1 "$WRITERS"); do
		"$DESK" --db "$db" agent add "w$i" >/dev/null || return 1
	done
	for i in $(seq 1 $TICKETS); do
		"$DESK" --db "$db" new --subject "Stress ticket $i" \
			--email "c$i@example.com" --body "help $i" >/dev/null || return 1
	done
}

# One writer: random operations; after each success (exit 0) it logs what
# was acknowledged.  Any error text goes to its own err file.
writer() { # db, agent number, tag, ops, log, err
	local db=$1 w=$2 tag=$3 ops=$4 log=$5 err=$6 i t op out rc
	RANDOM=$tag
	for ((i = 1; i <= ops; i++)); do
		t=$((RANDOM % TICKETS + 1))
		op=$((RANDOM % 4))
		case $op in
		0)
			out=$("$DESK" --db "$db" --as "w$w" claim "$t" 2>&1); rc=$?
			if [ $rc -eq 0 ]; then echo "claim $t w$w" >>"$log"
			elif ! grep -q "already assigned to" <<<"$out"; then echo "$out" >>"$err"; fi ;;
		1)
			if "$DESK" --db "$db" --as "w$w" reply "$t" --body "reply w$tag-$i" \
				>/dev/null 2>>"$err"; then echo "msg reply w$tag-$i" >>"$log"; fi ;;
		2)
			if "$DESK" --db "$db" --as "w$w" note "$t" --body "note w$tag-$i" \
				>/dev/null 2>>"$err"; then echo "msg note w$tag-$i" >>"$log"; fi ;;
		3)
			local s=pending; ((RANDOM % 2)) && s=on_hold
			if "$DESK" --db "$db" --as "w$w" set "$t" "status=$s" \
				>/dev/null 2>>"$err"; then echo "status $t $s" >>"$log"; fi ;;
		esac
	done
}

# Every acknowledged message is stored; every claim is the ticket's only one.
verify_acked() { # db, logs...
	local db=$1; shift
	local bodies missing=0 dup
	bodies=$(sql "$db" "SELECT body FROM messages" | sort -u)
	while read -r _ body; do
		grep -qxF "$body" <<<"$bodies" || { echo "missing: $body"; missing=1; }
	done < <(cat "$@" 2>/dev/null | grep '^msg ')
	[ "$(cat "$@" 2>/dev/null | grep -c '^msg ')" -gt 0 ] || { echo "no write was acknowledged"; missing=1; }
	# an agent may claim its own ticket again; two different agents may not
	dup=$(cat "$@" 2>/dev/null | awk '$1 == "claim" {print $2, $3}' | sort -u | awk '{print $1}' | uniq -d)
	[ -z "$dup" ] || { echo "tickets claimed twice: $dup"; missing=1; }
	while read -r _ t who; do
		local holder
		holder=$(sql "$db" "SELECT a.login FROM tickets t JOIN agents a ON a.id = t.assignee_id WHERE t.id = $t")
		[ "$holder" = "$who" ] || { echo "ticket $t claimed by $who but held by '$holder'"; missing=1; }
	done < <(cat "$@" 2>/dev/null | grep '^claim ')
	return $missing
}

integrity() { # db
	local r
	if [ -n "$PG" ]; then
		# amcheck (PostgreSQL's contrib) verifies every B-tree index
		# against its table: what a crash could leave inconsistent.
		r=$(sql "$db" "CREATE EXTENSION IF NOT EXISTS amcheck;
			SELECT count(bt_index_check(c.oid, true)) FROM pg_index i
			JOIN pg_class c ON c.oid = i.indexrelid
			JOIN pg_am a ON a.oid = c.relam AND a.amname = 'btree'
			JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'" 2>&1)
		[[ $r =~ ^[0-9]+$ ]] || { echo "amcheck: $r"; return 1; }
		return 0
	fi
	r=$(sqlite3 "$db" "PRAGMA integrity_check")
	[ "$r" = ok ] || { echo "integrity_check: $r"; return 1; }
}

# --- 1. concurrent writers ----------------------------------------------
if db=$(new_db stress) && setup_db "$db"; then
	start=$(date +%s%N)
	for w in $(seq 1 "$WRITERS"); do
		writer "$db" "$w" "$w" "$OPS" "$tmp/log.$w" "$tmp/err.$w" &
	done
	wait
	ms=$((($(date +%s%N) - start) / 1000000))
	acked=$(cat "$tmp"/log.* 2>/dev/null | wc -l)
	echo "# $WRITERS writers x $OPS operations: $acked acknowledged in ${ms} ms"
	check "every acknowledged write of $WRITERS concurrent writers is stored" verify_acked "$db" "$tmp"/log.*
	check "integrity_check ok after concurrent writers" integrity "$db"
	errs=$(cat "$tmp"/err.* 2>/dev/null)
	if [ -z "$errs" ]; then ok "no error (busy, locked or other) reached a writer"
	else not_ok "no error (busy, locked or other) reached a writer" "$(head -5 <<<"$errs")"; fi
	claims=$(grep -h '^claim' "$tmp"/log.* 2>/dev/null | wc -l)
	if [ "$claims" -gt 0 ]; then ok "claims happened ($claims) and each ticket has one holder"
	else not_ok "claims happened" "no claim succeeded"; fi
else
	not_ok "set up the stress database" "desk init/new failed"
fi

# --- 2. 64 writers flat out ----------------------------------------------
FLAT=${STRESS_FLAT_WRITERS:-64}
FLAT_SECONDS=${STRESS_FLAT_SECONDS:-15}
flat_writer() { # db, agent number, deadline (epoch s)
	local db=$1 w=$2 deadline=$3 i=0
	while [ "$(date +%s)" -lt "$deadline" ]; do
		i=$((i + 1))
		if "$DESK" --db "$db" --as "f$w" note $((i % 4 + 1)) --body "flat f$w-$i" \
			>/dev/null 2>>"$tmp/flat-err.$w"; then
			echo "f$w-$i" >>"$tmp/flat-log.$w"
		fi
	done
}
if db=$(new_db flat) && "$DESK" --db "$db" init >/dev/null &&
	for i in $(seq 1 "$FLAT"); do "$DESK" --db "$db" agent add "f$i" >/dev/null || exit 1; done &&
	for i in 1 2 3 4; do "$DESK" --db "$db" new --subject "Flat $i" --email "f$i@example.com" \
		--body "flat $i" >/dev/null || exit 1; done; then
	deadline=$(($(date +%s) + FLAT_SECONDS))
	for w in $(seq 1 "$FLAT"); do
		flat_writer "$db" "$w" "$deadline" &
	done
	wait
	acked=$(cat "$tmp"/flat-log.* 2>/dev/null | wc -l)
	stored=$(sql "$db" "SELECT count(*) FROM messages WHERE body LIKE 'flat f%'")
	echo "# $FLAT writers flat out for ${FLAT_SECONDS} s: $acked notes acknowledged, $stored stored"
	errs=$(cat "$tmp"/flat-err.* 2>/dev/null)
	if [ -z "$errs" ]; then ok "no error (busy, locked, gate) reached any of $FLAT writers flat out"
	else not_ok "no error (busy, locked, gate) reached any of $FLAT writers flat out" \
		"$(grep -c . <<<"$errs") error lines, e.g.:" "$(head -3 <<<"$errs")"; fi
	# per writer: what it was told is stored, exactly
	bad=""
	for w in $(seq 1 "$FLAT"); do
		want=$(sort "$tmp/flat-log.$w" 2>/dev/null)
		got=$(sql "$db" "SELECT substr(body, 6) FROM messages WHERE body LIKE 'flat f$w-%'" | sort)
		[ "$want" = "$got" ] || bad+="f$w: $(wc -l <<<"$want") acknowledged, $(wc -l <<<"$got") stored; "
	done
	if [ -z "$bad" ] && [ "$acked" -ge "$FLAT" ]; then
		ok "every writer's acknowledged notes are exactly its notes stored ($acked)"
	else
		not_ok "every writer's acknowledged notes are exactly its notes stored" "${bad:-only $acked acknowledged}"
	fi
	check "integrity_check ok after $FLAT writers flat out" integrity "$db"
else
	not_ok "set up the flat-out database" "desk init/agent add/new failed"
fi

# --- 3. kill -9 at random moments ----------------------------------------
rm -f "$tmp"/log.* "$tmp"/err.*
ROUNDS=${STRESS_KILL_ROUNDS:-15}
if db=$(new_db crash) && setup_db "$db"; then
	killed=0
	for r in $(seq 1 "$ROUNDS"); do
		for w in $(seq 1 8); do
			writer "$db" "$w" "$((r * 100 + w))" 1000 "$tmp/log.$r.$w" /dev/null &
		done 2>/dev/null
		# (a desk on a server takes longer to connect and start)
		if [ -n "$PG" ]; then sleep "1.$((RANDOM % 4 + 1))"; else sleep "0.$((RANDOM % 4 + 1))"; fi
		# SIGKILL some desk processes in the middle of whatever they do
		for pid in $(pgrep -f -- "--db $db --as" | shuf -n 4 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
		done
		sleep 0.1
		# stop this round's writers (bash loops) first, then their desks
		{ for job in $(jobs -p); do kill -9 "$job"; done
		  pkill -9 -f -- "--db $db --as"
		  wait; } 2>/dev/null
	done
	echo "# $ROUNDS rounds, $killed desk processes killed with SIGKILL"
	check "integrity_check ok after $killed SIGKILLs" integrity "$db"
	check "every acknowledged write present after SIGKILLs" verify_acked "$db" "$tmp"/log.*
	check "the database still takes writes after the crashes" \
		"$DESK" --db "$db" note 1 --body "after the storm"
else
	not_ok "set up the crash database" "desk init/new failed"
fi

# --- 4. the server killed (PostgreSQL) -----------------------------------
if [ -n "$PG" ] && [ -n "${DESK_TEST_PG_DIR:-}" ]; then
	rm -f "$tmp"/flat-log.* "$tmp"/flat-err.*
	if db=$(new_db outage) && "$DESK" --db "$db" init >/dev/null &&
		for i in 1 2 3 4 5 6 7 8; do "$DESK" --db "$db" agent add "f$i" >/dev/null || exit 1; done &&
		for i in 1 2 3 4; do "$DESK" --db "$db" new --subject "Outage $i" \
			--email "o$i@example.com" --body "outage $i" >/dev/null || exit 1; done; then
		deadline=$(($(date +%s) + 8))
		for w in 1 2 3 4 5 6 7 8; do flat_writer "$db" "$w" "$deadline" & done
		sleep 2
		sh "$(dirname "$0")/../pg/cluster.sh" crash "$DESK_TEST_PG_DIR"
		sleep 1
		sh "$(dirname "$0")/../pg/cluster.sh" restart "$DESK_TEST_PG_DIR"
		wait
		acked=$(cat "$tmp"/flat-log.* 2>/dev/null | wc -l)
		failed_writes=$(cat "$tmp"/flat-err.* 2>/dev/null | grep -c .)
		echo "# server killed and restarted under 8 writers: $acked notes acknowledged, $failed_writes refused"
		bad=""
		for w in 1 2 3 4 5 6 7 8; do
			want=$(sort "$tmp/flat-log.$w" 2>/dev/null)
			got=$(sql "$db" "SELECT substr(body, 6) FROM messages WHERE body LIKE 'flat f$w-%'" | sort)
			# a note whose desk lost the server at COMMIT may be stored
			# unacknowledged (it said so); an acknowledged one must be there
			missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got") | grep -c .)
			[ "$missing" -eq 0 ] || bad+="f$w: $missing acknowledged notes missing; "
		done
		if [ -z "$bad" ] && [ "$acked" -gt 0 ]; then
			ok "every note acknowledged around a server crash is stored ($acked)"
		else
			not_ok "every note acknowledged around a server crash is stored" "${bad:-none acknowledged}"
		fi
		cat "$tmp"/flat-err.* 2>/dev/null |
			grep -v -e "lost the connection to the database server" \
				-e "cannot connect to the database" -e "may or may not have been saved" \
				-e "was not stored; its text is kept in" >"$tmp/flat-other"
		other=$(grep -c . "$tmp/flat-other")
		if [ "$failed_writes" -gt 0 ] && [ "$other" -eq 0 ]; then
			ok "a writer that could not reach the server was told so ($failed_writes times)"
		else
			not_ok "a writer that could not reach the server was told so" \
				"$failed_writes refusals, $other of another kind:" \
				"$(head -3 "$tmp/flat-other")"
		fi
		check "indexes consistent after the server crash" integrity "$db"
		check "the database takes writes after the server came back" \
			"$DESK" --db "$db" note 1 --body "after the outage"
	else
		not_ok "set up the outage database" "desk init/agent add/new failed"
	fi
fi

# --- 5. Unix users sharing a database: tests/priv (real users, desk
# installed setgid, as root). -------------------------------------------

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
