#!/bin/sh
# run.sh: desk's end-to-end tests of the console.  `make test-e2e` runs
#   sh tests/e2e/run.sh ./desk
# from the top of the repository.  The tests themselves are bash and
# drive the real binary in a private tmux server, one file a subject
# (each with its own server and database, sharing lib.bash); this
# wrapper checks the tools and runs every file, failing if any failed.
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
status=0
for t in "$(dirname "$0")"/*.bash; do
	[ "${t##*/}" = lib.bash ] && continue
	echo "# ${t##*/}"
	bash "$t" "$@" || status=1
done
exit $status
