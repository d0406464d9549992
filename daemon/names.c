/*
 * names: character-class scans; no locale (isalpha would accept more in
 * some locales than AWS does).
 */
#include "names.h"

#include <stddef.h>
#include <string.h>

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_role_char(char c)
{
	return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z') || (c && strchr("_+=,.@-", c));
}

/* Counts the leading characters of s that pass ok(). */
static size_t span(const char *s, bool (*ok)(char))
{
	size_t n = 0;

	while (s[n] && ok(s[n]))
		n++;
	return n;
}

bool check_region(const char *s)
{
	size_t groups = 0, n = 0;

	if (span(s, is_lower) != 2)
		return false;
	s += 2;
	while (*s == '-') {
		s++;
		if (is_digit(*s)) {
			n = span(s, is_digit);
			return groups > 0 && s[n] == '\0';
		}
		n = span(s, is_lower);
		if (n == 0)
			return false;
		s += n;
		groups++;
	}
	return false;
}

bool check_account_id(const char *s)
{
	return span(s, is_digit) == 12 && s[12] == '\0';
}

bool check_role_name(const char *s)
{
	size_t n = span(s, is_role_char);

	return n >= 1 && n <= 64 && s[n] == '\0';
}
