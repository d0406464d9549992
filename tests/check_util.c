/* Unit tests of util's escaper (issue 16 item 3, SPEC 6): the one
 * function every AWS-, file- or environment-supplied string goes through
 * before a terminal, a log line or a text output. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "util.h"

static void expect(const char *in, size_t max, const char *want)
{
	char *got = text_escape(in, max);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(controls_become_hex)
{
	expect("a\x1b[31mb", 100, "a\\x1b[31mb");
	expect("line\r\nlmgrantd: forged", 100, "line\\x0d\\x0almgrantd: forged");
	expect("\x1b]0;title\x07", 100, "\\x1b]0;title\\x07");
	expect("tab\there\x7f", 100, "tab\\x09here\\x7f");
	expect("", 100, "");
	expect(NULL, 100, "");
}
END_TEST

START_TEST(utf8_kept_c1_and_invalid_escaped)
{
	expect("caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x94\x91", 100, "caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x94\x91");
	/* U+009B is CSI on terminals that take C1 controls. */
	expect("x\xc2\x9b" "31m", 100, "x\\xc2\\x9b31m");
	/* A lone 0x9b, a truncated sequence, an overlong "/" and a surrogate. */
	expect("\x9b" "2J", 100, "\\x9b2J");
	expect("a\xe2\x80", 100, "a\\xe2\\x80");
	expect("\xc0\xaf", 100, "\\xc0\\xaf");
	expect("\xed\xa0\x80", 100, "\\xed\\xa0\\x80");
	/* Bidi override (Trojan Source) and the line separator. */
	expect("a\xe2\x80\xae" "b\xe2\x80\xa8", 100, "a\\xe2\\x80\\xaeb\\xe2\\x80\\xa8");
}
END_TEST

START_TEST(bounded_on_a_character_boundary)
{
	expect("abcdef", 6, "abcdef");
	expect("abcdefg", 6, "abcdef...");
	/* The cut never splits a UTF-8 sequence. */
	expect("abcd\xc3\xa9z", 5, "abcd...");
	expect("abcd\xc3\xa9z", 6, "abcd\xc3\xa9...");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, controls_become_hex);
	tcase_add_test(tc, utf8_kept_c1_and_invalid_escaped);
	tcase_add_test(tc, bounded_on_a_character_boundary);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
