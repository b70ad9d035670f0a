#!/bin/sh
# stress.sh: tests/stress (many writers, SIGKILLed writers) on PostgreSQL,
# plus the server itself killed with SIGKILL and restarted under writers,
# on a throwaway cluster.
#   sh tests/pg/stress.sh PATH-TO-DESK
set -eu
here=$(dirname "$0")
dir=$(mktemp -d "${TMPDIR:-/tmp}/desk-pg-XXXXXX")
trap 'sh "$here/cluster.sh" stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sh "$here/cluster.sh" start "$dir"
STRESS_PG=$(sh "$here/cluster.sh" env "$dir")
STRESS_PG_DIR=$dir
export STRESS_PG STRESS_PG_DIR
bash "$here/../stress/stress.bash" "$@"
