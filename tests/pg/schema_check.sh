#!/bin/bash
# schema_check.sh: desk's PostgreSQL schema (src/store/pg_schema.c) against
# the SQLite schema of a fresh `desk init`, on a throwaway cluster.
#
#   bash tests/pg/schema_check.sh ./desk
#
# Compares every table's columns (names, order, types, NOT NULL,
# defaults), every index (name, unique, partial, number of columns) and
# every trigger by name, then checks behaviour: the append-only audit
# trail, the report facts' triggers, unique keys and case-insensitive
# addresses, and full-text search with prefixes.  Exits non-zero on any
# difference.  Runs as root (the cluster runs as nobody: initdb refuses
# root) or as a plain user.
set -u
desk=${1:-./desk}
root=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
tmp=$(mktemp -d)
chmod 755 "$tmp"

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

cleanup() {
	sh "$root/tests/pg/cluster.sh" stop "$tmp/pg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

for need in psql sqlite3 cc; do
	command -v "$need" >/dev/null ||
		{ echo "FAIL: $need is missing (make deps installs it)"; exit 1; }
done

# --- the throwaway cluster ------------------------------------------------
mkdir "$tmp/pg"
sh "$root/tests/pg/cluster.sh" start "$tmp/pg" || { echo "FAIL: the cluster did not start"; exit 1; }
conn="$(sh "$root/tests/pg/cluster.sh" env "$tmp/pg") dbname=postgres"

# One value (or nothing) from PostgreSQL; errors to $tmp/psql.err.
pg() { psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 "$conn" -c "$1" 2>"$tmp/psql.err"; }
lite() { sqlite3 "$tmp/desk.db" "$1"; }

# --- the schema, from the one copy desk runs --------------------------------
cc -std=c11 -Wall -Wextra -Werror -I"$root/src/store" -I"$root/include" -o "$tmp/print_schema" \
	"$root/tests/pg/print_schema.c" "$root/src/store/pg_schema.c" ||
	{ echo "FAIL: building print_schema"; exit 1; }
"$tmp/print_schema" >"$tmp/schema.sql"
psql -X -q -v ON_ERROR_STOP=1 --single-transaction "$conn" -f "$tmp/schema.sql" \
	>"$tmp/apply.log" 2>&1 || { cat "$tmp/apply.log"; echo "FAIL: applying pg_schema_sql"; exit 1; }

"$desk" --db "$tmp/desk.db" init >/dev/null || { echo "FAIL: desk init"; exit 1; }
lite_version=$(lite "PRAGMA user_version")
version=$(sed -n 's/^#define PG_SCHEMA_VERSION \([0-9]*\)$/\1/p' "$root/src/store/pg_schema.h")
[ "$lite_version" = "$version" ] ||
	fail "SQLite schema is version $lite_version, PG_SCHEMA_VERSION is $version"
[ "$(pg "SELECT value FROM meta WHERE key = 'schema_version'")" = "$version" ] ||
	fail "meta's schema_version is not $version"
pg "SELECT value FROM meta WHERE key = 'instance'" | grep -qx '[0-9a-f]\{12\}' ||
	fail "meta has no 12-hex-digit instance"

# --- tables and columns -------------------------------------------------------
# FTS5 tables and their shadow tables (_data, _idx, ...) are SQLite's own.
virtual=$(lite "SELECT name FROM sqlite_master WHERE type = 'table'
	AND sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
shadow_re="^($(echo $virtual | tr ' ' '|'))_(data|idx|content|docsize|config)\$"
tables=$(lite "SELECT name FROM sqlite_master WHERE type = 'table'
	AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name" |
	grep -Ev "$shadow_re")
pg_tables=$(pg "SELECT table_name FROM information_schema.tables
	WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
expected=$(printf '%s\n' $tables $virtual | sort)
[ "$(echo "$pg_tables" | sort)" = "$expected" ] ||
	fail "tables differ: $(diff <(echo "$expected") <(echo "$pg_tables" | sort) | grep '^[<>]' | tr '\n' ' ')"

# A column as "name type notnull default", types and defaults in
# PostgreSQL's spelling: INTEGER bigint, TEXT text, BLOB bytea; a
# default without its cast.
lite_columns() {
	lite "SELECT name || ' ' || CASE upper(type) WHEN 'INTEGER' THEN 'bigint'
		WHEN 'TEXT' THEN 'text' WHEN 'BLOB' THEN 'bytea' ELSE lower(type) END
		|| ' ' || (\"notnull\" OR pk > 0 OR (pk = 1 AND upper(type) = 'INTEGER'))
		|| ' ' || coalesce(dflt_value, '-')
		FROM pragma_table_info('$1') ORDER BY cid"
}
pg_columns() {
	pg "SELECT column_name || ' ' || data_type || ' ' || (is_nullable = 'NO')::int
		|| ' ' || coalesce(regexp_replace(column_default, '::(text|bigint)\$', ''), '-')
		FROM information_schema.columns WHERE table_schema = 'public'
		AND table_name = '$1' ORDER BY ordinal_position"
}
for t in $tables; do
	a=$(lite_columns "$t")
	b=$(pg_columns "$t")
	[ "$a" = "$b" ] || fail "table $t: SQLite has [$(echo $a)], PostgreSQL [$(echo $b)]"
done
# An FTS5 table is id (its rowid), its columns, and for kb_fts the
# generated tsvector the search reads.
for t in $virtual; do
	a=$(lite "SELECT name FROM pragma_table_info('$t') ORDER BY cid")
	b=$(pg "SELECT column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = '$t'
		AND NOT (table_name = 'kb_fts' AND column_name = 'words')
		ORDER BY ordinal_position")
	[ "$(echo id $a)" = "$(echo $b)" ] || fail "FTS table $t: SQLite [id $(echo $a)], PostgreSQL [$(echo $b)]"
	pg "SELECT 1 FROM pg_indexes WHERE tablename = '$t' AND indexdef LIKE '%USING gin%'" |
		grep -qx 1 || fail "FTS table $t has no GIN index"
done

# --- indexes: name, unique, partial, columns -------------------------------------
lite_indexes=$(lite "SELECT i.name || ' ' || i.\"unique\" || ' ' || i.partial || ' '
	|| (SELECT count(*) FROM pragma_index_info(i.name))
	FROM sqlite_master m, pragma_index_list(m.name) i
	WHERE m.type = 'table' AND i.origin = 'c' ORDER BY i.name")
[ -n "$lite_indexes" ] || fail "no SQLite indexes read"
while read -r name rest; do
	got=$(pg "SELECT x.indisunique::int || ' ' || (x.indpred IS NOT NULL)::int || ' '
		|| x.indnkeyatts FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
		WHERE c.relname = '$name'")
	[ "$got" = "$rest" ] ||
		fail "index $name: SQLite (unique partial columns) $rest, PostgreSQL '${got:-missing}'"
done <<<"$lite_indexes"

# --- views and triggers ----------------------------------------------------------
[ "$(lite "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")" = \
	"$(pg "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'
		ORDER BY table_name")" ] || fail "views differ"
# The FTS delete triggers are the foreign keys' ON DELETE CASCADE.
for trig in $(lite "SELECT name FROM sqlite_master WHERE type = 'trigger'
	AND name NOT LIKE '%_fts_ad' ORDER BY name"); do
	[ "$(pg "SELECT count(*) FROM pg_trigger WHERE tgname = '$trig' AND NOT tgisinternal")" = 1 ] ||
		fail "trigger $trig is missing"
done

# Every identity id behaves as SQLite's rowid (pg_schema.c: PG_ROWID).
for t in $(pg "SELECT table_name FROM information_schema.columns
	WHERE table_schema = 'public' AND is_identity = 'YES' ORDER BY 1"); do
	[ "$(pg "SELECT count(*) FROM pg_trigger WHERE tgrelid = '$t'::regclass
		AND tgname IN ('${t}_id_null', '${t}_id_past')")" = 2 ] ||
		fail "table $t lacks its rowid triggers"
done
[ "$(pg "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'
	AND column_name = 'id' AND data_type = 'bigint' AND is_identity = 'NO'")" = 3 ] ||
	fail "an id that is not an identity, beside the FTS tables' three"

# --- behaviour ---------------------------------------------------------------------
ok() { # SQL that must succeed
	pg "$1" >/dev/null || fail "refused: $1: $(cat "$tmp/psql.err")"
}
refused() { # PATTERN SQL: must fail with an error matching PATTERN
	if pg "$2" >/dev/null; then
		fail "accepted: $2"
	elif ! grep -q "$1" "$tmp/psql.err"; then
		fail "refused for another reason ($(cat "$tmp/psql.err")): $2"
	fi
}
equals() { # EXPECTED SQL
	local got
	got=$(pg "$2" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$1" ] || fail "expected '$1', got '$got' ($(cat "$tmp/psql.err")): $2"
}

# Ids as SQLite's rowid: after an explicit one the next come after it,
# and NULL asks for the next.  (A statement that fails uses up the ids
# it took, as in PostgreSQL's sequences.)
ok "INSERT INTO agents (id, login, name, created_at) VALUES (7, 'ann', 'Ann', 1)"
ok "INSERT INTO agents (login, name, created_at) VALUES ('bob', 'Bob', 1)"
ok "INSERT INTO agents (id, login, name, created_at) VALUES (NULL, 'cat', 'Cat', 1)"
ok "INSERT INTO agents (id, login, name, created_at) VALUES (20, 'eve', 'Eve', 1)"
ok "INSERT INTO agents (id, login, name, created_at) VALUES (NULL, 'fay', 'Fay', 1)"
ok "INSERT INTO agents (login, name, created_at) VALUES ('gus', 'Gus', 1)"
equals '7 8 9 20 21 22' "SELECT id FROM agents ORDER BY id"
refused 'agents_login_key' "INSERT INTO agents (login, name, created_at) VALUES ('ann', 'A2', 1)"
refused 'check' "INSERT INTO agents (login, name, created_at) VALUES ('', 'E', 1)"

# Addresses: NOCASE on both the customer and every address of theirs.
ok "INSERT INTO customers (name, email, created_at) VALUES ('Cy', 'Cy@Example.COM', 1)"
refused 'customers_email_key' \
	"INSERT INTO customers (name, email, created_at) VALUES ('Cy2', 'cy@example.com', 1)"
equals 'Cy' "PREPARE q(text) AS SELECT name FROM customers WHERE email = \$1;
	EXECUTE q('CY@example.com')"
equals 1 "SELECT customer_id FROM customer_emails WHERE email = 'cy@EXAMPLE.com'"
# A new main address: the old one stays the customer's.
ok "UPDATE customers SET email = 'cy2@example.com' WHERE name = 'Cy'"
ok "INSERT INTO customers (name, created_at) VALUES ('Dee', 1)"
refused 'customer_emails_pkey' "UPDATE customers SET email = 'CY@example.com' WHERE name = 'Dee'"
ok "UPDATE customers SET email = 'dee@example.com' WHERE name = 'Dee'"
equals 'cy2@example.com cy@example.com dee@example.com' \
	"SELECT lower(email) COLLATE \"C\" FROM customer_emails ORDER BY 1"

ok "INSERT INTO tickets (id, subject, customer_id, created_at, updated_at)
	VALUES (1, 'Refund for order 12', 1, 100, 100), (2, 'Printer on fire', 1, 100, 100)"
refused 'check' "INSERT INTO tickets (subject, status, created_at, updated_at)
	VALUES ('x', 'lost', 1, 1)"
refused 'tickets_external_id_key' "INSERT INTO tickets (subject, external_id, created_at, updated_at)
	VALUES ('x', 'e1', 1, 1), ('y', 'e1', 1, 1)"
refused 'check' "INSERT INTO surveys (ticket_id, kind, score, answered_at) VALUES (1, 'csat', 6, 1)"
ok "INSERT INTO surveys (ticket_id, kind, score, answered_at) VALUES (1, 'nps', 0, 1)"

# The report facts: a customer message, then a reply, one row each.
ok "INSERT INTO messages (ticket_id, kind, body, created_at) VALUES
	(1, 'customer', 'Please refund me: write to refunds@example.com', 110)"
ok "INSERT INTO messages (ticket_id, kind, body, created_at, auto) VALUES
	(1, 'reply', 'Out of office', 115, 1)"
equals '110  0' "SELECT first_customer_at, first_answer_at, replies_to_first_solve
	FROM tickets WHERE id = 1" # auto replies are no answer
ok "INSERT INTO messages (ticket_id, kind, body, created_at) VALUES (1, 'reply', 'Done.', 120)"
equals '110 120 1' "SELECT first_customer_at, first_answer_at, replies_to_first_solve
	FROM tickets WHERE id = 1"
ok "UPDATE tickets SET first_solved_at = 119 WHERE id = 1"
equals 0 "SELECT replies_to_first_solve FROM tickets WHERE id = 1"
ok "UPDATE tickets SET first_solved_at = NULL WHERE id = 1"
equals 1 "SELECT replies_to_first_solve FROM tickets WHERE id = 1"
# A customer message and its answer in one statement: counted once.
ok "INSERT INTO messages (ticket_id, kind, body, created_at) VALUES
	(2, 'customer', 'It burns', 200), (2, 'reply', 'Unplug it', 210)"
equals '200 210 1' "SELECT first_customer_at, first_answer_at, replies_to_first_solve
	FROM tickets WHERE id = 2"
# A message moved to another ticket (a merge) takes its facts along.
ok "UPDATE messages SET ticket_id = 2 WHERE body = 'Done.'"
equals '110  0|200 210 2' "SELECT string_agg(concat_ws(' ', first_customer_at,
	coalesce(first_answer_at::text, ''), replies_to_first_solve), '|' ORDER BY id) FROM tickets"
ok "DELETE FROM messages WHERE body = 'Unplug it'"
# 'Done.' (120) came before 'It burns' (200): no answer, one reply.
equals '200  1' "SELECT first_customer_at, first_answer_at, replies_to_first_solve
	FROM tickets WHERE id = 2"

# The audit trail is append-only.
ok "INSERT INTO events (ticket_id, agent_id, at, action) VALUES (1, 7, 130, 'claim')"
refused 'append-only: events are never changed' "UPDATE events SET action = 'x'"
refused 'append-only: events are never deleted' "DELETE FROM events"
refused 'append-only' "TRUNCATE events"
refused 'append-only' "DELETE FROM tickets WHERE id = 1" # its events would go
equals 1 "SELECT count(*) FROM events"

# Full-text search: words as FTS5's unicode61 cuts them, prefixes.
equals 1 "SELECT id FROM ticket_fts WHERE subject @@ desk_fts_query('refun', true)"
equals '' "SELECT id FROM ticket_fts WHERE subject @@ desk_fts_query('refun', false)"
equals 1 "SELECT id FROM ticket_fts WHERE subject @@ desk_fts_query('REFUND', false)
	AND subject @@ desk_fts_query('12', false)"
msg="(SELECT id FROM messages WHERE body LIKE 'Please%')"
equals 1 "SELECT count(*) FROM message_fts WHERE id = $msg
	AND body @@ desk_fts_query('refun', true) AND body @@ desk_fts_query('example', false)"
equals 1 "SELECT count(*) FROM message_fts WHERE id = $msg
	AND body @@ desk_fts_query('refunds@example.com', false)"
equals 0 "SELECT count(*) FROM message_fts WHERE body @@ desk_fts_query('refunds', false)
	AND body @@ desk_fts_query('burns', false)"
ok "INSERT INTO messages (ticket_id, kind, body, created_at) VALUES
	(1, 'note', 'Le CAFÉ naïf', 300)"
equals 1 "SELECT count(*) FROM message_fts WHERE body @@ desk_fts_query('cafe', false)
	AND body @@ desk_fts_query('Naï', true) AND body @@ desk_fts_query('café', false)"
ok "UPDATE tickets SET subject = subject" # unchanged: nothing to index again
equals 1 "SELECT id FROM ticket_fts WHERE subject @@ desk_fts_query('refund', false)"
ok "UPDATE tickets SET subject = 'Printer smokes' WHERE id = 2"
equals 2 "SELECT id FROM ticket_fts WHERE subject @@ desk_fts_query('smok', true)"
equals '' "SELECT id FROM ticket_fts WHERE subject @@ desk_fts_query('fire', false)"
ok "DELETE FROM messages WHERE body = 'It burns'"
equals 0 "SELECT count(*) FROM message_fts WHERE body @@ desk_fts_query('burns', false)"
equals 0 "SELECT count(*) FROM message_fts WHERE id NOT IN (SELECT id FROM messages)"
# The knowledge base: a title outranks tags, tags outrank the body.
ok "INSERT INTO kb_files (id, file, slug, mtime_ns, size, sha256, title, audience) VALUES
	(1, 'a.md', 'a', 1, 1, 'x', 'Printers', 'public'),
	(2, 'b.md', 'b', 1, 1, 'x', 'Billing', 'public'),
	(3, 'c.md', 'c', 1, 1, 'x', 'Shipping', 'public')"
ok "INSERT INTO kb_fts (id, slug, title, tags, body) VALUES
	(1, 'a', 'Printers', 'hardware', 'When a refund is due, see billing.'),
	(2, 'b', 'Refunds and billing', 'money', 'How we pay back.'),
	(3, 'c', 'Shipping', 'refund returns', 'Parcels.')"
equals 'b c a' "SELECT slug FROM kb_fts WHERE words @@ desk_fts_query('refund', true)
	ORDER BY ts_rank('{0.1, 0, 0.5, 1}', words, desk_fts_query('refund', true)) DESC, slug"
ok "DELETE FROM kb_files WHERE id = 1"
equals 'b c' "SELECT slug FROM kb_fts ORDER BY slug"

if [ "$fails" -ne 0 ]; then
	echo "tests/pg/schema_check.sh: $fails failed"
	exit 1
fi
echo "tests/pg/schema_check.sh: the PostgreSQL schema matches SQLite's (version $version)"
