#!/bin/sh
# config_scale.sh [N] [DESK]: how long a config with N canned responses
# and N views (default 40000) costs desk at start.  Writes both files to
# a scratch folder, then times, as the median of 5 runs each:
#   - `desk config check` with N canned responses (every console start
#     loads them: the duplicate-name check must be linear),
#   - `desk list --limit 1` with N views in the config (every command
#     loads the config),
#   - the same two with 10 of each, the baseline.
# Prints one line per case, in seconds.  Not a test: no threshold.
set -eu
N=${1:-40000}
DESK=${2:-./desk}
[ -x "$DESK" ] || { echo "config_scale: build desk first (make desk)" >&2; exit 2; }
DESK=$(cd "$(dirname "$DESK")" && pwd)/$(basename "$DESK")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/desk-bench-cfg.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export HOME=$TMP XDG_CONFIG_HOME=$TMP/cfg XDG_DATA_HOME=$TMP/data DESK_DB=$TMP/desk.db
unset DESK_CONFIG

# files N: canned-N.yaml and config-N.yaml
files() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "- name: reply-%d\n  title: Reply %d\n  body: Hello {{customer.first_name}}, number %d.\n", i, i, i
	}' >"$TMP/canned-$1.yaml"
	{
		printf 'canned: %s\nviews:\n' "$TMP/canned-$1.yaml"
		awk -v n="$1" 'BEGIN {
			for (i = 0; i < n; i++)
				printf "  - {name: view-%d, filter: \"queue:q%d status:open\"}\n", i, i
		}'
	} >"$TMP/config-$1.yaml"
}

# median5 CMD...: the median wall time of 5 runs, in seconds
median5() {
	for _ in 1 2 3 4 5; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "config_scale: failed: $*" >&2; exit 1; }
		e=$(date +%s.%N)
		echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }'
	done | sort -n | sed -n 3p
}

"$DESK" init >/dev/null
for n in 10 "$N"; do
	files "$n"
	printf 'config check, %6d canned responses: %s s\n' "$n" \
		"$(median5 "$DESK" --config "$TMP/config-$n.yaml" config check)"
	printf 'list --limit 1, %6d views:          %s s\n' "$n" \
		"$(median5 "$DESK" --config "$TMP/config-$n.yaml" list --limit 1)"
done
