# Faults of the disk and of the files: a full disk, a read-only
# filesystem, an empty file, a lost -wal, a held write lock, and a
# backup during a write storm.  The filesystem cases need root (a tmpfs
# in a private mount namespace) and print a SKIP line otherwise.  See
# tests/fault/run.sh.
CHECK_EXTRA += test-fault
.PHONY: test-fault
test-fault: desk
	@bash tests/fault/run.sh ./desk
