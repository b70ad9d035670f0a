# Fuzzing with libFuzzer (clang): every parser of outside input gets a
# target here.  `make check` runs each for a short bounded time;
# `make fuzz` runs them longer (FUZZ_TIME seconds each, default 600).
#   tests/fuzz/fuzz_ingest.c   one mail message into desk (core_ingest)
#   tests/fuzz/fuzz_outbound.c hostile inbound headers, then the header set
#                              of the acknowledgement and reply desk sends
#   tests/fuzz/fuzz_config.c   one YAML file through every config reader
#   tests/fuzz/fuzz_import.c   one JSON Lines file into desk (core_import)
FUZZ_CC     ?= clang
FUZZ_TIME   ?= 600
FUZZ_SHORT  ?= 20
FUZZ_SAN    := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g -O1
# clang warns about things gcc does not: a warning in someone's file
# must not stop the fuzzers from building.
FUZZ_CFLAGS  = $(call pc_cflags,$(PKGS)) -U_XOPEN_SOURCE $(STD_FLAGS) -Wno-error $(FUZZ_SAN)
# No console and no command line: the layers a parser reaches.
FUZZ_SRC    := $(filter src/util/% src/store/% src/core/% src/config/%,$(LIB_SRC))
FUZZ_OBJ    := $(FUZZ_SRC:%.c=build/fuzz/%.o)
# The scratch desk the targets that write share.
FUZZ_DESK   := build/fuzz/tests/fuzz/fuzz_desk.o
FUZZ_TARGETS := build/fuzz/fuzz_ingest
FUZZ_TARGETS += build/fuzz/fuzz_outbound
FUZZ_TARGETS += build/fuzz/fuzz_config
FUZZ_TARGETS += build/fuzz/fuzz_import

.PHONY: fuzz fuzz-build test-fuzz
fuzz-build: $(FUZZ_TARGETS)

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC/FUZZ $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

build/fuzz/fuzz_ingest: build/fuzz/tests/fuzz/fuzz_ingest.o $(FUZZ_DESK) $(FUZZ_OBJ)
	@$(if $(Q),echo "  LD/FUZZ $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

build/fuzz/fuzz_outbound: build/fuzz/tests/fuzz/fuzz_outbound.o $(FUZZ_DESK) $(FUZZ_OBJ)
	@$(if $(Q),echo "  LD/FUZZ $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

-include $(FUZZ_OBJ:.o=.d) $(FUZZ_DESK:.o=.d) build/fuzz/tests/fuzz/fuzz_ingest.d \
         build/fuzz/tests/fuzz/fuzz_outbound.d

# fuzz_config: the config readers; the theme reader lives with the console.
build/fuzz/fuzz_config: build/fuzz/tests/fuzz/fuzz_config.o build/fuzz/src/tui/theme.o $(FUZZ_OBJ)
	@$(if $(Q),echo "  LD/FUZZ $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)
-include build/fuzz/tests/fuzz/fuzz_config.d build/fuzz/src/tui/theme.d

# fuzz_import: desk import's JSON Lines.
build/fuzz/fuzz_import: build/fuzz/tests/fuzz/fuzz_import.o $(FUZZ_DESK) $(FUZZ_OBJ)
	@$(if $(Q),echo "  LD/FUZZ $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)
-include build/fuzz/tests/fuzz/fuzz_import.d

test-fuzz: $(FUZZ_TARGETS)
	@sh tests/fuzz/run.sh $(FUZZ_SHORT) $(FUZZ_TARGETS)

fuzz: $(FUZZ_TARGETS)
	@sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_TARGETS)

CHECK_EXTRA += test-fuzz
