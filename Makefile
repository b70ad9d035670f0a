# desk: a terminal console for customer support teams.
#
#   make            build ./desk
#   make run        build, then open the console on a demo database in a
#                   scratch directory (never your real one)
#   make check      every test: unit (plain, under ASan+UBSan, and the suites
#                   ported to PostgreSQL on a throwaway cluster), CLI, tmux
#                   (on SQLite, and on PostgreSQL: test-e2e-pg)
#   make deps       install missing Debian build dependencies (apt-get)
#   make bench      benchmarks (see bench/README.md)
#   make install    PREFIX=/usr/local DESTDIR= (as root: desk setgid to
#                   DESK_GROUP, and its shared folder SHAREDDIR; see README)

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/desk
DOCDIR     ?= $(PREFIX)/share/doc/desk
# The shared database: desk is installed setgid to DESK_GROUP (made with
# groupadd --system when missing), which owns SHAREDDIR (root:DESK_GROUP
# 2770).  Agents are not in the group: they reach the database only
# through desk.
LOCALSTATEDIR ?= /var
SHAREDDIR  ?= $(LOCALSTATEDIR)/lib/desk
DESK_GROUP ?= desk
VERSION    := 0.1.0

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := ncursesw sqlite3 yaml-0.1 gmime-3.0 libcmark libpq
CFLAGS     ?= -O2 -g
STD_FLAGS  := -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE \
              -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wno-unused-parameter \
              -Iinclude -DDESK_VERSION='"$(VERSION)"' \
              -DDESK_DATADIR='"$(DATADIR)"' \
              -DDESK_GROUP='"$(DESK_GROUP)"' -DDESK_SHAREDDIR='"$(SHAREDDIR)"'

# pkg-config is asked only when building, so `make deps` works before
# the libraries are there.
pc_cflags   = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs     = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
# ncursesw's flags define _XOPEN_SOURCE=600; we want 700 (e.g. for
# wcwidth and strnlen), so ours come last.
ALL_CFLAGS  = $(call pc_cflags,$(PKGS)) -U_XOPEN_SOURCE $(STD_FLAGS) $(CFLAGS)
LIBS        = $(call pc_libs,$(PKGS)) -lm
CHECK_CFLAGS = $(call pc_cflags,check)
CHECK_LIBS   = $(call pc_libs,check)
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined -O1 -g

LIB_SRC    := $(sort $(wildcard src/util/*.c src/store/*.c src/core/*.c \
                                src/config/*.c src/tui/*.c src/cli/*.c))
MAIN_SRC   := src/main.c
UNIT_SRC   := $(sort $(wildcard tests/unit/*.c))

OBJ        := $(LIB_SRC:%.c=build/obj/%.o)
SAN_OBJ    := $(LIB_SRC:%.c=build/san/%.o)
UNIT_OBJ   := $(UNIT_SRC:%.c=build/obj/%.o)
UNIT_SAN   := $(UNIT_SRC:%.c=build/san/%.o)

.PHONY: all run check deps install uninstall clean unit unit-san unit-pg \
        test-cli test-e2e bench
all: desk

desk: $(OBJ) build/obj/src/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

# `make V=1` shows the full commands.
Q = $(if $(filter 1,$(V)),,@)

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC/SAN  $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/unit: $(UNIT_OBJ) $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

build/unit-san: $(UNIT_SAN) $(SAN_OBJ)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(UNIT_SAN:.o=.d) \
         build/obj/src/main.d

deps:
	@sh tests/deps.sh

unit: build/unit
	DESK_TESTDATA=$(CURDIR)/tests/data ./build/unit

# Without fork, LeakSanitizer sees the whole run and fails it on a leak.
unit-san: build/unit-san
	CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	DESK_TESTDATA=$(CURDIR)/tests/data ./build/unit-san

# The suites listed in tests/unit/pg_suites, on a throwaway PostgreSQL
# cluster (tests/pg/unit.sh starts and stops it).
# The suites listed in tests/unit/pg_suites again on PostgreSQL; under
# ASan+UBSan those that reach every file of the PostgreSQL code (the
# engine, the store's *_pg.c, copy, rights): the rest is the same C as
# on SQLite, which unit-san covers, and the whole list twice would not
# fit CI's time.
PG_SAN_SUITES := pg_engine store core drafts search metrics report_pass \
                 export_engines import copy pg_roles
unit-pg: build/unit build/unit-san
	@DESK_TESTDATA=$(CURDIR)/tests/data sh tests/pg/unit.sh ./build/unit
	@CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	DESK_TESTDATA=$(CURDIR)/tests/data sh tests/pg/unit.sh ./build/unit-san $(PG_SAN_SUITES)

test-cli: desk
	@sh tests/cli/run.sh ./desk

test-e2e: desk
	@sh tests/e2e/run.sh ./desk

# Test suites that live with their tests (fuzzing, mail, stress) add
# themselves to CHECK_EXTRA from a tests/*/rules.mk.
CHECK_EXTRA :=
-include $(wildcard tests/*/rules.mk)
-include bench/bench.mk

check: deps
	@$(MAKE) --no-print-directory desk build/unit build/unit-san
	@$(MAKE) --no-print-directory unit unit-san unit-pg test-cli test-e2e $(CHECK_EXTRA)
	@echo "make check: all tests passed"

run: deps
	@$(MAKE) --no-print-directory desk
	@sh tests/run-demo.sh ./desk

bench: deps
	@$(MAKE) --no-print-directory desk
	@sh bench/run.sh

# As root, desk's group and folder are set up; otherwise (a package
# build) desk is installed 755 and the package's postinst does that part.
install: desk
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	        $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/themes \
	        $(DESTDIR)$(DOCDIR)
	@if [ "$$(id -u)" -eq 0 ]; then \
		getent group $(DESK_GROUP) >/dev/null || \
			{ echo "groupadd --system $(DESK_GROUP)"; groupadd --system $(DESK_GROUP); } || exit 1; \
		echo "install -o root -g $(DESK_GROUP) -m 2755 desk $(DESTDIR)$(BINDIR)/desk"; \
		install -o root -g $(DESK_GROUP) -m 2755 desk $(DESTDIR)$(BINDIR)/desk || exit 1; \
		echo "install -d -o root -g $(DESK_GROUP) -m 2770 $(DESTDIR)$(SHAREDDIR)"; \
		install -d -o root -g $(DESK_GROUP) -m 2770 $(DESTDIR)$(SHAREDDIR) || exit 1; \
	else \
		echo "make install: not root: desk installed without its setgid group"; \
		echo "  (as root: chgrp $(DESK_GROUP) desk && chmod 2755 desk, and"; \
		echo "   install -d -o root -g $(DESK_GROUP) -m 2770 $(SHAREDDIR))"; \
		install -m 755 desk $(DESTDIR)$(BINDIR)/desk; \
	fi
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(MANDIR)/man5/
	$(if $(wildcard man/*.7),install -d $(DESTDIR)$(MANDIR)/man7 && \
	  install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7/)
	install -m 644 themes/*.yaml $(DESTDIR)$(DATADIR)/themes/
	install -m 644 config.example.yaml $(DESTDIR)$(DOCDIR)/config.example.yaml
	install -m 644 tests/data/canned.yaml $(DESTDIR)$(DOCDIR)/canned.example.yaml

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/desk \
	      $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1)) \
	      $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(wildcard man/*.5)) \
	      $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build desk
