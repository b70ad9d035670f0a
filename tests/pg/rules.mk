# The PostgreSQL engine's unit suite, on a throwaway cluster, plain and
# under ASan+UBSan (zero leaks).
CHECK_EXTRA += test-pg
.PHONY: test-pg
test-pg: build/unit build/unit-san
	@CK_RUN_SUITE=pg_engine DESK_TESTDATA=$(CURDIR)/tests/data \
		sh tests/pg/with-cluster.sh ./build/unit
	@CK_RUN_SUITE=pg_engine CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		DESK_TESTDATA=$(CURDIR)/tests/data sh tests/pg/with-cluster.sh ./build/unit-san

# desk's PostgreSQL schema (src/store/pg_schema.c) against the SQLite one
# of a fresh desk init, on a throwaway cluster.  See tests/pg/schema_check.sh.
CHECK_EXTRA += test-pg-schema
.PHONY: test-pg-schema
test-pg-schema: desk
	@bash tests/pg/schema_check.sh ./desk

# An agent under their own PostgreSQL role cannot, with psql, do what
# desk refuses them; desk still works under it.  See tests/pg/roles_test.sh.
CHECK_EXTRA += test-pg-roles
.PHONY: test-pg-roles
test-pg-roles: desk
	@bash tests/pg/roles_test.sh ./desk
