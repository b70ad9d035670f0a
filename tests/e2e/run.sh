#!/bin/sh
# run.sh: desk's end-to-end tests of the console.  `make test-e2e` runs
#   sh tests/e2e/run.sh ./desk
# from the top of the repository.  The tests themselves are bash and
# drive the real binary in a private tmux server; this wrapper only
# checks the tools and finds them.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/run.sh PATH-TO-DESK" >&2
	exit 2
fi
for tool in bash tmux; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "e2e tests: $tool is missing; \`make deps\` installs it" >&2
		exit 1
	fi
done
exec bash "$(dirname "$0")/console.bash" "$@"
