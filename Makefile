# contrail - event-sourced batch engine: Avro/Kafka event log -> SQLite projections.
# Targets: deps all test demo bench sanitize clean (see README.md).

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

.PHONY: all deps test unit e2e demo bench sanitize tsan clean
all: $(CONTRAIL)

# Installs the Debian packages that are missing (apt-get; root or sudo).
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

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

$(UNIT): $(TEST_OBJ) $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ)) $(BUILD)/libcontrail.a
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $^ $(PKG_LIBS) -lcriterion

$(NAIVE): bench/naive_loader.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS)

unit: $(UNIT)
	$(UNIT) --jobs 2

e2e: $(CONTRAIL)
	CONTRAIL=$(abspath $(CONTRAIL)) bash tests/run-e2e.sh

# Everything: unit tests (Criterion) and end-to-end scenarios and interop tests.
test: deps
	$(MAKE) all $(UNIT)
	$(MAKE) unit
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
		E2E_ONLY="determinism_batches determinism_kill incremental until_and_held bad_input" \
		bash tests/run-e2e.sh

test-nodeps: all $(UNIT)
	ASAN_OPTIONS=detect_leaks=1 $(UNIT) --jobs 2
	CONTRAIL=$(abspath $(CONTRAIL)) bash tests/run-e2e.sh

clean:
	rm -rf build build-san build-tsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
