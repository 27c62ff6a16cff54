# Makefile - builds flowc (the compiler), libflowrt.a (the runtime), runs the
# demo and the tests. `make demo` and `make test` first install the Debian
# packages they need when they are missing (see `deps`).
#
# Generated sources (bison parser, flex scanner) go to build/, never to the
# source tree.

CC      ?= cc
CXX     ?= g++
BUILD   ?= build
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror
STD     := -std=c11 -D_GNU_SOURCE
CXXSTD  := -std=c++17
SAN     ?=
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) $(SAN)
ALL_CXXFLAGS = $(CXXSTD) $(WARN) $(CFLAGS) $(SAN)
LDLIBS_RT := -lpcre2-8 -lxxhash -lsimdjson -ljansson -lrdkafka -lstdc++ -lm

# Debian packages the build and the tests need.
DEBIAN_PACKAGES := gcc g++ make flex bison libcmocka-dev libpcre2-dev libxxhash-dev \
                   libjansson-dev libsimdjson-dev librdkafka-dev \
                   clang libclang-rt-14-dev valgrind gawk python3 graphviz \
                   time mawk sqlite3 bc libsqlite3-dev maven openjdk-17-jdk-headless python3-venv \
                   libopenmpi-dev openmpi-bin

RT_SRCS   := $(wildcard runtime/src/*.c)
RT_CXX    := $(wildcard runtime/src/*.cc)
RT_OBJS   := $(patsubst runtime/src/%.c,$(BUILD)/rt/%.o,$(RT_SRCS)) \
             $(patsubst runtime/src/%.cc,$(BUILD)/rt/%.o,$(RT_CXX))
RT_LIB    := $(BUILD)/libflowrt.a

CC_SRCS   := $(wildcard compiler/*.c)
CC_OBJS   := $(patsubst compiler/%.c,$(BUILD)/cc/%.o,$(CC_SRCS))
GEN_OBJS  := $(BUILD)/cc/flow.tab.o $(BUILD)/cc/lex.flow_yy.o
FLOWC     := $(BUILD)/flowc

.PHONY: all deps demo test clean
all: $(FLOWC) $(RT_LIB)

# ---- dependencies -------------------------------------------------------
# Installs only what is missing, so a machine that has everything runs no
# apt-get at all. Then the Apache Kafka broker's jars for kafka-broker-test
# (the version is in tests/kafka/broker/pom.xml), from Maven Central into
# $(KAFKA_LIB), again only when missing or when the pom changed; without
# them (no network) that test says so and is skipped.
KAFKA_LIB := $(BUILD)/kafka-broker/lib
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" -ne 0 ]; then echo "run as root to install:$$missing" >&2; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@$(MAKE) --no-print-directory bytewax-venv || \
	    echo "make deps: WARNING: Bytewax could not be installed into $(BW_VENV); the differential tests will fail" >&2
	@$(MAKE) -s --no-print-directory $(KAFKA_LIB)/.fetched || \
	    echo "make deps: WARNING: the Kafka broker's jars could not be fetched; kafka-broker-test will be skipped" >&2
	@$(MAKE) --no-print-directory peer-deps

$(KAFKA_LIB)/.fetched: tests/kafka/broker/pom.xml
	rm -rf $(KAFKA_LIB)
	@mkdir -p $(dir $(KAFKA_LIB))
	@echo "fetching the Kafka broker's jars ($<) into $(KAFKA_LIB)"
	@timeout 900 mvn -q -B -f $< dependency:copy-dependencies -DincludeScope=runtime \
	    -DoutputDirectory=$(abspath $(KAFKA_LIB)) >$(dir $(KAFKA_LIB))mvn.log 2>&1 || \
	    { cat $(dir $(KAFKA_LIB))mvn.log; exit 1; }
	touch $@

# ---- runtime --------------------------------------------------------------
$(BUILD)/rt/%.o: runtime/src/%.c $(wildcard runtime/include/*.h runtime/src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iruntime/include -Iruntime/src -c $< -o $@

# The C++ of the runtime (json_simd.cc: simdjson's C interface).
$(BUILD)/rt/%.o: runtime/src/%.cc $(wildcard runtime/src/*.h)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -Iruntime/src -c $< -o $@

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

# the scanner reads timestamp literals with flowrt.h's flow_time_parse
$(BUILD)/cc/lex.flow_yy.o: $(BUILD)/gen/lex.flow_yy.c $(wildcard compiler/*.h) runtime/include/flowrt.h
	@mkdir -p $(dir $@)
	$(CC) $(GEN_CFLAGS) -c $< -o $@

FLOWC_DEFS = -DFLOWRT_INCLUDE_DIR='"$(abspath runtime/include)"' \
             -DFLOWRT_LIB_DIR='"$(abspath $(BUILD))"'

$(BUILD)/cc/%.o: compiler/%.c $(wildcard compiler/*.h compiler/*.def runtime/include/*.h) $(BUILD)/gen/flow.tab.h
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

# ---- end-to-end tests, examples, demo (tests/run, tests/examples, tests/wordcount, tests/cli) ----
# run-test       golden programs of tests/run (stdout, stderr, exit status)
# examples-test  examples/*.flow against ../shared/conformance and examples/*.expected
# wordcount-test examples/wordcount.flow on ../shared/data/collected-works.txt vs gawk
# cli-test       flowc's flags and a compiled program's options
# test           everything, then the sanitizer builds (`asan`, `tsan`); installs packages first
# asan           rebuilds into build-asan with ASan+UBSan and runs unit, errors-test,
#                run-test, bytewax-test, bytewax-windowing-test, io-test and
#                workers-sample with the compiled programs built the same way
# valgrind       the examples and a sample of tests/run under valgrind
# demo           compiles and runs the four examples
.PHONY: run-test examples-test wordcount-test cli-test asan valgrind

# How the tests' programs are compiled: flowc runs env $CC (which may carry
# flags, e.g. CC='cc -fsanitize=address'); RUN_CFLAGS is passed as env
# CFLAGS for a driver that honours it. Empty means flowc's defaults.
RUN_CC     ?=
RUN_CFLAGS ?=
TEST_ENV = FLOWC='$(abspath $(FLOWC))' $(if $(RUN_CC),CC='$(RUN_CC)') \
           $(if $(RUN_CFLAGS),CFLAGS='$(RUN_CFLAGS)')

run-test: all
	$(TEST_ENV) tests/run/run.sh

examples-test: all
	$(TEST_ENV) tests/examples/run.sh

wordcount-test: all
	$(TEST_ENV) tests/wordcount/run.sh

cli-test: all
	$(TEST_ENV) tests/cli/driver.sh

# limits-test    programs at sizes where a cost growing faster than the
#                work would time out (tests/limits/run.sh)
.PHONY: limits-test
limits-test: all
	$(TEST_ENV) tests/limits/run.sh

# process-test   signals, idle pipes, write errors, inputs never overwritten,
#                flowc's C compiler runs and cleanup (tests/process/run.sh)
.PHONY: process-test
process-test: all
	$(TEST_ENV) tests/process/run.sh

# compile-test   the generated C: strict warnings on every program, and golden
#                generated C for tests/compile/*.flow
.PHONY: compile-test
compile-test: all
	FLOWC='$(abspath $(FLOWC))' tests/compile/run.sh

# Runs every group even when one fails, then reports which failed.
TEST_GROUPS := differential-test twins-test unit errors-test parse-test run-test io-test process-test limits-test kafka-test kafka-broker-test bytewax-test bytewax-windowing-test compile-test examples-test wordcount-test realdata-test cli-test valgrind graph-test install-test editors-test \
              bench-smoke
test: deps
	@$(MAKE) --no-print-directory all
	@failed=""; npass=0; nfail=0; \
	for t in $(TEST_GROUPS) fuzz asan tsan; do \
	    echo "==== make $$t"; \
	    if $(MAKE) --no-print-directory $$t FUZZ_SECONDS=20; then npass=$$((npass + 1)); \
	    else nfail=$$((nfail + 1)); failed="$$failed $$t"; fi; done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; else echo "make test: all passed"; fi; \
	echo "groups: $$npass passed, $$nfail failed"; \
	[ -z "$$failed" ]

ASAN_BUILD := build-asan
# -Wno-format-truncation: GCC 12 with -fsanitize=undefined reports a "null
# format string" on every vsnprintf wrapper (a false positive).
ASAN_SAN   := -fsanitize=address,undefined -fno-omit-frame-pointer -Wno-format-truncation
ASAN_ENV   := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
              UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
asan:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SAN='$(ASAN_SAN)' OPT=-O1 all
	@failed=""; for t in unit errors-test run-test bytewax-test bytewax-windowing-test io-test recovery-test workers-sample; do \
	    echo "==== make $$t (ASan+UBSan)"; \
	    $(ASAN_ENV) $(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SAN='$(ASAN_SAN)' OPT=-O1 \
	        RUN_CC='$(CC) -O1 -g $(ASAN_SAN)' $$t || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "make asan: FAILED:$$failed"; exit 1; fi

# FLOW_NO_JIT: valgrind cannot follow PCRE2's JIT code (false reports).
VALGRIND := env FLOW_NO_JIT=1 valgrind -q --error-exitcode=1 --leak-check=full
VALGRIND_CASES := input_file_lines input_batch_size op_values op_merge3 stateful_map_block \
                  stateful_flat_map collect_timeout keys_unicode fold_final max_min_final \
                  expr_string_ops expr_findall expr_records expr_optional time_durations
valgrind: all
	RUNNER='$(VALGRIND)' $(TEST_ENV) tests/examples/run.sh
	RUNNER='$(VALGRIND)' $(TEST_ENV) tests/run/run.sh $(VALGRIND_CASES)

DEMO_DIR := $(BUILD)/demo
demo: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(DEMO_DIR)
	@for ex in running_sum collect batch collect_window reduce_window_meta; do \
	    echo; echo "==== examples/$$ex.flow"; \
	    $(FLOWC) examples/$$ex.flow -o $(DEMO_DIR)/$$ex && $(DEMO_DIR)/$$ex || exit 1; done
	@echo; echo "==== examples/join_logins.flow (files joined by user id)"
	@$(FLOWC) examples/join_logins.flow -o $(DEMO_DIR)/join_logins && $(DEMO_DIR)/join_logins
	@echo; echo "==== examples/sessions.flow (stateful with timers; clock pinned: $$(cat examples/sessions.args))"
	@$(FLOWC) examples/sessions.flow -o $(DEMO_DIR)/sessions && $(DEMO_DIR)/sessions $$(cat examples/sessions.args)
	@echo; echo "==== examples/wordcount.flow, counting the words of README.md"
	@$(FLOWC) examples/wordcount.flow -o $(DEMO_DIR)/wordcount
	@$(DEMO_DIR)/wordcount --input inp=README.md
# ---- end of end-to-end tests, examples, demo ----

# ---- sources, sinks, formats, bad data (tests/io) ------------------------------
# io-test        golden programs reading csv/jsonl/lines/dir inputs and writing
#                file/dir/stdout sinks, bad records (tests/io/run.sh)
.PHONY: io-test
io-test: all
	$(TEST_ENV) tests/io/run.sh
# ---- end of sources and sinks ----

# ---- embedding (flowc --lib, examples/embed, tests/embed) ---------------------
# embed-test     examples/embed/host.c embedding sensors.flow (two instances, an
#                error as a code) vs its expected output, tests/embed/test_api.c,
#                strict compiles, reproducible output, #line and -P, diagnostics
.PHONY: embed-test
TEST_GROUPS += embed-test
embed-test: all
	FLOWC='$(abspath $(FLOWC))' BUILD='$(BUILD)' $(if $(RUN_CC),CC='$(RUN_CC)') tests/embed/run.sh
# ---- end of embedding ----

# ---- recovery (tests/recovery) ----------------------------------------------
# recovery-test  docs/recovery.md: programs killed with SIGKILL at random
#                moments (fixed seeds) and resumed until done, file output
#                byte-identical to an uninterrupted run; corrupted, truncated,
#                foreign, locked and full stores; Bytewax's test_recovery.py
#                (also under ASan+UBSan in make asan)
.PHONY: recovery-test
TEST_GROUPS += recovery-test
recovery-test: all
	FLOWC='$(abspath $(FLOWC))' $(if $(RUN_CC),CC='$(RUN_CC)') tests/recovery/run.sh
# ---- end of recovery ----

# ---- several workers (tests/workers) -------------------------------------------
# workers-test   every runnable program of the repository run with -w 1, 2, 3
#                and 4: the same multiset of output lines, each key's lines in
#                the same order, the same stderr, status and sink files
#                (tests/workers/run.py; a program reading a file with
#                split = "bytes": multisets of lines only); then tests/workers
#                and the examples with the exchange's items encoded and decoded
#                (FLOW_TRANSPORT=encode: the generated binary encoders)
# workers-sample a sample of programs (tests/workers, examples, tests/io, and
#                stateful, collect and session programs) at -w 2 and 4; asan
#                and tsan run it with their builds
# tsan           the runtime and the sample built with ThreadSanitizer into
#                build-tsan (any report fails the run: exit status 66)
.PHONY: workers-test workers-sample tsan
TEST_GROUPS += workers-test
workers-test: all
	$(TEST_ENV) tests/workers/run.py
	$(TEST_ENV) tests/workers/run.py --transport encode -w 2,3 tests/workers/*.flow examples/*.flow \
	    tests/run/dict_*.flow tests/run/set_*.flow tests/run/json_*.flow

WORKERS_SAMPLE := tests/workers/*.flow examples/*.flow tests/io/*.flow tests/run/collect_*.flow \
                  tests/run/stateful_*.flow tests/bytewax_windowing/*session*.flow
workers-sample: all
	$(TEST_ENV) tests/workers/run.py -w 2,4 $(wildcard $(WORKERS_SAMPLE))

# ---- several processes over MPI (runtime/mpi, docs/workers.md §9) ----------------
# mpi            build/libflowrt_mpi.a: the MPI transport (runtime/mpi/*.c), which
#                `flowc --mpi` links with Open MPI; libflowrt.a never needs MPI
# mpi-test       tests/workers and a sample of programs built with --mpi, run by
#                `mpirun -n 2 PROG -w 1` and `-w 2` and compared with one worker
#                (tests/workers/run.py --mpi 2), a job whose rank 1 fails
#                (tests/workers/mpi_fail.sh), and recovery under mpirun: jobs
#                killed (mpirun or a rank) and resumed with other shapes P × N
#                (tests/recovery/mpi.sh)
MPICC      ?= mpicc
RT_MPI_LIB := $(BUILD)/libflowrt_mpi.a
.PHONY: mpi mpi-test
TEST_GROUPS += mpi-test
$(BUILD)/rt_mpi/%.o: runtime/mpi/%.c $(wildcard runtime/include/*.h runtime/src/*.h)
	@mkdir -p $(dir $@)
	@command -v $(MPICC) >/dev/null || { echo "$(MPICC) is missing: install Open MPI (Debian: libopenmpi-dev openmpi-bin)" >&2; exit 1; }
	$(CC) $(ALL_CFLAGS) $$($(MPICC) --showme:compile) -Iruntime/include -Iruntime/src -c $< -o $@

$(RT_MPI_LIB): $(patsubst runtime/mpi/%.c,$(BUILD)/rt_mpi/%.o,$(wildcard runtime/mpi/*.c))
	@rm -f $@
	ar rcs $@ $^

mpi: all $(RT_MPI_LIB)

MPI_SAMPLE := tests/workers/*.flow examples/*.flow tests/io/*.flow tests/run/collect_*.flow \
              tests/run/stateful_*.flow tests/bytewax_windowing/*session*.flow
mpi-test: mpi
	@command -v mpirun >/dev/null || { echo "mpi-test: mpirun is missing (Debian: openmpi-bin); not run: FAILED" >&2; exit 1; }
	$(TEST_ENV) tests/workers/run.py --mpi 2 -w 1,2 $(wildcard $(MPI_SAMPLE))
	$(TEST_ENV) BUILD='$(BUILD)' tests/workers/mpi_fail.sh
	$(TEST_ENV) tests/recovery/mpi.sh

TSAN_BUILD := build-tsan
TSAN_SAN   := -fsanitize=thread
tsan:
	@$(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) SAN='$(TSAN_SAN)' OPT=-O1 all
	@TSAN_OPTIONS=halt_on_error=1:exitcode=66 $(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) \
	    SAN='$(TSAN_SAN)' OPT=-O1 RUN_CC='$(CC) -O1 -g $(TSAN_SAN)' workers-sample
# ---- end of several workers ----

# ---- kafka (tests/kafka) ------------------------------------------------------
# kafka-test     the kafka source and sink against librdkafka's mock cluster,
#                started by tests/kafka/kafka_test.c itself (loopback only, no
#                external broker): keyed round trip, a consumer group splitting
#                partitions, unknown topic and brokers down as errors
# kafka-broker-test  the same against a real Apache Kafka broker (KRaft, one
#                node, jars from make deps, started and stopped by
#                tests/kafka/broker.sh on loopback ports), plus a broker
#                restart mid-stream and a SASL/PLAIN listener; skipped, saying
#                why, without Java or the jars
.PHONY: kafka-test kafka-broker-test
$(BUILD)/kafka/kafka_test: tests/kafka/kafka_test.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lrdkafka

kafka-test: all $(BUILD)/kafka/kafka_test
	$(TEST_ENV) KAFKA_TEST='$(abspath $(BUILD)/kafka/kafka_test)' tests/kafka/run.sh mock

kafka-broker-test: all $(BUILD)/kafka/kafka_test
	$(TEST_ENV) KAFKA_TEST='$(abspath $(BUILD)/kafka/kafka_test)' KAFKA_LIB='$(abspath $(KAFKA_LIB))' \
	    tests/kafka/run.sh broker
# ---- end of kafka ----

# ---- examples on real data (tests/realdata) ----------------------------------
# realdata-test  examples/ec2_cpu.flow, ec2_hot.flow and partitions.flow on
#                ../shared/data, against tests/realdata/oracle.py (Python)
.PHONY: realdata-test
realdata-test: all
	$(TEST_ENV) tests/realdata/run.sh
# ---- end of examples on real data ----

# ---- Bytewax's operator tests, ported (tests/bytewax) -------------------------
# bytewax-test   pytests/operators of Bytewax as golden .flow programs, run by
#                tests/run/run.sh with DIR=tests/bytewax (see its README.md)
.PHONY: bytewax-test
bytewax-test: all
	$(TEST_ENV) tests/bytewax/run.sh

# bytewax-windowing-test  pytests/operators/windowing of Bytewax, the same way
#                         (tests/bytewax_windowing, see its README.md)
.PHONY: bytewax-windowing-test
bytewax-windowing-test: all
	$(TEST_ENV) tests/bytewax_windowing/run.sh
	$(TEST_ENV) tests/window_timers/run.sh
# ---- end of Bytewax's operator tests ----

# ---- fuzz -------------------------------------------------------------------
# libFuzzer harnesses, built with clang, ASan and UBSan into $(BUILD)/fuzz:
#   fuzz_parse  the parser and checker (tests/fuzz/fuzz_parse.c); seeds: the
#               .flow files of examples/ and tests/errors/
#   fuzz_csv    the csv and jsonl readers through the source API, in both
#   fuzz_jsonl  on_error modes (tests/fuzz/fuzz_csv.c, fuzz_jsonl.c, fuzz_io.c)
#               against a copy of the runtime built with coverage and the
#               sanitizers ($(BUILD)/fuzz/rt); seeds: tests/fuzz/seeds.sh,
#               from tests/io/data/*.csv and *.jsonl
# `make fuzz` runs the three at once for FUZZ_SECONDS each (make test: 20);
# `make fuzz-long` runs each in turn for FUZZ_LONG_SECONDS (600);
# FUZZ_HARNESSES="fuzz_csv fuzz_jsonl" picks some. What they find goes to
# $(BUILD)/fuzz/crash-* (tests/fuzz/run.sh).
FUZZ_SECONDS ?= 30
FUZZ_LONG_SECONDS ?= 600
FUZZ_CC      ?= clang
FUZZ_CXX     ?= clang++
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CC_OBJS := $(patsubst compiler/%.c,$(FUZZ_DIR)/cc/%.o,$(filter-out compiler/main.c,$(CC_SRCS))) \
                $(FUZZ_DIR)/cc/flow.tab.o $(FUZZ_DIR)/cc/lex.flow_yy.o
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_RT_OBJS := $(patsubst runtime/src/%.c,$(FUZZ_DIR)/rt/%.o,$(RT_SRCS)) \
                $(patsubst runtime/src/%.cc,$(FUZZ_DIR)/rt/%.o,$(RT_CXX))
FUZZ_BINS    := $(FUZZ_DIR)/fuzz_parse $(FUZZ_DIR)/fuzz_csv $(FUZZ_DIR)/fuzz_jsonl
.PHONY: fuzz fuzz-long fuzz-build fuzz-seeds
# the front end with the fuzzer's coverage, one object a file (make -j)
$(FUZZ_DIR)/cc/%.o: compiler/%.c $(wildcard compiler/*.h compiler/*.def runtime/include/*.h) $(BUILD)/gen/flow.tab.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD) -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(FLOWC_DEFS) \
	    -Icompiler -I$(BUILD)/gen -Iruntime/include -c $< -o $@
$(FUZZ_DIR)/cc/%.o: $(BUILD)/gen/%.c $(wildcard compiler/*.h runtime/include/*.h) $(BUILD)/gen/flow.tab.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD) -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(FLOWC_DEFS) \
	    -Icompiler -I$(BUILD)/gen -Iruntime/include -c $< -o $@
$(FUZZ_DIR)/fuzz_parse: tests/fuzz/fuzz_parse.c $(FUZZ_CC_OBJS) $(RT_LIB)
	$(FUZZ_CC) $(STD) -g -O1 -fsanitize=fuzzer,address,undefined -Icompiler -I$(BUILD)/gen -Iruntime/include \
	    -o $@ tests/fuzz/fuzz_parse.c $(FUZZ_CC_OBJS) $(RT_LIB) $(LDLIBS_RT)

# the runtime with the fuzzer's coverage (the readers' harnesses). The line
# and CSV quote scanners of io_src.c and io_csv.c go byte by byte through
# records of up to 1 MiB: without comparison tracing there, fuzz_csv runs
# about 5 times as many inputs a second (their word comparisons still reach
# the fuzzer through its memcmp hooks).
$(FUZZ_DIR)/rt/io_src.o $(FUZZ_DIR)/rt/io_csv.o: FUZZ_COV = -fno-sanitize-coverage=trace-cmp
$(FUZZ_DIR)/rt/%.o: runtime/src/%.c $(wildcard runtime/include/*.h runtime/src/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD) -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_COV) $(FUZZ_SAN) -Iruntime/include -Iruntime/src \
	    -c $< -o $@
$(FUZZ_DIR)/rt/%.o: runtime/src/%.cc $(wildcard runtime/src/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(CXXSTD) -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN) -Iruntime/src -c $< -o $@
$(FUZZ_DIR)/libflowrt.a: $(FUZZ_RT_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_io.c tests/fuzz/fuzz_io.h $(FUZZ_DIR)/libflowrt.a
	$(FUZZ_CXX) -x c $(STD) $(WARN) -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) -Iruntime/include -Iruntime/src \
	    -o $@ $< tests/fuzz/fuzz_io.c -x none $(FUZZ_DIR)/libflowrt.a $(LDLIBS_RT)

# two at a time: make test calls make fuzz without -j
fuzz-build: $(RT_LIB) $(BUILD)/gen/flow.tab.c $(BUILD)/gen/lex.flow_yy.c
	@$(MAKE) --no-print-directory -j2 $(FUZZ_BINS)

fuzz-seeds:
	@rm -rf $(FUZZ_DIR)/seed && mkdir -p $(FUZZ_DIR)/seed
	@cp examples/*.flow $(wildcard tests/errors/*.flow) $(FUZZ_DIR)/seed/
	@sh tests/fuzz/seeds.sh $(FUZZ_DIR)

FUZZ_HARNESSES ?= fuzz_parse fuzz_csv fuzz_jsonl
fuzz: fuzz-build fuzz-seeds
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) parallel $(FUZZ_HARNESSES)

fuzz-long: fuzz-build fuzz-seeds
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_LONG_SECONDS) serial $(FUZZ_HARNESSES)

# ---- diagnostics tests --------------------------------------------------------
# tests/errors/: each bad NAME.flow has NAME.err, the exact stderr of
# `NO_COLOR=1 flowc --check NAME.flow` (UPDATE=1 rewrites them).
.PHONY: errors-test
errors-test: $(FLOWC)
	FLOWC=$(abspath $(FLOWC)) sh tests/errors/run.sh

# tests/editors/: editors/ (Vim syntax, VS Code TextMate grammar) parse and
# name every operator and built-in; vim -es checks a few highlight groups.
.PHONY: editors-test
editors-test:
	sh tests/editors/run.sh

# tests/graph/: `flowc --graph=mermaid|dot` golden output, and the DOT of
# every example and tests/run program rendered by Graphviz.
.PHONY: graph-test
graph-test: $(FLOWC)
	FLOWC=$(abspath $(FLOWC)) sh tests/graph/run.sh

# tests/parse/: valid programs and their `flowc --emit=ast` output.
.PHONY: parse-test
parse-test: $(FLOWC)
	FLOWC=$(abspath $(FLOWC)) sh tests/parse/run.sh

# ---- install ----------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=/staging]: flowc, libflowrt.a (and
# libflowrt_mpi.a when `make mpi` built it),
# flowrt.h, flowrt_gen.h, flowrt.pc (pkg-config --cflags --libs flowrt) and the man pages
# flowc(1) and flow(7); make uninstall removes exactly those files.
# The installed flowc is linked separately ($(BUILD)/inst/flowc) with the
# runtime's installed location compiled in; it also finds the runtime
# beside itself (../lib, ../include), so an install staged under DESTDIR
# works before it is moved into place, and FLOWRT_HOME overrides both.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
MANDIR      ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL     ?= install
INST_DIR    := $(BUILD)/inst
INSTALLED_FILES := $(BINDIR)/flowc $(LIBDIR)/libflowrt.a $(INCLUDEDIR)/flowrt.h $(INCLUDEDIR)/flowrt_gen.h \
                   $(PKGCONFIGDIR)/flowrt.pc $(MANDIR)/man1/flowc.1 $(MANDIR)/man7/flow.7
FLOWRT_VERSION := $(shell sed -n 's/^\#define FLOWRT_VERSION "\(.*\)"/\1/p' runtime/include/flowrt.h)
.PHONY: install uninstall install-test FORCE

# Rewritten only when the directories change, so a new PREFIX relinks flowc.
$(INST_DIR)/dirs: FORCE
	@mkdir -p $(INST_DIR)
	@echo '$(PREFIX) $(LIBDIR) $(INCLUDEDIR)' | cmp -s - $@ || echo '$(PREFIX) $(LIBDIR) $(INCLUDEDIR)' >$@

$(INST_DIR)/main.o: compiler/main.c $(wildcard compiler/*.h compiler/*.def) $(BUILD)/gen/flow.tab.h $(INST_DIR)/dirs
	$(CC) $(ALL_CFLAGS) -DFLOWRT_INCLUDE_DIR='"$(INCLUDEDIR)"' -DFLOWRT_LIB_DIR='"$(LIBDIR)"' \
	    -Icompiler -I$(BUILD)/gen -Iruntime/include -c $< -o $@

$(INST_DIR)/flowc: $(INST_DIR)/main.o $(filter-out $(BUILD)/cc/main.o,$(CC_OBJS)) $(GEN_OBJS) $(RT_LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_RT)

# (depends on the Makefile: Libs is LDLIBS_RT)
$(INST_DIR)/flowrt.pc: runtime/flowrt.pc.in Makefile $(INST_DIR)/dirs
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(FLOWRT_VERSION)|g' -e 's|@LIBS@|$(LDLIBS_RT)|g' $< >$@

install: $(INST_DIR)/flowc $(RT_LIB) $(INST_DIR)/flowrt.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	$(INSTALL) -m 755 $(INST_DIR)/flowc $(DESTDIR)$(BINDIR)/flowc
	$(INSTALL) -m 644 $(RT_LIB) $(DESTDIR)$(LIBDIR)/libflowrt.a
	$(INSTALL) -m 644 runtime/include/flowrt.h $(DESTDIR)$(INCLUDEDIR)/flowrt.h
	$(INSTALL) -m 644 runtime/include/flowrt_gen.h $(DESTDIR)$(INCLUDEDIR)/flowrt_gen.h
	$(INSTALL) -m 644 $(INST_DIR)/flowrt.pc $(DESTDIR)$(PKGCONFIGDIR)/flowrt.pc
	$(INSTALL) -m 644 docs/flowc.1 $(DESTDIR)$(MANDIR)/man1/flowc.1
	$(INSTALL) -m 644 docs/flow.7 $(DESTDIR)$(MANDIR)/man7/flow.7
	if [ -f $(RT_MPI_LIB) ]; then $(INSTALL) -m 644 $(RT_MPI_LIB) $(DESTDIR)$(LIBDIR)/libflowrt_mpi.a; fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES)) $(DESTDIR)$(LIBDIR)/libflowrt_mpi.a

# tests/install/run.sh: install into a temporary DESTDIR, compile and run
# programs with the installed flowc and with pkg-config, then uninstall.
install-test: all
	MAKE='$(MAKE)' FLOWC='$(abspath $(FLOWC))' tests/install/run.sh
# ---- end of install ----

# ---- bench ------------------------------------------------------------------
# bench        the benchmarks of issue 6 (bench/run.sh): W1-W4, Nexmark and
#              compile times against hand-written C (bench/baseline/) and
#              peer tools; prints the table and writes docs/benchmarks.md.
#              Bytewax and Flink as peers (bench/peers/peers.sh). Not part of
#              `make test`; takes about 20 minutes.
# bench-smoke  every benchmark program built and checked on tiny inputs (in
#              TEST_GROUPS, so `make test` runs it)
.PHONY: bench bench-smoke
bench: deps all mpi
	@$(MAKE) --no-print-directory flink-peers
	FLOWC='$(abspath $(FLOWC))' bench/run.sh

bench-smoke: all mpi
	-@$(MAKE) --no-print-directory flink-peers
	SMOKE=1 FLOWC='$(abspath $(FLOWC))' bench/run.sh

# ---- benchmark peers: Bytewax and Flink (bench/peers, bench/peers/peers.sh) ----
# peer-deps    (run by `make deps`) the venv build/bytewax-venv (bytewax-venv
#              below: tests/differential/requirements.txt, bytewax==0.21.1,
#              pinned, --no-deps, shared with the differential tests); Flink's
#              Maven dependencies into build/m2 (not ~/.m2) when the pom
#              changed, building the jobs on the way
# flink-peers  the Flink jobs, offline: build/flink-peers/flowc-peers.jar and
#              its dependencies in build/flink-peers/lib
# Fixed under build/ (also for BUILD=build-asan): one venv and one Maven
# repository whatever the build.
.PHONY: peer-deps flink-peers
FLINK_PEERS  := build/flink-peers
M2_REPO      := build/m2
FLINK_SRCS   := bench/peers/flink/pom.xml $(wildcard bench/peers/flink/src/main/java/flowc/peers/*.java)
MVN_PEERS     = mvn -B -q -Dstyle.color=never -f bench/peers/flink/pom.xml -Dpeers.build='$(abspath $(FLINK_PEERS))' \
                -Dmaven.repo.local='$(abspath $(M2_REPO))'

peer-deps: bytewax-venv
	@if [ ! -f $(M2_REPO)/.fetched ] || [ bench/peers/flink/pom.xml -nt $(M2_REPO)/.fetched ]; then \
	    echo "fetching Flink's Maven dependencies into $(M2_REPO)"; \
	    mkdir -p $(M2_REPO) && $(MVN_PEERS) package && touch $(M2_REPO)/.fetched; fi

$(FLINK_PEERS)/flowc-peers.jar: $(FLINK_SRCS)
	@command -v java >/dev/null && command -v mvn >/dev/null || \
	    { echo "flink-peers: no java or mvn (make deps installs openjdk-17-jdk-headless and maven)"; exit 1; }
	$(MVN_PEERS) -o package

flink-peers: $(FLINK_PEERS)/flowc-peers.jar
# ---- end of bench ----

# ---- flowc against the real Bytewax (tests/differential) ---------------------
# bytewax-venv       a virtual environment in build/bytewax-venv (ignored) with
#                    the pinned Bytewax of tests/differential/requirements.txt;
#                    `make deps` makes it; nothing outside build/ changes
# differential-test  DIFF_N random programs (fixed seed) compiled by flowc and
#                    run by Bytewax 0.21.1, stdout compared byte for byte
# twins-test         every example and ported Bytewax test against its Python
#                    twin (NAME.py beside it) run by Bytewax
# conformance        N=... SEED=... [JOBS=...] [KEEP=DIR]: more random programs,
#                    500 at a time (nice -n 10 make conformance N=20000
#                    SEED=1000000); KEEP: the failing programs go to DIR
# The programs are compiled at -O0 (tests/differential/cc_O0.sh): 3x faster.
PYTHON   ?= python3
BW_VENV  := build/bytewax-venv
BW_PY    := $(BW_VENV)/bin/python
DIFF_N   ?= 300
DIFF_SEED ?= 1
N        ?= 2000
SEED     ?= 1000000
JOBS     ?= 2
DIFF_ENV = FLOWC='$(abspath $(FLOWC))' CC='$(abspath tests/differential/cc_O0.sh)' \
           $(if $(RUN_CC),HARNESS_CC='$(RUN_CC)')
.PHONY: bytewax-venv differential-test twins-test conformance bytewax-check

bytewax-venv: $(BW_VENV)/.installed
$(BW_VENV)/.installed: tests/differential/requirements.txt
	@rm -rf $(BW_VENV)
	@echo "installing Bytewax into $(BW_VENV) (tests/differential/requirements.txt)"
	$(PYTHON) -m venv $(BW_VENV)
	PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 $(BW_PY) -m pip install -q --no-deps -r $<
	@$(BW_PY) -c 'import bytewax.operators, importlib.metadata as m; assert m.version("bytewax") == "0.21.1"'
	@touch $@

bytewax-check:
	@if ! [ -f $(BW_VENV)/.installed ] || ! $(BW_PY) -c 'import bytewax' 2>/dev/null; then \
	    echo "Bytewax is missing: $(BW_VENV) has no bytewax 0.21.1. Run 'make deps' (it needs PyPI and python3-venv)."; \
	    echo "0 passed, 1 failed"; exit 1; fi

differential-test: all bytewax-check
	$(DIFF_ENV) $(BW_PY) tests/differential/harness.py random --n $(DIFF_N) --seed $(DIFF_SEED)

twins-test: all bytewax-check
	$(DIFF_ENV) $(BW_PY) tests/differential/harness.py twins examples tests/bytewax \
	    tests/bytewax_windowing tests/window_timers tests/differential/cases

conformance: all bytewax-check
	$(DIFF_ENV) $(BW_PY) tests/differential/harness.py random --n $(N) --seed $(SEED) --jobs $(JOBS) \
	    $(if $(KEEP),--keep $(KEEP))
# ---- end of flowc against Bytewax ----
