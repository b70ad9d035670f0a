#!/bin/sh
# make run: a fresh demo database and config in build/demo (never your
# real database), then the console on it.
set -eu
desk=${1:-./desk}
top=$(pwd)
dir=$top/build/demo
rm -rf "$dir"
mkdir -p "$dir"
cat > "$dir/config.yaml" <<YAML
# Written by make run; see config.example.yaml for every key.
database: $dir/desk.db
canned: $top/tests/data/canned.yaml
themes_dir: $top/themes
YAML
export DESK_CONFIG="$dir/config.yaml"
unset DESK_DB
"$desk" init --demo >/dev/null
echo "desk: demo database in $dir (press ? for help, Q to quit)"
exec "$desk"
