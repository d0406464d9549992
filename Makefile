# lmgrantd: one binary, a plain Makefile. The source list below is the map
# of the daemon; see README.md for what each module does.

PREFIX      ?= /usr/local
DESTDIR     ?=
BUILD       ?= build
# Debian's own python3: contrib/install-deps.sh installs the emulator
# tests' botocore/boto3 for it, whatever other python3 is on PATH.
PYTHON      ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
VERSION     := 0.1.0

PKGS        := libcurl openssl jansson yaml-0.1 libsystemd expat
CC          ?= cc
# The Debian way: CPPFLAGS, CFLAGS and LDFLAGS (e.g. from dpkg-buildflags)
# come from the caller and are added after the project's own flags.
CFLAGS      ?= -O2 -g
CPPFLAGS    ?=
LDFLAGS     ?=
WARN        := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2

# pkg-config runs on first use, not when this file is parsed: `make demo`
# installs pkg-config and the -dev packages (make deps) before anything
# needs their flags. Each result is then kept (the := inside $(eval)).
pkgconfig = $(if $(shell pkg-config --exists $(2) 2>/dev/null && echo y),$(shell pkg-config $(1) $(2)),$(error pkg-config does not find $(2): run `make deps` (installs the Debian packages)))
PKG_CFLAGS   = $(eval PKG_CFLAGS := $$(call pkgconfig,--cflags,$$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS     = $(eval PKG_LIBS := $$(call pkgconfig,--libs,$$(PKGS)))$(PKG_LIBS)
CHECK_CFLAGS = $(eval CHECK_CFLAGS := $$(call pkgconfig,--cflags,check))$(CHECK_CFLAGS)
CHECK_LIBS   = $(eval CHECK_LIBS := $$(call pkgconfig,--libs,check))$(CHECK_LIBS)

ALL_CPPFLAGS = -D_GNU_SOURCE -DLMGRANTD_VERSION='"$(VERSION)"' -I daemon -I $(BUILD) $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARN) $(CFLAGS) $(ALL_CPPFLAGS)
LIBS         = $(LDFLAGS) $(PKG_LIBS) -lm -pthread

ifeq ($(SANITIZE),1)
ALL_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS        += -fsanitize=address,undefined
BUILD       := build-asan
endif
ifeq ($(SANITIZE),thread)
ALL_CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer
LIBS        += -fsanitize=thread
BUILD       := build-tsan
endif

# The map. main.c is the only file not linked into the unit tests.
LIB_SRCS := \
	daemon/util.c \
	daemon/safefile.c \
	daemon/grant.c \
	daemon/config.c \
	daemon/config_yaml.c \
	daemon/config_schema.c \
	daemon/config_model.c \
	daemon/config_check.c \
	daemon/gitrev.c \
	daemon/plan.c \
	daemon/names.c \
	daemon/arn.c \
	daemon/credentials.c \
	daemon/aws_error.c \
	daemon/endpoint.c \
	daemon/http.c \
	daemon/aws.c \
	daemon/creds.c \
	daemon/creds_profile.c \
	daemon/creds_process.c \
	daemon/xmltree.c \
	daemon/creds_token.c \
	daemon/creds_webid.c \
	daemon/creds_container.c \
	daemon/sts.c \
	daemon/imds.c \
	daemon/lm.c \
	daemon/org.c \
	daemon/resolve.c \
	daemon/log.c \
	daemon/apply.c \
	daemon/reconcile.c \
	daemon/output.c \
	daemon/state.c \
	daemon/service.c \
	daemon/control.c \
	daemon/doctor.c \
	daemon/doctor_read.c \
	daemon/pool.c \
	daemon/memory.c \
	daemon/pacer.c \
	daemon/access.c \
	daemon/history.c
MAIN_SRC := daemon/main.c

LIB_OBJS  := $(LIB_SRCS:daemon/%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(MAIN_SRC:daemon/%.c=$(BUILD)/%.o)
TEST_SRCS := $(wildcard tests/check_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps check unit asan tsan tsan-run demo deb fresh-check install uninstall post-install clean FORCE bench fuzz fuzz-run valgrind lint emulator-test system-test

all: $(BUILD)/lmgrantd

$(BUILD)/lmgrantd: $(LIB_OBJS) $(MAIN_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: daemon/%.c daemon/*.h $(BUILD)/bedrock_table.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The git commit `lmgrantd --version` names. The header is rewritten only
# when the commit changes, so main.o is rebuilt then and only then. Outside
# a git checkout (a release tarball): LMGRANTD_COMMIT=... or "unknown".
LMGRANTD_COMMIT ?= $(shell git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || echo unknown)

$(BUILD)/main.o: $(BUILD)/build_commit.h

$(BUILD)/build_commit.h: FORCE | $(BUILD)
	@printf '#define LMGRANTD_COMMIT "%s"\n' '$(LMGRANTD_COMMIT)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

FORCE:

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
# line is "N passed, N failed, N skipped".
check: all $(TEST_BINS)
	BUILD=$(BUILD) PYTHON=$(PYTHON) ./tests/run-all.sh

unit: $(TEST_BINS)
	@for t in $(TEST_BINS); do echo "== $$t"; $$t || exit 1; done

asan:
	$(MAKE) SANITIZE=1 check

# ThreadSanitizer: the unit tests, then the system tests that run the
# daemon, with workers made to overlap (emulator latency, a watchdog fed
# from the workers). Every report goes to build-tsan/tsan/; any fails.
# (064-outage is left out: it times a kill against a pass in progress,
# which a binary slowed down by TSan does not reliably meet.)
TSAN_SYSTEM := 030-daemon 031-daemon-org-cache 052-creds-process 054-creds-refresh \
	056-grantee-accept 060-throttling 065-credentials 400-watchdog-during-pass
tsan:
	$(MAKE) SANITIZE=thread -j2 all tsan-run

tsan-run: $(TEST_BINS)
	rm -rf $(BUILD)/tsan && mkdir -p $(BUILD)/tsan
	@export TSAN_OPTIONS="log_path=$(abspath $(BUILD))/tsan/report halt_on_error=0 second_deadlock_stack=1"; \
	for t in $(TEST_BINS); do \
		echo "== tsan $$t"; \
		LMGRANTD_TESTS_DIR=$(abspath tests) $$t >$(BUILD)/tsan/$$(basename $$t).out 2>&1 \
			|| { tail -20 $(BUILD)/tsan/$$(basename $$t).out; exit 1; }; \
	done; \
	for s in $(TSAN_SYSTEM); do \
		echo "== tsan $$s"; \
		LMGRANTD_BIN=$(abspath $(BUILD))/lmgrantd LMGRANTD_TESTS_DIR=$(abspath tests) PYTHON=$(PYTHON) \
		LMGRANTD_WAIT_SCALE=3 LMGRANTD_EMULATOR_ARGS="--latency-ms 15" WATCHDOG_USEC=200000 \
			bash tests/system/$$s.sh >$(BUILD)/tsan/$$s.log 2>&1 || { tail -20 $(BUILD)/tsan/$$s.log; exit 1; }; \
	done
	@bad=$$(find $(BUILD)/tsan -name 'report*' | sort); \
	if [ -n "$$bad" ]; then for f in $$bad; do echo "== $$f"; head -60 $$f; done; \
		echo "tsan: $$(echo "$$bad" | wc -l) process(es) with reports"; exit 1; fi; \
	echo "tsan: no reports"

# libFuzzer (clang, with ASan and UBSan): each tests/fuzz/fuzz_NAME.c runs
# FUZZ_SECONDS on its committed corpus tests/fuzz/corpus/NAME (read only);
# what it finds goes to build-fuzz/corpus-NAME, a crash to
# build-fuzz/NAME-crash-*. Minimize a crash into tests/fuzz/regressions/NAME/:
# check_fuzz replays corpus and regressions in `make check`.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZERS      := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

fuzz:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wno-error" \
		FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz-run

fuzz-run: $(FUZZERS:%=$(BUILD)/fuzz/fuzz_%)
	@for f in $(FUZZERS); do \
		mkdir -p $(BUILD)/corpus-$$f; \
		dict=; [ -f tests/fuzz/$$f.dict ] && dict=-dict=tests/fuzz/$$f.dict; \
		echo "== fuzz $$f for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-max_len=8192 -print_final_stats=1 -artifact_prefix=$(BUILD)/$$f- $$dict \
			$(BUILD)/corpus-$$f tests/fuzz/corpus/$$f 2>$(BUILD)/fuzz-$$f.log \
			|| { tail -60 $(BUILD)/fuzz-$$f.log; exit 1; }; \
		grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' $(BUILD)/fuzz-$$f.log; \
	done

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_OBJS) | $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_OBJS) $(LIBS)

$(BUILD)/fuzz:
	mkdir -p $@

# The corpus replay includes the harnesses.
$(BUILD)/tests/check_fuzz: tests/fuzz/fuzz_*.c

# Valgrind memcheck over the whole suite: the unit tests in-process
# (CK_FORK=no), then every test with the lmgrantd binary run through
# valgrind (LMGRANTD_WRAP, see tests/system/lib.sh). Each valgrind report
# goes to build/valgrind/; any error or definite/indirect leak fails.
VALGRIND_LOGS := $(abspath $(BUILD))/valgrind
VALGRIND      := valgrind --quiet --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--num-callers=30 --suppressions=$(abspath tests/valgrind.supp)

valgrind: all $(TEST_BINS)
	rm -rf $(VALGRIND_LOGS) && mkdir -p $(VALGRIND_LOGS)
	@for t in $(TEST_BINS); do \
		echo "== valgrind $$t"; \
		CK_FORK=no LMGRANTD_TESTS_DIR=$(abspath tests) $(VALGRIND) --log-file=$(VALGRIND_LOGS)/$$(basename $$t).%p.log $$t \
			>$(VALGRIND_LOGS)/$$(basename $$t).out 2>&1 || { tail -20 $(VALGRIND_LOGS)/$$(basename $$t).out; exit 1; }; \
	done
	LMGRANTD_WRAP="$(VALGRIND) --log-file=$(VALGRIND_LOGS)/lmgrantd.%p.log" \
		BUILD=$(BUILD) PYTHON=$(PYTHON) ./tests/run-all.sh
	@bad=$$(find $(VALGRIND_LOGS) -name '*.log' -size +0 | sort); \
	if [ -n "$$bad" ]; then for f in $$bad; do echo "== $$f"; head -60 $$f; done; \
		echo "valgrind: $$(echo "$$bad" | wc -l) process(es) with errors"; exit 1; fi; \
	echo "valgrind: no errors, no leaks"

# deps first, then a new make: nothing may be built (or asked of
# pkg-config) before the packages are there.
demo: deps
	$(MAKE) all
	BUILD=$(BUILD) PYTHON=$(PYTHON) ./contrib/demo.sh

# Where `make install` puts things. The units it installs name these same
# paths: the files in systemd/ say /usr/local, replaced by PREFIX in the
# program's path (ExecStart=, ExecReload=, examples) and in Documentation=.
BINDIR        = $(PREFIX)/bin
UNITDIR       = $(PREFIX)/lib/systemd/system
CATALOGDIR    = $(PREFIX)/lib/systemd/catalog
MANDIR        = $(PREFIX)/share/man
DOCDIR        = $(PREFIX)/share/doc/lmgrantd
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
CONFDIR       = /etc/lmgrantd
UNITS         = lmgrantd.service lmgrantd@.service
INSTALLED     = $(BINDIR)/lmgrantd $(UNITS:%=$(UNITDIR)/%) $(CATALOGDIR)/lmgrantd.catalog \
	$(MANDIR)/man8/lmgrantd.8 $(MANDIR)/man5/lmgrantd.yaml.5 $(DOCDIR)/README.md \
	$(COMPLETIONDIR)/lmgrantd $(CONFDIR)/lmgrantd.yaml.example $(CONFDIR)/environment.example

install: all
	install -D -m 0755 $(BUILD)/lmgrantd $(DESTDIR)$(BINDIR)/lmgrantd
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
		sed -e 's|/usr/local/bin/lmgrantd|$(PREFIX)/bin/lmgrantd|g' \
			-e '/^Documentation=/s|/usr/local/|$(PREFIX)/|g' systemd/$$u \
			> $(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -D -m 0644 systemd/lmgrantd.catalog $(DESTDIR)$(CATALOGDIR)/lmgrantd.catalog
	install -D -m 0644 doc/lmgrantd.8 $(DESTDIR)$(MANDIR)/man8/lmgrantd.8
	install -D -m 0644 doc/lmgrantd.yaml.5 $(DESTDIR)$(MANDIR)/man5/lmgrantd.yaml.5
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -D -m 0644 contrib/bash-completion/lmgrantd $(DESTDIR)$(COMPLETIONDIR)/lmgrantd
	install -D -m 0644 conf/lmgrantd.yaml $(DESTDIR)$(CONFDIR)/lmgrantd.yaml.example
	install -D -m 0644 contrib/environment.example $(DESTDIR)$(CONFDIR)/environment.example
	@$(MAKE) --no-print-directory post-install

uninstall:
	rm -f $(INSTALLED:%=$(DESTDIR)%)
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(CONFDIR) 2>/dev/null
	@$(MAKE) --no-print-directory post-install

# Installed to / as root: journalctl -x explains lmgrantd's entries only
# once the catalog is compiled, and systemd sees new units only after a
# reload. Into a DESTDIR (a package) the package manager does both.
post-install:
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
		if command -v journalctl >/dev/null; then echo "journalctl --update-catalog"; journalctl --update-catalog; fi; \
		if [ -d /run/systemd/system ]; then echo "systemctl daemon-reload"; systemctl daemon-reload; fi; \
	fi

# A Debian package (debhelper, contrib/debian/) of the committed tree plus
# uncommitted changes to tracked files, built in $(BUILD)/deb/ and checked
# by lintian (no error allowed): $(BUILD)/deb/lmgrantd_$(VERSION)_*.deb.
# umask 022: git archive's default (002) makes files group-writable, which
# the config loader refuses (the unit tests' configs).
DEB_DIR = $(BUILD)/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)
	tree=$$(git stash create 2>/dev/null) || tree=; \
		git -c tar.umask=022 archive --prefix=lmgrantd-$(VERSION)/ $${tree:-HEAD} | tar -x -C $(DEB_DIR)
	cp -r contrib/debian $(DEB_DIR)/lmgrantd-$(VERSION)/debian
	cd $(DEB_DIR)/lmgrantd-$(VERSION) && LMGRANTD_COMMIT='$(LMGRANTD_COMMIT)' dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEB_DIR)/lmgrantd_$(VERSION)_*.deb
	ls $(DEB_DIR)/lmgrantd_$(VERSION)_*.deb

# The README's two commands on a pristine Debian 12 (debootstrap root,
# systemd-nspawn), from the committed HEAD; see contrib/fresh-check.sh.
fresh-check:
	./contrib/fresh-check.sh

# Speed and memory targets (issue 7): table on stdout, bench/results.json.
bench: all $(BUILD)/rusage
	$(PYTHON) bench/bench.py

$(BUILD)/rusage: bench/rusage.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) -o $@ $<

lint:
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
		--suppress=missingIncludeSystem --suppress=unknownMacro -I daemon daemon
	$(PYTHON) tests/include-graph.py daemon

clean:
	rm -rf build build-asan build-tsan build-fuzz
