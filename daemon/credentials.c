/*
 * credentials: the credentials record, the one decoder of credentials
 * documents, and the fixed source. Secrets are wiped (explicit_bzero)
 * wherever a copy is dropped and never appear in an error message.
 */
#include "credentials.h"

#include <jansson.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_TOKEN_BYTES (64 * 1024)


void creds_wipe_json(struct json_t *doc, const char *secret, const char *token)
{
	const char *names[] = { secret, token };

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		json_t *v = json_object_get(doc, names[i]);

		if (json_is_string(v))
			explicit_bzero((char *)json_string_value(v), json_string_length(v));
	}
}

void aws_credentials_clear(struct aws_credentials *c)
{
	if (!c)
		return;
	free(c->access_key_id);
	free_secret(c->secret_access_key);
	free_secret(c->session_token);
	memset(c, 0, sizeof(*c));
}

void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src)
{
	aws_credentials_clear(dst);
	dst->access_key_id = xstrdup(src->access_key_id);
	dst->secret_access_key = xstrdup(src->secret_access_key);
	dst->session_token = xstrdup(src->session_token);
	dst->expiration = src->expiration;
}

static bool printable_word(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f || n >= max)
			return false;
	return n > 0;
}

int aws_credentials_check(const struct aws_credentials *c, const char **why)
{
	const char *id = c->access_key_id;
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > 128 || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n) {
		*why = "the access key id is not 1 to 128 letters, digits or _";
		return -1;
	}
	if (!c->secret_access_key || !printable_word(c->secret_access_key, 1024)) {
		*why = "the secret access key is empty, too long or has spaces or control characters";
		return -1;
	}
	if (c->session_token && !printable_word(c->session_token, MAX_TOKEN_BYTES)) {
		*why = "the session token is empty, too long or has spaces or control characters";
		return -1;
	}
	return 0;
}

static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return false;
	(*p)++;
	return true;
}

int creds_parse_time(const char *s, time_t *out)
{
	const char *p = s;
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	struct tm tm = { 0 }, check;
	time_t t;

	if (!take_digits(&p, 4, &year) || !take_char(&p, "-") || !take_digits(&p, 2, &mon) ||
	    !take_char(&p, "-") || !take_digits(&p, 2, &day) || !take_char(&p, "Tt") ||
	    !take_digits(&p, 2, &hour) || !take_char(&p, ":") || !take_digits(&p, 2, &min) ||
	    !take_char(&p, ":") || !take_digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (take_char(&p, "Zz")) {
		sign = 0;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!take_digits(&p, 2, &oh))
			return -1;
		take_char(&p, ":");
		if (!take_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1; /* a time without a zone is ambiguous */
	}
	if (*p || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec == 60 ? 59 : sec;
	t = timegm(&tm);
	if (t == (time_t)-1 || !gmtime_r(&t, &check) || check.tm_mday != day)
		return -1; /* e.g. February 30 */
	*out = t - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
}

/* ---- the one decoder ---- */

static int require(const char *value, const char *what, char **err)
{
	if (value && *value)
		return 0;
	*err = xasprintf("%s is missing", what);
	return -1;
}

int credentials_decode(const struct credentials_doc *d, unsigned flags, time_t now,
		       struct aws_credentials *out, char **err)
{
	bool temporary = flags & CREDS_DOC_TEMPORARY;
	const char *why = NULL;
	time_t exp = 0;

	memset(out, 0, sizeof(*out));
	if (require(d->access_key_id, "AccessKeyId", err) < 0 ||
	    require(d->secret_access_key, "SecretAccessKey", err) < 0 ||
	    (temporary && require(d->session_token, "the session token", err) < 0) ||
	    (temporary && require(d->expiration, "Expiration", err) < 0))
		return -1;
	if (d->expiration && creds_parse_time(d->expiration, &exp) < 0) {
		*err = xstrdup("Expiration is not an ISO 8601 time");
		return -1;
	}
	out->access_key_id = xstrdup(d->access_key_id);
	out->secret_access_key = xstrdup(d->secret_access_key);
	out->session_token = xstrdup(d->session_token);
	out->expiration = exp;
	if (aws_credentials_check(out, &why) < 0) {
		*err = xstrdup(why);
		goto fail;
	}
	if (exp && exp <= now) {
		char when[32];
		struct tm tm;

		gmtime_r(&exp, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		*err = xasprintf("the credentials expired at %s", when);
		goto fail;
	}
	return 0;
fail:
	aws_credentials_clear(out);
	return -1;
}

static int json_member(json_t *obj, const char *name, const char **out, char **err)
{
	json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		*err = xasprintf("%s is not a non-empty string", name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int credentials_doc_from_json(struct json_t *obj, const char *token_name,
			      struct credentials_doc *d, char **err)
{
	memset(d, 0, sizeof(*d));
	if (!json_is_object(obj)) {
		*err = xstrdup("the credentials are not a JSON object");
		return -1;
	}
	return json_member(obj, "AccessKeyId", &d->access_key_id, err) < 0 ||
			       json_member(obj, "SecretAccessKey", &d->secret_access_key, err) < 0 ||
			       json_member(obj, token_name, &d->session_token, err) < 0 ||
			       json_member(obj, "Expiration", &d->expiration, err) < 0
		       ? -1
		       : 0;
}

/* ---- sources ---- */

int cred_source_get(struct cred_source *s, time_t now, struct aws_credentials *out, char **err)
{
	return s->ops->get(s, now, out, err);
}

bool cred_source_renew(struct cred_source *s, const char *refused_key_id, time_t now)
{
	return s->ops->renew(s, refused_key_id, now);
}

void cred_source_free(struct cred_source *s)
{
	if (s)
		s->ops->free(s);
}

/* Immutable after creation, so no lock. */
struct fixed_source {
	struct cred_source base; /* first: the ops see a struct cred_source * */
	struct aws_credentials c;
	char *label;
};

static int fixed_get(struct cred_source *s, time_t now, struct aws_credentials *out, char **err)
{
	const struct fixed_source *f = (const struct fixed_source *)s;

	memset(out, 0, sizeof(*out));
	if (f->c.expiration && now >= f->c.expiration) {
		*err = xasprintf("credentials from %s expired", f->label);
		return -1;
	}
	aws_credentials_copy(out, &f->c);
	return 0;
}

static bool fixed_renew(struct cred_source *s, const char *refused_key_id, time_t now)
{
	(void)s, (void)refused_key_id, (void)now;
	return false;
}

static void fixed_free(struct cred_source *s)
{
	struct fixed_source *f = (struct fixed_source *)s;

	aws_credentials_clear(&f->c);
	free(f->label);
	free(f);
}

static const struct cred_source_ops fixed_ops = { fixed_get, fixed_renew, fixed_free };

struct cred_source *cred_source_fixed(const struct aws_credentials *c, const char *label)
{
	struct fixed_source *f = xcalloc(1, sizeof(*f));

	f->base.ops = &fixed_ops;
	aws_credentials_copy(&f->c, c);
	f->label = xstrdup(label);
	return &f->base;
}
