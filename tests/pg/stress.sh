#!/bin/sh
# stress.sh: tests/stress (many writers, SIGKILLed writers) on PostgreSQL,
# plus the server itself killed with SIGKILL and restarted under writers,
# on a throwaway cluster.
#   sh tests/pg/stress.sh PATH-TO-DESK
here=$(dirname "$0")
exec sh "$here/with-cluster.sh" bash "$here/../stress/stress.bash" "$@"
