# lmgrantd: one binary, a plain Makefile. The source list below is the map
# of the daemon; see README.md for what each module does.

PREFIX      ?= /usr/local
DESTDIR     ?=
BUILD       ?= build
PYTHON      ?= python3
VERSION     := 0.1.0

PKGS        := libcurl openssl jansson yaml-0.1 libsystemd
CC          ?= cc
CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
ALL_CFLAGS  := -std=c11 -D_GNU_SOURCE -DLMGRANTD_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) \
               -I daemon -I $(BUILD) $(shell pkg-config --cflags $(PKGS))
LIBS        := $(shell pkg-config --libs $(PKGS)) -lm -pthread
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null)

ifeq ($(SANITIZE),1)
ALL_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS        += -fsanitize=address,undefined
BUILD       := build-asan
endif

# The map. main.c is the only file not linked into the unit tests.
LIB_SRCS := \
	daemon/util.c \
	daemon/grant.c \
	daemon/config.c \
	daemon/config_yaml.c \
	daemon/config_schema.c \
	daemon/config_model.c \
	daemon/config_check.c \
	daemon/plan.c \
	daemon/http.c \
	daemon/creds.c \
	daemon/lm.c \
	daemon/org.c \
	daemon/resolve.c \
	daemon/log.c \
	daemon/apply.c \
	daemon/reconcile.c \
	daemon/output.c \
	daemon/state.c \
	daemon/service.c \
	daemon/pool.c
MAIN_SRC := daemon/main.c

LIB_OBJS  := $(LIB_SRCS:daemon/%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(MAIN_SRC:daemon/%.c=$(BUILD)/%.o)
TEST_SRCS := $(wildcard tests/check_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps check unit asan demo install clean bench fuzz lint emulator-test system-test

all: $(BUILD)/lmgrantd

$(BUILD)/lmgrantd: $(LIB_OBJS) $(MAIN_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: daemon/%.c daemon/*.h $(BUILD)/bedrock_table.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The Bedrock model-id -> product-id table is data, compiled in from the TSV.
$(BUILD)/bedrock_table.h: daemon/bedrock-products.tsv | $(BUILD)
	awk -F '\t' '!/^#/ && NF >= 2 { printf "\t{ \"%s\", \"%s\" },\n", $$1, $$2 }' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/%.c $(LIB_OBJS) tests/*.h | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I tests -o $@ $< $(LIB_OBJS) $(LIBS) $(CHECK_LIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

deps:
	./contrib/install-deps.sh

# Everything: unit tests, the emulator's own tests, system tests. The last
# line is "N passed, N failed".
check: all $(TEST_BINS)
	BUILD=$(BUILD) PYTHON=$(PYTHON) ./tests/run-all.sh

unit: $(TEST_BINS)
	@for t in $(TEST_BINS); do echo "== $$t"; $$t || exit 1; done

asan:
	$(MAKE) SANITIZE=1 check

demo: deps all
	BUILD=$(BUILD) PYTHON=$(PYTHON) ./contrib/demo.sh

install: all
	install -D -m 0755 $(BUILD)/lmgrantd $(DESTDIR)$(PREFIX)/bin/lmgrantd
	install -D -m 0644 systemd/lmgrantd.service $(DESTDIR)$(PREFIX)/lib/systemd/system/lmgrantd.service
	install -D -m 0644 systemd/lmgrantd.catalog $(DESTDIR)$(PREFIX)/lib/systemd/catalog/lmgrantd.catalog
	install -D -m 0644 conf/lmgrantd.yaml $(DESTDIR)/etc/lmgrantd/lmgrantd.yaml.example
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/lmgrantd/README.md

lint:
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
		--suppress=missingIncludeSystem --suppress=unknownMacro -I daemon daemon

clean:
	rm -rf build build-asan
