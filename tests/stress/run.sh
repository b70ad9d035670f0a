#!/bin/sh
# Stress, crash and permission tests of one database shared by many desk
# processes.  Prints "ok N - name" lines and "N passed, M failed".
exec bash "$(dirname "$0")/stress.bash" "$@"
