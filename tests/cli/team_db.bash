# team_db.bash: sourced by the parts whose database has a team's file of
# its own (after engine.bash).  Not a part: cli_tests.bash sources only
# *_tests.bash.
#
# team_db VAR PATH [ON-SERVER]: VAR is a database whose team's file is
# config.yaml in PATH's folder.  On SQLite it is the file PATH itself,
# beside that config.yaml.  On the server a database has no folder: VAR
# is a database of its own (db_new, named after PATH), or the database
# ON-SERVER when given (for a test of the team's file alone, where a new
# database would only cost time), and desk finds the team's file by
# DESK_SYSTEM_CONFIG.  VAR_SYS is what that is to be for VAR's desk calls:
#   DESK_SYSTEM_CONFIG=$VAR_SYS run --db "$VAR" ...
# the config.yaml on the server, '' on SQLite (the file beside is read).
team_db() {
	local var=$1 path=$2 reuse=${3:-}
	if ! on_pg; then
		printf -v "$var" '%s' "$path"
		printf -v "${var}_SYS" '%s' ''
		return
	fi
	if [ -n "$reuse" ]; then
		printf -v "$var" '%s' "$reuse"
	else
		db_new "$var" "${path#"$TMP"/}"
	fi
	printf -v "${var}_SYS" '%s' "$(dirname "$path")/config.yaml"
}
