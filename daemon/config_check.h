/*
 * config_check: the syntax of single values of the configuration (region,
 * duration, product id, license ARN, OU id or path, account id, role name,
 * model name, operation), the "did you mean" matcher, and the built-in
 * Bedrock product table. Pure functions on strings: no YAML, no errors
 * list; config.c turns a false into a positioned message.
 */
#ifndef LMGRANTD_CONFIG_CHECK_H
#define LMGRANTD_CONFIG_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "names.h" /* region, account id, role name */

#define INTERVAL_MAX_S (7u * 24 * 3600)

/* prod-[a-z0-9]{8,32}, prodview-[a-z0-9]{8,32}, or a UUID */
bool check_product(const char *s);
/* ^arn:(aws|aws-us-gov|aws-cn):license-manager::[0-9]{12}:license:l-[a-f0-9]{32}$ */
bool check_license_arn(const char *s);
bool check_ou_id(const char *s);         /* ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$ */
bool check_model_name(const char *s);    /* [A-Za-z0-9._:-]{1,128} */

/* An OU path "A/B/C": no leading, trailing or doubled '/', components of 1
 * to 128 characters without control characters. On false, *why says what
 * is wrong (static string). */
bool check_ou_path(const char *s, const char **why);

enum duration_result { DURATION_OK, DURATION_SYNTAX, DURATION_TOO_SHORT, DURATION_TOO_LONG };
/* "90s", "5m", "1h", "1d", combinations in descending order ("1h30m") or
 * plain seconds ("300"). Bounds: 1 s .. INTERVAL_MAX_S. */
enum duration_result parse_duration(const char *s, unsigned *seconds);

/* AllowedOperation names lmgrantd may grant (every one but CreateGrant). */
const char *const *config_known_operations(size_t *n);

/* The candidate closest to word (case-insensitive optimal string alignment
 * distance) when it is close enough to be a likely typo, else NULL. */
const char *closest_match(const char *word, const char *const *cands, size_t n);

/* One row of the built-in table. */
struct bedrock_entry {
	const char *prefix;
	const char *product;
};
/* The product of the longest prefix of name found in table[0..n) that ends
 * at a boundary (SPEC 2: the name ends there or goes on with '-', ':' or '.'
 * then a digit or 'v'), or NULL.
 * config_bedrock_product is this on the compiled-in table; the table is a
 * parameter so that tests can check the longest-prefix rule on their own. */
const char *bedrock_lookup(const struct bedrock_entry *table, size_t n, const char *name);
/* The compiled-in table, for tests that check its rows. */
const struct bedrock_entry *config_bedrock_table(size_t *n);

#endif
