# The man pages agree with the program.
CHECK_EXTRA += test-man
.PHONY: test-man
test-man: desk
	@sh tests/man/run.sh ./desk
