#!/bin/sh
# Runs a command against a throwaway PostgreSQL cluster (cluster.sh), with
# DESK_TEST_PG set to its superuser's conninfo and DESK_TEST_PG_DIR to
# its folder (for cluster.sh crash/restart); the cluster is stopped and
# removed afterwards, whatever the command did.
#   sh tests/pg/with-cluster.sh CMD [ARG...]
set -eu
here=$(dirname "$0")
dir=$(mktemp -d "${TMPDIR:-/tmp}/desk-pg-XXXXXX")
trap 'sh "$here/cluster.sh" stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sh "$here/cluster.sh" start "$dir"
DESK_TEST_PG=$(sh "$here/cluster.sh" env "$dir")
DESK_TEST_PG_DIR=$dir
export DESK_TEST_PG DESK_TEST_PG_DIR
"$@"
