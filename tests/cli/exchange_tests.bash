# exchange_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  Export, import and backup on PostgreSQL (issue 17), through the
# binary: the same file imported into a SQLite database and a PostgreSQL
# one exports as the same bytes; desk backup refuses PostgreSQL naming
# pg_dump; one import at a time by the server's advisory lock.  On the
# run's server when there is one (DESK_TEST_PG, engine.bash's db_new),
# else on a throwaway cluster of its own (tests/pg/cluster.sh); skipped
# without PostgreSQL.  The SQLite side is a file on either run.

XDIR=$TMP/exchange
mkdir -p "$XDIR"
chmod 0755 "$XDIR"
XPG=
XPGDIR=
if on_pg; then
	db_new XPG exchange
elif command -v psql >/dev/null 2>&1 && [ -n "$(sh "$ROOT/tests/pg/cluster.sh" bindir 2>/dev/null)" ]; then
	# Not under $TMP (0700): the server runs as another user when we are root.
	XPGDIR=$(mktemp -d "${TMPDIR:-/tmp}/desk-cli-pg.XXXXXX")
	if sh "$ROOT/tests/pg/cluster.sh" start "$XPGDIR" >"$XDIR/cluster.log" 2>&1; then
		XADMIN=$(sh "$ROOT/tests/pg/cluster.sh" env "$XPGDIR")
		# On PostgreSQL desk knows the agent by the connected role, on
		# SQLite by the Unix login: the same name on both, so that the
		# importer in the audit trail is the same agent.
		XME=$(id -un)
		if psql "$XADMIN" -qAtc "CREATE DATABASE desk_x TEMPLATE template0 ENCODING 'UTF8'" >/dev/null 2>&1 &&
			{ [ "$XME" = postgres ] ||
			  psql "$XADMIN" -qAtc "CREATE ROLE \"$XME\" LOGIN SUPERUSER" >/dev/null 2>&1; }; then
			XPG="$XADMIN dbname=desk_x user=$XME"
		fi
	fi
else
	echo "no PostgreSQL server installed (make deps)" >"$XDIR/cluster.log"
fi
XLITE=$XDIR/x.db
# Ids given, so no instance-named ids; text JSON must escape; tags out of
# order; a binary attachment longer than one base64 line.
cat >"$XDIR/in.jsonl" <<'JSONL'
{"external_id":"X-1","subject":"Quote \" back\\slash \t\u0001\u007f\u2028 café 😀","status":"open","created_at":"2026-10-20T08:00:00Z","customer":{"name":"Zoë","email":"zoe@example.com"},"tags":["zeta","alpha","b_c"],"messages":[{"kind":"customer","at":"2026-10-20T08:00:00Z","body":"line\nline","attachments":[{"filename":"b.bin","content_type":"application/octet-stream","size":81,"data":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9Q"}]}],"surveys":[{"kind":"csat","score":4,"at":"2026-10-21T10:00:00Z"}]}
{"external_id":"X-2","subject":"second","merged_into":"X-1","created_at":"2026-10-22T08:00:00Z","messages":[{"kind":"customer","at":"2026-10-22T08:00:00Z","body":"dup"}]}
JSONL

t "exchange: one file imported into SQLite and PostgreSQL exports as the same bytes"
if [ -z "$XPG" ]; then
	skip "no PostgreSQL server to start here (see $XDIR/cluster.log)"
else
	export DESK_NOW=1793525400
	run --db "$XLITE" init
	run --db "$XPG" init
	rc_is 0
	run --db "$XLITE" import "$XDIR/in.jsonl"
	rc_is 0
	run --db "$XPG" import "$XDIR/in.jsonl"
	rc_is 0
	out_is "desk: imported 2 new and 0 updated tickets"
	run --db "$XLITE" export
	cp "$W/out" "$XDIR/lite.jsonl"
	run --db "$XPG" export
	rc_is 0
	cp "$W/out" "$XDIR/pg.jsonl"
	has "the export" "$XDIR/pg.jsonl" '"tags":["alpha","b_c","zeta"]'
	has "the export" "$XDIR/pg.jsonl" '\t\u0001\u007f\u2028 café'
	cmp -s "$XDIR/lite.jsonl" "$XDIR/pg.jsonl" ||
		fail "the exports differ: $(diff "$XDIR/lite.jsonl" "$XDIR/pg.jsonl" | head -c 600)"
	run --db "$XLITE" show --json 1
	cp "$W/out" "$XDIR/lite.show"
	run --db "$XPG" show --json 1
	cmp -s "$XDIR/lite.show" "$W/out" || fail "show --json differs: $(diff "$XDIR/lite.show" "$W/out" | head -c 600)"
	unset DESK_NOW
	end
fi

t "exchange: desk backup refuses a PostgreSQL database, naming pg_dump; writes nothing"
if [ -z "$XPG" ]; then
	skip "no PostgreSQL server to start here"
else
	run --db "$XPG" backup "$XDIR/copy.db"
	rc_is 1
	out_empty
	err_has "pg_dump"
	err_has "pg_basebackup"
	[ -z "$(ls -A "$XDIR" | grep -v -e '\.jsonl$' -e '\.show$' -e '^x\.db' -e '^cluster\.log$')" ] ||
		fail "left behind: $(ls -A "$XDIR")"
	end
fi

t "exchange: on PostgreSQL a second import is refused while one holds the lock"
if [ -z "$XPG" ]; then
	skip "no PostgreSQL server to start here"
else
	# Another importer: a session holding the import's advisory lock.
	psql "$XPG" -qAt -c "SELECT pg_advisory_lock(7234315281608044660)" \
		-c "SELECT 'held by ' || pg_backend_pid()" -c "SELECT pg_sleep(30)" >"$XDIR/hold.out" 2>&1 &
	XHOLD=$!
	for _ in $(seq 100); do
		grep -q "held by" "$XDIR/hold.out" 2>/dev/null && break
		sleep 0.1
	done
	holder=$(sed -n 's/^held by //p' "$XDIR/hold.out")
	before=$(psql "$XPG" -qAtc "SELECT count(*) FROM tickets")
	printf '%s\n' '{"subject":"third"}' >"$XDIR/third.jsonl"
	run --db "$XPG" import "$XDIR/third.jsonl"
	rc_is 1
	err_has "another desk import is running"
	[ "$(psql "$XPG" -qAtc "SELECT count(*) FROM tickets")" = "$before" ] || fail "the refused import wrote"
	# The holder's connection ends (as an importer that dies): the lock
	# goes with it.
	psql "$XPG" -qAtc "SELECT pg_terminate_backend(${holder:-0})" >/dev/null
	wait "$XHOLD" 2>/dev/null
	run --db "$XPG" import "$XDIR/third.jsonl"
	rc_is 0
	end
fi

[ -z "$XPGDIR" ] || sh "$ROOT/tests/pg/cluster.sh" stop "$XPGDIR" >/dev/null 2>&1 || rm -rf "$XPGDIR"
