# customer_tests.bash: sourced by cli_tests.bash (its harness, $DESK,
# $TMP, $W).  desk customer list|show|tickets|edit|merge on a database of
# its own: several addresses per customer, the refusals, the role check,
# the audit trail, and mail from a second address threading by its tag.

# The team's file beside the database sets the mail address; the
# personal one is empty.
# shellcheck source=tests/cli/team_db.bash
. "$ROOT/tests/cli/team_db.bash"
mkdir -p "$TMP/customers"
team_db CDB "$TMP/customers/desk.db"
CCFG=$TMP/customers/personal.yaml
: >"$CCFG"
printf 'mail:\n  support_address: Support <help@desk.test>\n' >"$TMP/customers/config.yaml"
cu() { DESK_SYSTEM_CONFIG=$CDB_SYS run --db "$CDB" --config "$CCFG" "$@"; }
cu_in() {
	local input=$1
	shift
	DESK_SYSTEM_CONFIG=$CDB_SYS run_in "$input" --db "$CDB" --config "$CCFG" "$@"
}

t "customer: setup (two customers with a ticket each, an agent)"
cu init
rc_is 0
cu new --subject "Printer jam" --name "Cy Young" --email cy@example.com --body "It jams."
rc_is 0
cu new --subject "Invoice" --name "Cy at work" --email cy.young@work.example --body "Copy please."
rc_is 0
cu agent add ann --name Ann
rc_is 0
end

t "customer list finds by name, organization or address"
cu customer list work
rc_is 0
out_is "    ID EMAIL                            ORGANIZATION             NAME
     2 cy.young@work.example            -                        Cy at work"
err_empty
end

t "customer edit: details and more addresses, each audited"
cu customer edit 1 --phone "+1 555 0100" --organization "Young & Co" --add-email cy@home.example \
	--add-email cy@old.example
rc_is 0
out_is "desk: customer #1 changed"
cu customer show cy@home.example
rc_is 0
out_is "Customer #1
name:         Cy Young
email:        cy@example.com
also:         cy@home.example
also:         cy@old.example
phone:        +1 555 0100
organization: Young & Co
tickets:      1 (1 open); desk customer tickets 1"
n=$(count "SELECT count(*) FROM events WHERE ticket_id IS NULL AND field LIKE 'customer:1.%'" "$CDB")
[ "$n" = 4 ] || fail "$n customer events, want 4 (phone, organization, two addresses)"
end

t "customer show --json has every address and the ticket counts"
cu customer show 1 --json
rc_is 0
"$PYTHON" - "$W/out" <<'EOF' || fail "JSON: $(cat "$W/out")"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["id"] == 1 and c["email"] == "cy@example.com", c
assert sorted(c["emails"]) == ["cy@example.com", "cy@home.example", "cy@old.example"], c
assert c["tickets"] == 1 and c["open_tickets"] == 1, c
EOF
end

t "customer edit refuses another customer's address, naming the merge"
cu customer edit 1 --add-email CY.YOUNG@work.example --tier gold
rc_is 1
err_is "desk: CY.YOUNG@work.example is customer #2's address; to make them one customer: desk customer merge 2 1"
cu customer show 1 --json
"$PYTHON" -c 'import json,sys; c=json.load(open(sys.argv[1])); assert c["tier"] is None, c' "$W/out" ||
	fail "the tier changed although the edit was refused"
end

t "customer edit refuses a bad address and removing the main one"
cu customer edit 1 --add-email "not an address"
rc_is 1
err_is 'desk: "not an address" is not an address desk can write to (like name@example.com)'
cu customer edit 1 --remove-email cy@example.com
rc_is 1
err_is "desk: cy@example.com is where replies go; make another address the main one first (--email)"
cu customer edit 1
rc_is 2
err_has "nothing to change"
cu customer show nobody@example.com
rc_is 1
err_is "desk: no customer with the address nobody@example.com"
end

t "a [#N] reply from another address of the customer joins the ticket"
cu_in $'From: Cy <cy@home.example>\nSubject: Re: [#1] Printer jam\nMessage-ID: <h1@home.example>\n\nStill jams.\n' ingest --verbose
rc_is 0
out_is "desk: added to ticket 1 (message 3)"
cu show 1
out_has "Still jams."
out_lacks "(not the customer)"
end

t "customer merge is for supervisors and admins; it moves tickets and addresses"
cu --as ann customer merge 2 1
rc_is 1
err_is "desk: merging customers is for supervisors and admins; ann is an agent"
cu customer merge 2 1
rc_is 0
out_is "desk: customer #2 merged into #1"
cu customer tickets cy.young@work.example
rc_is 0
out_has "Printer jam"
out_has "Invoice"
cu customer show 2
rc_is 1
err_is "desk: no customer #2"
moved=$(count "SELECT count(*) FROM events WHERE ticket_id = 2 AND field = 'customer' AND old_value = '2' AND new_value = '1'" "$CDB")
[ "$moved" = 1 ] || fail "ticket 2 has $moved customer events, want 1"
end

t "customer usage errors exit 2"
cu customer frob
rc_is 2
err_has '"frob": expected list, show, edit, merge or tickets'
cu customer show 1 2
rc_is 2
cu customer list --phone 1
rc_is 2
err_has "the field options go with customer edit"
end
