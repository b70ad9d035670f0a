# survey_tests.bash: sourced by cli_tests.bash (its harness, $DESK, $TMP,
# $W).  Surveys desk mails itself (issue 14) on a database of its own,
# with a stand-in sendmail that keeps each message: the surveys: config
# checked, desk tick mailing a due survey once, the customer's answer
# recorded by desk ingest by its token without reopening, desk survey
# for answers by phone, desk survey list, desk show and desk report.

# shellcheck source=tests/cli/team_db.bash
. "$ROOT/tests/cli/team_db.bash"
mkdir -p "$TMP/sv"
team_db SVDB "$TMP/sv/desk.db"
SVPERS=$TMP/sv/personal.yaml
SVSENT=$TMP/sv/sent
: >"$SVPERS"
cat >"$TMP/sv/sendmail" <<EOS
#!/bin/sh
cat >> '$SVSENT'
echo '--END--' >> '$SVSENT'
EOS
chmod +x "$TMP/sv/sendmail"
cat >"$TMP/sv/config.yaml" <<EOF
mail:
  support_address: Support <help@desk.test>
  sendmail: ["$TMP/sv/sendmail", "-t", "-oi"]
surveys:
  kind: csat
  delay: 1d
  subject: How did we do?
EOF
SV0=1800000000
SV1=$((SV0 + 86400 + 60))
sv() {
	local now=$1
	shift
	DESK_NOW=$now DESK_SYSTEM_CONFIG=$SVDB_SYS run --db "$SVDB" --config "$SVPERS" "$@"
}
sv_in() {
	local now=$1 input=$2
	shift 2
	DESK_NOW=$now DESK_SYSTEM_CONFIG=$SVDB_SYS run_in "$input" --db "$SVDB" --config "$SVPERS" "$@"
}

t "surveys: setup (a mail ticket, solved)"
sv $SV0 init
rc_is 0
sv $SV0 new --subject "Broken hinge" --name "Cy Young" --email cy@example.com --channel email \
	--body "The hinge broke."
sv $SV0 claim 1
sv $SV0 set 1 status=solved
rc_is 0
sv $SV0 config check
rc_is 0
sv $SV0 config show
rc_is 0
out_has "surveys:  # $TMP/sv/config.yaml:4"
out_has "  kind: csat"
out_has "  delay: 1d"
out_has "  channels: [email]"
out_has "  sample: 100%"
out_has "  min_interval: 30d"
end

t "surveys: a bad setting is refused with file:line:column"
mkdir -p "$TMP/sv/bad"
team_db SVBAD "$TMP/sv/bad/desk.db" "$SVDB"
cat >"$TMP/sv/bad/config.yaml" <<'EOF'
surveys:
  kind: csat
  sample: 150
EOF
DESK_SYSTEM_CONFIG=$SVBAD_SYS run --db "$SVBAD" --config "$SVPERS" config check
rc_is 1
err_has "bad/config.yaml:3:11: expected an integer from 0 to 100, got \"150\""
end

t "tick: nothing before the delay; --dry-run says what it would mail and mails nothing"
: >"$SVSENT"
sv $SV0 tick
rc_is 0
out_has "desk tick: surveys: 0 mailed, 0 skipped, 0 failed"
sv $SV1 tick --dry-run
rc_is 0
out_is "would: ticket 1: survey csat
desk tick: 0 rules, 0 tickets would be acted on (dry run), 0 failed
desk tick: surveys: 1 would be mailed (dry run), 0 skipped, 0 failed"
[ ! -s "$SVSENT" ] || fail "sendmail ran on a dry run"
end

t "tick mails the survey once: its subject, its token in the Message-ID and the text"
sv $SV1 tick
rc_is 0
out_is "ticket 1: survey csat mailed
desk tick: 0 rules, 0 tickets acted on, 0 failed
desk tick: surveys: 1 mailed, 0 skipped, 0 failed"
has "the survey" "$SVSENT" "Subject: How did we do? [#1]"
has "the survey" "$SVSENT" "To: Cy Young <cy@example.com>"
has "the survey" "$SVSENT" "Auto-Submitted: auto-generated"
has "the survey" "$SVSENT" "from 1 (not at all) to 5"
SVTOK=$(sed -n 's/^Message-Id: <desk-survey\.\([0-9a-f]\{32\}\)@desk\.test>$/\1/p' "$SVSENT")
[ -n "$SVTOK" ] || fail "no desk-survey token in the Message-Id"
has "the survey's text" "$SVSENT" "desk-survey.$SVTOK"
sv $SV1 tick
rc_is 0
out_has "desk tick: surveys: 0 mailed, 0 skipped, 0 failed"
[ "$(grep -c -- '--END--' "$SVSENT")" = 1 ] || fail "more than one survey was mailed"
end

t "ingest: the numeric answer is recorded by its token, the ticket stays solved, nothing answers it"
: >"$SVSENT"
sv_in $SV1 "From: Cy Young <cy@example.com>
To: help@desk.test
Subject: Re: How did we do? [#1]
Message-ID: <answer1@example.com>
In-Reply-To: <desk-survey.$SVTOK@desk.test>

4 - quick, but the
hinge came late.

> How satisfied are you? 1 to 5
" ingest -v
rc_is 0
out_is "desk: added to ticket 1 (message 3, survey answer: csat 4/5 recorded)"
[ "$(db_sql "$SVDB" 'SELECT status, reopens FROM tickets WHERE id = 1')" = "solved|0" ] ||
	fail "the ticket was reopened"
[ ! -s "$SVSENT" ] || fail "something was mailed back"
sv $SV1 show 1
out_has "--- survey csat 4/5, answered by mail,"
out_has "quick, but the
hinge came late."
sv $SV1 show 1 --json
python3 -c 'import json,sys; s=json.load(sys.stdin)["surveys"]; assert s==[{"kind":"csat","score":4,"at":s[0]["at"],"comment":"quick, but the\nhinge came late."}], s' <"$W/out" ||
	fail "show --json: $(cat "$W/out")"
end

t "ingest: an answer without a number is kept, records no score, reopens nothing"
sv_in $SV1 "From: Cy Young <cy@example.com>
To: help@desk.test
Subject: Re: How did we do?
Message-ID: <answer2@example.com>
In-Reply-To: <desk-survey.$SVTOK@desk.test>

Who is asking?
" ingest -v
rc_is 0
out_has "survey answer: no score: the reply's first lines hold no number (csat takes 1 to 5); kept as a message"
[ "$(db_sql "$SVDB" 'SELECT count(*), max(score) FROM surveys')" = "1|4" ] || fail "the answer changed"
[ "$(db_sql "$SVDB" 'SELECT status FROM tickets WHERE id = 1')" = solved ] || fail "reopened"
end

t "survey: an answer by phone, with an audit event; a bad score or kind is refused"
sv $SV1 survey 1 nps 9 --comment "Said on the phone: great"
rc_is 0
out_is "desk: ticket 1: survey nps 9/10 recorded"
sv $SV1 survey 1 csat 6
rc_is 1
err_is "desk: score 6 is out of range: csat takes 1 to 5"
sv $SV1 survey 1 stars 5
rc_is 2
err_has "\"stars\": expected a kind: csat, ces or nps"
[ "$(count 'SELECT count(*) FROM surveys' "$SVDB")" = 2 ] || fail "a refused answer was stored"
sv $SV1 show 1 --history
out_match "survey +recorded: - -> nps 9/10"
out_match "survey +answer: - -> csat 4/5"
# recorded again: a correction, not a second answer to count
sv $SV1 survey 1 nps 9 --comment "Said on the phone: great"
rc_is 0
out_is "desk: ticket 1: survey nps 9/10 recorded, replacing the answer recorded before"
[ "$(count 'SELECT count(*) FROM surveys' "$SVDB")" = 2 ] || fail "a correction was counted twice"
end

t "survey list: supervisors see every answer, oldest first; --kind, --json; agents may not"
sv $SV1 survey list
rc_is 0
out_match "^2027-01-16 08:01  #1      csat 4/5   mail  Cy Young: quick, but the hinge came late\.$"
out_match "#1      nps 9/10   by root  Cy Young: Said on the phone: great$"
out_has "desk survey list: 2 answers"
sv $SV1 survey list --kind nps --json
rc_is 0
python3 -c 'import json,sys; l=json.load(sys.stdin); assert [(x["kind"],x["score"],x["via"]) for x in l]==[("nps",9,"agent")], l' <"$W/out" ||
	fail "--json: $(cat "$W/out")"
sv $SV1 agent add bob --role agent
sv $SV1 --as bob survey list
rc_is 1
err_has "survey answers are for supervisors and admins"
end

t "report: the CSAT and NPS figures count the answers; their comments are listed"
sv $((SV1 + 60)) report --since 2027-01-01
rc_is 0
out_match "^all +1 +100\.0% +0 +- +1 +\+100\.0$"
out_has "SURVEY COMMENTS: 2"
out_match "#1 +2027-01-16 08:01  csat 4/5   quick, but the hinge came late\."
sv $((SV1 + 60)) report --since 2027-01-01 --json
rc_is 0
python3 -c 'import json,sys; l=json.load(sys.stdin)["survey_comments"]; assert len(l)==2 and l[0]["ticket"]==1 and l[0]["kind"]=="csat" and l[0]["score"]==4 and l[0]["comment"]=="quick, but the\nhinge came late." and l[0]["answered_at"].startswith("2027-01-16T08:01"), l' <"$W/out" ||
	fail "--json survey_comments: $(cat "$W/out")"
end
