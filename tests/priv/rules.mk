# The shared database with real Unix users and desk installed setgid
# (make install into a scratch prefix): as root only; prints
# "SKIP: needs root" otherwise.  See tests/priv/run.sh.
CHECK_EXTRA += test-priv
.PHONY: test-priv
test-priv: desk
	@bash tests/priv/run.sh $(CURDIR)
