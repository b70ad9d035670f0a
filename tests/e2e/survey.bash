# survey.bash: the survey answer an agent records in the console
# (issue 14): `V` asks for it on the open ticket, with the team's kind
# filled in; the answer (score and words) stands in the conversation; a
# score out of range is refused on the message line, nothing stored;
# `:survey nps 9 ...` does the same from the command prompt.
#
#   bash tests/e2e/survey.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

printf 'surveys:\n  kind: ces\n  channels: [phone]\n' >>"$DESK_CONFIG"
answers() { db_sql "SELECT count(*) FROM surveys WHERE ticket_id = $1"; }

t=$("$DESK" new --subject "SURVEY-PHONE" --name "Ann Phone" --phone "+1 555 0100" --channel phone \
	--body "Called about the invoice." 2>&1 | sed -n "s/.*ticket \([0-9][0-9]*\) created.*/\1/p")
start 160 45
wait_for "Queue: open ("
keys :
type_text "open $t"
keys Enter
wait_for "#$t SURVEY-PHONE"

keys V
check "V asks for the answer, the team's kind (ces) filled in" \
	wait_for "Survey answer for #$t" && wait_for ": ces "
type_text "9 too high"
keys Enter
if wait_for "score 9 is out of range: ces takes 1 to 7" && [ "$(answers "$t")" = 0 ]; then
	ok "a score out of the kind's range is refused on the message line, nothing stored"
else
	fail "a score out of the kind's range is refused on the message line, nothing stored" \
		"answers $(answers "$t")"
fi

keys V
wait_for "Survey answer for #$t"
type_text "6 SMOOTH-CALL"
keys Enter
if wait_for "#$t: survey ces 6/7 recorded." && wait_for "SURVEY ces 6/7 · recorded by" &&
	wait_for "SMOOTH-CALL" && [ "$(answers "$t")" = 1 ]; then
	ok "V records the answer; the conversation shows the score and the words"
else
	fail "V records the answer; the conversation shows the score and the words" \
		"answers $(answers "$t")"
fi

# words typed elsewhere (desk survey, a customer's mail) are shown, never obeyed
"$DESK" survey "$t" csat 4 --comment "$(printf 'ESC-WORDS\033[31mRED')" >/dev/null 2>&1
check "another agent's answer appears, its escape shown visibly" wait_for "ESC-WORDS^[[31mRED"

keys :
type_text "survey nps 9 WOULD-RECOMMEND"
keys Enter
if wait_for "#$t: survey nps 9/10 recorded." && wait_for "WOULD-RECOMMEND" &&
	[ "$(answers "$t")" = 3 ]; then
	ok ":survey KIND SCORE words records an answer from the command prompt"
else
	fail ":survey KIND SCORE words records an answer from the command prompt" "answers $(answers "$t")"
fi
check "... with its audit event" \
	sh -c "\"$DESK\" show $t --history | grep -q 'survey   recorded: - -> nps 9/10'"
finish
