# Makefile - builds flowc (the compiler), libflowrt.a (the runtime), runs the
# demo and the tests. `make demo` and `make test` first install the Debian
# packages they need when they are missing (see `deps`).
#
# Generated sources (bison parser, flex scanner) go to build/, never to the
# source tree.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror
STD     := -std=c11 -D_GNU_SOURCE
SAN     ?=
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) $(SAN)
LDLIBS_RT := -lpcre2-8 -lxxhash -lm

# Debian packages the build and the tests need.
DEBIAN_PACKAGES := gcc make flex bison libcmocka-dev libpcre2-dev libxxhash-dev \
                   clang libclang-rt-14-dev valgrind gawk python3

RT_SRCS   := $(wildcard runtime/src/*.c)
RT_OBJS   := $(patsubst runtime/src/%.c,$(BUILD)/rt/%.o,$(RT_SRCS))
RT_LIB    := $(BUILD)/libflowrt.a

CC_SRCS   := $(wildcard compiler/*.c)
CC_OBJS   := $(patsubst compiler/%.c,$(BUILD)/cc/%.o,$(CC_SRCS))
GEN_OBJS  := $(BUILD)/cc/flow.tab.o $(BUILD)/cc/lex.flow_yy.o
FLOWC     := $(BUILD)/flowc

.PHONY: all deps demo test clean
all: $(FLOWC) $(RT_LIB)

# ---- dependencies -------------------------------------------------------
# Installs only what is missing, so a machine that has everything runs no
# apt-get at all.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" -ne 0 ]; then echo "run as root to install:$$missing" >&2; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# ---- runtime --------------------------------------------------------------
$(BUILD)/rt/%.o: runtime/src/%.c runtime/include/flowrt.h $(wildcard runtime/src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iruntime/include -Iruntime/src -c $< -o $@

$(RT_LIB): $(RT_OBJS)
	@rm -f $@
	ar rcs $@ $^

# ---- compiler -------------------------------------------------------------
$(BUILD)/gen/flow.tab.c $(BUILD)/gen/flow.tab.h: grammar/flow.y
	@mkdir -p $(BUILD)/gen
	bison -Wall -Werror --defines=$(BUILD)/gen/flow.tab.h -o $(BUILD)/gen/flow.tab.c $<

$(BUILD)/gen/lex.flow_yy.c: grammar/flow.l $(BUILD)/gen/flow.tab.h
	@mkdir -p $(BUILD)/gen
	flex -o $@ $<

# Generated code is not held to -Werror's unused-function checks.
GEN_CFLAGS = $(STD) $(CFLAGS) $(SAN) -Wall -Wno-unused-function -Wno-sign-compare -Icompiler -I$(BUILD)/gen -Iruntime/include

$(BUILD)/cc/flow.tab.o: $(BUILD)/gen/flow.tab.c $(wildcard compiler/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(GEN_CFLAGS) -c $< -o $@

$(BUILD)/cc/lex.flow_yy.o: $(BUILD)/gen/lex.flow_yy.c $(wildcard compiler/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(GEN_CFLAGS) -c $< -o $@

FLOWC_DEFS = -DFLOWRT_INCLUDE_DIR='"$(abspath runtime/include)"' \
             -DFLOWRT_LIB_DIR='"$(abspath $(BUILD))"'

$(BUILD)/cc/%.o: compiler/%.c $(wildcard compiler/*.h compiler/*.def) $(BUILD)/gen/flow.tab.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(FLOWC_DEFS) -Icompiler -I$(BUILD)/gen -Iruntime/include -c $< -o $@

$(FLOWC): $(CC_OBJS) $(GEN_OBJS) $(RT_LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(CC_OBJS) $(GEN_OBJS) $(RT_LIB) $(LDLIBS_RT)

clean:
	rm -rf $(BUILD)

# ---- unit tests (cmocka) ----
# One binary per tests/unit/test_*.c, linked against the runtime library.
# `make unit UNIT_RUN='valgrind -q --error-exitcode=1 --leak-check=full'`
# runs each under valgrind; BUILD=... SAN=... gives sanitizer builds.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_RUN  ?=

.PHONY: unit
unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	    $(UNIT_RUN) $$t || { echo "FAILED: $$t" >&2; fail=1; }; done; exit $$fail

$(BUILD)/unit/%: tests/unit/%.c $(RT_LIB) $(wildcard runtime/src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iruntime/include -Iruntime/src -o $@ $< $(RT_LIB) -lcmocka $(LDLIBS_RT)
# ---- end of unit tests ----
