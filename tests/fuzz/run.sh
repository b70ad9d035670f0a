#!/bin/sh
# run.sh SECONDS TARGET...: runs each libFuzzer target for SECONDS with
# its seed corpus (tests/fuzz/seeds-NAME; the test mails too for ingest) and
# a working corpus in build/fuzz/corpus-NAME that grows between runs.
# A crash leaves its input in build/fuzz/ (crash-*); prints "ok N" /
# "not ok N" and "N passed, M failed".
set -u
secs=$1
shift
n=0 pass=0 fail=0
for target in "$@"; do
	name=$(basename "$target")
	work=build/fuzz/corpus-$name
	mkdir -p "$work"
	case $name in
	fuzz_ingest) seeds="tests/data/mail/corpus tests/fuzz/seeds-ingest" ;;
	fuzz_outbound) seeds="tests/fuzz/seeds-outbound" ;;
	fuzz_config) seeds="tests/fuzz/seeds-config" ;;
	fuzz_import) seeds="tests/fuzz/seeds-import" ;;
	*) seeds= ;;
	esac
	log=build/fuzz/$name.log
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		"$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix=build/fuzz/ \
		"$work" $seeds >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok $n - $name: ${secs}s, ${runs:-?} inputs, no crash"
		pass=$((pass + 1))
	else
		echo "not ok $n - $name (log: $log)"
		grep -E 'ERROR|SUMMARY|Test unit written|abort' "$log" | head -20 | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
