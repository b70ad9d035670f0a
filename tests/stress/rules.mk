# Many agents at once on one database: concurrency, crashes, permissions.
CHECK_EXTRA += test-stress
.PHONY: test-stress
test-stress: desk
	@sh tests/stress/run.sh ./desk
