# The mail channel end to end: a corpus of real messages, the exit codes
# an MTA reads, replies out and answers back, and (when exim4 can run
# here) a real MTA on loopback.  See tests/mail/run.sh.
CHECK_EXTRA += test-mail
.PHONY: test-mail
test-mail: desk
	@bash tests/mail/run.sh ./desk
