/* Replays the fuzzers' committed corpora (tests/fuzz/corpus/NAME) and the
 * inputs that once crashed them (tests/fuzz/regressions/NAME) through the
 * same harness code, built without libFuzzer, so `make check` (and
 * `make valgrind`) keep every one of them passing. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_main.h"

#define FUZZ_NO_ENTRY
#include "fuzz/fuzz_config.c"
#include "fuzz/fuzz_json.c"
#include "fuzz/fuzz_xml.c"

static const char *tests_dir(void)
{
	const char *d = getenv("LMGRANTD_TESTS_DIR");

	return d && *d ? d : "tests";
}

static unsigned char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_ge(len, 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	*n = fread(buf, 1, (size_t)len, f);
	ck_assert_uint_eq(*n, (size_t)len);
	fclose(f);
	return buf;
}

/* Runs one(data) on every regular file of tests/SUB/NAME; returns how many. */
static size_t replay_dir(const char *sub, const char *name, int (*one)(const uint8_t *, size_t))
{
	char dir[4096];
	struct dirent **ents = NULL;
	int n;
	size_t done = 0;

	snprintf(dir, sizeof(dir), "%s/%s/%s", tests_dir(), sub, name);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return 0; /* no regressions yet */
	for (int i = 0; i < n; i++) {
		char path[8192];
		struct stat st;
		unsigned char *data;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			data = read_all(path, &len);
			one(data, len);
			free(data);
			done++;
		}
		free(ents[i]);
	}
	free(ents);
	return done;
}

START_TEST(config_corpus)
{
	size_t n = replay_dir("fuzz/corpus", "config", fuzz_config_one);

	n += replay_dir("fuzz/regressions", "config", fuzz_config_one);
	/* The broken configs of the system tests are seeds too. */
	n += replay_dir("configs", "bad", fuzz_config_one);
	fuzz_config_cleanup();
	ck_assert_uint_ge(n, 40);
}
END_TEST

START_TEST(json_corpus)
{
	size_t n = replay_dir("fuzz/corpus", "json", fuzz_json_one);

	n += replay_dir("fuzz/regressions", "json", fuzz_json_one);
	ck_assert_uint_ge(n, 10);
}
END_TEST

START_TEST(xml_corpus)
{
	size_t n = replay_dir("fuzz/corpus", "xml", fuzz_xml_one);

	n += replay_dir("fuzz/regressions", "xml", fuzz_xml_one);
	ck_assert_uint_ge(n, 10);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, config_corpus);
	tcase_add_test(tc, json_corpus);
	tcase_add_test(tc, xml_corpus);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
