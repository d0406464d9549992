/*
 * creds: the credential chain (SPEC §3). Sources, first found wins:
 *   1. environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)
 *   2. systemd credential $CREDENTIALS_DIRECTORY/aws (shared-credentials format)
 *   3. profile AWS_PROFILE (else "default") of the shared credentials file,
 *      then of the config file ("[profile x]" there, "[x]" for default)
 * Role profiles, credential_process and instance metadata are reported as
 * not supported by this build rather than silently skipped.
 */
#include "creds.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_INI_BYTES (1024 * 1024)

struct creds_provider {
	struct creds_env env;     /* borrowed strings */
	bool is_static;
	bool loaded;
	struct aws_credentials current;
	char *source;
};

void aws_credentials_clear(struct aws_credentials *c)
{
	if (!c)
		return;
	free(c->access_key_id);
	free_secret(c->secret_access_key);
	free_secret(c->session_token);
	memset(c, 0, sizeof(*c));
}

static const char *env_or_null(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void creds_env_from_environ(struct creds_env *env)
{
	env->access_key_id = env_or_null("AWS_ACCESS_KEY_ID");
	env->secret_access_key = env_or_null("AWS_SECRET_ACCESS_KEY");
	env->session_token = env_or_null("AWS_SESSION_TOKEN");
	env->profile = env_or_null("AWS_PROFILE");
	env->shared_credentials_file = env_or_null("AWS_SHARED_CREDENTIALS_FILE");
	env->config_file = env_or_null("AWS_CONFIG_FILE");
	env->home = env_or_null("HOME");
	env->credentials_directory = env_or_null("CREDENTIALS_DIRECTORY");
}

struct creds_provider *creds_provider_chain(const struct creds_env *env)
{
	struct creds_provider *p = xcalloc(1, sizeof(*p));

	p->env = *env;
	return p;
}

struct creds_provider *creds_provider_static(const struct aws_credentials *c, const char *source)
{
	struct creds_provider *p = xcalloc(1, sizeof(*p));

	p->is_static = true;
	p->loaded = true;
	p->current.access_key_id = xstrdup(c->access_key_id);
	p->current.secret_access_key = xstrdup(c->secret_access_key);
	p->current.session_token = xstrdup(c->session_token);
	p->current.expiration = c->expiration;
	p->source = xstrdup(source);
	return p;
}

void creds_provider_free(struct creds_provider *p)
{
	if (!p)
		return;
	aws_credentials_clear(&p->current);
	free(p->source);
	free(p);
}

const char *creds_source(const struct creds_provider *p)
{
	return p->source ? p->source : "";
}

/* ---- INI (shared credentials / config files) ---- */

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The values of one profile section of an INI file. */
struct profile_values {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;
	bool found;
	bool has_unsupported; /* role_arn, credential_process, ... */
	char *unsupported_key;
};

static void profile_values_clear(struct profile_values *v)
{
	free(v->access_key_id);
	free_secret(v->secret_access_key);
	free_secret(v->session_token);
	free(v->unsupported_key);
	memset(v, 0, sizeof(*v));
}

static void take_value(struct profile_values *v, const char *key, const char *value)
{
	char **slot = NULL;

	if (strcmp(key, "aws_access_key_id") == 0)
		slot = &v->access_key_id;
	else if (strcmp(key, "aws_secret_access_key") == 0)
		slot = &v->secret_access_key;
	else if (strcmp(key, "aws_session_token") == 0)
		slot = &v->session_token;
	if (slot) {
		free_secret(*slot);
		*slot = xstrdup(value);
		return;
	}
	if (strcmp(key, "role_arn") == 0 || strcmp(key, "credential_process") == 0 ||
	    strcmp(key, "credential_source") == 0 || strcmp(key, "sso_session") == 0 ||
	    strcmp(key, "sso_start_url") == 0 || strcmp(key, "web_identity_token_file") == 0) {
		v->has_unsupported = true;
		free(v->unsupported_key);
		v->unsupported_key = xstrdup(key);
	}
}

/* Does "[header]" name the profile? The config file spells non-default
 * profiles "[profile NAME]". */
static bool section_matches(const char *header, const char *profile, bool config_style)
{
	if (strcmp(header, profile) == 0)
		return !config_style || strcmp(profile, "default") == 0;
	if (config_style && strncmp(header, "profile", 7) == 0 && isspace((unsigned char)header[7]))
		return strcmp(trim((char *)header + 8), profile) == 0;
	return false;
}

/* Reads profile from path into *v. Returns 0 (found or not), -1 on a read
 * error other than "no such file" with *err set. */
static int read_profile(const char *path, const char *profile, bool config_style,
			struct profile_values *v, char **err)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	bool in_section = false;
	long total = 0;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq;

		total += (long)strlen(line);
		if (total > MAX_INI_BYTES)
			break;
		if (*s == '#' || *s == ';' || *s == '\0')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (close)
				*close = '\0';
			in_section = section_matches(trim(s + 1), profile, config_style);
			v->found |= in_section;
			continue;
		}
		eq = strchr(s, '=');
		if (!in_section || !eq)
			continue;
		*eq = '\0';
		take_value(v, trim(s), trim(eq + 1));
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return 0;
}

/* ---- the chain ---- */

static void set_current(struct creds_provider *p, const char *id, const char *secret,
			const char *token, char *source)
{
	aws_credentials_clear(&p->current);
	p->current.access_key_id = xstrdup(id);
	p->current.secret_access_key = xstrdup(secret);
	p->current.session_token = xstrdup(token);
	free(p->source);
	p->source = source;
	p->loaded = true;
}

static int from_environment(struct creds_provider *p, struct strbuf *why)
{
	const struct creds_env *e = &p->env;

	if (!e->access_key_id && !e->secret_access_key) {
		sb_puts(why, "environment: AWS_ACCESS_KEY_ID not set; ");
		return 1;
	}
	if (!e->access_key_id || !e->secret_access_key) {
		sb_puts(why, "environment: only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; ");
		return -1;
	}
	set_current(p, e->access_key_id, e->secret_access_key, e->session_token,
		    xstrdup("environment"));
	return 0;
}

/* Tries one file; returns 0 found, 1 not there, -1 broken. */
static int from_file(struct creds_provider *p, const char *path, const char *profile,
		     bool config_style, const char *label, struct strbuf *why)
{
	struct profile_values v = { 0 };
	char *err = NULL;
	int rc = 1;

	if (read_profile(path, profile, config_style, &v, &err) < 0) {
		sb_printf(why, "%s; ", err);
		free(err);
		rc = -1;
		goto out;
	}
	if (v.access_key_id && v.secret_access_key) {
		set_current(p, v.access_key_id, v.secret_access_key, v.session_token,
			    xasprintf("%s %s (%s)", label, profile, path));
		rc = 0;
	} else if (v.has_unsupported) {
		sb_printf(why, "%s: profile %s uses %s, which this build does not support yet; ",
			  path, profile, v.unsupported_key);
		rc = -1;
	} else if (v.found) {
		sb_printf(why, "%s: profile %s has no aws_access_key_id/aws_secret_access_key; ",
			  path, profile);
		rc = -1;
	} else {
		sb_printf(why, "%s: no profile %s; ", path, profile);
	}
out:
	profile_values_clear(&v);
	return rc;
}

static int load_chain(struct creds_provider *p, char **err)
{
	const struct creds_env *e = &p->env;
	const char *profile = e->profile ? e->profile : "default";
	struct strbuf why = { 0 };
	char *path = NULL;
	int rc;

	rc = from_environment(p, &why);
	if (rc <= 0)
		goto done;
	if (e->credentials_directory) {
		path = xasprintf("%s/aws", e->credentials_directory);
		rc = from_file(p, path, profile, false, "systemd credential", &why);
		free(path);
		if (rc <= 0)
			goto done;
	}
	path = e->shared_credentials_file ? xstrdup(e->shared_credentials_file)
					  : xasprintf("%s/.aws/credentials", e->home ? e->home : "");
	rc = from_file(p, path, profile, false, "profile", &why);
	free(path);
	if (rc <= 0)
		goto done;
	path = e->config_file ? xstrdup(e->config_file)
			      : xasprintf("%s/.aws/config", e->home ? e->home : "");
	rc = from_file(p, path, profile, true, "profile", &why);
	free(path);
	if (rc <= 0)
		goto done;
	rc = -1;
done:
	if (rc < 0) {
		if (why.len >= 2)
			why.buf[why.len - 2] = '\0';
		*err = xasprintf("no usable AWS credentials: %s", why.buf ? why.buf : "nothing found");
	}
	sb_free(&why);
	return rc < 0 ? -1 : 0;
}

int creds_get(struct creds_provider *p, time_t now, const struct aws_credentials **out, char **err)
{
	*out = NULL;
	if (p->is_static) {
		if (p->current.expiration && now >= p->current.expiration) {
			*err = xasprintf("credentials from %s expired", p->source);
			return -1;
		}
		*out = &p->current;
		return 0;
	}
	if (!p->loaded && load_chain(p, err) < 0)
		return -1;
	*out = &p->current;
	return 0;
}
