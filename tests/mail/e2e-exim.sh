#!/bin/bash
# e2e-exim.sh: mail through a real MTA on loopback.  Debian's exim4
# (exim4-daemon-light, installed by tests/deps.sh) runs as a daemon on
# 127.0.0.1 with a private configuration (-C) whose spool, logs,
# aliases and mailboxes all live in a scratch directory: nothing of the
# system's /etc/exim4 is used or changed.
#
#   customer --SMTP--> exim --alias "|desk ingest"--> desk
#   desk reply --sendmail (exim -C ... -t -oi)--> exim --> customer's mbox
#   customer answers --SMTP--> exim --> desk ingest --> the same ticket
#
# With DESK_TEST_PG set (tests/pg/with-cluster.sh) the database is on
# that PostgreSQL server (tests/pg/testdb.sh), set up as desk(1) says for
# a team there: the pipe connects as exim's own user, a role granted
# desk_agent, and the team's file is named by DESK_SYSTEM_CONFIG.
#
# Prints "ok N - ..." lines; "ok N - # SKIP why" when exim cannot run
# here (not root: exim accepts a private -C configuration and runs its
# daemon only as root; or exim4 not installed).
# Usage: bash tests/mail/e2e-exim.sh PATH-TO-DESK
set -u
DESK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
EXIM=$(command -v exim4 || command -v exim || true)
N=0
say() { N=$((N + 1)); echo "$1 $N - $2"; }
skip() { say ok "# SKIP $1"; exit 0; }
[ -n "$EXIM" ] || skip "exim4 is not installed (make deps installs exim4-daemon-light)"
[ "$(id -u)" -eq 0 ] || skip "exim runs a private configuration only as root"
command -v perl >/dev/null || skip "perl (for the SMTP client) is missing"

# An exim started with a private -C configuration gives up root when it
# re-executes itself to deliver ("exim user lost privilege for using -C
# option"; only configs listed in /etc/exim4/trusted_configs keep it, and
# that file is the system's).  So deliveries run as exim's own user, who
# must be able to write the database: a world-writable scratch directory
# stands in for the group-owned one of a real setup.
T=$(mktemp -d /tmp/desk-exim-XXXXXX)
chmod 2777 "$T"
PIDFILE=$T/exim.pid
SOCKDIR='' SOCKDIR_MODE=''
TESTDB_WHO=exim
# shellcheck source=tests/pg/testdb.sh
. "$HERE/../pg/testdb.sh"
cleanup() {
	# the daemon writes its pid file once it listens; give it that time
	for _ in $(seq 30); do [ -s "$PIDFILE" ] && break; sleep 0.1; done
	[ -s "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null
	db_drop_all
	[ -n "$SOCKDIR_MODE" ] && chmod "$SOCKDIR_MODE" "$SOCKDIR"
	rm -rf "$T"
}
trap cleanup EXIT
# Kept (and printed) when something fails: the MTA's own account.
show_logs() { for f in "$T"/log/*; do [ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"; done; }

EXIM_USER=Debian-exim
getent passwd "$EXIM_USER" >/dev/null || EXIM_USER=exim
EXIM_GROUP=$(id -gn "$EXIM_USER" 2>/dev/null) || skip "no exim user on this system"
PORT=$((20000 + RANDOM % 20000))
mkdir -p "$T/spool" "$T/log" "$T/mail"
chown "$EXIM_USER" "$T/spool" "$T/log"
chmod 0777 "$T/mail"
db_new DESK_DB desk "$T/desk.db"
# What the pipe names: the file; on a server the database, as exim's user
# (no user=: libpq takes the login's name), spelt as a URL because the
# pipe's command is split at spaces.
PIPE_DB=$DESK_DB
PIPE_ENV=
if on_pg; then
	SOCKDIR=$(db_conninfo_part host)
	PIPE_DB="postgresql:///$DB_NAME?host=$SOCKDIR&port=$(db_conninfo_part port)"
	# exim keeps no environment of ours: the pipe is told the team's file
	PIPE_ENV="environment = DESK_SYSTEM_CONFIG=$T/config.yaml"
	db_team "$T/config.yaml"
	# exim's user must reach the server's socket, in a folder closed to
	# others (tests/pg/cluster.sh): opened for this run only
	SOCKDIR_MODE=$(stat -c %a "$SOCKDIR")
	chmod o+x "$SOCKDIR"
fi
# exim's user runs the pipe: it may not be able to reach the checkout
# (a 0700 temporary folder, a home directory), so it gets its own copy.
install -m 0755 "$DESK" "$T/desk"
DESK=$T/desk
cat >"$T/aliases" <<EOF
support: "|$DESK --db $PIPE_DB ingest"
EOF
cat >"$T/exim.conf" <<EOF
# A private exim for one test: loopback only, two local domains.
primary_hostname = desk.test
domainlist local_domains = desk.test : customer.test
spool_directory = $T/spool
log_file_path = $T/log/%slog
pid_file_path = $PIDFILE
daemon_smtp_ports = $PORT
local_interfaces = 127.0.0.1
acl_smtp_rcpt = acl_rcpt
trusted_users = root
host_lookup =
rfc1413_hosts =
keep_environment =
tls_advertise_hosts =
queue_only = false
split_spool_directory = false

begin acl
acl_rcpt:
  accept hosts = 127.0.0.1
         domains = +local_domains
  deny   message = relay not permitted

begin routers
support_aliases:
  driver = redirect
  domains = desk.test
  data = \${lookup{\$local_part}lsearch{$T/aliases}}
  pipe_transport = desk_pipe
  user = $EXIM_USER
  group = $EXIM_GROUP
customers:
  driver = accept
  domains = customer.test
  # a listed local part is untainted (local_part_data) for the file name;
  # eng is a third party (desk forward)
  local_parts = ann : eng
  transport = mbox

begin transports
desk_pipe:
  driver = pipe
  return_path_add
  delivery_date_add
  envelope_to_add
  # desk ingest speaks sysexits: 75 means try again later
  temp_errors = 75
  $PIPE_ENV
  user = $EXIM_USER
  group = $EXIM_GROUP
  timeout = 1m
mbox:
  driver = appendfile
  file = $T/mail/\$local_part_data
  user = $EXIM_USER
  group = $EXIM_GROUP
  mode = 0666

begin retry
# a temporary failure (desk ingest's 75) is retried every few seconds
*  *  F,10m,5s
EOF
# the team's config: beside the database
cat >"$T/config.yaml" <<EOF
mail:
  support_address: "Desk Support <support@desk.test>"
  sendmail: ["$EXIM", "-C", "$T/exim.conf", "-t", "-oi"]
EOF

"$DESK" --db "$DESK_DB" init >/dev/null ||
	{ say "not ok" "desk init"; exit 1; }
if on_pg; then
	# mail ingest's user, as desk(1) sets it up: a login role granted desk_agent
	if [ "$(db_sql "$DESK_DB" "SELECT count(*) FROM pg_roles WHERE rolname = '$EXIM_USER'")" != 1 ]; then
		db_sql "$DESK_DB" "CREATE ROLE \"$EXIM_USER\" LOGIN" >/dev/null ||
			{ say "not ok" "a role for $EXIM_USER"; exit 1; }
	fi
	db_sql "$DESK_DB" "GRANT desk_agent TO \"$EXIM_USER\"" >/dev/null ||
		{ say "not ok" "desk_agent granted to $EXIM_USER"; exit 1; }
else
	chmod 0666 "$DESK_DB"
fi

if ! "$EXIM" -C "$T/exim.conf" -bd -q10s >"$T/daemon.out" 2>&1; then
	say "not ok" "exim daemon starts"
	sed 's/^/# /' "$T/daemon.out"
	show_logs
	exit 1
fi
up=no
for _ in $(seq 50); do
	[ -s "$PIDFILE" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && { up=yes; break; }
	sleep 0.1
done
if [ $up = no ]; then
	say "not ok" "exim daemon listening on 127.0.0.1:$PORT"
	sed 's/^/# /' "$T/daemon.out"
	show_logs
	exit 1
fi
say ok "exim daemon listening on 127.0.0.1:$PORT"

# One message over SMTP, as a customer's mail server would send it.
smtp() { # from, to, file
	perl -MNet::SMTP -e '
		my ($port, $from, $to, $file) = @ARGV;
		my $s = Net::SMTP->new("127.0.0.1", Port => $port, Timeout => 20)
			or die "cannot connect: $@\n";
		$s->mail($from) or die "MAIL FROM: ", $s->message;
		$s->to($to) or die "RCPT TO: ", $s->message;
		open(my $fh, "<", $file) or die "$file: $!\n";
		local $/; my $text = <$fh>;
		$s->data($text) or die "DATA: ", $s->message;
		$s->quit;' "$PORT" "$1" "$2" "$3"
}
# Waits until a command succeeds (deliveries are asynchronous).
wait_for() {
	for _ in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
q() { db_sql "$DESK_DB" "$1"; }
# q_is SQL WANT: the query's answer is WANT ("" for: any row at all),
# asked again at each try of wait_for (a "$(q ...)" argument would be
# asked once, before exim has delivered).
q_is() {
	local got
	got=$(q "$1" 2>/dev/null)
	if [ -z "$2" ]; then [ -n "$got" ]; else [ "$got" = "$2" ]; fi
}

cat >"$T/first" <<'EOF'
From: Ann Customer <ann@customer.test>
To: support@desk.test
Subject: =?UTF-8?Q?My_caf=C3=A9_order?=
Message-ID: <first@customer.test>

Where is my order?
EOF
if smtp ann@customer.test support@desk.test "$T/first" 2>"$T/smtp.err"; then
	say ok "the customer's mail is accepted over SMTP"
else
	say "not ok" "the customer's mail is accepted over SMTP"
	sed 's/^/# /' "$T/smtp.err"
fi
if wait_for q_is "SELECT ticket_id FROM messages WHERE message_id = 'first@customer.test'" ""; then
	say ok "it reaches desk ingest through the alias"
else
	say "not ok" "it reaches desk ingest through the alias"
	show_logs
	exit 1
fi
ID=$(q "SELECT ticket_id FROM messages WHERE message_id = 'first@customer.test'")
[ "$(q "SELECT subject FROM tickets WHERE id = $ID")" = "My café order" ] &&
	say ok "ticket $ID has the decoded subject" || say "not ok" "ticket $ID has the decoded subject"
[ "$(q "SELECT mail_from FROM messages WHERE message_id = 'first@customer.test'")" = ann@customer.test ] &&
	say ok "the sender is recorded" || say "not ok" "the sender is recorded"

# The agent replies; desk hands it to exim's sendmail interface.
if "$DESK" --db "$DESK_DB" reply "$ID" --body "It ships today." >"$T/reply.out" 2>&1 &&
	[ "$(q "SELECT delivery FROM messages WHERE body = 'It ships today.'")" = sent ]; then
	say ok "desk reply hands the mail to exim (delivery sent)"
else
	say "not ok" "desk reply hands the mail to exim (delivery sent)"
	sed 's/^/# /' "$T/reply.out"
	q "SELECT delivery, delivery_error FROM messages WHERE body = 'It ships today.'" | sed 's/^/# /'
fi
if wait_for grep -q "It ships today." "$T/mail/ann"; then
	say ok "the reply lands in the customer's mailbox"
else
	say "not ok" "the reply lands in the customer's mailbox"
	show_logs
	exit 1
fi
MBOX=$T/mail/ann
hdr() { sed -n "/^$1:/{s/^$1: *//p;q}" "$MBOX"; }
[ "$(hdr From)" = "Desk Support <support@desk.test>" ] &&
	say ok "From is the support address" || say "not ok" "From is the support address: $(hdr From)"
case $(hdr Subject) in
*"[#$ID]"*) say ok "the subject carries [#$ID]" ;;
*) say "not ok" "the subject carries [#$ID]: $(hdr Subject)" ;;
esac
[ "$(hdr In-Reply-To)" = "<first@customer.test>" ] &&
	say ok "In-Reply-To names the customer's mail" || say "not ok" "In-Reply-To: $(hdr In-Reply-To)"
[ "$(hdr References)" = "<first@customer.test>" ] &&
	say ok "References names the thread" || say "not ok" "References: $(hdr References)"
REPLY_ID=$(sed -n 's/^Message-I[dD]: *<\(.*\)>.*/\1/p' "$MBOX" | head -1)
[ -n "$REPLY_ID" ] && [ "$(q "SELECT count(*) FROM messages WHERE message_id = '$REPLY_ID'")" = 1 ] &&
	say ok "its Message-ID is the one desk recorded" || say "not ok" "its Message-ID is the one desk recorded ($REPLY_ID)"

# The customer answers from their mail program: In-Reply-To our reply.
cat >"$T/answer" <<EOF
From: Ann Customer <ann@customer.test>
To: support@desk.test
Subject: Re: $(hdr Subject)
Message-ID: <answer@customer.test>
In-Reply-To: <$REPLY_ID>
References: <first@customer.test> <$REPLY_ID>

Thanks, got it!
EOF
smtp ann@customer.test support@desk.test "$T/answer" 2>"$T/smtp.err" ||
	sed 's/^/# /' "$T/smtp.err"
if wait_for q_is "SELECT ticket_id FROM messages WHERE message_id = 'answer@customer.test'" "$ID"; then
	say ok "the customer's answer comes back into ticket $ID"
else
	say "not ok" "the customer's answer comes back into ticket $ID"
	show_logs
fi
# An auto-reply through the same path is stored but marked.
cat >"$T/vacation" <<EOF
From: Ann Customer <ann@customer.test>
To: support@desk.test
Subject: Out of office
Auto-Submitted: auto-replied
Message-ID: <away@customer.test>
In-Reply-To: <$REPLY_ID>

I am away.
EOF
smtp ann@customer.test support@desk.test "$T/vacation" 2>/dev/null
if wait_for q_is "SELECT auto FROM messages WHERE message_id = 'away@customer.test'" 1; then
	say ok "an auto-reply is stored, marked automatic"
else
	say "not ok" "an auto-reply is stored, marked automatic"
fi
[ "$(grep -c '^From ' "$MBOX")" -eq 1 ] &&
	say ok "nothing answered the auto-reply" || say "not ok" "nothing answered the auto-reply"

# --- surveys (issue 14) ---
# A ticket solved; desk tick mails the survey through exim; the
# customer's numeric answer comes back over SMTP, desk ingest records it
# by the survey's token (the ticket stays solved) and desk report shows
# it.  Surveys are on for this block only (the config is put back).
cp "$T/config.yaml" "$T/config.before-surveys"
# exim delivers only to ann@customer.test: a new ticket of hers (no
# In-Reply-To), solved; what lands in her mailbox is counted from here.
SVMAILS=$(grep -c '^From ' "$T/mail/ann")
printf 'surveys:\n  kind: csat\n  delay: 0\n' >>"$T/config.yaml"
cat >"$T/sv-first" <<'EOM'
From: Ann Customer <ann@customer.test>
To: support@desk.test
Subject: Broken lid
Message-ID: <sv-first@customer.test>

The lid broke.
EOM
smtp ann@customer.test support@desk.test "$T/sv-first" 2>/dev/null
# polled: wait_for runs the check again each time, not its value once
sv_ticket() { [ -n "$(q "SELECT ticket_id FROM messages WHERE message_id = 'sv-first@customer.test'" 2>/dev/null)" ]; }
sv_score() { [ "$(q "SELECT score FROM surveys WHERE ticket_id = $SV" 2>/dev/null)" = 5 ]; }
if wait_for sv_ticket; then
	SV=$(q "SELECT ticket_id FROM messages WHERE message_id = 'sv-first@customer.test'")
	"$DESK" --db "$DESK_DB" claim "$SV" >/dev/null 2>&1
	"$DESK" --db "$DESK_DB" reply "$SV" --body "A new lid is on its way." status=solved >"$T/sv-reply.out" 2>&1 ||
		sed 's/^/# /' "$T/sv-reply.out"
	wait_for grep -q "A new lid is on its way." "$T/mail/ann"
	"$DESK" --db "$DESK_DB" tick >"$T/sv-tick.out" 2>&1
	if grep -q "^ticket $SV: survey csat mailed$" "$T/sv-tick.out" &&
		wait_for grep -q "^Message-I[dD]: <desk-survey\." "$T/mail/ann"; then
		say ok "surveys: desk tick mails the survey of solved ticket $SV through exim"
	else
		say "not ok" "surveys: desk tick mails the survey of solved ticket $SV through exim"
		sed 's/^/# /' "$T/sv-tick.out"
		show_logs
	fi
	SVMID=$(sed -n 's/^Message-I[dD]: *<\(desk-survey\.[0-9a-f]*@[^>]*\)>.*/\1/p' "$T/mail/ann" | head -1)
	"$DESK" --db "$DESK_DB" tick >"$T/sv-tick2.out" 2>&1
	[ -n "$SVMID" ] && [ "$(grep -c '^Subject: How did we do?' "$T/mail/ann")" = 1 ] &&
		grep -q "surveys: 0 mailed" "$T/sv-tick2.out" &&
		say ok "surveys: one survey with its token in the Message-ID; a second tick mails none" ||
		say "not ok" "surveys: one survey with its token in the Message-ID; a second tick mails none ($SVMID)"
	cat >"$T/sv-answer" <<EOM
From: Ann Customer <ann@customer.test>
To: support@desk.test
Subject: Re: How did we do? [#$SV]
Message-ID: <sv-answer@customer.test>
In-Reply-To: <$SVMID>

5
SURVEY-WORDS: the new lid fits.

> How satisfied are you with the help you got?
EOM
	smtp ann@customer.test support@desk.test "$T/sv-answer" 2>/dev/null
	if wait_for sv_score &&
		[ "$(q "SELECT status FROM tickets WHERE id = $SV")" = solved ]; then
		say ok "surveys: the answer over SMTP is recorded on ticket $SV (csat 5), which stays solved"
	else
		say "not ok" "surveys: the answer over SMTP is recorded on ticket $SV (csat 5), which stays solved"
		q "SELECT id, kind, auto FROM messages WHERE ticket_id = $SV" | sed 's/^/# /'
		show_logs
	fi
	# up to tomorrow: the period's end is excluded, and the answer came this second
	"$DESK" --db "$DESK_DB" report --until "$(date -u -d tomorrow +%F)" >"$T/sv-report.out" 2>&1
	grep -qE "^all +1 +100\.0%" "$T/sv-report.out" && grep -q "SURVEY COMMENTS: 1" "$T/sv-report.out" &&
		grep -q "csat 5/5   SURVEY-WORDS: the new lid fits." "$T/sv-report.out" &&
		say ok "surveys: desk report counts the answer and lists its words" ||
		{ say "not ok" "surveys: desk report counts the answer and lists its words"; sed 's/^/# /' "$T/sv-report.out"; }
	[ "$(grep -c '^From ' "$T/mail/ann")" -eq $((SVMAILS + 2)) ] && # the reply and the survey
		say ok "surveys: nothing answered the survey's answer" ||
		say "not ok" "surveys: nothing answered the survey's answer"
else
	say "not ok" "surveys: the customer's mail reaches desk"
	show_logs
fi
cp "$T/config.before-surveys" "$T/config.yaml"
# --- end surveys ---

# --- follow-through (issue 14) ---
# Mail desk starts by itself, through the same exim: (a) a follow-up
# rule's canned reply when desk tick finds a ticket left pending, (b) a
# ticket an agent starts with desk new --send, answered by the customer,
# (c) desk forward to a third party (eng), whose answer comes back as a
# note.
cat >"$T/canned.yaml" <<'EOF'
- name: no-reply-close
  title: Closing for lack of an answer
  body: |
    FOLLOW-UP-CLOSING: we have not heard back, so we are closing #{{ticket.id}}.
EOF
cat >>"$T/config.yaml" <<EOF
canned: $T/canned.yaml
follow_up_rules:
  - name: no-reply-close
    when: pending
    after: 7d
    without: customer_reply
    do: {status: solved, canned: no-reply-close}
EOF
# msg_header FILE TEXT HEADER: HEADER's value in the mbox message of
# FILE whose text holds TEXT.
msg_header() {
	awk -v want="$2" -v h="$(echo "$3" | tr 'A-Z' 'a-z')" '
		function done() { if (found && val != "") { print val; exit } }
		/^From / { done(); found = 0; val = ""; inhdr = 1; next }
		inhdr && /^$/ { inhdr = 0 }
		inhdr && tolower(substr($0, 1, length(h) + 1)) == h ":" {
			val = $0; sub(/^[^:]*: */, "", val) }
		index($0, want) { found = 1 }
		END { done() }' "$1"
}
# (a) pending since 8 days ago (DESK_NOW), the rule's 7 days are up;
# solving needs an owner.
PAST=$(($(date +%s) - 8 * 86400))
FU=$(DESK_NOW=$PAST "$DESK" --db "$DESK_DB" new --subject "Printer jam" --name "Ann Customer" \
	--email ann@customer.test --body "The printer jams." --assign "$(id -un)" 2>&1 |
	sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p')
DESK_NOW=$PAST "$DESK" --db "$DESK_DB" set "$FU" status=pending >/dev/null 2>&1
"$DESK" --db "$DESK_DB" tick >"$T/tick.out" 2>&1
if grep -q "^ticket $FU: rule no-reply-close: reply no-reply-close, status pending -> solved, reply mailed$" "$T/tick.out" &&
	[ "$(q "SELECT status FROM tickets WHERE id = $FU")" = solved ]; then
	say ok "desk tick applies the follow-up rule to ticket $FU (pending 8 days) and mails its reply"
else
	say "not ok" "desk tick applies the follow-up rule to ticket $FU (pending 8 days) and mails its reply"
	sed 's/^/# /' "$T/tick.out"
fi
if wait_for grep -q "FOLLOW-UP-CLOSING: we have not heard back, so we are closing #$FU." "$T/mail/ann"; then
	say ok "the follow-up's canned reply lands in the customer's mailbox"
else
	say "not ok" "the follow-up's canned reply lands in the customer's mailbox"
	show_logs
fi

# (b) the agent writes first; the customer answers over SMTP.
if "$DESK" --db "$DESK_DB" new --send --subject "Your renewal" --name "Ann Customer" \
	--email ann@customer.test --body "OUTBOUND-FIRST: your plan renews on Monday." \
	>"$T/new.out" 2>&1; then
	say ok "desk new --send hands the first mail to exim"
else
	say "not ok" "desk new --send hands the first mail to exim"
	sed 's/^/# /' "$T/new.out"
fi
OB=$(sed -n 's/^desk: ticket \([0-9][0-9]*\) created$/\1/p' "$T/new.out")
if wait_for grep -q "OUTBOUND-FIRST" "$T/mail/ann"; then
	say ok "the outbound mail lands in the customer's mailbox"
else
	say "not ok" "the outbound mail lands in the customer's mailbox"
	show_logs
fi
case $(msg_header "$T/mail/ann" OUTBOUND-FIRST Subject) in
"Your renewal [#$OB]") say ok "it opens a thread: \"Your renewal [#$OB]\", no Re:" ;;
*) say "not ok" "it opens a thread: $(msg_header "$T/mail/ann" OUTBOUND-FIRST Subject)" ;;
esac
OB_ID=$(msg_header "$T/mail/ann" OUTBOUND-FIRST Message-Id | tr -d '<>')
cat >"$T/ob-answer" <<EOF
From: Ann Customer <ann@customer.test>
To: support@desk.test
Subject: Re: Your renewal
Message-ID: <ob-answer@customer.test>
In-Reply-To: <$OB_ID>
References: <$OB_ID>

OUTBOUND-ANSWER: yes, renew it.
EOF
smtp ann@customer.test support@desk.test "$T/ob-answer" 2>"$T/smtp.err" ||
	sed 's/^/# /' "$T/smtp.err"
if [ -n "$OB" ] && [ -n "$OB_ID" ] &&
	wait_for q_is "SELECT ticket_id FROM messages WHERE message_id = 'ob-answer@customer.test'" "$OB"; then
	say ok "the customer's answer over SMTP lands in the same ticket $OB"
else
	say "not ok" "the customer's answer over SMTP lands in the same ticket ($OB, $OB_ID)"
	show_logs
fi
[ "$(q "SELECT m.kind || ' ' || t.status FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = 'ob-answer@customer.test'")" = "customer open" ] &&
	say ok "... as the customer's message, reopening it" ||
	say "not ok" "... as the customer's message, reopening it"

# (c) a third party is asked; their answer is a note, not the customer's.
if "$DESK" --db "$DESK_DB" forward "$OB" --to eng@customer.test --body "FORWARD-ASK: can we renew early?" \
	>"$T/fwd.out" 2>&1; then
	say ok "desk forward hands the thread to exim"
else
	say "not ok" "desk forward hands the thread to exim"
	sed 's/^/# /' "$T/fwd.out"
fi
if wait_for grep -q "FORWARD-ASK" "$T/mail/eng" &&
	grep -q "^> OUTBOUND-ANSWER: yes, renew it.$" "$T/mail/eng"; then
	say ok "the forward lands in the third party's mailbox, the thread quoted"
else
	say "not ok" "the forward lands in the third party's mailbox, the thread quoted"
	show_logs
fi
FWD_ID=$(msg_header "$T/mail/eng" FORWARD-ASK Message-Id | tr -d '<>')
cat >"$T/eng-answer" <<EOF
From: Eng <eng@customer.test>
To: support@desk.test
Subject: Re: Fwd: Your renewal [#$OB]
Message-ID: <eng-answer@customer.test>
In-Reply-To: <$FWD_ID>

ENG-ANSWER: yes, from tomorrow.
EOF
smtp eng@customer.test support@desk.test "$T/eng-answer" 2>"$T/smtp.err" ||
	sed 's/^/# /' "$T/smtp.err"
if [ -n "$FWD_ID" ] &&
	wait_for q_is "SELECT ticket_id || ' ' || kind FROM messages WHERE message_id = 'eng-answer@customer.test'" "$OB note"; then
	say ok "the third party's answer over SMTP is an internal note on ticket $OB"
else
	say "not ok" "the third party's answer over SMTP is an internal note on ticket $OB ($FWD_ID)"
	show_logs
fi
[ "$(q "SELECT status FROM tickets WHERE id = $OB")" = open ] &&
	say ok "... and does not change the ticket's status" ||
	say "not ok" "... and does not change the ticket's status"
# --- end follow-through ---
