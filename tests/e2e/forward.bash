# forward.bash: `:forward ADDR` in the console (issue 14): the thread is
# mailed to a third party and shown in the conversation as an internal
# note; a bad address is refused on the message line, nothing stored;
# the third party's answer comes back as a note with its sender.
#
#   bash tests/e2e/forward.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

MAILD=$TMP/mail
mkdir -p "$MAILD"
printf '#!/bin/sh\ncat >>"%s/sent"\n' "$MAILD" >"$MAILD/sendmail-ok"
chmod +x "$MAILD/sendmail-ok"
printf 'mail:\n  support_address: "Help <help@desk.test>"\n  sendmail: ["%s/sendmail-ok", "-t"]\n' \
	"$MAILD" >>"$DESK_CONFIG"
colon() {
	keys :
	type_text "$1"
	keys Enter
}
notes() { db_sql "SELECT count(*) FROM messages WHERE kind = 'note' AND ticket_id = $1"; }

t=$("$DESK" new --subject "FWD-HINGE" --email cy@example.com --name "Cy" --channel email \
	--body "The hinge broke again." 2>&1 | sed -n "s/.*ticket \([0-9][0-9]*\) created.*/\1/p")
start 200 50
wait_for "Queue: open ("
colon "open $t"
wait_for "#$t FWD-HINGE"

colon "forward eng@example.org>x"
if wait_for "is not a plain address desk can mail" && [ "$(notes "$t")" = 0 ]; then
	ok ":forward with a bad address is refused on the message line, nothing stored"
else
	fail ":forward with a bad address is refused on the message line, nothing stored" "notes $(notes "$t")"
fi

colon "forward eng@example.org"
if wait_for "Forward on #$t to eng@example.org sent: sendmail accepted it." &&
	wait_for "Forwarded to: eng@example.org" &&
	[ "$(notes "$t")" = 1 ]; then
	ok ":forward ADDR records an internal note and the conversation shows where it went"
else
	fail ":forward ADDR records an internal note and the conversation shows where it went" "notes $(notes "$t")"
fi
sleep 1
check "... and sendmail got the thread quoted, addressed to eng" \
	grep -q "^> The hinge broke again.$" "$MAILD/sent"
check "... To the third party only" grep -q "^To: eng@example.org$" "$MAILD/sent"

fid=$(db_sql "SELECT message_id FROM messages WHERE forward_to IS NOT NULL AND ticket_id = $t")
printf 'From: Eng <eng@example.org>\nSubject: Re: Fwd: FWD-HINGE\nMessage-ID: <e2e1@example.org>\nIn-Reply-To: <%s>\n\nFIXED-IN-2-1\n' \
	"$fid" | "$DESK" ingest >/dev/null 2>&1
if wait_for "FIXED-IN-2-1" && wait_for "eng@example.org ·" && [ "$(notes "$t")" = 2 ]; then
	ok "the third party's answer appears in the conversation as a note with its sender"
else
	fail "the third party's answer appears in the conversation as a note with its sender" "notes $(notes "$t")"
fi
finish
