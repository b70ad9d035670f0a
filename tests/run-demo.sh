#!/bin/sh
# make run: a fresh demo database and config in build/demo (never your
# real database), then the console on it.
set -eu
desk=${1:-./desk}
top=$(pwd)
dir=$top/build/demo
rm -rf "$dir"
mkdir -p "$dir"
# The team's file, beside the database; your personal file (if any)
# still adds your theme, keys and views.
cat > "$dir/config.yaml" <<YAML
# Written by make run; see config.example.yaml for every key.
canned: $top/tests/data/canned.yaml
themes_dir: $top/themes
YAML
export DESK_DB="$dir/desk.db"
unset DESK_CONFIG
"$desk" init --demo >/dev/null
echo "desk: demo database in $dir (press ? for help, Q to quit)"
exec "$desk"
