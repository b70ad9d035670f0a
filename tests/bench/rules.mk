# The benchmarks' programs still work: bench/run.sh in its quick mode
# (2k tickets of scratch data in build/bench-quick, a few runs, no
# neomutt) must print its whole table, and bench-bulkcheck must pass
# (store_bulk_begin/end leave the schema exactly as it was).  No timing
# is asserted: see bench/README.md for the real runs.
CHECK_EXTRA += test-bench
.PHONY: test-bench
test-bench: desk
	@BENCH_QUICK=1 sh bench/run.sh >build/bench-quick.out 2>build/bench-quick.log || \
		{ cat build/bench-quick.log build/bench-quick.out; exit 1; }
	@tail -n 1 build/bench-quick.out

# The same on PostgreSQL (BENCH_BACKEND=postgresql: a throwaway durable
# cluster, the 2k set copied in).  Not part of `make check`: 53 s on our
# 2-core box at a load of 2, 81 s at 6, over the minute it may cost.
.PHONY: test-bench-pg
test-bench-pg: desk
	@BENCH_BACKEND=postgresql BENCH_QUICK=1 sh bench/run.sh >build/bench-quick-pg.out \
		2>build/bench-quick-pg.log || \
		{ cat build/bench-quick-pg.log build/bench-quick-pg.out; exit 1; }
	@tail -n 1 build/bench-quick-pg.out
