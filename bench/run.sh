#!/bin/sh
# run.sh: `make bench`.  Builds the benchmark programs, generates each
# data set once (bench/data/, keyed by size and seed), measures, and
# prints one table.  The method is in bench/README.md.
#
#   BENCH_SIZE=10k|100k|1m   or a list: BENCH_SIZE="10k 100k"  (default 100k)
#   BENCH_SEED=1             the data set's seed
#   BENCH_RUNS=7             runs per first-screen median
#   BENCH_QUICK=1            a tiny run (2k tickets, scratch data, few
#                            runs, no neomutt) proving the programs work;
#                            `make check` runs it and asserts no timing
#   BENCH_CLI_AGENTS=128     agents running the CLI flat out (quick: 8;
#   BENCH_CLI_SECONDS=60     0 skips the row), for so long (quick: 5)
#   BENCH_BACKEND=sqlite     or postgresql: the same rows against a
#                            throwaway PostgreSQL cluster (tests/pg/
#                            cluster.sh, with durable settings), the data
#                            set copied into it by desk db copy
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=${BENCH_QUICK:-0}
SEED=${BENCH_SEED:-1}
if [ "$QUICK" = 1 ]; then
	SIZES=${BENCH_SIZE:-2k}
	RUNS=${BENCH_RUNS:-2}
	DATA=$ROOT/build/bench-quick
else
	SIZES=${BENCH_SIZE:-100k}
	RUNS=${BENCH_RUNS:-7}
	DATA=$ROOT/bench/data
fi
SIZES=$(echo "$SIZES" | tr ',' ' ')
BACKEND=${BENCH_BACKEND:-sqlite}
case $BACKEND in
sqlite) PG=false ;;
postgresql) PG=true ;;
*) echo "bench: BENCH_BACKEND is sqlite or postgresql, not \"$BACKEND\"" >&2; exit 2 ;;
esac
NOW=1793491200 # bench-gen's default "now": the data's present
OUT=$ROOT/bench/out
[ "$QUICK" = 1 ] && OUT=$DATA/out
WORK=$OUT/work
mkdir -p "$DATA" "$OUT" "$WORK/cfg" "$WORK/home/Mail"
# The PostgreSQL run's files are named apart: query-postgresql-100k.txt.
OUTSFX=
$PG && OUTSFX=-postgresql
RES=$OUT/results$OUTSFX.txt
: >"$RES"

say() { printf 'bench: %s\n' "$*" >&2; }

# --- build -----------------------------------------------------------------
if grep -q 'bench/bench.mk' Makefile; then
	MK="make --no-print-directory"
else
	MK="make --no-print-directory -f Makefile -f bench/bench.mk"
fi
$MK desk bench-progs >&2

# neomutt: the tool a terminal team would otherwise use (Debian's package).
if [ "$QUICK" != 1 ] && ! command -v neomutt >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		say "installing neomutt (apt-get install neomutt)"
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends neomutt) >&2 || true
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		(sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends neomutt) >&2 || true
	else
		say "neomutt missing and no root: apt-get install neomutt for that row"
	fi
fi

# PostgreSQL: a throwaway cluster with PostgreSQL's durable defaults
# (fsync, synchronous_commit, full_page_writes on: each commit waits for
# its WAL flush, as SQLite's synchronous=FULL waits for its fsync), the
# rest of its configuration the defaults (shared_buffers 128 MB).  desk
# connects as a superuser role named like the Unix login, which is the
# data set's admin agent (bench-gen makes it).
if $PG; then
	PGDIR=$(mktemp -d /tmp/desk-bench-pg-XXXXXX)
	trap 'sh "$ROOT/tests/pg/cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true' EXIT
	trap 'exit 130' INT TERM
	say "starting a PostgreSQL cluster in $PGDIR (durable settings)"
	DESK_PG_DURABLE=1 sh "$ROOT/tests/pg/cluster.sh" start "$PGDIR" >&2
	PGADMIN=$(sh "$ROOT/tests/pg/cluster.sh" env "$PGDIR")
	PSQL="$(sh "$ROOT/tests/pg/cluster.sh" bindir)/psql"
	"$PSQL" -X -q "$PGADMIN" -c "CREATE ROLE \"$(id -un)\" LOGIN SUPERUSER"
	PGU="$PGADMIN user=$(id -un)"
	PG_SETTINGS=$("$PSQL" -X -qAt "$PGADMIN" -c "SELECT string_agg(name || '=' || setting ||
		coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync',
		'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections')")
	PG_VERSION=$("$PSQL" -X -qAt "$PGADMIN" -c "SHOW server_version")
	# Whether the server's shared memory got huge pages (huge_pages=try,
	# the default, takes them when the kernel has some reserved:
	# vm.nr_hugepages).  A new server process, one per connection,
	# faults each shared buffer it touches into its page table, 512x
	# fewer times with them; PostgreSQL 15 does not say, its mappings do.
	pm=$(head -n 1 "$PGDIR/data/postmaster.pid")
	hp_kib=$(awk '/^Size:/ { size = $2 } /^KernelPageSize:/ { if ($2 > 4) s += size }
		END { print s + 0 }' "/proc/$pm/smaps" 2>/dev/null || echo 0)
	PG_HUGE="huge pages $([ "${hp_kib:-0}" -gt 0 ] && echo "on, $((hp_kib / 1024)) MiB" || echo "off") (vm.nr_hugepages=$(cat /proc/sys/vm/nr_hugepages))"
fi
pg_db() { echo "$PGU dbname=$1"; } # the conninfo of database NAME
pg_fresh() { # NAME [TEMPLATE]: an empty database (or a copy of TEMPLATE)
	PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q "$PGADMIN" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
		-c "CREATE DATABASE $1${2:+ TEMPLATE $2 STRATEGY FILE_COPY}"
}
sqlq() { # DB SQL: a query on either engine, its rows on stdout
	if $PG; then
		"$PSQL" -X -qAt "$1" -c "$2"
	else
		sqlite3 "$1" "$2"
	fi
}

# The same environment for every program: a fixed clock (the data's
# present), no user config, a UTF-8 locale, an xterm.
export DESK_NOW=$NOW XDG_CONFIG_HOME=$WORK/cfg TERM=xterm-256color LC_ALL=C.UTF-8
unset DESK_CONFIG DESK_DB DESK_TRACE DESK_EXIT_AFTER_FIRST_FRAME 2>/dev/null || true
DESK=$WORK/desk
PTY=$ROOT/build/bench-pty

put() { printf '%s|%s|%s\n' "$1" "$2" "$3" >>"$RES"; } # size metric value
get() { awk -F'|' -v s="$1" -v m="$2" '$1 == s && $2 == m { v = $3 } END { print v }' "$RES"; }
field() { # "name value" line of a harness's output
	awk -v k="$1" '$1 == k { print $2; exit }'
}
ms() { # wall time of a command in ms; stdout to $WORK/last.out
	t0=$(date +%s%N)
	"$@" >"$WORK/last.out" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; return 1; }
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
ms1() { # the same to 0.1 ms, for commands that take a few ms
	t0=$(date +%s%N)
	"$@" >"$WORK/last.out" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; return 1; }
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f\n", d / 1e6 }'
}
med() { sort -n "$1" | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
tickets_of() { # 10k -> 10000
	echo "$1" | awk '{ n = $1 + 0; u = tolower(substr($1, length($1)));
		if (u == "k") n *= 1000; else if (u == "m") n *= 1000000; print n }'
}

# --- one size ----------------------------------------------------------------
bench_size() {
	size=$1
	n=$(tickets_of "$size")
	db=$DATA/desk-$size-s$SEED.db
	md=$DATA/maildir-$size-s$SEED
	[ "$QUICK" = 1 ] && rm -f "$db" && rm -rf "$md"
	mail_tickets=$((n < 10000 ? n : 10000))

	# The data set, once.
	if [ ! -f "$db" ]; then
		say "$size: generating $n tickets into $db"
		rm -f "$db.tmp"
		"$ROOT/build/bench-gen" --db "$db.tmp" --tickets "$n" --seed "$SEED" --quiet \
			>"$WORK/gen.out"
		cat "$WORK/gen.out" >&2
		# A live database has been ANALYZEd by PRAGMA optimize when its
		# sessions closed; start from that steady state.
		sqlite3 "$db.tmp" ANALYZE
		mv "$db.tmp" "$db"
		put "$size" gen "$(sed -n 's/.* (\([0-9]*\) rows\/s.*total \([0-9.]*\) s$/\1 rows\/s, \2 s/p' "$WORK/gen.out")"
	fi
	if [ "$QUICK" != 1 ] && command -v neomutt >/dev/null 2>&1 && [ ! -d "$md/cur" ]; then
		say "$size: writing the newest $mail_tickets tickets as mail into $md"
		rm -rf "$md.tmp"
		"$ROOT/build/bench-gen" --no-db --maildir "$md.tmp" --maildir-tickets "$mail_tickets" \
			--tickets "$n" --seed "$SEED" --quiet >&2
		mv "$md.tmp" "$md"
	fi
	# A data set made by an older desk: migrate it as a person's desk
	# would (any read-write open), then give new indexes their statistics.
	$MK desk bench-progs >&2
	# A copy of the binary: others rebuilding ./desk meanwhile must not
	# make an exec fail half-way through a run.
	cp "$ROOT/desk" "$WORK/desk.tmp" && mv "$WORK/desk.tmp" "$DESK"
	cp "$ROOT/build/bench-report" "$WORK/bench-report.tmp" &&
		mv "$WORK/bench-report.tmp" "$WORK/bench-report"
	v0=$(sqlite3 "$db" 'PRAGMA user_version')
	# Read-only commands refuse an older schema: the console opens
	# read-write (and leaves after its first frame).
	DESK_EXIT_AFTER_FIRST_FRAME=1 "$PTY" --runs 1 --timeout 3600 -- "$DESK" --db "$db" >/dev/null
	if [ "$(sqlite3 "$db" 'PRAGMA user_version')" != "$v0" ]; then
		say "$size: schema migrated from version $v0; ANALYZE"
		sqlite3 "$db" ANALYZE
	fi
	# PostgreSQL: the data set copied into the cluster (desk db copy, the
	# way a team moves, which also gives each agent its login role), then
	# VACUUM ANALYZE (autovacuum's steady state, as ANALYZE above is
	# SQLite's).
	data=$db
	if $PG; then
		pgname=desk_$(echo "$size" | tr -cd 'a-z0-9')_s$SEED
		data=$(pg_db "$pgname")
		say "$size: desk db copy into PostgreSQL ($pgname)"
		pg_fresh "$pgname"
		t=$(ms "$DESK" db copy "$db" "$data") || exit 1
		put "$size" pgcopy "$(awk -v t="$t" 'BEGIN { printf "%.1f s", t / 1000 }')"
		"$PSQL" -X -q "$data" -c "VACUUM ANALYZE"
		put "$size" dbsize "$(sqlq "$data" "SELECT pg_database_size(current_database()) / 1048576") MiB"
	else
		put "$size" dbsize "$(($(stat -c %s "$db") / 1048576)) MiB"
	fi

	# Store-level queries: views, sorts, search; the sqlite3 shell's SQL.
	say "$size: queries"
	"$ROOT/build/bench-query" --db "$data" --runs "$RUNS" --now "$NOW" \
		--plans "$OUT/plans-$size.txt" --sql-out "$WORK/first-$size.sql" \
		$([ "$QUICK" = 1 ] && echo --quick) >"$OUT/query$OUTSFX-$size.txt"
	q=$OUT/query$OUTSFX-$size.txt
	put "$size" view_worst "$(field view_first_page_worst_ms <"$q")"
	put "$size" open_count "$(awk '$1 == "open" && $2 == "urgency" { print $7 }' "$q")"
	for kind in common rare prefix; do
		put "$size" "search_$kind" "$(awk -v k="$kind" '$1 == "search" && $2 == k && $3 == "all" {
			sub("first_ms=", "", $5); print $5 }' "$q")"
	done
	put "$size" st_prep "$(field st_prep_us <"$q")"

	# First screen: process start to the first complete frame, 200x50.
	say "$size: first screen"
	DESK_EXIT_AFTER_FIRST_FRAME=1 "$PTY" --runs "$RUNS" --timeout 120 -- \
		"$DESK" --db "$data" >"$WORK/first.out" || true
	put "$size" first "$(field median_last_byte_ms <"$WORK/first.out")"
	put "$size" first_exit "$(field median_ms <"$WORK/first.out")"
	put "$size" first_rss "$(field maxrss_kb <"$WORK/first.out")"

	# The floor: the sqlite3 shell running the same first-page query
	# (bench-query catches it with sqlite3_trace_v2: none on PostgreSQL).
	if ! $PG; then
		"$PTY" --runs "$RUNS" -- sqlite3 -readonly "$db" ".read $WORK/first-$size.sql" \
			>"$WORK/sqlite.out" || true
		put "$size" sqlite3 "$(field median_ms <"$WORK/sqlite.out")"
	fi

	# neomutt on a Maildir of the same conversations, to its index (not
	# the store's: the SQLite run's figure stands for both).
	if ! $PG && [ "$QUICK" != 1 ] && command -v neomutt >/dev/null 2>&1 && [ -d "$md/cur" ]; then
		say "$size: neomutt on $(ls "$md/cur" | wc -l) mails"
		HOME=$WORK/home "$PTY" --runs $((RUNS > 3 ? 3 : RUNS)) --until 'Msgs:' --quiet 500 \
			--timeout 900 -- neomutt -n -F /dev/null -R \
			-e "set header_cache=''; set sort=date; set folder='$md'; set spoolfile='$md'" \
			-f "$md" >"$WORK/neomutt.out" || true
		put "$size" neomutt "$(field median_ms <"$WORK/neomutt.out")"
		put "$size" neomutt_mails "$(ls "$md/cur" | wc -l)"
	fi

	# Key latency and peak RSS: one console session typing a script.
	say "$size: console session"
	keys=$WORK/keys-$size.txt
	open_n=$(get "$size" open_count)
	sh "$ROOT/bench/keys.sh" script "$n" "${open_n:-1000}" \
		"$([ "$QUICK" = 1 ] && echo 2 || echo 10)" >"$keys"
	DESK_TRACE=$WORK/trace-$size.txt "$PTY" --keys "$keys" --trace "$WORK/trace-$size.txt" \
		--timeout 1800 -- "$DESK" --db "$data" >"$WORK/keys.out" || true
	cp "$WORK/keys.out" "$OUT/keys$OUTSFX-$size.txt"
	for k in down pgdn end open200 view filter search; do
		put "$size" "key_$k" "$(awk -v k="$k" '$1 == "key" && $2 == k {
			sub("p50=", "", $4); sub("p99=", "", $5); sub("wall_p99=", "", $8);
			printf "%.1f/%.1f/%.1f\n", $4, $5, $8 }' "$WORK/keys.out")"
	done
	put "$size" session_rss "$(field maxrss_kb <"$WORK/keys.out")"

	# Writes go to a copy, so the data set stays as generated.
	if $PG; then
		pg_fresh desk_copy "$pgname"
		copy=$(pg_db desk_copy)
	else
		copy=$WORK/copy.db
		rm -f "$copy" "$copy-wal" "$copy-shm"
		cp "$db" "$copy"
	fi

	# Import: a slice exported from another seed's data, into the copy.
	slice_n=$([ "$QUICK" = 1 ] && echo 200 || echo 5000)
	slice=$DATA/slice-$slice_n-s$SEED.jsonl
	if [ ! -f "$slice" ]; then
		"$ROOT/build/bench-gen" --db "$WORK/slice.db" --tickets "$slice_n" \
			--seed $((SEED + 1000)) --quiet >/dev/null
		"$DESK" --db "$WORK/slice.db" export >"$slice.tmp"
		mv "$slice.tmp" "$slice"
		rm -f "$WORK/slice.db"
	fi
	say "$size: import, ingest, report, writers"
	rate() { awk -v n="$slice_n" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", n / (t / 1000) }'; }
	# Into an empty database, beside the floor: bare SQLite inserting the
	# same tickets and messages rows into the same schema (bench-import-base),
	# one after the other in the same minutes (no PostgreSQL floor).
	if $PG; then
		pg_fresh desk_empty
		empty=$(pg_db desk_empty)
	else
		rm -f "$WORK/empty.db" "$WORK/empty.db"-*
		empty=$WORK/empty.db
	fi
	"$DESK" --db "$empty" init >/dev/null
	t=$(ms "$DESK" --db "$empty" import "$slice") && put "$size" import_empty "$(rate "$t")"
	if ! $PG; then
		rm -f "$WORK/empty.db" "$WORK/empty.db"-*
		"$DESK" --db "$WORK/empty.db" init >/dev/null
		"$ROOT/build/bench-import-base" "$WORK/empty.db" "$slice" >"$WORK/import-base.out" &&
			put "$size" import_base "$(rate "$(awk '{ print $6 }' "$WORK/import-base.out")")"
		put "$size" import_ratio "$(awk -v d="$(get "$size" import_empty)" -v b="$(get "$size" import_base)" \
			'BEGIN { if (d > 0) printf "%.1fx", b / d }')"
		rm -f "$WORK/empty.db" "$WORK/empty.db"-*
	fi
	# Into the data set's copy, while 4 agents add notes (bench-writers):
	# the longest any note waited, the import's batches included.
	imp_notes=$([ "$QUICK" = 1 ] && echo 3 || echo 40)
	rm -f "$WORK/import.ms"
	{ t=$(ms "$DESK" --db "$copy" import "$slice") && echo "$t" >"$WORK/import.ms"; } &
	imp_pid=$!
	"$ROOT/build/bench-writers" --db "$copy" --procs 4 --notes "$imp_notes" --gap-ms 300 \
		>"$WORK/import-writers.out" || true
	wait "$imp_pid" || true
	[ -s "$WORK/import.ms" ] && put "$size" import "$(rate "$(cat "$WORK/import.ms")")"
	put "$size" import_wait "$(awk '{ print $10 " / " $12 }' "$WORK/import-writers.out")"

	# Ingest: mails of the Maildir, one desk process each (an MTA pipe).
	if [ -d "$md/cur" ]; then
		ls "$md/cur" | head -n $([ "$QUICK" = 1 ] && echo 20 || echo 300) >"$WORK/mails"
		cnt=$(wc -l <"$WORK/mails")
		t0=$(date +%s%N)
		while read -r f; do
			"$DESK" --db "$copy" ingest <"$md/cur/$f" >/dev/null 2>&1 || true
		done <"$WORK/mails"
		t1=$(date +%s%N)
		put "$size" ingest "$(awk -v n="$cnt" -v t=$(((t1 - t0) / 1000000)) \
			'BEGIN { printf "%.0f", n / (t / 1000) }')"
	fi

	# desk report on the untouched data, process start to exit, median
	# of 5 each, alternating: the whole two years; every ticket (no
	# period given would be the last 30 days: --since 2000-01-01); the
	# same as JSON (every breach listed: tens of MB at 1m); the default
	# 30 days.  The floor: the sqlite3 shell walking the same two
	# covering index ranges the figures read (tickets created in the
	# period, first solved in it), summing the same columns.
	runs=$([ "$QUICK" = 1 ] && echo 1 || echo 5)
	: >"$WORK/rep-2y.ms"
	: >"$WORK/rep-all.ms"
	: >"$WORK/rep-json.ms"
	: >"$WORK/rep-30d.ms"
	: >"$WORK/rep-floor.ms"
	floor_sql="SELECT count(*), count(first_customer_at), sum(first_answer_at - first_customer_at),
		sum(first_response_due), sum(resolution_due), sum(first_solved_at), sum(pending_since)
		FROM tickets WHERE created_at >= 946684800 AND created_at < $NOW AND merged_into IS NULL;
		SELECT count(*), sum(first_solved_at - created_at), sum(solved_at - created_at), sum(reopens),
		sum(replies_to_first_solve = 1) FROM tickets WHERE first_solved_at >= 946684800
		AND first_solved_at < $NOW AND merged_into IS NULL;"
	# psql's floor: the same, a boolean summed as an integer.
	floor_pg_sql=$(echo "$floor_sql" | sed 's/sum(replies_to_first_solve = 1)/sum((replies_to_first_solve = 1)::int)/')
	for i in $(seq "$runs"); do
		ms "$DESK" --db "$data" report --since 2024-11-01 --until 2026-11-02 >>"$WORK/rep-2y.ms" || true
		ms "$DESK" --db "$data" report --since 2000-01-01 >>"$WORK/rep-all.ms" || true
		ms "$DESK" --db "$data" report --since 2000-01-01 --json >>"$WORK/rep-json.ms" || true
		ms "$DESK" --db "$data" report >>"$WORK/rep-30d.ms" || true
		if $PG; then
			ms "$PSQL" -X -qAt "$data" -c "$floor_pg_sql" >>"$WORK/rep-floor.ms" || true
		elif command -v sqlite3 >/dev/null; then
			ms sqlite3 -readonly "$db" "$floor_sql" >>"$WORK/rep-floor.ms" || true
		fi
	done
	put "$size" report "$(med "$WORK/rep-2y.ms")"
	put "$size" report_all "$(med "$WORK/rep-all.ms")"
	put "$size" report_json "$(med "$WORK/rep-json.ms")"
	put "$size" report_30d "$(med "$WORK/rep-30d.ms")"
	put "$size" report_floor "$(med "$WORK/rep-floor.ms")"
	put "$size" report_ratio "$(ratio "$(get "$size" report_all)" "$(get "$size" report_floor)")"
	# The supervisors' dashboard (D): one refresh of its default 14
	# days, in-process (bench-report --dashboard), median of 5.
	put "$size" dashboard "$("$WORK/bench-report" --db "$data" --dashboard 14 \
		--runs "$runs" | awk '$1 == "dashboard" { print $2 }')"

	# 8, 32 and 128 agents adding notes at once: commit latency (the
	# wait for the write lock included) and commits per second.
	# Beside each, the floor: bare SQLite writers, one row per commit,
	# same synchronous and same gate (bench-writers --baseline), and the
	# ratio of the p99s (target: within 2x).
	for procs in 8 32 128; do
		notes=$([ "$QUICK" = 1 ] && echo 3 || echo 20)
		"$ROOT/build/bench-writers" --db "$copy" --procs $procs --notes $notes \
			>"$WORK/writers-$procs.out" || true
		put "$size" "writers$procs" "$(awk '{ print $8 " / " $10 " / " $14 }' "$WORK/writers-$procs.out")"
		put "$size" "writers${procs}_failed" "$(awk '{ print $6 }' "$WORK/writers-$procs.out")"
		rm -f "$WORK/base.db" "$WORK/base.db-wal" "$WORK/base.db-shm" "$WORK/base.db-gate"
		base=$WORK/base.db
		if $PG; then
			pg_fresh desk_base
			base=$(pg_db desk_base)
		fi
		"$ROOT/build/bench-writers" --baseline "$base" --procs $procs --notes $notes \
			>"$WORK/base-$procs.out" || true
		put "$size" "base$procs" "$(awk '{ print $8 " / " $10 " / " $14 }' "$WORK/base-$procs.out")"
		put "$size" "ratio$procs" "$(awk 'NR == FNR { d = $10; next } { if ($10 > 0) printf "%.1fx\n", d / $10 }' \
			"$WORK/writers-$procs.out" "$WORK/base-$procs.out")"
		# On PostgreSQL also the box's own limit: the same bare
		# writers with no lock at all.
		if $PG; then
			"$ROOT/build/bench-writers" --baseline "$base" --unlocked --procs $procs \
				--notes $notes >"$WORK/free-$procs.out" || true
			put "$size" "free$procs" "$(awk '{ print $8 " / " $10 " / " $14 }' "$WORK/free-$procs.out")"
		fi
	done
	rm -f "$WORK/base.db" "$WORK/base.db-wal" "$WORK/base.db-shm" "$WORK/base.db-gate"

	# One CLI note, process start to exit, against the sqlite3 shell
	# doing one insert with the same synchronous (target: within 3x);
	# on PostgreSQL against psql doing the same insert (synchronous_commit
	# on).
	if $PG || command -v sqlite3 >/dev/null; then
		runs=$([ "$QUICK" = 1 ] && echo 3 || echo 15)
		tid=$(sqlq "$copy" "SELECT min(id) FROM tickets WHERE status IN ('new', 'open')")
		agent=$(sqlq "$copy" "SELECT login FROM agents ORDER BY id LIMIT 1")
		: >"$WORK/cli-note.ms"
		: >"$WORK/cli-sqlite.ms"
		for i in $(seq "$runs"); do
			ms1 desk_as "$agent" note "$tid" --body "bench cli note $i" >>"$WORK/cli-note.ms"
			if $PG; then
				ms1 "$PSQL" -X -q "$copy" -c "INSERT INTO events (ticket_id, at, action) VALUES ($tid, $i, 'bench')" >>"$WORK/cli-sqlite.ms"
			else
				ms1 sqlite3 "$copy" "PRAGMA synchronous = FULL; INSERT INTO events (ticket_id, at, action) VALUES ($tid, $i, 'bench')" >>"$WORK/cli-sqlite.ms"
			fi
		done
		put "$size" cli_note "$(sort -n "$WORK/cli-note.ms" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
		put "$size" cli_sqlite "$(sort -n "$WORK/cli-sqlite.ms" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
		put "$size" cli_ratio "$(awk -v d="$(get "$size" cli_note)" -v b="$(get "$size" cli_sqlite)" 'BEGIN { if (b > 0) printf "%.1fx", d / b }')"
	fi

	# Agents running the CLI flat out, each as itself: desk note, claim
	# and reply in turn on the first 200 open tickets, no pause, for
	# BENCH_CLI_SECONDS.  Errors that reached an agent (a claim refused
	# because someone else holds the ticket is an answer, not an error;
	# target 0) and the acknowledged notes and replies not stored
	# (target 0).
	cli_agents=${BENCH_CLI_AGENTS:-$([ "$QUICK" = 1 ] && echo 8 || echo 128)}
	cli_secs=${BENCH_CLI_SECONDS:-$([ "$QUICK" = 1 ] && echo 5 || echo 60)}
	if { $PG || command -v sqlite3 >/dev/null; } && [ "$cli_agents" -gt 0 ]; then
		say "$size: $cli_agents agents running the CLI flat out for $cli_secs s"
		admin=$(sqlq "$copy" "SELECT login FROM agents WHERE role = 'admin' ORDER BY id LIMIT 1")
		for i in $(seq "$cli_agents"); do
			desk_as "$admin" agent add "cli$i" >/dev/null 2>&1 || true
		done
		sqlq "$copy" "SELECT id FROM tickets WHERE status IN ('new', 'open') ORDER BY id LIMIT 200" \
			>"$WORK/cli-tickets"
		rm -f "$WORK"/cli-ack.* "$WORK"/cli-err.*
		end_at=$(($(date +%s) + cli_secs))
		for i in $(seq "$cli_agents"); do
			cli_flat_agent "$i" "$end_at" &
		done
		wait
		acked=$(cat "$WORK"/cli-ack.* 2>/dev/null | wc -l)
		claims=$(cat "$WORK"/cli-claims.* 2>/dev/null | wc -l)
		errors=$(cat "$WORK"/cli-err.* 2>/dev/null | grep -c . || true)
		busy=$(cat "$WORK"/cli-err.* 2>/dev/null | grep -ci 'busy\|locked\|write gate' || true)
		sqlq "$copy" "SELECT body FROM messages WHERE body LIKE 'cli a%'" | sort >"$WORK/cli-stored"
		missing=$(cat "$WORK"/cli-ack.* 2>/dev/null | sort | comm -23 - "$WORK/cli-stored" | wc -l)
		put "$size" cli_flat "$(((acked + claims) / cli_secs))/s, $errors / $busy"
		put "$size" cli_flat_missing "$missing of $acked"
		cat "$WORK"/cli-err.* 2>/dev/null | sort | uniq -c | sort -rn | head -5 >&2
		rm -f "$WORK"/cli-ack.* "$WORK"/cli-claims.* "$WORK"/cli-err.* "$WORK/cli-stored"
	fi
	$PG || rm -f "$copy" "$copy-wal" "$copy-shm"
}

if [ "$QUICK" = 1 ] && ! $PG; then
	"$ROOT/build/bench-bulkcheck" "$WORK" >"$WORK/bulkcheck.out" || true
	cat "$WORK/bulkcheck.out" >&2
fi
# desk on the writable copy as agent $1: on PostgreSQL connected as the
# agent's own login role (desk db copy and desk agent add made them),
# as an agent's desk is; on SQLite with --as (root may).
desk_as() {
	as_agent=$1
	shift
	if $PG; then
		"$DESK" --db "$copy user=$as_agent" "$@"
	else
		"$DESK" --db "$copy" --as "$as_agent" "$@"
	fi
}

# One agent of the CLI flat-out row: note, claim, reply in turn on the
# tickets of $WORK/cli-tickets, as agent cli$1, until epoch $2 (stop_at).  Each
# acknowledged note and reply body goes to cli-ack.$1, each claim to
# cli-claims.$1, and whatever else desk said on stderr to cli-err.$1.
cli_flat_agent() {
	# shellcheck disable=SC2046 # the ticket ids, one word each
	set -- "$1" "$2" $(cat "$WORK/cli-tickets")
	a=$1 stop_at=$2 n=0 ntix=$(($# - 2))
	while [ "$(date +%s)" -lt "$stop_at" ]; do
		n=$((n + 1))
		k=$(((a * 7 + n) % ntix + 3))
		eval "tid=\${$k}"
		case $((n % 3)) in
		0) desk_as "cli$a" note "$tid" --body "cli a$a-$n" \
			>/dev/null 2>>"$WORK/cli-err.$a" && echo "cli a$a-$n" >>"$WORK/cli-ack.$a" ;;
		1) out=$(desk_as "cli$a" claim "$tid" 2>&1 >/dev/null) &&
			echo "$tid" >>"$WORK/cli-claims.$a"
			case $out in *"already assigned to"* | "") ;; *) echo "$out" >>"$WORK/cli-err.$a" ;; esac ;;
		2) desk_as "cli$a" reply "$tid" --body "cli a$a-$n" \
			>/dev/null 2>>"$WORK/cli-err.$a" && echo "cli a$a-$n" >>"$WORK/cli-ack.$a" ;;
		esac
	done
}

for s in $SIZES; do
	bench_size "$s"
done

# --- the table ---------------------------------------------------------------
row() { # label target metric [suffix]
	printf '%-36s %-10s' "$1" "$2"
	for s in $SIZES; do
		v=$(get "$s" "$3")
		printf ' %16s' "${v:-n/a}"
	done
	printf '\n'
}
{
	cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "desk benchmarks: $(date -u +%Y-%m-%d) on $(nproc) x ${cpu:-unknown CPU}, $mem RAM;" \
		"SQLite $(sqlite3 --version | cut -d' ' -f1)"
	if $PG; then
		echo "backend: PostgreSQL $PG_VERSION, throwaway cluster on a Unix socket, durable:" \
			"$PG_SETTINGS, $PG_HUGE"
		echo "  (every figure below is desk on PostgreSQL; the data set is bench-gen's SQLite file" \
			"copied in by desk db copy)"
	else
		echo "backend: SQLite"
	fi
	echo "command: BENCH_SIZE=\"$SIZES\" BENCH_SEED=$SEED BENCH_RUNS=$RUNS" \
		"$($PG && echo "BENCH_BACKEND=postgresql ")$([ "$QUICK" = 1 ] && echo "BENCH_QUICK=1 ")make bench" \
		"   (times in ms unless stated; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
	printf '%-36s %-10s' "metric" "target"
	for s in $SIZES; do printf ' %16s' "$s $($PG && echo pg || echo sqlite)"; done
	printf '\n'
	row "data set: rows/s, total" "" gen
	$PG && row "  desk db copy into PostgreSQL" "" pgcopy
	row "database $($PG && echo size || echo file)" "" dbsize
	row "first screen (median)" "<= 50" first
	row "  same, to process exit" "" first_exit
	row "  sqlite3 shell, same query" "floor" sqlite3
	printf '%-36s %-10s' "  desk / sqlite3" ""
	for s in $SIZES; do printf ' %16s' "$(ratio "$(get "$s" first)" "$(get "$s" sqlite3)")"; done
	printf '\n'
	row "  neomutt, Maildir to index" "" neomutt
	row "  neomutt Maildir: mails" "" neomutt_mails
	printf '%-36s %-10s' "  neomutt / desk" ""
	for s in $SIZES; do printf ' %16s' "$(ratio "$(get "$s" neomutt)" "$(get "$s" first)")"; done
	printf '\n'
	echo "keys: p50/p99 read-to-frame (DESK_TRACE) / p99 typed-to-frame (harness)"
	row "key down" "p99 <= 10" key_down
	row "key page down" "p99 <= 10" key_pgdn
	row "key jump to end" "p99 <= 10" key_end
	row "key open 200-msg ticket" "p99 <= 10" key_open200
	row "key switch view" "p99 <= 10" key_view
	row "key filter (each char)" "p99 <= 10" key_filter
	row "key search (Enter)" "p99 <= 10" key_search
	row "search 1st page: common word" "<= 100" search_common
	row "search 1st page: rare word" "<= 100" search_rare
	row "search 1st page: prefix" "<= 100" search_prefix
	row "worst view first page (store)" "" view_worst
	row "open view: tickets" "" open_count
	row "console peak RSS, KiB (session)" "<= 32768" session_rss
	row "import into empty db, tickets/s" ">= 5000" import_empty
	row "  bare SQLite, same rows, tickets/s" "floor" import_base
	row "  desk / bare SQLite, time" "<= 3x" import_ratio
	row "import into data set, tickets/s" ">= 2000" import
	row "  4 writers' notes meanwhile: p99 / max ms" "<= 100" import_wait
	row "ingest, messages/s (1 proc/mail)" "" ingest
	row "desk report, 2 years" "<= 1000" report
	row "desk report, all tickets" "<= 300" report_all
	row "  $($PG && echo "psql" || echo "sqlite3 shell"), its two index walks" "floor" report_floor
	row "  desk / $($PG && echo psql || echo sqlite3)" "" report_ratio
	row "desk report --json, all tickets" "" report_json
	row "desk report, last 30 days (default)" "" report_30d
	row "dashboard refresh, 14 days (D)" "<= 50" dashboard
	floor=$($PG && echo "bare libpq, same lock" || echo "bare SQLite, same gate")
	for w in 8 32 128; do
		row "$w writers: note p50 / p99 ms / commits/s" "$($PG && [ $w = 128 ] && echo "p99 <= 20")" writers$w
		$PG && row "  failed notes" "0" writers${w}_failed
		row "  $floor: p50 / p99 / c/s" "" base$w
		$PG && row "  bare libpq, no lock: p50 / p99 / c/s" "" free$w
		row "  desk / $($PG && echo "bare libpq" || echo "bare SQLite"), p99" "<= 2x" ratio$w
	done
	row "CLI note, start to exit (median)" "" cli_note
	row "  $($PG && echo "psql, one insert" || echo "sqlite3 shell, one insert")" "floor" cli_sqlite
	row "  desk / $($PG && echo psql || echo sqlite3)" "<= 3x" cli_ratio
	row "CLI agents flat out: ops/s, errors / busy" "0 busy" cli_flat
	row "  acknowledged writes not stored" "0" cli_flat_missing
	row "st_prep hit, full cache, us" "" st_prep
} | if $PG; then
	tee "$OUT/table-postgresql.txt" "$OUT/table-postgresql-$(echo $SIZES | tr " " "-").txt"
else
	tee "$OUT/table.txt" "$OUT/table-$(echo $SIZES | tr " " "-").txt"
fi

# The quick run proves every program still works: each figure must be
# there (its value is not judged).
if [ "$QUICK" = 1 ]; then
	pass=0 fail=0
	if ! $PG; then
		grep -q '^bulkcheck: [0-9]* passed, 0 failed$' "$WORK/bulkcheck.out" &&
			pass=$((pass + 1)) || { fail=$((fail + 1)); say "FAILED: bench-bulkcheck"; }
	fi
	# Not on PostgreSQL: the floors that are SQLite's own (the first
	# page's query caught by sqlite3_trace_v2, bare SQLite's import).
	only_sqlite="sqlite3 import_base import_ratio"
	only_pg="pgcopy writers8_failed writers32_failed writers128_failed free8 free32 free128"
	for s in $SIZES; do
		for m in gen first sqlite3 key_down key_pgdn key_end key_open200 key_view \
			key_filter key_search search_common search_rare search_prefix \
			session_rss import import_empty import_base import_ratio import_wait \
			report report_all report_floor report_ratio report_json \
			report_30d dashboard writers8 writers32 writers128 base8 base32 base128 \
			ratio8 ratio32 ratio128 cli_note cli_sqlite cli_ratio cli_flat cli_flat_missing \
			st_prep $only_pg; do
			case " $($PG && echo "$only_sqlite" || echo "$only_pg") " in
			*" $m "*) continue ;;
			esac
			v=$(get "$s" "$m")
			case "$v" in
			"" | *nan* | *n/a*) fail=$((fail + 1)); say "FAILED: $s: no figure for $m" ;;
			*) pass=$((pass + 1)) ;;
			esac
		done
		# Not a timing: no note of the writers rows failed (PostgreSQL
		# counts them in a row of their own).
		for w in 8 32 128; do
			$PG || continue
			case "$(get "$s" "writers${w}_failed")" in
			0) pass=$((pass + 1)) ;;
			*) fail=$((fail + 1)); say "FAILED: $s: $w writers: failed notes: $(get "$s" "writers${w}_failed")" ;;
			esac
		done
		# Not a timing: no agent of the CLI flat-out row saw an error,
		# and each acknowledged write is stored.
		case "$(get "$s" cli_flat)" in
		*", 0 / 0") pass=$((pass + 1)) ;;
		*) fail=$((fail + 1)); say "FAILED: $s: CLI agents flat out: $(get "$s" cli_flat)" ;;
		esac
		case "$(get "$s" cli_flat_missing)" in
		"0 of 0" | "") fail=$((fail + 1)); say "FAILED: $s: CLI agents flat out: nothing acknowledged" ;;
		"0 of "*) pass=$((pass + 1)) ;;
		*) fail=$((fail + 1)); say "FAILED: $s: acknowledged but not stored: $(get "$s" cli_flat_missing)" ;;
		esac
	done
	echo "test-bench: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
fi
