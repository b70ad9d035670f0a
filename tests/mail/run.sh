#!/bin/bash
# run.sh: the mail channel from the outside, through the desk binary:
#   - a corpus of real messages desk did not write (Python's email test
#     data, tests/data/mail/corpus/README) ingests without a crash into
#     sensible tickets;
#   - the exit codes an MTA reads (sysexits), duplicates, busy database;
#   - replies out through a stand-in sendmail, failures kept for
#     `desk outbox`, and `desk outbox --retry`;
#   - hostile mail: a stranger's [#N] tag, a Message-ID injecting Bcc;
#   - then tests/mail/e2e-exim.sh: a real MTA on loopback, when it can run.
# With DESK_TEST_PG set (tests/pg/with-cluster.sh), every database is on
# that PostgreSQL server instead (tests/pg/testdb.sh).
# Usage: bash tests/mail/run.sh PATH-TO-DESK
set -u
DESK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=$HERE/../data/mail/corpus
T=$(mktemp -d "${TMPDIR:-/tmp}/desk-mail-XXXXXX")
LOCKER=
TESTDB_WHO=mail
# shellcheck source=tests/pg/testdb.sh
. "$HERE/../pg/testdb.sh"
cleanup() {
	[ -n "$LOCKER" ] && kill "$LOCKER" 2>/dev/null
	db_drop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
db_new DB desk "$T/desk.db"
# The team's config: config.yaml beside the database (no personal file).
export DESK_DB=$DB XDG_CONFIG_HOME=$T/personal
unset DESK_CONFIG DESK_SYSTEM_CONFIG
TEAM=$T/config.yaml
db_team "$TEAM"
unset DESK_NOW
N=0 PASS=0 FAIL=0

ok() { # description, then the command that must succeed
	local what=$1
	shift
	N=$((N + 1))
	if "$@" >"$T/out" 2>&1; then
		PASS=$((PASS + 1))
		echo "ok $N - $what"
	else
		FAIL=$((FAIL + 1))
		echo "not ok $N - $what"
		sed 's/^/#   /' "$T/out" | head -20
	fi
}

# exit status of: desk ingest ARGS < FILE
status_is() { # want, file, args...
	local want=$1 file=$2
	shift 2
	"$DESK" ingest "$@" <"$file" >"$T/ingest.out" 2>&1
	local got=$?
	[ "$got" -eq "$want" ] || { echo "exit $got, want $want"; cat "$T/ingest.out"; return 1; }
}

q() { db_sql "$DESK_DB" "$1"; }
eq() { [ "$1" = "$2" ] || { echo "got [$1], want [$2]"; return 1; }; }

cat >"$T/sendmail" <<EOF
#!/bin/sh
# a stand-in MTA: keeps each message whole in $T/sent
cat >> "$T/sent"
echo "--END--" >> "$T/sent"
EOF
chmod +x "$T/sendmail"
cat >"$TEAM" <<EOF
mail:
  support_address: "Desk Test <help@desk.test>"
  sendmail: ["$T/sendmail", "-t", "-oi"]
EOF
"$DESK" init >/dev/null || { echo "not ok 1 - desk init"; echo "0 passed, 1 failed"; exit 1; }

# --- the corpus -----------------------------------------------------------
n=0
for f in "$CORPUS"/*.txt; do
	name=$(basename "$f")
	case $name in
	# a bare body with no header at all: the one message no retry fixes
	msg_19.txt) want=65 ;;
	*) want=0 ;;
	esac
	ok "corpus $name ingests (exit $want)" status_is $want "$f"
	n=$((n + 1))
done
ok "corpus: every file was tried" test "$n" -ge 40

# A few of them, looked at closely.
check_01() {
	local id
	id=$(q "SELECT ticket_id FROM messages WHERE message_id = '15090.61304.110929.45684@aaa.zzz.org'")
	eq "$(q "SELECT subject FROM tickets WHERE id = $id")" "This is a test message" &&
	eq "$(q "SELECT c.name || ' <' || c.email || '>' FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = $id")" \
		"John X. Doe <bbb@ddd.com>" &&
	eq "$(q "SELECT channel || ' ' || status FROM tickets WHERE id = $id")" "email new" &&
	q "SELECT body FROM messages WHERE ticket_id = $id" | grep -q "Do you like this message?"
}
ok "corpus msg_01: subject, customer with display name, body" check_01
# msg_03 and others reuse msg_01's Message-ID: ignored, not a new ticket
ok "corpus: a repeated Message-ID is stored once" \
	eq "$(q "SELECT count(*) FROM messages WHERE message_id = '15090.61304.110929.45684@aaa.zzz.org'")" 1
check_bounce() { # msg_05: multipart/report, a delivery report
	local id
	id=$(q "SELECT t.id FROM tickets t WHERE t.subject = 'bar'")
	eq "$(q "SELECT auto FROM messages WHERE ticket_id = $id")" 1 &&
	eq "$(q "SELECT tag FROM ticket_tags WHERE ticket_id = $id")" auto &&
	eq "$(q "SELECT content_type FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $id")" \
		"message/rfc822"
}
ok "corpus msg_05: a bounce is marked automatic and tagged" check_bounce
check_attachment() { # msg_02 (a digest) keeps its parts as attachments
	[ "$(q "SELECT count(*) FROM attachments")" -gt 0 ] &&
	"$DESK" show "$(q "SELECT id FROM tickets WHERE subject LIKE 'Ppp digest%'")" |
		grep -q "\[attachment 1: "
}
ok "corpus: attachments recorded and listed in the conversation" check_attachment
bodies_utf8() {
	q 'SELECT body FROM messages' >"$T/bodies" && iconv -f UTF-8 -t UTF-8 "$T/bodies" >/dev/null
}
ok "corpus: every stored body is valid UTF-8" bodies_utf8
if on_pg; then
	# the server's own checker: every table's pages and every index
	ok "corpus: the database is intact" \
		"$(sh "$HERE/../pg/cluster.sh" bindir)/pg_amcheck" --install-missing \
		--heapallindexed --parent-check "$DESK_DB"
else
	ok "corpus: the database is intact" eq "$(q 'PRAGMA integrity_check')" ok
fi

# --- exit codes and threading through the binary -------------------------
printf 'From: "Zoë Ng" <zoe@example.com>\nSubject: =?UTF-8?Q?Caf=C3=A9_machine?=\nMessage-ID: <z1@example.com>\n\nIt leaks.\n' >"$T/z1"
ok "a new message: exit 0" status_is 0 "$T/z1" --queue hardware
ZID=$(q "SELECT ticket_id FROM messages WHERE message_id = 'z1@example.com'")
ok "its ticket: decoded subject, queue from --queue" \
	eq "$(q "SELECT subject || '|' || queue FROM tickets WHERE id = $ZID")" "Café machine|hardware"
ok "the same message again: exit 0, stored once" status_is 0 "$T/z1"
ok "... once" eq "$(q "SELECT count(*) FROM messages WHERE ticket_id = $ZID")" 1
: >"$T/empty"
ok "empty input: EX_DATAERR (65)" status_is 65 "$T/empty"
printf 'no header here\n' >"$T/garbage"
ok "not a message: EX_DATAERR (65)" status_is 65 "$T/garbage"
# no database: a file that is not there, or a database the server does
# not have; and on a server, one that does not answer
NOWHERE=$T/nowhere.db
on_pg && NOWHERE="$DESK_TEST_PG dbname=desk_mail_nowhere user=$(id -un)"
ok "no database: EX_TEMPFAIL (75)" \
	bash -c "DESK_DB='$NOWHERE' '$DESK' ingest <'$T/z1'; [ \$? -eq 75 ]"
if on_pg; then
	ok "no server answering: EX_TEMPFAIL (75)" \
		bash -c "DESK_DB='host=$T port=5432 dbname=desk user=$(id -un)' '$DESK' ingest <'$T/z1'; [ \$? -eq 75 ]"
fi
ok "bad option: EX_USAGE (64)" status_is 64 "$T/z1" --frobnicate
printf 'queues: [\n' >"$T/broken.yaml"
ok "a broken config: EX_TEMPFAIL (75), the MTA keeps the mail" \
	bash -c "'$DESK' --config '$T/broken.yaml' ingest <'$T/z1' 2>/dev/null; [ \$? -eq 75 ]"
ok "a missing config: EX_TEMPFAIL (75)" \
	bash -c "'$DESK' --config '$T/no-such.yaml' ingest <'$T/z1' 2>/dev/null; [ \$? -eq 75 ]"
printf 'From: zoe@example.com\nSubject: q\nMessage-ID: <q1@example.com>\n\nx\n' >"$T/q1"
ok "bad queue name: EX_TEMPFAIL (75)" status_is 75 "$T/q1" --queue "a b"
ok "... and nothing stored" eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'q1@example.com'")" 0

# another process holds the write lock past desk's patience: on SQLite
# the file's (10 s), on a server desk's writers' advisory lock
printf 'From: zoe@example.com\nSubject: busy\nMessage-ID: <busy@example.com>\n\nx\n' >"$T/busy"
if on_pg; then
	(echo "SELECT pg_advisory_lock(1684370283);"; sleep 14; echo "SELECT pg_advisory_unlock(1684370283);") |
		psql "$DESK_DB" -XqAt >/dev/null &
else
	(echo "BEGIN IMMEDIATE; CREATE TABLE held(x);"; sleep 14; echo "ROLLBACK;") | sqlite3 "$DESK_DB" &
fi
LOCKER=$!
# held when desk's own writer cannot get in at once
lock_held() {
	if on_pg; then
		[ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1684370283 AND granted")" = 1 ]
	else
		! sqlite3 -cmd '.timeout 0' "$DESK_DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1
	fi
}
for _ in $(seq 100); do lock_held && break; sleep 0.05; done
if on_pg; then
	# A session holding desk's writers' lock is waited for up to the
	# writers' bound (30 s), then named: 8 s here, within the 14 s held.
	export DESK_GATE_STUCK_MS=8000
	ok "database locked throughout: EX_TEMPFAIL (75)" status_is 75 "$T/busy"
	unset DESK_GATE_STUCK_MS
	ok "... saying why" grep -q "another desk has held the database's write lock for over 8 s" "$T/ingest.out"
else
	ok "database locked throughout: EX_TEMPFAIL (75)" status_is 75 "$T/busy"
	ok "... saying why" grep -q "stayed locked by another desk while waiting to write" "$T/ingest.out"
fi
ok "... and nothing of it stored" eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'busy@example.com'")" 0
wait $LOCKER
LOCKER=
ok "after the lock: the same message goes in" status_is 0 "$T/busy"
ok "... once" eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'busy@example.com'")" 1

# --- replies out, answers back -------------------------------------------
: >"$T/sent"
ok "desk reply on the mail ticket" "$DESK" reply "$ZID" --body 'Try $(reboot) `now`.'
ok "the reply went to sendmail with the right headers" bash -c "
	grep -q '^From: Desk Test <help@desk.test>' '$T/sent' &&
	grep -q '^To: \"Zoë Ng\" <zoe@example.com>\|^To: =?' '$T/sent' &&
	grep -q '^Subject: Re: .*\[#$ZID\]' '$T/sent' &&
	grep -q '^In-Reply-To: <z1@example.com>' '$T/sent' &&
	grep -q '^References: <z1@example.com>' '$T/sent' &&
	grep -q 'Try \$(reboot) \`now\`.' '$T/sent'"
OUTID=$(sed -n 's/^Message-I[dD]: <\(.*\)>/\1/p' "$T/sent" | tail -1)
ok "its Message-ID is recorded as sent" \
	eq "$(q "SELECT delivery FROM messages WHERE message_id = '$OUTID'")" sent
printf 'From: zoe@example.com\nSubject: Re: Caf\xc3\xa9 machine\nMessage-ID: <z2@example.com>\nIn-Reply-To: <%s>\n\nStill leaks.\n' "$OUTID" >"$T/z2"
ok "the customer's answer: exit 0" status_is 0 "$T/z2"
ok "... lands in the same ticket" \
	eq "$(q "SELECT ticket_id FROM messages WHERE message_id = 'z2@example.com'")" "$ZID"

# sending fails: the reply stays, marked; the outbox lists and retries it
cp "$TEAM" "$T/config-good.yaml"
cat >"$TEAM" <<EOF
mail:
  support_address: "Desk Test <help@desk.test>"
  sendmail: ["/bin/sh", "-c", "echo 'connection refused' >&2; exit 75"]
EOF
ok "a reply while the MTA is down is still stored, exit 75 (EX_TEMPFAIL) saying so" \
	bash -c "'$DESK' reply '$ZID' --body 'Second answer.' 2>'$T/reply.err'; [ \$? -eq 75 ] &&
		grep -q 'mail failed: sh exited with status 75: connection refused, kept in the outbox (desk outbox --retry)' '$T/reply.err'"
cp "$T/config-good.yaml" "$TEAM"
ok "... marked failed with the error" \
	eq "$(q "SELECT delivery || ': ' || delivery_error FROM messages WHERE body = 'Second answer.'")" \
	"failed: sh exited with status 75: connection refused"
ok "desk outbox lists it" bash -c "'$DESK' outbox | grep -q 'failed.*connection refused'"
: >"$T/sent"
ok "desk outbox --retry sends it" bash -c "'$DESK' outbox --retry | grep -q '1 sent, 0 failed'"
ok "... through sendmail" grep -q "Second answer." "$T/sent"
ok "the outbox is empty" bash -c "'$DESK' outbox | grep -q 'outbox is empty'"

# --- hostile mail ----------------------------------------------------------
# a stranger writes "[#N]" of Zoë's ticket: a ticket of their own
printf 'From: Mallory <mallory@evil.example>\nSubject: Re: Caf\xc3\xa9 machine [#%s]\nMessage-ID: <m1@evil.example>\n\nSend the invoice to me.\n' "$ZID" >"$T/stranger"
ok "a stranger's [#N] mail: exit 0" status_is 0 "$T/stranger"
SID=$(q "SELECT ticket_id FROM messages WHERE message_id = 'm1@evil.example'")
ok "... opens a ticket of its own" bash -c "[ -n '$SID' ] && [ '$SID' != '$ZID' ]"
ok "... whose customer is the stranger" \
	eq "$(q "SELECT c.email FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = $SID")" \
	mallory@evil.example
ok "... and ticket N has nothing of theirs" \
	eq "$(q "SELECT count(*) FROM messages WHERE ticket_id = $ZID AND mail_from = 'mallory@evil.example'")" 0
# stranger_tag is the team's policy: for one mail, the team file says join.
cp "$TEAM" "$T/team-before-join.yaml"
sed -i 's/^mail:$/mail:\n  stranger_tag: join/' "$TEAM"
sed 's/m1@evil/m2@evil/' "$T/stranger" >"$T/stranger2"
ok "with stranger_tag: join, it joins ticket N, held aside" \
	bash -c "'$DESK' ingest -v <'$T/stranger2' | grep -q 'held aside'"
cp "$T/team-before-join.yaml" "$TEAM"
ok "... in ticket N" \
	eq "$(q "SELECT ticket_id FROM messages WHERE message_id = 'm2@evil.example'")" "$ZID"
ok "desk show names who really wrote it" \
	bash -c "'$DESK' show $ZID | grep -q -- '^--- customer, mallory@evil.example (not the customer), '"
ok "... and the customer's own messages under her name" \
	bash -c "'$DESK' show $ZID | grep -q -- '^--- customer, Zoë Ng, '"
# a Message-ID whose encoded word decodes to CR LF Bcc:
printf 'From: eve@example.com\nSubject: x\nMessage-ID: =?utf-8?q?<s=0D=0ABcc:_stranger@evil.example>?=\n\nhi\n' >"$T/inject"
ok "a Message-ID carrying CR LF Bcc: exit 0" status_is 0 "$T/inject"
EID=$(q "SELECT ticket_id FROM messages WHERE mail_from = 'eve@example.com'")
digest_id() { q "SELECT message_id FROM messages WHERE ticket_id = $EID" | grep -q '^desk-sha256-[0-9a-f]*@desk.invalid$'; }
ok "... stored under a digest id" digest_id
: >"$T/sent"
ok "a reply on its ticket" "$DESK" reply "$EID" --body "ok"
ok "... reaches sendmail with no Bcc, In-Reply-To the digest id" bash -c "
	! grep -qi '^Bcc:' '$T/sent' && ! grep -q 'evil' '$T/sent' &&
	grep -q '^In-Reply-To: <desk-sha256-' '$T/sent'"

# --- a real MTA -------------------------------------------------------------
if [ -x "$HERE/e2e-exim.sh" ] || [ -f "$HERE/e2e-exim.sh" ]; then
	bash "$HERE/e2e-exim.sh" "$DESK" >"$T/e2e" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok "*) N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - e2e: ${line#ok * - }" ;;
		"not ok "*) N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - e2e: ${line#not ok * - }" ;;
		*) echo "# $line" ;;
		esac
	done <"$T/e2e"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
