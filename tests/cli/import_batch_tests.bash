# import_batch_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W).  desk import in batches with a commit point: kill -9 while
# checking leaves nothing; kill -9 while publishing, then desk import
# --resume (or desk tick) gives exactly the export of an uninterrupted
# import; agents' notes go in during an import; the progress line shows
# on a terminal only.  DESK_IMPORT_BATCH_TICKETS=1 and DESK_IMPORT_PAUSE_MS
# (test knobs, ignored by a set-id desk) slow the import down so that it
# can be caught in each phase.  On either engine (its databases by db_new).

mkdir -p "$TMP/ib"
IBF=$TMP/ib/tickets.jsonl
ib_now=1793491200
# 40 tickets, each with a customer message and a reply (an agent the
# import adds), the 3rd merged into the 30th (a target later in the file).
"$PYTHON" - "$IBF" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 41):
        t = {"external_id": "IB%d" % i, "subject": "Batch ticket %d" % i,
             "status": "open",
             "customer": {"name": "Cust %d" % i, "email": "c%d@example.com" % (i % 7)},
             "messages": [
                 {"kind": "customer", "at": "2026-11-01T09:%02d:00Z" % (i % 60),
                  "body": "word%d help please" % i},
                 {"kind": "reply", "author": "importer1", "at": "2026-11-01T10:%02d:00Z" % (i % 60),
                  "body": "answer %d" % i}]}
        if i == 3:
            t["merged_into"] = "IB30"
            t["status"] = "closed"
        f.write(json.dumps(t) + "\n")
EOF

# ib_db NAME: IDB is a fresh database (db_new) with one ticket of its own.
ib_db() {
	db_new IDB "ib/$1"
	DESK_NOW=$ib_now "$DESK" --db "$IDB" init >/dev/null 2>&1
	DESK_NOW=$ib_now "$DESK" --db "$IDB" new --subject "Before" --email b@example.com \
		--body "there before" >/dev/null 2>&1
}
# ib_export DB: the export of the file's tickets (the one made before
# has an external id of its own database's).
ib_export() { DESK_NOW=$ib_now "$DESK" --db "$1" export | grep '"external_id":"IB'; }
ib_q() { db_sql "$1" "$2"; }

# ib_slow DB: starts a slow import of $IBF in the background; IB_PID.
ib_slow() {
	DESK_NOW=$ib_now DESK_IMPORT_BATCH_TICKETS=1 DESK_IMPORT_PAUSE_MS=${2:-150} \
		"$DESK" --db "$1" import "$IBF" >"$W/ib-out" 2>"$W/ib-err" </dev/null &
	IB_PID=$!
}

# ib_wait DB SQL: waits (at most 30 s) until SQL on DB (a count) prints
# a number above 0 (an error message is not one).
ib_wait() {
	local i v
	for i in $(seq 300); do
		v=$(ib_q "$1" "$2")
		[[ $v =~ ^[1-9][0-9]*$ ]] && return 0
		sleep 0.1
	done
	return 1
}

# The reference: the same file imported without interruption.
ib_db ref
IB_REF=$IDB
DESK_NOW=$ib_now "$DESK" --db "$IB_REF" import "$IBF" >/dev/null 2>&1
ib_export "$IB_REF" >"$TMP/ib/ref.jsonl"

t "import batches: kill -9 while checking the file leaves nothing (the spool goes at the next import)"
ib_db killcheck
DESK_NOW=$ib_now "$DESK" --db "$IDB" export >"$TMP/ib/before.jsonl"
ib_slow "$IDB" 300
ib_wait "$IDB" "SELECT count(*) FROM import_lines" || fail "the import never spooled a line"
[ "$(ib_q "$IDB" "SELECT state FROM import_runs")" = checking ] ||
	fail "not in the checking phase: $(ib_q "$IDB" "SELECT state, done FROM import_runs")"
{ kill -9 "$IB_PID"; wait "$IB_PID"; } 2>/dev/null
DESK_NOW=$ib_now "$DESK" --db "$IDB" export >"$TMP/ib/after.jsonl"
cmp -s "$TMP/ib/before.jsonl" "$TMP/ib/after.jsonl" || fail "the export changed after a kill while checking"
run --db "$IDB" import --resume
rc_is 0
out_is "desk: no stopped import to finish"
[ "$(ib_q "$IDB" "SELECT count(*) FROM import_lines") $(ib_q "$IDB" "SELECT count(*) FROM import_runs")" = "0 0" ] ||
	fail "the dead import's spool stayed"
end

t "import batches: kill -9 while publishing, then desk import --resume: the very export of an uninterrupted import"
ib_db killpub
ib_slow "$IDB"
ib_wait "$IDB" "SELECT count(*) FROM import_runs WHERE state = 'ready' AND done >= 3" ||
	fail "the import never published 3 tickets"
{ kill -9 "$IB_PID"; wait "$IB_PID"; } 2>/dev/null
n=$(ib_q "$IDB" "SELECT count(*) FROM tickets")
[ "$n" -gt 3 ] && [ "$n" -lt 41 ] || fail "after the kill $n tickets (expected some of the file's, not all)"
# what is in is whole: each published ticket has both its messages
[ "$(ib_q "$IDB" "SELECT count(*) FROM tickets t WHERE t.external_id LIKE 'IB%' AND (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id) <> 2")" = 0 ] ||
	fail "a ticket half-written"
DESK_NOW=$ib_now run --db "$IDB" import --resume
rc_is 0
out_has "desk: imported 40 new and 0 updated tickets"
err_has "desk: finishing the import of $IBF first: it stopped after"
ib_export "$IDB" >"$TMP/ib/resumed.jsonl"
cmp -s "$TMP/ib/ref.jsonl" "$TMP/ib/resumed.jsonl" ||
	fail "the export differs from an uninterrupted import: $(diff "$TMP/ib/ref.jsonl" "$TMP/ib/resumed.jsonl" | head -c 600)"
[ "$(ib_q "$IDB" "SELECT count(*) FROM import_runs")" = 0 ] || fail "the run stayed in the spool"
# the merge whose target came later in the file is linked
[ "$(ib_q "$IDB" "SELECT m.external_id FROM tickets t JOIN tickets m ON m.id = t.merged_into WHERE t.external_id = 'IB3'")" = IB30 ] ||
	fail "IB3 is not merged into IB30"
end

t "import batches: desk tick finishes a stopped import too"
ib_db killtick
ib_slow "$IDB"
ib_wait "$IDB" "SELECT count(*) FROM import_runs WHERE state = 'ready' AND done >= 2" ||
	fail "the import never published 2 tickets"
{ kill -9 "$IB_PID"; wait "$IB_PID"; } 2>/dev/null
DESK_NOW=$ib_now run --db "$IDB" tick
rc_is 0
out_has "desk tick: finished a stopped import"
ib_export "$IDB" >"$TMP/ib/ticked.jsonl"
cmp -s "$TMP/ib/ref.jsonl" "$TMP/ib/ticked.jsonl" || fail "the export differs from an uninterrupted import"
end

t "import batches: agents' notes go in while an import runs, each without waiting for it"
ib_db notes
# 40 batches with 150 ms pauses: 6 s at least, so that six notes go in
# before the end even on a loaded machine, or on the server, where each
# is a connection of its own.
ib_slow "$IDB" 150
ib_wait "$IDB" "SELECT count(*) FROM import_runs WHERE state = 'ready'" || fail "the import never got ready"
slow=0
for i in 1 2 3 4 5 6; do
	t0=$(date +%s%N)
	run --db "$IDB" note 1 --body "note $i during the import"
	t1=$(date +%s%N)
	rc_is 0
	# a loaded machine is slow, but a note that waited for the whole
	# import (40 batches of 150 ms pauses) would take seconds
	[ $(((t1 - t0) / 1000000)) -lt 1500 ] || slow=$((slow + 1))
done
[ "$slow" = 0 ] || fail "$slow notes took over 1.5 s"
[ "$(ib_q "$IDB" "SELECT state FROM import_runs")" = ready ] ||
	fail "the import was over before the notes: the test proves nothing"
wait "$IB_PID"
[ $? = 0 ] || fail "the import failed: $(cat "$W/ib-err")"
[ "$(ib_q "$IDB" "SELECT count(*) FROM messages WHERE kind = 'note' AND body LIKE 'note % during the import'")" = 6 ] ||
	fail "not every note is in"
[ "$(ib_q "$IDB" "SELECT count(*) FROM tickets")" = 41 ] || fail "not every ticket is in"
end

t "import batches: a progress line on a terminal, none otherwise"
ib_db progress
if command -v script >/dev/null 2>&1; then
	DESK_NOW=$ib_now script -qec "$DESK --db '$IDB' import $IBF" /dev/null >"$W/ib-tty" 2>&1 </dev/null
	grep -q "checked 40 lines" "$W/ib-tty" || fail "no 'checked' line: $(vis <"$W/ib-tty" | head -c 400)"
	grep -q "imported 40 of 40 tickets (" "$W/ib-tty" || fail "no 'imported N of M' line: $(vis <"$W/ib-tty" | head -c 400)"
	grep -q "imported 40 new and 0 updated tickets" "$W/ib-tty" || fail "no summary"
else
	fail "script(1) is missing (bsdutils)"
fi
ib_db noprogress
run --db "$IDB" import "$IBF"
rc_is 0
err_empty
out_is "desk: imported 40 new and 0 updated tickets"
end

t "import batches: --resume takes no file"
run import --resume "$IBF"
rc_is 2
err_has "--resume takes no file"
end
