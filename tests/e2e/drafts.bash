# drafts.bash: the drafts list (`d`, :drafts), the queue's draft mark
# and signatures in the console.
#
#   bash tests/e2e/drafts.bash PATH-TO-DESK
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash" "$@"

# An editor that writes "DRAFT-TEXT-N " on the first line, N counting
# the times it ran, so each text is told apart.
cat >"$TMP/counting-editor.sh" <<EOS
#!/bin/sh
n=\$(cat "$TMP/editor.count" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$TMP/editor.count"
sed -i "1s/^/DRAFT-TEXT-\$n /" "\$1"
EOS
chmod +x "$TMP/counting-editor.sh"

# The agent's draft of a kind on a ticket, straight from the database.
draft_of() {
	db_sql "SELECT d.body FROM drafts d JOIN agents a ON a.id = d.agent_id WHERE d.ticket_id = $1 AND a.login = '$(id -un)' AND d.kind = '$2'"
}
new_id() { sed -n 's/.*ticket \([0-9]*\) created.*/\1/p'; }
open_ticket() {
	keys :
	type_text "open $1"
	keys Enter
	wait_for "#$1 DRAFTSUBJ"
}

t1=$("$DESK" new --subject "DRAFTSUBJ one" --email one@example.com --name "One" --body "first?" 2>&1 | new_id)
t2=$("$DESK" new --subject "DRAFTSUBJ two" --email two@example.com --name "Two" --body "second?" 2>&1 | new_id)
t3=$("$DESK" new --subject "DRAFTSUBJ three" --email three@example.com --name "Three" --body "third?" 2>&1 | new_id)
"$DESK" agent signature --text $'SIG-LINE-ONE\nThe Support Team' >/dev/null 2>&1

START_ENV="EDITOR=$TMP/counting-editor.sh" start 160 45
wait_for "Queue: open ("
# The three tickets in the queue, to see their marks come and go.
keys f
wait_for "Filter:"
type_text "DRAFTSUBJ"
wait_for "DRAFTSUBJ three"
keys Enter

# A reply postponed on t1 (with the signature below its text), a note on t2.
open_ticket "$t1"
keys r
if wait_for "Send the reply on #$t1?"; then
	keys p
	wait_for "Draft saved"
fi
check "postponing marks the ticket's queue row [d] at once" wait_for "[d] DRAFTSUBJ one"
open_ticket "$t2"
keys i
if wait_for "Add the note to #$t2?"; then
	keys p
	wait_for "Draft saved"
fi
reply=$(draft_of "$t1" reply)
note=$(draft_of "$t2" note)
if [[ $reply == "DRAFT-TEXT-1 "*$'\n\n-- \nSIG-LINE-ONE\nThe Support Team' ]]; then
	ok "a reply gets the signature below its text, after a '-- ' line"
else
	fail "a reply gets the signature below its text, after a '-- ' line" "reply draft: '$reply'"
fi
if [[ $note == "DRAFT-TEXT-2"* ]] && [[ $note != *SIG-LINE-ONE* ]]; then
	ok "a note gets no signature"
else
	fail "a note gets no signature" "note draft: '$note'"
fi

# The queue marks the rows with a draft, read afresh.
keys q
keys C-r
if wait_for "DRAFTSUBJ three" && wait_for "[d] DRAFTSUBJ one" && wait_for "[d] DRAFTSUBJ two" &&
	[[ $SCREEN != *"[d] DRAFTSUBJ three"* ]]; then
	ok "queue rows where the agent has a draft are marked [d], the others not"
else
	fail "queue rows where the agent has a draft are marked [d], the others not" "no marks"
fi

# d lists both, newest first, with kind, age and first line.
keys d
if wait_for "Your drafts" && wait_for "#$t2" && wait_for "#$t1"; then
	rows=$(printf '%s\n' "$SCREEN" | grep -n -E "#($t1|$t2) +(reply|note) ")
	first=$(printf '%s\n' "$rows" | head -1)
	second=$(printf '%s\n' "$rows" | sed -n 2p)
	if [[ $first == *"#$t2"*"note"*"just now"*"DRAFTSUBJ two"*"DRAFT-TEXT-2"* ]] &&
		[[ $second == *"#$t1"*"reply"*"just now"*"DRAFTSUBJ one"*"DRAFT-TEXT-1"* ]]; then
		ok "d lists both drafts, newest first, with kind, age, subject and first line"
	else
		fail "d lists both drafts, newest first, with kind, age, subject and first line" "rows: $rows"
	fi
else
	fail "d lists both drafts, newest first, with kind, age, subject and first line" "no list"
fi

# Enter on the second resumes the reply on t1 in the editor, shown.
keys Down
keys Enter
if wait_for "Send the reply on #$t1?"; then
	cap
	if [[ $SCREEN == *"#$t1 DRAFTSUBJ one"* ]]; then
		ok "Enter resumes the chosen draft in the editor, its ticket shown"
	else
		fail "Enter resumes the chosen draft in the editor, its ticket shown" "ticket not shown"
	fi
	keys s
	wait_for "Reply saved on #$t1" || wait_for "Sent"
	shown=$(desk_show "$t1")
	sigs=$(printf '%s\n' "$shown" | grep -c "SIG-LINE-ONE")
	if [[ $shown == *"DRAFT-TEXT-3 DRAFT-TEXT-1"* ]] && [ "$sigs" -eq 1 ] && [ -z "$(draft_of "$t1" reply)" ]; then
		ok "the resumed reply is sent with its signature once (desk show)"
	else
		fail "the resumed reply is sent with its signature once (desk show)" "$sigs signatures in: $shown"
	fi
else
	fail "Enter resumes the chosen draft in the editor, its ticket shown" "no send question"
fi

# The note, resumed and added: no signature in desk show.
keys d
if wait_for "Your drafts" && wait_for "#$t2"; then
	keys Enter
	if wait_for "Add the note to #$t2?"; then
		keys s
		wait_for "Note added to #$t2"
		shown=$(desk_show "$t2")
		if [[ $shown == *"DRAFT-TEXT-4 DRAFT-TEXT-2"* ]] && [[ $shown != *SIG-LINE-ONE* ]]; then
			ok "the note is added without a signature (desk show)"
		else
			fail "the note is added without a signature (desk show)" "$shown"
		fi
	else
		fail "the note is added without a signature (desk show)" "no add question"
	fi
else
	fail "the note is added without a signature (desk show)" "no list"
fi

# Delete in the list, after a y/n question.
open_ticket "$t2"
keys r
wait_for "Send the reply on #$t2?" && keys p && wait_for "Draft saved"
keys d
if wait_for "Your drafts" && wait_for "#$t2"; then
	keys Delete
	if wait_for "Delete your reply draft on #$t2? (y/n)"; then
		keys y
		if wait_for "Deleted your reply draft on #$t2." && [ -z "$(draft_of "$t2" reply)" ] &&
			wait_for "  DRAFTSUBJ two" && [[ $SCREEN != *"[d] DRAFTSUBJ two"* ]]; then
			ok "Delete in the list deletes the draft after y"
		else
			fail "Delete in the list deletes the draft after y" "still there"
		fi
	else
		fail "Delete in the list deletes the draft after y" "no question"
	fi
else
	fail "Delete in the list deletes the draft after y" "no list"
fi

# A draft of a ticket merged away: marked, and Enter carries it over.
open_ticket "$t3"
keys r
wait_for "Send the reply on #$t3?" && keys p && wait_for "Draft saved"
"$DESK" merge "$t3" "$t1" >"$TMP/merge.out" 2>&1
wait_for "Merged into ticket #$t1"
keys d
if wait_for "Your drafts" && wait_for "#$t3 " && wait_for "[merged into #$t1] DRAFTSUBJ three"; then
	keys Enter
	if wait_for "Send the reply on #$t1?"; then
		keys p
		if wait_for "Draft saved" && [[ $(draft_of "$t1" reply) == "DRAFT-TEXT-"*"SIG-LINE-ONE"* ]] &&
			[ -z "$(draft_of "$t3" reply)" ]; then
			ok "a draft of a merged ticket is marked and resumed on the ticket it was merged into"
		else
			fail "a draft of a merged ticket is marked and resumed on the ticket it was merged into" "draft not moved"
		fi
	else
		fail "a draft of a merged ticket is marked and resumed on the ticket it was merged into" "no send question"
	fi
else
	fail "a draft of a merged ticket is marked and resumed on the ticket it was merged into" "not marked"
fi

# ? shows the mark's legend (at its end).
keys '?'
wait_for "Help: keys"
keys G
check "? explains the [d] mark" wait_for "you have an unsent draft on it"
keys q

keys Q
check "Q quits with status 0" wait_for "DESK-EXITED=0"
finish
