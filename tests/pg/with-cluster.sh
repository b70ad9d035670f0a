#!/bin/sh
# Runs a command against a throwaway PostgreSQL cluster (cluster.sh), with
# DESK_TEST_PG set to its superuser's conninfo; the cluster is stopped
# and removed afterwards, whatever the command did.
#   sh tests/pg/with-cluster.sh CMD [ARG...]
set -eu
here=$(dirname "$0")
dir=$(mktemp -d "${TMPDIR:-/tmp}/desk-pg-XXXXXX")
trap 'sh "$here/cluster.sh" stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sh "$here/cluster.sh" start "$dir"
DESK_TEST_PG=$(sh "$here/cluster.sh" env "$dir")
export DESK_TEST_PG
"$@"
