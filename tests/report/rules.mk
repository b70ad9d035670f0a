# desk report from the outside: exit codes, roles, --json and --csv on a
# scripted week and on the demo database.  See tests/report/run.sh.
CHECK_EXTRA += test-report
.PHONY: test-report
test-report: desk
	@sh tests/report/run.sh ./desk
