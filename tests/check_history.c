/*
 * Unit tests for history's --since: ISO 8601 dates and date-times (UTC)
 * and relative times; everything else is refused. Reading the journal is
 * covered by tests/system/701-journal-audit.sh against a real journald.
 */
#include <check.h>

#include "check_main.h"
#include "history.h"

/* 2026-12-01T00:00:00Z */
#define NOW ((time_t)1796083200)

static uint64_t since(const char *s)
{
	uint64_t usec = 0;

	ck_assert_msg(history_parse_since(s, NOW, &usec) == 0, "'%s' refused", s);
	return usec;
}

START_TEST(test_absolute)
{
	ck_assert_uint_eq(since("2026-12-01"), (uint64_t)NOW * 1000000);
	ck_assert_uint_eq(since("2026-12-01T00:30"), ((uint64_t)NOW + 1800) * 1000000);
	ck_assert_uint_eq(since("2026-12-01T00:30Z"), ((uint64_t)NOW + 1800) * 1000000);
	ck_assert_uint_eq(since("2026-11-30T23:59:59Z"), ((uint64_t)NOW - 1) * 1000000);
	ck_assert_uint_eq(since("2026-11-30T23:59:59"), ((uint64_t)NOW - 1) * 1000000);
}
END_TEST

START_TEST(test_relative)
{
	ck_assert_uint_eq(since("-30m"), ((uint64_t)NOW - 1800) * 1000000);
	ck_assert_uint_eq(since("-12h"), ((uint64_t)NOW - 43200) * 1000000);
	ck_assert_uint_eq(since("-7d"), ((uint64_t)NOW - 7 * 86400) * 1000000);
	ck_assert_uint_eq(since("-90s"), ((uint64_t)NOW - 90) * 1000000);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"", "yesterday", "-", "-m", "-5", "-5w", "-5mm", "2026-13-01", "2026-12-01T",
		"2026-12-01 00:00", "2026-12-01Tnoon", "-99999999999999999999d", "-100000d",
	};
	uint64_t usec;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(history_parse_since(bad[i], NOW, &usec) < 0, "'%s' accepted", bad[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("since");

	tcase_add_test(tc, test_absolute);
	tcase_add_test(tc, test_relative);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
