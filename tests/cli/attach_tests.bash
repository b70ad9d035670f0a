# attach_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  Attachments on a database of their own: a mail with a file is
# ingested, listed and saved byte for byte; a reply carries files
# (checked decoded at a stand-in sendmail); the limits refuse with the
# file and the limit named; export and import keep every byte.

# shellcheck source=tests/cli/team_db.bash
. "$ROOT/tests/cli/team_db.bash"
mkdir -p "$TMP/at"
team_db ATDB "$TMP/at/desk.db"
# the round trip's copy, beside the same team's file
team_db ATCOPY "$TMP/at/copy.db"
ATPERS=$TMP/at/personal.yaml
ATSENT=$TMP/at/sent
: >"$ATPERS"
cat >"$TMP/at/sendmail" <<EOS
#!/bin/sh
cat > '$ATSENT'
EOS
chmod +x "$TMP/at/sendmail"
printf 'mail:\n  support_address: Support <help@desk.test>\n  sendmail: ["%s", "-t", "-oi"]\nattachments:\n  max_size: 4KB\n  max_total: 6KB\n' \
	"$TMP/at/sendmail" >"$TMP/at/config.yaml"
at_run() { DESK_SYSTEM_CONFIG=$ATDB_SYS run --db "$ATDB" --config "$ATPERS" "$@"; }
at_copy() { DESK_SYSTEM_CONFIG=$ATCOPY_SYS run --db "$ATCOPY" --config "$ATPERS" "$@"; }

# a binary file with every byte value, and a mail carrying it
head -c 3000 /dev/urandom >"$TMP/at/photo.bin"
printf '\000\001\002\377' >>"$TMP/at/photo.bin"
{
	printf 'From: Dee Lane <dee@example.com>\nTo: help@desk.test\nSubject: Cracked screen\n'
	printf 'Message-ID: <at1@example.com>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
	printf 'Content-Type: text/plain; charset=utf-8\n\nPhoto attached.\n--b1\n'
	printf 'Content-Type: image/jpeg; name="../../etc/cr\033[31mack.jpg"\n'
	printf 'Content-Disposition: attachment; filename="../../etc/cr\033[31mack.jpg"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 "$TMP/at/photo.bin"
	printf -- '--b1--\n'
} >"$TMP/at/mail.eml"

t "attachment: setup (init, a mail with a file ingested)"
at_run init
rc_is 0
DESK_SYSTEM_CONFIG=$ATDB_SYS run_file "$TMP/at/mail.eml" --db "$ATDB" --config "$ATPERS" ingest
rc_is 0
end

t "attachment list: number, safe name, type, size, the message it came with"
at_run attachment list 1
rc_is 0
out_match '^  1  cr_\[31mack\.jpg  image/jpeg  2\.9 KB  \(customer '
lacks stdout "$W/out" "etc/"
at_run attachment list 1 --json
rc_is 0
out_has '"n": 1, "message": 1, "kind": "customer"'
out_has '"content_type": "image/jpeg", "size": 3004}'
end

t "desk show lists the file under its message"
at_run show 1
rc_is 0
out_has "[attachment 1: cr_[31mack.jpg (image/jpeg, 2.9 KB)]"
end

t "attachment get: byte for byte to a file, to stdout when not a terminal"
at_run attachment get 1 -o "$TMP/at/got.jpg"
rc_is 0
cmp -s "$TMP/at/photo.bin" "$TMP/at/got.jpg" || fail "-o FILE differs from what was mailed"
err_has "saved $TMP/at/got.jpg (2.9 KB)"
at_run attachment get 1 1
rc_is 0
cmp -s "$TMP/at/photo.bin" "$W/out" || fail "stdout differs from what was mailed"
end

t "attachment get: an existing file is left alone without --force"
printf 'mine\n' >"$TMP/at/keep"
at_run attachment get 1 -o "$TMP/at/keep"
rc_is 1
err_has "$TMP/at/keep already exists; nothing was written (--force replaces it)"
[ "$(cat "$TMP/at/keep")" = mine ] || fail "the file was changed"
at_run attachment get 1 -o "$TMP/at/keep" --force
rc_is 0
cmp -s "$TMP/at/photo.bin" "$TMP/at/keep" || fail "--force did not write the file"
ls -a "$TMP/at" | grep -q '^\.desk-save' && fail "a temporary file was left behind"
end

t "attachment get: a number out of range or missing is said"
at_run attachment get 1 7
rc_is 1
err_has "ticket 1 has no attachment 7 (it has 1)"
at_run attachment get 1 x
rc_is 2
at_run attachment list 99
rc_is 1
err_has "no ticket 99"
end

t "reply --attach: multipart/mixed at sendmail, each file base64 and whole"
printf 'line one\nline two\n' >"$TMP/at/notes.txt"
# binary that starts like a MATLAB script ("%"): sniffing alone said
# text/x-matlab; a NUL byte says it is no text
{ printf '%%\0'; head -c 1498 /dev/urandom; } >"$TMP/at/data.bin"
: >"$ATSENT"
at_run reply 1 --body "Here are the files." --attach "$TMP/at/notes.txt" --attach "$TMP/at/data.bin"
rc_is 0
has "the mail" "$ATSENT" "Content-Type: multipart/mixed"
has "the mail" "$ATSENT" "Content-Disposition: attachment; filename=notes.txt"
has "the mail" "$ATSENT" "Content-Type: text/plain; name=notes.txt"
has "the mail" "$ATSENT" "Content-Disposition: attachment; filename=data.bin"
has "the mail" "$ATSENT" "Here are the files."
# each part decoded: the bytes the agent attached
python3 - "$ATSENT" "$TMP/at/notes.txt" "$TMP/at/data.bin" >"$W/py" 2>&1 <<'PY' || fail "decoding the mail: $(cat "$W/py")"
import email, sys
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'))
files = {p.get_filename(): p.get_payload(decode=True) for p in msg.walk() if p.get_filename()}
for path in sys.argv[2:]:
    name = path.rsplit('/', 1)[1]
    want = open(path, 'rb').read()
    if files.get(name) != want:
        sys.exit('%s: %r bytes in the mail, %d on disk' % (name, len(files.get(name) or b''), len(want)))
PY
at_run attachment list 1
out_match '^  2  notes\.txt  text/plain  18 bytes  \(reply '
out_match '^  3  data\.bin  application/octet-stream  1\.5 KB  \(reply '
at_run attachment get 1 3 -o "$TMP/at/back.bin"
cmp -s "$TMP/at/data.bin" "$TMP/at/back.bin" || fail "the stored copy differs"
end

t "reply --attach: over max_size or max_total, nothing is stored or sent"
before=$(count 'SELECT count(*) FROM messages' "$ATDB")
head -c 5000 /dev/urandom >"$TMP/at/big.bin"
: >"$ATSENT"
at_run reply 1 --body "x" --attach "$TMP/at/big.bin"
rc_is 1
err_has "--attach: $TMP/at/big.bin: 4.9 KB, more than attachments.max_size (4.0 KB)"
head -c 4000 /dev/urandom >"$TMP/at/four.bin"
at_run reply 1 --body "x" --attach "$TMP/at/four.bin" --attach "$TMP/at/four.bin"
rc_is 1
err_has "--attach: $TMP/at/four.bin: with the files before it, 7.8 KB, more than attachments.max_total (6.0 KB)"
at_run reply 1 --body "x" --attach "$TMP/at/nowhere"
rc_is 1
err_has "--attach: $TMP/at/nowhere: cannot attach it: No such file or directory"
at_run note 1 --body "x" --attach "$TMP/at/notes.txt"
rc_is 2
err_has "--attach is for replies"
[ "$(count 'SELECT count(*) FROM messages' "$ATDB")" = "$before" ] || fail "a message was stored"
[ ! -s "$ATSENT" ] || fail "sendmail ran"
end

t "ingest: a file over max_size is not kept, the mail is, with a note"
{
	printf 'From: Dee Lane <dee@example.com>\nTo: help@desk.test\nSubject: Huge\n'
	printf 'Message-ID: <at2@example.com>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b2"\n\n--b2\n'
	printf 'Content-Type: text/plain\n\nA big one.\n--b2\n'
	printf 'Content-Type: application/pdf; name="big.pdf"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 "$TMP/at/big.bin"
	printf -- '--b2--\n'
} >"$TMP/at/big.eml"
DESK_SYSTEM_CONFIG=$ATDB_SYS run_file "$TMP/at/big.eml" --db "$ATDB" --config "$ATPERS" ingest
rc_is 0
at_run show 2
out_has "A big one."
out_has "[attachment not kept: big.pdf (application/pdf, 4.9 KB): more than attachments.max_size (4.0 KB)]"
at_run attachment list 2
out_is "desk: ticket 2 has no attachments"
end

t "config: a bad attachments value names file:line and what was expected"
mkdir -p "$TMP/at/bad"
team_db ATBAD "$TMP/at/bad/desk.db" "$ATDB"
printf 'attachments:\n  max_size: lots\n' >"$TMP/at/bad/config.yaml"
DESK_SYSTEM_CONFIG=$ATBAD_SYS run --db "$ATBAD" --config "$ATPERS" init
rc_is 1
err_has "$TMP/at/bad/config.yaml:2:13: expected a size like 10MB, 512KB or 1GB"
printf 'attachments:\n  max_size: 30MB\n' >"$TMP/at/bad/config.yaml"
DESK_SYSTEM_CONFIG=$ATBAD_SYS run --db "$ATBAD" --config "$ATPERS" init
rc_is 1
err_has "attachments.max_size (31457280 bytes) is more than max_total (26214400 bytes)"
end

t "export and import: every file back byte for byte"
at_run export
rc_is 0
cp "$W/out" "$TMP/at/export.jsonl"
has "the export" "$TMP/at/export.jsonl" '"attachments":[{"filename":"notes.txt","content_type":"text/plain","size":18,"data":"bGluZSBvbmUKbGluZSB0d28K"}'
at_copy init
at_copy import "$TMP/at/export.jsonl"
rc_is 0
for n in 1 2 3; do
	at_run attachment get 1 $n -o "$TMP/at/a$n" --force
	at_copy attachment get 1 $n -o "$TMP/at/b$n" --force
	rc_is 0
	cmp -s "$TMP/at/a$n" "$TMP/at/b$n" || fail "attachment $n differs after the round trip"
done
at_copy export
sed 's/"events":.*//' "$TMP/at/export.jsonl" >"$TMP/at/e1"
sed 's/"events":.*//' "$W/out" >"$TMP/at/e2"
cmp -s "$TMP/at/e1" "$TMP/at/e2" || fail "the second export differs: $(diff "$TMP/at/e1" "$TMP/at/e2" | head -c 400)"
end

t "import: bad attachment data is named, nothing is stored"
printf '%s\n' '{"subject":"s","messages":[{"kind":"customer","at":"2026-01-01T00:00:00Z","body":"b","attachments":[{"filename":"a.txt","content_type":"text/plain","data":"no!"}]}]}' >"$TMP/at/bad.jsonl"
at_copy import "$TMP/at/bad.jsonl"
rc_is 1
err_has "bad.jsonl:1: messages[0].attachments[0].data: not base64 (RFC 4648, padded)"
printf '%s\n' '{"subject":"s","messages":[{"kind":"customer","at":"2026-01-01T00:00:00Z","body":"b","attachments":[{"filename":"a.txt","content_type":"text/plain","size":5,"data":"aGk="}]}]}' >"$TMP/at/bad.jsonl"
at_copy import "$TMP/at/bad.jsonl"
rc_is 1
err_has "messages[0].attachments[0].size: 5, but data holds 2 bytes"
end
