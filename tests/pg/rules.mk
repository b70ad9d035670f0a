# desk's PostgreSQL schema (src/store/pg_schema.c) against the SQLite one
# of a fresh desk init, on a throwaway cluster.  See tests/pg/schema_check.sh.
CHECK_EXTRA += test-pg-schema
.PHONY: test-pg-schema
test-pg-schema: desk
	@bash tests/pg/schema_check.sh ./desk

# Many writers, SIGKILLed writers and a SIGKILLed server on PostgreSQL
# (tests/stress on a throwaway cluster).  See tests/pg/stress.sh.
CHECK_EXTRA += test-pg-stress
.PHONY: test-pg-stress
test-pg-stress: desk
	@sh tests/pg/stress.sh ./desk
# An agent under their own PostgreSQL role cannot, with psql, do what
# desk refuses them; desk still works under it.  See tests/pg/roles_test.sh.
CHECK_EXTRA += test-pg-roles
.PHONY: test-pg-roles
test-pg-roles: desk
	@bash tests/pg/roles_test.sh ./desk

# The command-line suite again, every database on a throwaway cluster
# (tests/cli/engine.bash makes one per name there).
CHECK_EXTRA += test-cli-pg
.PHONY: test-cli-pg
test-cli-pg: desk
	@sh tests/pg/with-cluster.sh sh tests/cli/run.sh ./desk

# The console's end-to-end tests (tests/e2e) again on PostgreSQL: one
# throwaway cluster for the run, each file a database of its own on it.
CHECK_EXTRA += test-e2e-pg
.PHONY: test-e2e-pg
test-e2e-pg: desk
	@sh tests/pg/with-cluster.sh sh tests/e2e/run.sh ./desk

# The mail suite (with exim on loopback) and the report suite again, each
# database on a throwaway cluster (tests/pg/testdb.sh makes them there);
# the report's figures are also compared with SQLite's on a copy.
CHECK_EXTRA += test-mail-pg test-report-pg
.PHONY: test-mail-pg test-report-pg
test-mail-pg: desk
	@sh tests/pg/with-cluster.sh bash tests/mail/run.sh ./desk
test-report-pg: desk
	@sh tests/pg/with-cluster.sh sh tests/report/run.sh ./desk
