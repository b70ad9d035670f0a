# attach.bash: attachments in the console (issue 15): the conversation
# lists a message's files under it; `L` lists the ticket's files; Enter
# opens one through mailcap (a test mailcap entry, MAILCAPS) on a
# private copy that is removed afterwards; `s` saves one byte for byte;
# a reply whose text starts with "Attach: PATH" sends that file
# (multipart at a stand-in sendmail) and lists it under the reply.
#
#   bash tests/e2e/attach.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

if ! command -v run-mailcap >/dev/null 2>&1; then
	echo "e2e attach: run-mailcap is needed (package mailcap; make deps)" >&2
	exit 2
fi

# The view command the test mailcap gives: it keeps the name it was
# given and a copy of the file, as a viewer would read it.
cat >"$TMP/viewer.sh" <<EOF
#!/bin/sh
printf '%s\n' "\$1" >"$TMP/viewed-path"
cp "\$1" "$TMP/viewed.pdf"
EOF
chmod +x "$TMP/viewer.sh"
printf 'application/pdf; %s %%s\n' "$TMP/viewer.sh" >"$TMP/mailcap"
# replies mailed at once to a stand-in sendmail; the editor puts an
# Attach: line on top of the text
printf '#!/bin/sh\ncat >"%s/sent"\n' "$TMP" >"$TMP/sendmail"
chmod +x "$TMP/sendmail"
printf 'mail:\n  support_address: "Help <help@desk.test>"\n  sendmail: ["%s/sendmail", "-t"]\nundo_send_seconds: 0\n' \
	"$TMP" >>"$DESK_CONFIG"
printf '#!/bin/sh\nsed -i "1s|^|Attach: %s/notes.txt\\nE2E-ATTACHED |" "$1"\n' "$TMP" >"$TMP/attach-editor.sh"
chmod +x "$TMP/attach-editor.sh"
printf 'note one\nnote two\n' >"$TMP/notes.txt"
START_ENV="MAILCAPS=$TMP/mailcap EDITOR=$TMP/attach-editor.sh"

printf '%%PDF-1.4 e2e\n\001\002\377 binary tail\n' >"$TMP/report.pdf"
{
	printf 'From: Flo Park <flo@example.com>\nTo: help@desk.test\nSubject: ATT-E2E invoice\n'
	printf 'Message-ID: <att-e2e@example.com>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
	printf 'Content-Type: text/plain\n\nMy invoice is attached.\n--b\n'
	printf 'Content-Type: application/pdf; name="report.pdf"\n'
	printf 'Content-Disposition: attachment; filename="report.pdf"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 "$TMP/report.pdf"
	printf -- '--b--\n'
} | "$DESK" ingest >"$TMP/ingest.out" 2>&1
t=$(db_sql "SELECT id FROM tickets WHERE subject = 'ATT-E2E invoice'")
size=$(stat -c %s "$TMP/report.pdf")

start 160 45
wait_for "Queue: open ("
keys :
type_text "open $t"
keys Enter
if wait_for "#$t ATT-E2E invoice" && wait_for "[1] report.pdf · application/pdf · $size bytes"; then
	ok "the conversation lists the file under its message: number, name, type, size"
else
	fail "the conversation lists the file under its message: number, name, type, size" "ticket $t"
fi

keys L
check "L lists the ticket's attachments" wait_for "Attachments of #$t: Enter opens, s saves"
check "... with the file's number, name and type" wait_for " 1  report.pdf  application/pdf"

keys Enter
if wait_for "Viewed report.pdf (a private copy, now removed)." 10 &&
	cmp -s "$TMP/report.pdf" "$TMP/viewed.pdf"; then
	ok "Enter opens it through the mailcap entry, which reads the whole file"
else
	fail "Enter opens it through the mailcap entry, which reads the whole file" \
		"$(cat "$TMP/viewed-path" 2>&1)"
fi
viewed=$(cat "$TMP/viewed-path" 2>/dev/null)
case $viewed in
*/desk-*/attachment.pdf) ok "... on a private copy named attachment.pdf" ;;
*) fail "... on a private copy named attachment.pdf" "viewer got: $viewed" ;;
esac
if [ -n "$viewed" ] && [ ! -e "$viewed" ] && [ ! -e "$(dirname "$viewed")" ]; then
	ok "... removed, folder and all, once the viewer returned"
else
	fail "... removed, folder and all, once the viewer returned" "$(ls -la "$(dirname "$viewed")" 2>&1)"
fi

keys L
wait_for "Attachments of #$t"
keys s
check "s asks where to save it, its name offered" wait_for "Save report.pdf to: report.pdf"
keys C-u
type_text "$TMP/saved.pdf"
keys Enter
if wait_for "Saved report.pdf to $TMP/saved.pdf" && cmp -s "$TMP/report.pdf" "$TMP/saved.pdf"; then
	ok "s saves the file byte for byte"
else
	fail "s saves the file byte for byte" "$(ls -la "$TMP/saved.pdf" 2>&1)"
fi

keys L
wait_for "Attachments of #$t"
keys s
wait_for "Save report.pdf to:"
keys C-u
type_text "$TMP/saved.pdf"
keys Enter
check "saving over an existing file is refused, said on the message line" \
	wait_for "already exists; nothing was written"

keys r
if wait_for "Send the reply on #$t?" && keys s && wait_for "sent: sendmail accepted it" 10 &&
	wait_for "[2] notes.txt · text/plain · 18 bytes"; then
	ok "a reply starting with an Attach: line is sent with the file, listed under the reply"
else
	fail "a reply starting with an Attach: line is sent with the file, listed under the reply" \
		"$(head -c 600 "$TMP/sent" 2>&1)"
fi
check "... as multipart/mixed, the file's part named, the Attach: line not in the text" \
	sh -c "grep -q 'multipart/mixed' '$TMP/sent' && grep -q 'filename=notes.txt' '$TMP/sent' &&
		grep -q '^E2E-ATTACHED' '$TMP/sent' && ! grep -q '^Attach:' '$TMP/sent'"
"$DESK" attachment get "$t" 2 -o "$TMP/notes-back.txt" >/dev/null 2>&1
check "... stored byte for byte" cmp -s "$TMP/notes.txt" "$TMP/notes-back.txt"
finish
