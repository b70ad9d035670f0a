# bench.mk: the benchmark programs (see bench/README.md).  Meant to be
# included by the top Makefile; until then bench/run.sh calls
#   make -f Makefile -f bench/bench.mk bench-progs
# It reuses the top Makefile's ALL_CFLAGS, LIBS, OBJ and build/obj rule.

# Each program links only the layers it needs, so a half-written console
# does not stop the data generator from building.
BENCH_STORE_OBJ := $(filter build/obj/src/store/% build/obj/src/util/%,$(OBJ))
BENCH_CORE_OBJ  := $(filter-out build/obj/src/tui/% build/obj/src/cli/%,$(OBJ))
BENCH_PROGS     := build/bench-gen build/bench-pty build/bench-query \
                   build/bench-writers build/bench-bulkcheck build/bench-report \
                   build/bench-import-base

.PHONY: bench-progs
bench-progs: $(BENCH_PROGS)

build/bench-gen: build/obj/bench/gen.o $(BENCH_STORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/bench-query: build/obj/bench/query.o $(BENCH_STORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/bench-bulkcheck: build/obj/bench/bulkcheck.o $(BENCH_STORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/bench-writers: build/obj/bench/writers.o $(BENCH_CORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/bench-report: build/obj/bench/report.o $(BENCH_CORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

# The import floor is bare SQLite: nothing of desk.
build/bench-import-base: build/obj/bench/importbase.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lsqlite3

# The pseudo-terminal harness needs nothing of desk.
build/bench-pty: build/obj/bench/pty.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lutil

-include build/obj/bench/gen.d build/obj/bench/query.d build/obj/bench/pty.d \
         build/obj/bench/writers.d build/obj/bench/bulkcheck.d \
         build/obj/bench/report.d build/obj/bench/importbase.d
