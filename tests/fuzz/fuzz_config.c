/*
 * fuzz_config: libFuzzer harness for the configuration parser. Each input
 * is written to one temporary file (mode 0600, as the loader insists) and
 * read with config_load, exactly as `lmgrantd check` would. Anything goes
 * but a crash, a sanitizer report or a leak; errors are the expected
 * answer for almost every input.
 *
 * Built with clang -fsanitize=fuzzer by `make fuzz`; tests/check_fuzz.c
 * includes this file (FUZZ_NO_ENTRY) to replay the committed corpus in
 * `make check`.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char fuzz_config_path[64];

/* One file for the whole run: a fuzzer makes millions of inputs, and
 * creating and unlinking a file each time would measure the file system. */
static int fuzz_config_file(void)
{
	int fd;

	if (fuzz_config_path[0])
		return 0;
	snprintf(fuzz_config_path, sizeof(fuzz_config_path), "/tmp/lmgrantd-fuzz-%ld.yaml",
		 (long)getpid());
	fd = open(fuzz_config_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static void fuzz_config_cleanup(void)
{
	if (fuzz_config_path[0])
		unlink(fuzz_config_path);
}

static int fuzz_config_one(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct config_errors errs = { 0 };
	int fd;

	if (fuzz_config_file() < 0)
		abort();
	fd = open(fuzz_config_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (config_load(fuzz_config_path, &cfg, &errs) == 0) {
		/* A config that loads has the invariants the rest relies on. */
		if (!cfg || errs.n != 0 || !cfg->region || cfg->interval_s < 1)
			abort();
		for (size_t i = 0; i < cfg->nmodels; i++)
			if (!cfg->models[i].name ||
			    !cfg->models[i].product == !cfg->models[i].license_arn)
				abort();
	} else if (cfg || errs.n == 0) {
		abort(); /* a failure always says why */
	}
	config_free(cfg);
	config_errors_free(&errs);
	return 0;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	atexit(fuzz_config_cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_config_one(data, size);
}
#endif
