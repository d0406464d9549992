/*
 * config_schema: one file's YAML tree checked against SPEC §2 and read into
 * the loader. Each key has a small handler; each handler reports its own
 * mistakes at the offending node and goes on, so that one run shows every
 * error. A node already reported by config_yaml (marked bad) or a repeated
 * key is skipped without a word: one mistake, one message.
 */
#include "config_schema.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_check.h"
#include "util.h"

#define MAX_DELETES_LIMIT 1000000u
#define MAX_TPS_LIMIT 1000.0

void schema_err(struct loader *L, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(&L->diags, L->file_no, L->file, n->line, n->column, fmt, ap);
	va_end(ap);
}

struct config_pos schema_pos(const struct loader *L, const struct ynode *n)
{
	return (struct config_pos){ .file = L->file, .line = n->line, .column = n->column };
}

/* ---- typed values: each reports its own error and returns false ---- */

bool schema_get_str(struct loader *L, const struct ynode *n, const char *what, const char **out)
{
	if (n->bad)
		return false;
	if (!ynode_is(n, YS_STR)) {
		bool quotable = n->kind == YN_SCALAR && n->type != YS_NULL;

		schema_err(L, n, "%s: expected a string, found %s%s", what, ynode_describe(n),
			   quotable ? " (quote it to make it one)" : "");
		return false;
	}
	*out = n->text;
	return true;
}

/* Only "true" and "false": YAML 1.1 also reads yes/no/on/off as booleans
 * and YAML 1.2 reads them as strings, and "prune: no" meaning different
 * things to different tools is how grants get deleted by surprise. */
bool schema_get_bool(struct loader *L, const struct ynode *n, const char *what, bool *out)
{
	static const char *const yaml11[] = { "yes", "no", "on", "off", "y", "n" };
	struct yquote q = { 0 };

	if (n->bad)
		return false;
	if (n->kind == YN_SCALAR && n->type == YS_BOOL &&
	    (strcmp(n->text, "true") == 0 || strcmp(n->text, "false") == 0)) {
		*out = n->text[0] == 't';
		return true;
	}
	if (n->kind == YN_SCALAR && n->type == YS_BOOL) {
		schema_err(L, n, "%s: expected true or false, found '%s' (write it in lowercase)",
			   what, yquote(&q, n->text));
		return false;
	}
	for (size_t i = 0; ynode_is(n, YS_STR) && i < ARRAY_LEN(yaml11); i++) {
		if (strcasecmp(n->text, yaml11[i]) == 0) {
			schema_err(L, n,
				   "%s: expected true or false, found '%s' (YAML 1.1 spellings "
				   "such as yes/no/on/off are not accepted)",
				   what, yquote(&q, n->text));
			return false;
		}
	}
	schema_err(L, n, "%s: expected true or false, found %s", what, ynode_describe(n));
	return false;
}

/* Decimal integers only; a leading zero is refused because YAML 1.1 reads
 * 010 as octal 8 and we would rather ask than guess. */
static bool get_uint(struct loader *L, const struct ynode *n, const char *what, unsigned min,
		     unsigned max, unsigned *out)
{
	const char *s = NULL;
	uint64_t v = 0;
	bool neg = false;
	struct yquote q = { 0 };

	if (n->bad)
		return false;
	if (!ynode_is(n, YS_INT)) {
		schema_err(L, n, "%s: expected an integer, found %s", what, ynode_describe(n));
		return false;
	}
	s = n->text;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && s[1] != '\0') {
		schema_err(L, n, "%s: '%s' has a leading zero; write the decimal number without it",
			   what, yquote(&q, n->text));
		return false;
	}
	for (size_t i = 0; i < 11 && s[i]; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if ((neg && v > 0) || strlen(s) > 10 || v < min || v > max) {
		schema_err(L, n, "%s must be between %u and %u, found %s", what, min, max,
			   yquote(&q, n->text));
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static void set_string(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

/* ---- mappings ---- */

/* Setting names are short words. Anything else (a line of /etc/shadow, a
 * token pasted by mistake) is not repeated back in an error. */
#define KEY_ECHO_MAX 32

static bool key_shaped(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n > 0 && n <= KEY_ECHO_MAX && s[n] == '\0';
}

static void unknown_key(struct loader *L, const struct ynode *key, const char *where,
			const struct field *fields, size_t nfields)
{
	const char *names[16] = { 0 };
	const char *hint = NULL;
	struct strbuf all = { 0 };
	struct yquote q = { 0 };

	for (size_t i = 0; i < nfields && i < ARRAY_LEN(names); i++) {
		names[i] = fields[i].name;
		sb_printf(&all, "%s%s", i ? ", " : "", fields[i].name);
	}
	hint = closest_match(key->text, names, nfields < 16 ? nfields : 16);
	if (!key_shaped(key->text))
		schema_err(L, key, "unknown key %s (%zu bytes, not shown: no key looks like it; "
			   "expected one of: %s)", where, strlen(key->text), all.buf);
	else if (hint)
		schema_err(L, key, "unknown key '%s' %s; did you mean '%s'?", yquote(&q, key->text),
			   where, hint);
	else
		schema_err(L, key, "unknown key '%s' %s (expected one of: %s)",
			   yquote(&q, key->text), where, all.buf);
	sb_free(&all);
}

/* A top-level setting seen in an earlier file: one place only, so that a
 * directory of files never has two answers to one question. */
static bool claim_setting(struct loader *L, enum setting s, const struct ynode *key)
{
	const struct config_pos *p = &L->set_at[s];

	if (p->file) {
		schema_err(L, key, "'%s' is already set at %s:%u:%u; a top-level setting "
			   "may appear in one file only", key->text, p->file, p->line, p->column);
		return false;
	}
	L->set_at[s] = schema_pos(L, key);
	return true;
}

void schema_walk_map(struct loader *L, const struct ynode *map, const char *what,
		     const char *where, const struct field *fields, size_t nfields, void *obj)
{
	if (map->bad)
		return;
	if (map->kind != YN_MAP) {
		schema_err(L, map, "%s: expected a mapping, found %s", what, ynode_describe(map));
		return;
	}
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		const struct ynode *key = map->kids[i];
		const struct field *f = NULL;

		if (key->bad || key->dup)
			continue;
		for (size_t j = 0; j < nfields && !f; j++)
			if (strcmp(key->text, fields[j].name) == 0)
				f = &fields[j];
		if (!f)
			unknown_key(L, key, where, fields, nfields);
		else if (f->once == SET_NONE || claim_setting(L, f->once, key))
			f->fn(L, key, map->kids[i + 1], obj);
	}
}

/* ---- top-level settings ---- */

static void set_version(struct loader *L, const struct ynode *key, const struct ynode *val,
			void *obj)
{
	struct yquote q = { 0 };

	(void)key;
	(void)obj;
	L->file_has_version = true;
	if (val->bad)
		return;
	if (!ynode_is(val, YS_INT))
		schema_err(L, val, "version: expected the integer 1, found %s",
			   ynode_describe(val));
	else if (strcmp(val->text, "1") != 0)
		schema_err(L, val, "unsupported version %s: this lmgrantd reads version 1",
			   yquote(&q, val->text));
}

static void set_region(struct loader *L, const struct ynode *key, const struct ynode *val,
		       void *obj)
{
	const char *s = NULL;
	struct yquote q = { 0 };

	(void)key;
	(void)obj;
	if (!schema_get_str(L, val, "region", &s))
		return;
	if (!check_region(s)) {
		schema_err(L, val,
			   "region '%s' does not look like an AWS region (such as us-east-1)",
			   yquote(&q, s));
		return;
	}
	set_string(&L->cfg->region, s);
}

/* A duration setting (SPEC 2: 90s, 5m, 1h, 1h30m or plain seconds). */
static void get_duration(struct loader *L, const struct ynode *val, const char *name,
			 unsigned *out)
{
	unsigned secs = 0;
	enum duration_result r = DURATION_SYNTAX;
	struct yquote q = { 0 };

	if (val->bad)
		return;
	if (!ynode_is(val, YS_INT) && !ynode_is(val, YS_STR)) {
		schema_err(L, val, "%s: expected a duration such as 90s, 5m, 1h or "
			   "plain seconds, found %s", name, ynode_describe(val));
		return;
	}
	r = parse_duration(val->text, &secs);
	if (r == DURATION_SYNTAX && val->text[0] == '-' &&
	    parse_duration(val->text + 1, &secs) != DURATION_SYNTAX)
		r = DURATION_TOO_SHORT;
	if (r == DURATION_SYNTAX)
		schema_err(L, val, "%s '%s' is not a duration: write 90s, 5m, 1h, "
			   "1h30m or plain seconds", name, yquote(&q, val->text));
	else if (r == DURATION_TOO_SHORT)
		schema_err(L, val, "%s must be at least 1s, found '%s'", name,
			   yquote(&q, val->text));
	else if (r == DURATION_TOO_LONG)
		schema_err(L, val, "%s must be at most 7d (%us), found '%s'", name, INTERVAL_MAX_S,
			   yquote(&q, val->text));
	else
		*out = secs;
}

static void set_interval(struct loader *L, const struct ynode *key, const struct ynode *val,
			 void *obj)
{
	(void)key;
	(void)obj;
	get_duration(L, val, "interval", &L->cfg->interval_s);
}

static void set_failed_retry(struct loader *L, const struct ynode *key, const struct ynode *val,
			     void *obj)
{
	(void)key;
	(void)obj;
	get_duration(L, val, "failed_retry", &L->cfg->failed_retry_s);
}

static void set_retry_after(struct loader *L, const struct ynode *key, const struct ynode *val,
			    void *obj)
{
	(void)key;
	(void)obj;
	get_duration(L, val, "activation.retry_after", &L->cfg->activation_retry_after_s);
}

static void set_prune(struct loader *L, const struct ynode *key, const struct ynode *val,
		      void *obj)
{
	(void)key;
	(void)obj;
	schema_get_bool(L, val, "prune", &L->cfg->prune);
}

static void set_max_deletes(struct loader *L, const struct ynode *key, const struct ynode *val,
			    void *obj)
{
	(void)key;
	(void)obj;
	get_uint(L, val, "max_deletes", 0, MAX_DELETES_LIMIT, &L->cfg->max_deletes);
}

static void set_max_tps(struct loader *L, const struct ynode *key, const struct ynode *val,
			void *obj)
{
	double v = 0;
	struct yquote q = { 0 };

	(void)key;
	(void)obj;
	if (val->bad)
		return;
	if (!ynode_is(val, YS_INT) && !ynode_is(val, YS_FLOAT)) {
		schema_err(L, val, "max_tps: expected a number, found %s", ynode_describe(val));
		return;
	}
	/* strtod reads neither ".inf" nor ".nan" (YAML spellings): they end up
	 * as 0 and fail the range check like any other nonsense. lmgrantd never
	 * calls setlocale, so the decimal point is always '.'. */
	v = strtod(val->text, NULL);
	if (!(v > 0 && v <= MAX_TPS_LIMIT)) {
		schema_err(L, val, "max_tps must be greater than 0 and at most %g, found %s",
			   MAX_TPS_LIMIT, yquote(&q, val->text));
		return;
	}
	L->cfg->max_tps = v;
}

static void set_max_attempts(struct loader *L, const struct ynode *key, const struct ynode *val,
			     void *obj)
{
	(void)key;
	(void)obj;
	get_uint(L, val, "retry.max_attempts", 1, 100, &L->cfg->retry_max_attempts);
}

static const struct field retry_fields[] = {
	{ "max_attempts", SET_NONE, set_max_attempts },
};

static void set_retry(struct loader *L, const struct ynode *key, const struct ynode *val,
		      void *obj)
{
	(void)key;
	schema_walk_map(L, val, "retry", "in retry", retry_fields, ARRAY_LEN(retry_fields), obj);
}

static void set_override(struct loader *L, const struct ynode *key, const struct ynode *val,
			 void *obj)
{
	static const char *const values[] = {
		"DISTRIBUTED_GRANTS_ONLY",
		"ALL_GRANTS_PERMITTED_BY_ISSUER",
	};
	const char *s = NULL;
	const char *hint = NULL;
	struct yquote q = { 0 };

	(void)key;
	(void)obj;
	if (!schema_get_str(L, val, "activation.override", &s))
		return;
	if (strcmp(s, values[0]) == 0 || strcmp(s, values[1]) == 0) {
		set_string(&L->cfg->activation_override, s);
		return;
	}
	hint = closest_match(s, values, ARRAY_LEN(values));
	if (hint)
		schema_err(L, val, "activation.override '%s' is not valid; did you mean '%s'?",
			   yquote(&q, s), hint);
	else
		schema_err(L, val, "activation.override '%s' is not valid: use %s or %s",
			   yquote(&q, s), values[0], values[1]);
}

static void set_grantee_role(struct loader *L, const struct ynode *key, const struct ynode *val,
			     void *obj)
{
	const char *s = NULL;
	struct yquote q = { 0 };

	(void)key;
	(void)obj;
	if (!schema_get_str(L, val, "activation.grantee_role", &s))
		return;
	if (!check_role_name(s)) {
		schema_err(L, val,
			   "activation.grantee_role '%s' is not an IAM role name (1 to 64 of "
			   "A-Z a-z 0-9 _+=,.@-; a name, not an ARN or path)",
			   yquote(&q, s));
		return;
	}
	set_string(&L->cfg->grantee_role, s);
}

static const struct field activation_fields[] = {
	{ "override", SET_NONE, set_override },
	{ "grantee_role", SET_NONE, set_grantee_role },
	{ "retry_after", SET_NONE, set_retry_after },
};

static void set_activation(struct loader *L, const struct ynode *key, const struct ynode *val,
			   void *obj)
{
	(void)key;
	schema_walk_map(L, val, "activation", "in activation", activation_fields,
			ARRAY_LEN(activation_fields), obj);
}

/* SPEC §5: observe plans and journals every pass but changes nothing. */
static void set_mode(struct loader *L, const struct ynode *key, const struct ynode *val,
		     void *obj)
{
	static const char *const values[] = { "enforce", "observe" };
	const char *s = NULL;
	const char *hint = NULL;
	struct yquote q = { 0 };

	(void)key;
	(void)obj;
	if (!schema_get_str(L, val, "mode", &s))
		return;
	if (strcmp(s, values[0]) == 0 || strcmp(s, values[1]) == 0) {
		L->cfg->observe = strcmp(s, "observe") == 0;
		return;
	}
	hint = closest_match(s, values, ARRAY_LEN(values));
	if (hint)
		schema_err(L, val, "mode '%s' is not valid; did you mean '%s'?", yquote(&q, s), hint);
	else
		schema_err(L, val, "mode '%s' is not valid: use enforce or observe", yquote(&q, s));
}

static const struct field top_fields[] = {
	{ "version", SET_NONE, set_version },
	{ "region", SET_REGION, set_region },
	{ "interval", SET_INTERVAL, set_interval },
	{ "prune", SET_PRUNE, set_prune },
	{ "max_deletes", SET_MAX_DELETES, set_max_deletes },
	{ "max_tps", SET_MAX_TPS, set_max_tps },
	{ "retry", SET_RETRY, set_retry },
	{ "activation", SET_ACTIVATION, set_activation },
	{ "mode", SET_MODE, set_mode },
	{ "failed_retry", SET_FAILED_RETRY, set_failed_retry },
	{ "models", SET_NONE, schema_set_models },
};

void schema_read_file(struct loader *L, const struct ynode *root)
{
	if (!root || (ynode_is(root, YS_NULL) && !root->bad)) {
		diag_add(&L->diags, L->file_no, L->file, 1, 1,
			 "the file is empty: it needs at least 'version: 1'");
		return;
	}
	if (root->bad)
		return;
	if (root->kind != YN_MAP) {
		schema_err(L, root, "the top level must be a mapping of settings, found %s",
			   ynode_describe(root));
		return;
	}
	if (!L->top_at.file)
		L->top_at = schema_pos(L, root);
	L->file_has_version = false;
	schema_walk_map(L, root, "top level", "at the top level", top_fields, ARRAY_LEN(top_fields),
			NULL);
	if (!L->file_has_version)
		schema_err(L, root, "missing required key 'version' (add version: 1)");
}
