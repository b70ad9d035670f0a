#!/bin/sh
# man/desk.1 is true to the program: its KEYS section is what `desk keys`
# (the action table) says, and every command of `desk --help` has an entry.
set -u
desk=$1
passed=0 failed=0 n=0
result() { n=$((n + 1)); if [ "$1" = ok ]; then passed=$((passed + 1)); echo "ok $n - $2"
	else failed=$((failed + 1)); echo "not ok $n - $2"; printf '%s\n' "$3" | sed 's/^/#   /'; fi; }

want=$(sh tests/man/keys.sh "$desk")
have=$(awk '/^\.\\" BEGIN KEYS/ {on = 1; next} /^\.\\" END KEYS/ {on = 0} on' man/desk.1)
if [ "$want" = "$have" ]; then result ok "man/desk.1 KEYS matches the action table" ""
else result fail "man/desk.1 KEYS matches the action table" \
	"$(printf '%s\n' "$want" > /tmp/want.$$; printf '%s\n' "$have" | diff - /tmp/want.$$ | head -20; rm -f /tmp/want.$$)
regenerate with: sh tests/man/keys.sh ./desk --write"; fi

missing=""
for cmd in $("$desk" --help | awk '/^Commands:/ {on = 1; next} /^$/ {on = 0} on {print $1}'); do
	grep -q "^\.B[IR]* \"*$cmd\b" man/desk.1 || grep -q "^\.BI* \"$cmd " man/desk.1 || missing="$missing $cmd"
done
if [ -z "$missing" ]; then result ok "every command of desk --help is in man/desk.1" ""
else result fail "every command of desk --help is in man/desk.1" "missing:$missing"; fi

for page in man/*.[157]; do
	if out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) && [ -z "$out" ]; then
		result ok "$page formats without warnings" ""
	else result fail "$page formats without warnings" "$out"; fi
	# A font escape or a .TP tag that shows as text is a markup slip.
	stray=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | grep -n -e '\\f[BIRP]' -e '\\e' -e '^ *\.[A-Z][A-Z]* ' | head -5)
	if [ -z "$stray" ]; then result ok "$page shows no markup as text" ""
	else result fail "$page shows no markup as text" "$stray"; fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
