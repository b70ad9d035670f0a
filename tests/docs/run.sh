#!/bin/bash
# run.sh: every example of the README and the man pages runs as written
# and does what the text says.  `make check` runs
#   bash tests/docs/run.sh ./desk
# from the top of the repository.
#
# Each document gets a scratch world of its own (HOME, config, a fresh
# demo database made by its own first example where it has one) and its
# `desk ...` example lines run in order, as a reader would type them;
# each must exit 0.  Lines that need what a test cannot have (root's
# installed setgid set-up, an MTA, the console's terminal) are listed in
# SKIP below with the reason and the suite that covers them.  The key
# sample of config.example.yaml is loaded as a keys file, and the file
# itself as a team file.
set -u
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: bash tests/docs/run.sh PATH-TO-DESK" >&2
	exit 2
fi
DESK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/desk-docs.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/bin"
ln -s "$DESK" "$TMP/bin/desk"
unset DESK_CONFIG DESK_DB DESK_NOW VISUAL
export PATH="$TMP/bin:$PATH" TZ=UTC

N=0 PASS=0 FAIL=0
ok() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $1"; }
not_ok() {
	N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $1"
	printf '%s\n' "$2" | head -20 | LC_ALL=C tr '\000-\010\013-\037\177' '?' | sed 's/^/#   /'
}

# An example that cannot run here, and why (a fixed string match on the
# whole example line).
skip_reason() {
	case $1 in
	"desk") echo "the console itself: tests/e2e drives it in tmux" ;;
	"desk init --shared "*|"desk --db /var/lib/desk/"*|*"/usr/local/bin/desk"*)
		echo "root's installed setgid set-up: tests/priv runs it" ;;
	"desk outbox --retry"*) echo "runs from cron against a real MTA: tests/mail" ;;
	"desk db copy "*"postgresql:"*) echo "needs a PostgreSQL server: tests/cli/db_copy_tests.bash runs one" ;;
	"desk init --postgresql "*|"desk --db 'host=/run/postgresql "*|"desk -c 'GRANT desk_agent"*)
		echo "a PostgreSQL server's set-up as root: tests/pg/roles_test.sh runs these steps" ;;
	"desk backup --force /srv/"*) echo "a cron line writing to the box's /srv: tests/fault backs up during a write storm" ;;
	*) return 1 ;;
	esac
}

# world NAME: a scratch HOME and database for one document; the team's
# file beside the database, as make run writes it.
world() {
	W=$TMP/$1
	mkdir -p "$W/home" "$W/db"
	export HOME=$W/home XDG_CONFIG_HOME=$W/home/.config XDG_DATA_HOME=$W/home/.local/share
	export DESK_DB=$W/db/desk.db
	printf 'canned: %s/tests/data/canned.yaml\nthemes_dir: %s/themes\n' "$ROOT" "$ROOT" \
		>"$W/db/config.yaml"
	# the sample knowledge base, for the `desk kb` examples
	printf 'knowledge_base:\n  path: %s/tests/data/kb\n  public_url: %s\n' "$ROOT" \
		'https://help.example.com/kb/{slug}' >>"$W/db/config.yaml"
}

# run_examples DOC: each line of stdin is an example from DOC.
run_examples() {
	local doc=$1 line reason
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if reason=$(skip_reason "$line"); then
			ok "$doc: $line # SKIP $reason"
			continue
		fi
		if out=$(cd "$W" && bash -c "set -o pipefail; $line" 2>&1 </dev/null); then
			ok "$doc: $line"
		else
			not_ok "$doc: $line" "exit $?: $out"
		fi
	done
}

# README: the indented `desk ...` lines, comments cut.
readme_examples() {
	sed -n 's/^    \(desk\( .*\)\{0,1\}\)$/\1/p' "$ROOT/README.md" |
		grep -v '^desk [a-z]*,' | sed 's/  *#.*$//; s/[[:space:]]*$//'
}

# A man page's example lines: in .nf/.fi and .EX/.EE blocks, the lines
# that start with desk (a cron line's command from desk on, up to a
# pipe into mail), with troff's \- as -.
man_examples() {
	awk '/^\.(nf|EX)/ {on = 1; next} /^\.(fi|EE)/ {on = 0} on' "$ROOT/man/$1" |
		sed 's/\\-/-/g; s/\\e/\\/g' |
		sed -n 's/^.*[[:space:]]\(desk .*\)$/\1/p; s/^\(desk .*\)$/\1/p' |
		sed 's/ | mail .*$//; s/  *#.*$//; s/[[:space:]]*$//' | awk '!seen[$0]++'
}

world readme
run_examples README.md < <(readme_examples)

for page in desk.1 desk-report.1 desk-mail.7 desk.yaml.5; do
	world "$page"
	"$DESK" init --demo >/dev/null 2>&1
	run_examples "man/$page" < <(man_examples "$page" | grep -v '^desk init --demo$')
done

# config.example.yaml: valid as a team file, and its key sample as a
# keys file.
world example
cp "$ROOT/config.example.yaml" "$W/db/config.yaml"
if out=$("$DESK" config check 2>&1); then ok "config.example.yaml is a valid team file"
else not_ok "config.example.yaml is a valid team file" "$out"; fi
awk '/For example:$/ {on = 1; next} on && /^#   / {sub(/^#   /, ""); print; next} on {exit}' \
	"$ROOT/config.example.yaml" >"$W/keys.yaml"
printf 'keys: %s\n' "$W/keys.yaml" >"$W/personal.yaml"
if [ -s "$W/keys.yaml" ] && out=$("$DESK" --config "$W/personal.yaml" config check 2>&1); then
	ok "config.example.yaml's key sample is a valid keys file"
else
	not_ok "config.example.yaml's key sample is a valid keys file" "$out$(cat "$W/keys.yaml")"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
