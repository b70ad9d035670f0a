# Every example of the README and the man pages runs as written.
CHECK_EXTRA += test-docs
.PHONY: test-docs
test-docs: desk
	@bash tests/docs/run.sh ./desk
