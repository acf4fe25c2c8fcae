# contrail - event-sourced batch engine: Avro/Kafka event log -> SQLite projections.
# Targets: deps all test demo bench sanitize tsan valgrind fuzz clean (see README.md).

PKGS     := avro-c rdkafka libuv sqlite3 jansson zlib
DEB_PKGS := build-essential pkg-config librdkafka-dev libavro-dev libuv1-dev libsqlite3-dev \
            libjansson-dev zlib1g-dev libcriterion-dev kcat avro-bin sqlite3 python3 python3-avro \
            hyperfine time valgrind

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes -Werror
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
ALL_CFLAGS  = $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) -I. -I$(BUILD)/gen -MMD -MP

LIB_SRC  := $(wildcard events/*.c engine/*.c projections/*.c)
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/events/*.c tests/engine/*.c tests/projections/*.c tests/cli/*.c)
SCHEMAS  := schemas/catalog.json $(wildcard schemas/*.avsc schemas/payloads/*.avsc)

GEN_SRC  := $(BUILD)/gen/schema_files.c
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema_files.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

CONTRAIL := $(BUILD)/contrail
UNIT     := $(BUILD)/unit-tests
NAIVE    := $(BUILD)/naive-loader

# The fuzz targets (tests/fuzz/fuzz_NAME.c), each also built with a plain main that runs it over
# its committed corpus (tests/fuzz/corpus/NAME), as `test` does.
FUZZ_NAMES   := json frame log replay
FUZZ_RUNNERS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/run-%)
FUZZ_SECONDS ?= 60
# libFuzzer's runtime is in the second, which clang only recommends
FUZZ_DEB_PKGS := clang libclang-rt-14-dev

.PHONY: all deps test unit e2e corpus demo bench sanitize tsan valgrind fuzz clean
all: $(CONTRAIL)

# $(call install-missing,PACKAGES): installs those of the Debian PACKAGES that are missing
# (apt-get; root or sudo).
install-missing = missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

deps:
	@$(call install-missing,$(DEB_PKGS))

# The schema catalog the binary embeds, generated from schemas/ (never committed).
$(GEN_SRC): $(SCHEMAS) Makefile
	@mkdir -p $(dir $@)
	@{ echo '/* generated from schemas/ by the Makefile; do not edit */'; \
	   echo '#include "events/schema_files.h"'; \
	   echo 'const struct ctr_schema_file ctr_schema_files[] = {'; \
	   for f in $(SCHEMAS); do \
	     echo "{\"$${f#schemas/}\","; sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $$f; echo '},'; \
	   done; \
	   echo '};'; \
	   echo 'const int ctr_schema_file_count = sizeof(ctr_schema_files) / sizeof(ctr_schema_files[0]);'; } > $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/gen/schema_files.o: $(GEN_SRC)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libcontrail.a: $(LIB_OBJ)
	ar rcs $@ $^

$(CONTRAIL): $(CLI_OBJ) $(BUILD)/libcontrail.a
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libcontrail.a $(PKG_LIBS)

# the allocators wrapped so that a test can make one of contrail's own allocations fail
# (tests/events/alloc_fail.h)
UNIT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

$(UNIT): $(TEST_OBJ) $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ)) $(BUILD)/libcontrail.a
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) $(UNIT_WRAP) -o $@ $^ $(PKG_LIBS) -lcriterion

# the fuzz targets' objects are kept, not removed as intermediates, or each make compiled them again
# (named: a pattern here counts only as the very target pattern of the rule that makes them)
.PRECIOUS: $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.o) $(BUILD)/tests/fuzz/run_corpus.o

$(BUILD)/fuzz/run-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/run_corpus.o $(BUILD)/libcontrail.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(NAIVE): bench/naive_loader.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS)

unit: $(UNIT)
	$(UNIT) --jobs 2

e2e: $(CONTRAIL)
	CONTRAIL=$(abspath $(CONTRAIL)) bash tests/run-e2e.sh

# Every fuzz target over its committed corpus (the seeds and what fuzzing found).
corpus: $(FUZZ_RUNNERS)
	@for name in $(FUZZ_NAMES); do $(BUILD)/fuzz/run-$$name tests/fuzz/corpus/$$name || exit 1; done

# Everything: unit tests (Criterion) and end-to-end scenarios and interop tests.
test: deps
	$(MAKE) all $(UNIT) $(FUZZ_RUNNERS)
	$(MAKE) unit
	$(MAKE) corpus
	$(MAKE) e2e

demo: deps
	$(MAKE) all
	CONTRAIL=$(abspath $(CONTRAIL)) bash bench/demo.sh

bench: deps
	$(MAKE) all $(NAIVE)
	CONTRAIL=$(abspath $(CONTRAIL)) NAIVE=$(abspath $(NAIVE)) bash bench/run.sh

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: deps
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		test-nodeps

# Replays of local logs and JSON Lines under ThreadSanitizer: the loop reads while the thread
# pool writes. Not part of `test` (the Criterion runner does not start under TSan, and
# librdkafka's threads are not instrumented).
tsan: deps
	$(MAKE) BUILD=build-tsan CFLAGS="-O1 -g -fsanitize=thread" build-tsan/contrail
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" CONTRAIL=$(abspath build-tsan/contrail) \
		E2E_ONLY="scenarios determinism_batches determinism_kill incremental until_and_held bad_input" \
		bash tests/run-e2e.sh

# The unit tests (but the sweeps of whole replays and ingests that fail each allocation in turn,
# which `sanitize` runs), the scenarios (replayed four ways, not one event per run) and the tests
# of tests/e2e/ named here with every process
# under valgrind's memcheck (tests/run-valgrind.sh): definite leaks, reads of uninitialised or
# freed memory; any finding fails the run, also in a process whose exit status a test does not look
# at. The binary `test` runs, no build of its own. Not part of `test`: 16 to 23 minutes on two
# cores, each process some 50 times slower. With every e2e test it takes 30; those left out
# replay bigger histories (the determinism tests) or run more of what these run (the other Kafka,
# incremental and kill tests, generate, migrations, support_shards).
VALGRIND_E2E := scenarios audit_reconcile_diff bad_input command_line ingest_cut_short interop_avrocat interop_python \
	invoices jsonl_odd_bytes kafka_follow kafka_publish kafka_replay kafka_retention merge_report \
	schema_evolution until_and_held write_fails
valgrind: deps
	$(MAKE) all $(UNIT)
	CONTRAIL=$(abspath $(CONTRAIL)) UNIT=$(abspath $(UNIT)) E2E_ONLY="$(VALGRIND_E2E)" \
		bash tests/run-valgrind.sh

test-nodeps: all $(UNIT) $(FUZZ_RUNNERS)
	ASAN_OPTIONS=detect_leaks=1 $(UNIT) --jobs 2
	$(MAKE) corpus
	CONTRAIL=$(abspath $(CONTRAIL)) bash tests/run-e2e.sh

# libFuzzer (clang) on each target for FUZZ_SECONDS, under ASan and UBSan, starting from a copy
# of its corpus in build-fuzz/corpus/NAME; what fails is saved as build-fuzz/crash/NAME-*.
# Add an input worth keeping to tests/fuzz/corpus/NAME, where `make test` replays it.
fuzz: deps
	@$(call install-missing,$(FUZZ_DEB_PKGS))
	$(MAKE) BUILD=build-fuzz CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
		build-fuzz/libcontrail.a $(FUZZ_NAMES:%=build-fuzz/tests/fuzz/fuzz_%.o)
	@mkdir -p build-fuzz/crash
	@for name in $(FUZZ_NAMES); do \
		clang -g -fsanitize=fuzzer,address,undefined -o build-fuzz/fuzz-$$name \
			build-fuzz/tests/fuzz/fuzz_$$name.o build-fuzz/libcontrail.a $(PKG_LIBS) || exit 1; \
		mkdir -p build-fuzz/corpus/$$name && cp -n tests/fuzz/corpus/$$name/* build-fuzz/corpus/$$name/; \
		echo "fuzzing $$name for $(FUZZ_SECONDS) s"; \
		( [ $$name != log ] || export ASAN_OPTIONS=fast_unwind_on_malloc=0 \
			LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp); \
		build-fuzz/fuzz-$$name -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=build-fuzz/crash/$$name- build-fuzz/corpus/$$name ) || exit 1; \
	done

clean:
	rm -rf build build-san build-tsan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
