/*
 * config_check: syntax checks of single configuration values, written out
 * by hand rather than with <regex.h>: each is a few lines, needs no
 * compilation step or locale, and cannot fail at run time. The patterns in
 * config_check.h are the contract; SPEC §2 is where they come from.
 */
#include "config_check.h"

#include <stdint.h>
#include <string.h>

#include "arn.h"
#include "config.h"
#include "util.h"

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

static bool is_hex_lower(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Counts the leading characters of s that pass ok(). */
static size_t span(const char *s, bool (*ok)(char))
{
	size_t n = 0;

	while (s[n] && ok(s[n]))
		n++;
	return n;
}

static bool is_lower_or_digit(char c)
{
	return is_lower(c) || is_digit(c);
}

/* "<prefix>[a-z0-9]{8,32}": prod-... and prodview-... ids. */
static bool check_prefixed_id(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix), n = 0;

	if (strncmp(s, prefix, plen) != 0)
		return false;
	n = span(s + plen, is_lower_or_digit);
	return n >= 8 && n <= 32 && s[plen + n] == '\0';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 8-4-4-4-12 hex digits. */
static bool check_uuid(const char *s)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };

	for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
		if (span(s, is_hex) != groups[g])
			return false;
		s += groups[g];
		if (*s != (g + 1 < ARRAY_LEN(groups) ? '-' : '\0'))
			return false;
		s++;
	}
	return true;
}

/* Bedrock lists Marketplace product ids in three shapes (SPEC 2). */
bool check_product(const char *s)
{
	return check_prefixed_id(s, "prod-") || check_prefixed_id(s, "prodview-") || check_uuid(s);
}

bool check_license_arn(const char *s)
{
	static const char mid[] = ":license-manager::";
	const char *partition = arn_partition_of(s);
	size_t n = 0;

	if (!partition)
		return false;
	s += 4 + strlen(partition);
	if (strncmp(s, mid, strlen(mid)) != 0)
		return false;
	s += strlen(mid);
	if (span(s, is_digit) != 12)
		return false;
	s += 12;
	if (strncmp(s, ":license:l-", 11) != 0)
		return false;
	s += 11;
	n = span(s, is_hex_lower);
	return n == 32 && s[n] == '\0';
}

bool check_ou_id(const char *s)
{
	size_t n = 0;

	if (strncmp(s, "ou-", 3) != 0)
		return false;
	s += 3;
	n = span(s, is_lower_or_digit);
	if (n < 4 || n > 32 || s[n] != '-')
		return false;
	s += n + 1;
	n = span(s, is_lower_or_digit);
	return n >= 8 && n <= 32 && s[n] == '\0';
}

static bool is_model_char(char c)
{
	return is_alnum(c) || (c && strchr("._:-", c));
}

bool check_model_name(const char *s)
{
	size_t n = span(s, is_model_char);

	return n >= 1 && n <= 128 && s[n] == '\0';
}

bool check_ou_path(const char *s, const char **why)
{
	size_t comp = 0;

	if (*s == '\0' || *s == '/') {
		*why = *s ? "it starts with '/' (write the path from the root without it)"
			  : "it is empty";
		return false;
	}
	for (; *s; s++) {
		if (*s == '/') {
			if (comp == 0) {
				*why = "it has an empty component ('//')";
				return false;
			}
			comp = 0;
			continue;
		}
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			*why = "it contains a control character";
			return false;
		}
		/* Counted in bytes: a UTF-8 name is never longer in characters. */
		if (((unsigned char)*s & 0xC0) != 0x80 && ++comp > 128) {
			*why = "an OU name is longer than 128 characters";
			return false;
		}
	}
	if (comp == 0) {
		*why = "it ends with '/'";
		return false;
	}
	return true;
}

enum duration_result parse_duration(const char *s, unsigned *seconds)
{
	static const struct {
		char unit;
		uint64_t mult;
	} units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	uint64_t total = 0;
	size_t next = 0; /* units must come in descending order, each once */

	if (*s == '\0')
		return DURATION_SYNTAX;
	while (*s) {
		uint64_t v = 0;
		size_t nd = span(s, is_digit);
		size_t u = next;

		if (nd == 0)
			return DURATION_SYNTAX;
		/* More than 9 digits is beyond any bound; just keep it large. */
		for (size_t i = 0; i < nd && i < 10; i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		s += nd;
		if (*s == '\0' && next == 0) { /* plain seconds */
			total = v;
			break;
		}
		while (u < ARRAY_LEN(units) && units[u].unit != *s)
			u++;
		if (u == ARRAY_LEN(units))
			return DURATION_SYNTAX;
		total += v * units[u].mult;
		next = u + 1;
		s++;
	}
	if (total < 1)
		return DURATION_TOO_SHORT;
	if (total > INTERVAL_MAX_S)
		return DURATION_TOO_LONG;
	*seconds = (unsigned)total;
	return DURATION_OK;
}

static const char *const known_operations[] = {
	"CheckoutLicense",
	"CheckoutBorrowLicense",
	"CheckInLicense",
	"ExtendConsumptionLicense",
	"ListPurchasedLicenses",
	"CreateToken",
};

/* SPEC §2: everything a Bedrock caller needs, not the borrow operation. */
static const char *const default_operations[] = {
	"CheckoutLicense",
	"CheckInLicense",
	"ExtendConsumptionLicense",
	"ListPurchasedLicenses",
	"CreateToken",
};

const char *const *config_known_operations(size_t *n)
{
	*n = ARRAY_LEN(known_operations);
	return known_operations;
}

const char *const *config_default_operations(size_t *n)
{
	*n = ARRAY_LEN(default_operations);
	return default_operations;
}

#define MATCH_MAX_LEN 64

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

static char fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Optimal string alignment distance: Levenshtein plus transpositions of
 * neighbours ("regoin"), the commonest typo. Case-insensitive. */
static unsigned osa_distance(const char *a, const char *b)
{
	unsigned d[MATCH_MAX_LEN + 1][MATCH_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = fold(a[i - 1]) != fold(b[j - 1]);

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

const char *closest_match(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 0;
	/* At most two edits, and fewer for short words, where two edits turn
	 * anything into anything ("op" is not a typo of "ous"). */
	unsigned limit = (unsigned)(strlen(word) / 3 + 1);

	if (limit > 2)
		limit = 2;
	if (strlen(word) > MATCH_MAX_LEN)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned d = 0;

		if (strlen(cands[i]) > MATCH_MAX_LEN)
			continue;
		d = osa_distance(word, cands[i]);
		if (d <= limit && (!best || d < best_d)) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}

static const struct bedrock_entry bedrock_table[] = {
#include "bedrock_table.h"
	{ NULL, NULL }, /* keeps the array valid C if the TSV is ever empty */
};

const struct bedrock_entry *config_bedrock_table(size_t *n)
{
	*n = ARRAY_LEN(bedrock_table) - 1;
	return bedrock_table;
}

/* A row's prefix matches a model name only at a boundary: the name ends
 * there, or goes on with '-', ':' or '.' and then a digit or 'v' (a date or
 * a version), so "cohere.command-r" does not claim
 * "cohere.command-r-plus-v1:0". */
static bool prefix_at_boundary(const char *name, const char *prefix, size_t len)
{
	const char *rest = name + len;

	if (strncmp(name, prefix, len) != 0)
		return false;
	if (rest[0] == '\0')
		return true;
	return (rest[0] == '-' || rest[0] == ':' || rest[0] == '.') &&
	       (is_digit(rest[1]) || rest[1] == 'v');
}

const char *bedrock_lookup(const struct bedrock_entry *table, size_t n, const char *name)
{
	const char *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(table[i].prefix);

		if (len > best_len && prefix_at_boundary(name, table[i].prefix, len)) {
			best = table[i].product;
			best_len = len;
		}
	}
	return best;
}

const char *config_bedrock_product(const char *model_name)
{
	return bedrock_lookup(bedrock_table, ARRAY_LEN(bedrock_table) - 1, model_name);
}
