#!/bin/sh
# run.sh: desk's command-line tests.  `make test-cli` runs
#   sh tests/cli/run.sh ./desk
# from the top of the repository.  The tests themselves are bash (on
# every Debian); this wrapper only finds them.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: sh tests/cli/run.sh PATH-TO-DESK" >&2
	exit 2
fi
exec bash "$(dirname "$0")/cli_tests.bash" "$@"
