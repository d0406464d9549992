/*
 * creds_profile: the shared credentials/config files and profile
 * resolution (rules in creds_profile.h). The INI dialect is Python
 * configparser's as botocore uses it: "key = value" or "key: value", keys
 * case-insensitive, "#"/";" comment lines, indented lines continue the
 * previous value (the config file's nested "s3 =" blocks), duplicates are
 * errors. The files hold secrets: buffers are wiped, values are freed with
 * free_secret and never quoted in a message.
 */
#include "creds_profile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "util.h"

#define MAX_INI_BYTES (1024 * 1024)

struct ini_kv {
	char *key;   /* lowercased */
	char *value; /* may be a secret */
	unsigned line;
};

struct ini_section {
	char *name; /* the profile name */
	unsigned line;
	struct ini_kv *kv;
	size_t nkv, cap;
};

struct ini {
	const char *path; /* borrowed */
	struct ini_section *s;
	size_t n, cap;
};

static void ini_free(struct ini *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->s[i].nkv; j++) {
			free(f->s[i].kv[j].key);
			free_secret(f->s[i].kv[j].value);
		}
		free(f->s[i].kv);
		free(f->s[i].name);
	}
	free(f->s);
	memset(f, 0, sizeof(*f));
}

static void creds_role_clear(struct creds_role *r)
{
	free(r->profile);
	free(r->role_arn);
	free(r->session_name);
	free(r->external_id);
	memset(r, 0, sizeof(*r));
}

void creds_recipe_clear(struct creds_recipe *r)
{
	if (!r)
		return;
	free(r->profile);
	free(r->base_profile);
	free(r->base_file);
	aws_credentials_clear(&r->keys);
	free_secret(r->process); /* a command line may carry a token */
	for (size_t i = 0; i < r->nroles; i++)
		creds_role_clear(&r->roles[i]);
	free(r->roles);
	creds_role_clear(&r->web_role);
	free(r->web_token_file);
	memset(r, 0, sizeof(*r));
}

/* ---- reading ---- */

/* Reads path whole into *buf (NUL-terminated; caller wipes and frees).
 * Returns 0, 1 when the file does not exist, -1 with *err. The file names
 * commands to run and roles to assume, so safefile's rules apply: a file
 * another user could have written is refused, a FIFO fails at once. */
static int slurp(const char *path, char **buf, size_t *len, char **err)
{
	char *why = NULL;
	int fd = safefile_open(path, false, false, &why);
	struct stat st = { 0 };
	size_t got = 0;
	char *b = NULL;

	*buf = NULL;
	if (fd < 0 && why) {
		*err = xasprintf("%s: %s; refusing to take credentials from it", path, why);
		free(why);
		return -1;
	}
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (st.st_size > MAX_INI_BYTES) {
		*err = xasprintf("%s: larger than %d bytes", path, MAX_INI_BYTES);
		goto fail;
	}
	b = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			explicit_bzero(b, got);
			free(b);
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	b[got] = '\0';
	close(fd);
	*buf = b;
	*len = got;
	return 0;
fail:
	close(fd);
	return -1;
}

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

/* The profile a section header names, or NULL for a section that is no
 * profile (in the config file: "[sso-session x]", "[services x]", "[x]"). */
static char *header_profile(const char *header, bool config_style)
{
	if (!config_style)
		return xstrdup(header);
	if (strcmp(header, "default") == 0)
		return xstrdup("default");
	if (strncmp(header, "profile", 7) == 0 && isspace((unsigned char)header[7])) {
		const char *name = header + 8;

		while (isspace((unsigned char)*name))
			name++;
		return *name ? xstrdup(name) : NULL;
	}
	return NULL;
}

static struct ini_section *find_section(const struct ini *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->s[i].name, name) == 0)
			return &f->s[i];
	return NULL;
}

static const struct ini_kv *find_kv(const struct ini_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->nkv; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return &s->kv[i];
	return NULL;
}

/* One parser state: the section keys go to (NULL: skipped section) and
 * the key an indented line continues. */
struct ini_parse {
	struct ini *f;
	bool config_style;
	bool in_section;
	struct ini_section *cur;
	struct ini_kv *last;
	unsigned line;
};

static int parse_header(struct ini_parse *ps, char *s, char **err)
{
	char *close = strchr(s, ']'), *name;

	if (!close || *trim(close + 1)) {
		*err = xasprintf("%s:%u: a section header must be \"[name]\"", ps->f->path, ps->line);
		return -1;
	}
	*close = '\0';
	name = header_profile(trim(s + 1), ps->config_style);
	ps->in_section = true;
	ps->cur = NULL;
	ps->last = NULL;
	if (!name)
		return 0;
	if (find_section(ps->f, name)) {
		*err = xasprintf("%s:%u: profile %s appears twice", ps->f->path, ps->line, name);
		free(name);
		return -1;
	}
	grow_array((void **)&ps->f->s, &ps->f->cap, ps->f->n + 1, sizeof(*ps->f->s));
	ps->cur = &ps->f->s[ps->f->n++];
	memset(ps->cur, 0, sizeof(*ps->cur));
	ps->cur->name = name;
	ps->cur->line = ps->line;
	return 0;
}

static int parse_key_value(struct ini_parse *ps, char *s, char **err)
{
	size_t at = strcspn(s, "=:");
	char *key, *value;
	struct ini_kv *kv;

	if (!s[at] || at == 0) {
		*err = xasprintf("%s:%u: expected \"key = value\"", ps->f->path, ps->line);
		return -1;
	}
	if (!ps->in_section) {
		*err = xasprintf("%s:%u: a key before the first [section]", ps->f->path, ps->line);
		return -1;
	}
	s[at] = '\0';
	key = trim(s);
	value = trim(s + at + 1);
	for (char *k = key; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	if (!ps->cur) {
		ps->last = NULL;
		return 0;
	}
	if (find_kv(ps->cur, key)) {
		*err = xasprintf("%s:%u: %s appears twice in profile %s", ps->f->path, ps->line, key,
				 ps->cur->name);
		return -1;
	}
	grow_array((void **)&ps->cur->kv, &ps->cur->cap, ps->cur->nkv + 1, sizeof(*ps->cur->kv));
	kv = &ps->cur->kv[ps->cur->nkv++];
	kv->key = xstrdup(key);
	kv->value = xstrdup(value);
	kv->line = ps->line;
	ps->last = kv;
	return 0;
}

/* An indented line after a key: configparser appends it to the value. */
static void continue_value(struct ini_kv *kv, const char *more)
{
	char *joined = xasprintf("%s\n%s", kv->value, more);

	free_secret(kv->value);
	kv->value = joined;
}

static int ini_parse_buffer(struct ini *f, char *buf, bool config_style, char **err)
{
	struct ini_parse ps = { .f = f, .config_style = config_style };
	char *line = buf;

	while (line && *line) {
		char *nl = strchr(line, '\n'), *s;
		bool indented = *line == ' ' || *line == '\t';

		if (nl)
			*nl = '\0';
		ps.line++;
		s = trim(line);
		if (*s == '\0') {
			ps.last = NULL;
		} else if (*s == '#' || *s == ';') {
			/* comment */
		} else if (indented && ps.last) {
			continue_value(ps.last, s);
		} else if (*s == '[') {
			if (parse_header(&ps, s, err) < 0)
				return -1;
		} else if (parse_key_value(&ps, s, err) < 0) {
			return -1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Returns 0 (a missing file reads as empty) or -1 with *err. */
static int ini_load(struct ini *f, const char *path, bool config_style, char **err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	f->path = path;
	if (!path)
		return 0;
	rc = slurp(path, &buf, &len, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = ini_parse_buffer(f, buf, config_style, err);
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

/* ---- one profile, merged from both files ---- */

struct profile_view {
	const char *name;
	const struct ini *cred, *conf;
	const struct ini_section *cs, *fs; /* the sections, NULL when absent */
};

static bool view_find(struct profile_view *v, const struct ini *cred, const struct ini *conf,
		      const char *name)
{
	v->name = name;
	v->cred = cred;
	v->conf = conf;
	v->cs = find_section(cred, name);
	v->fs = find_section(conf, name);
	return v->cs || v->fs;
}

/* A key's value, the credentials file first; *where says "FILE:LINE". */
static const char *view_get(const struct profile_view *v, const char *key, char **where)
{
	const struct ini_kv *kv = find_kv(v->cs, key);
	const char *path = v->cred->path;

	if (!kv) {
		kv = find_kv(v->fs, key);
		path = v->conf->path;
	}
	if (!kv)
		return NULL;
	if (where) {
		free(*where);
		*where = xasprintf("%s:%u", path, kv->line);
	}
	return kv->value;
}

/* The file the profile is found in (for labels). */
static const char *view_file(const struct profile_view *v)
{
	return v->cs ? v->cred->path : v->conf->path;
}

static bool all_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && !strchr(extra, *s))
			return false;
	return true;
}

/* Reads role_arn, role_session_name, external_id, duration_seconds. */
static int take_role(const struct profile_view *v, struct creds_role *r, char **err)
{
	const char *arn = view_get(v, "role_arn", NULL);
	const char *session = view_get(v, "role_session_name", NULL);
	const char *external = view_get(v, "external_id", NULL);
	const char *duration = view_get(v, "duration_seconds", NULL);
	char *where = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (strncmp(arn, "arn:", 4) != 0 || strlen(arn) < 20 || strlen(arn) > 2048) {
		view_get(v, "role_arn", &where);
		*err = xasprintf("%s: profile %s: role_arn is not a role ARN", where, v->name);
		goto out;
	}
	if (session && (strlen(session) < 2 || strlen(session) > 64 || !all_chars(session, "+=,.@-"))) {
		view_get(v, "role_session_name", &where);
		*err = xasprintf("%s: profile %s: role_session_name must be 2 to 64 of [A-Za-z0-9_+=,.@-]",
				 where, v->name);
		goto out;
	}
	if (external && (strlen(external) < 2 || strlen(external) > 1224 ||
			 !all_chars(external, "+=,.@:/-"))) {
		view_get(v, "external_id", &where);
		*err = xasprintf("%s: profile %s: external_id must be 2 to 1224 of [A-Za-z0-9_+=,.@:/-]",
				 where, v->name);
		goto out;
	}
	if (duration) {
		char *end = NULL;
		long d;

		errno = 0;
		d = strtol(duration, &end, 10);
		if (errno || end == duration || *end || d < 900 || d > 43200) {
			view_get(v, "duration_seconds", &where);
			*err = xasprintf("%s: profile %s: duration_seconds must be a number from 900 to 43200",
					 where, v->name);
			goto out;
		}
		r->duration_s = d;
	}
	r->profile = xstrdup(v->name);
	r->role_arn = xstrdup(arn);
	r->session_name = xstrdup(session ? session : "lmgrantd");
	r->external_id = xstrdup(external);
	rc = 0;
out:
	free(where);
	return rc;
}

/* Static keys of a profile into the recipe's base. 1 when the profile has
 * none, -1 when it has only half of them. */
static int take_static(const struct profile_view *v, struct creds_recipe *out, char **err)
{
	const char *id = view_get(v, "aws_access_key_id", NULL);
	const char *secret = view_get(v, "aws_secret_access_key", NULL);
	const char *token = view_get(v, "aws_session_token", NULL);

	if (!id && !secret)
		return 1;
	if (!id || !secret || !*id || !*secret) {
		*err = xasprintf("%s: profile %s: needs both aws_access_key_id and aws_secret_access_key",
				 view_file(v), v->name);
		return -1;
	}
	out->base = CREDS_BASE_STATIC;
	out->keys.access_key_id = xstrdup(id);
	out->keys.secret_access_key = xstrdup(secret);
	out->keys.session_token = token && *token ? xstrdup(token) : NULL;
	out->base_profile = xstrdup(v->name);
	out->base_file = xstrdup(view_file(v));
	return 0;
}

static int take_credential_source(const struct profile_view *v, const char *src,
				  struct creds_recipe *out, char **err)
{
	char *where = NULL;

	if (strcmp(src, "Environment") == 0) {
		out->base = CREDS_BASE_ENVIRONMENT;
	} else if (strcmp(src, "Ec2InstanceMetadata") == 0) {
		out->base = CREDS_BASE_IMDS;
	} else {
		view_get(v, "credential_source", &where);
		*err = xasprintf("%s: profile %s: credential_source must be Environment or Ec2InstanceMetadata%s",
				 where, v->name,
				 strcmp(src, "EcsContainer") == 0 ? " (EcsContainer is not supported)" : "");
		free(where);
		return -1;
	}
	out->base_profile = xstrdup(v->name);
	out->base_file = xstrdup(view_file(v));
	return 0;
}

/* role_arn + web_identity_token_file: the role is the base, assumed with
 * the token rather than with other credentials. */
static int take_web_identity(const struct profile_view *v, const char *token_file,
			     struct creds_recipe *out, char **err)
{
	if (take_role(v, &out->web_role, err) < 0)
		return -1;
	if (!*token_file) {
		*err = xasprintf("%s: profile %s: web_identity_token_file is empty", view_file(v), v->name);
		return -1;
	}
	out->base = CREDS_BASE_WEB_IDENTITY;
	out->web_token_file = xstrdup(token_file);
	out->base_profile = xstrdup(v->name);
	out->base_file = xstrdup(view_file(v));
	return 0;
}

/* The base of a profile without role_arn: static keys, else
 * credential_process. */
static int take_base(const struct profile_view *v, struct creds_recipe *out, char **err)
{
	static const char *const unsupported[] = {
		"sso_session", "sso_start_url",
	};
	const char *process;
	int rc = take_static(v, out, err);

	if (rc <= 0)
		return rc;
	process = view_get(v, "credential_process", NULL);
	if (process && *process) {
		out->base = CREDS_BASE_PROCESS;
		out->process = xstrdup(process);
		out->base_profile = xstrdup(v->name);
		out->base_file = xstrdup(view_file(v));
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(unsupported); i++) {
		if (view_get(v, unsupported[i], NULL)) {
			*err = xasprintf("%s: profile %s uses %s, which lmgrantd does not support (use credential_process with `aws configure export-credentials --profile %s --format process`)",
					 view_file(v), v->name, unsupported[i], v->name);
			return -1;
		}
	}
	if (view_get(v, "web_identity_token_file", NULL)) {
		*err = xasprintf("%s: profile %s: web_identity_token_file needs role_arn",
				 view_file(v), v->name);
		return -1;
	}
	*err = xasprintf("%s: profile %s has no credentials (aws_access_key_id, role_arn or credential_process)",
			 view_file(v), v->name);
	return -1;
}

static char *chain_text(const struct strlist *names, const char *last)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < names->n; i++)
		sb_printf(&sb, "%s -> ", names->items[i]);
	sb_puts(&sb, last);
	return sb_steal(&sb);
}

/* Walks source_profile links from the profile asked for down to the base. */
static int resolve(const struct ini *cred, const struct ini *conf, const char *profile,
		   struct creds_recipe *out, char **err)
{
	struct strlist visited = { 0 };
	const char *name = profile;
	int rc = -1;

	for (;;) {
		struct profile_view v;
		const char *src, *cs, *wif;
		char *path;

		if (!view_find(&v, cred, conf, name)) {
			if (visited.n == 0) {
				rc = 1;
				goto out;
			}
			*err = xasprintf("profile %s: source_profile %s does not exist",
					 visited.items[visited.n - 1], name);
			goto out;
		}
		if (!view_get(&v, "role_arn", NULL)) {
			rc = take_base(&v, out, err);
			goto out;
		}
		src = view_get(&v, "source_profile", NULL);
		cs = view_get(&v, "credential_source", NULL);
		wif = view_get(&v, "web_identity_token_file", NULL);
		if (wif && !src && !cs) {
			rc = take_web_identity(&v, wif, out, err);
			goto out;
		}
		if (!src == !cs) {
			*err = xasprintf("%s: profile %s: role_arn needs %s of source_profile and credential_source",
					 view_file(&v), name, src ? "only one" : "one");
			goto out;
		}
		if (out->nroles == CREDS_MAX_ROLE_CHAIN) {
			path = chain_text(&visited, name);
			*err = xasprintf("profile %s: more than %d roles in a chain (%s)", profile,
					 CREDS_MAX_ROLE_CHAIN, path);
			free(path);
			goto out;
		}
		out->roles = xrealloc(out->roles, (out->nroles + 1) * sizeof(*out->roles));
		if (take_role(&v, &out->roles[out->nroles], err) < 0)
			goto out;
		out->nroles++;
		if (cs) {
			rc = take_credential_source(&v, cs, out, err);
			goto out;
		}
		if (strcmp(src, name) == 0) {
			/* The AWS CLI's idiom for "assume a role with this
			 * profile's own keys". */
			rc = take_static(&v, out, err);
			if (rc > 0)
				*err = xasprintf("%s: profile %s: source_profile names the profile itself, which has no static keys",
						 view_file(&v), name);
			rc = rc == 0 ? 0 : -1;
			goto out;
		}
		strlist_push(&visited, xstrdup(name));
		if (strlist_contains(&visited, src)) {
			path = chain_text(&visited, src);
			*err = xasprintf("profile %s: source_profile loop (%s)", profile, path);
			free(path);
			goto out;
		}
		name = src; /* a value of the files, alive until they are freed */
	}
out:
	strlist_free(&visited);
	return rc;
}

int creds_profile_resolve(const struct creds_files *files, const char *profile,
			  struct creds_recipe *out, char **err)
{
	struct ini cred, conf;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&conf, 0, sizeof(conf));
	if (ini_load(&cred, files->credentials, false, err) < 0)
		goto out;
	if (ini_load(&conf, files->config, true, err) < 0)
		goto out;
	rc = resolve(&cred, &conf, profile, out, err);
	if (rc == 0) {
		/* Found top-down; assumed bottom-up. */
		for (size_t i = 0; i < out->nroles / 2; i++) {
			struct creds_role t = out->roles[i];

			out->roles[i] = out->roles[out->nroles - 1 - i];
			out->roles[out->nroles - 1 - i] = t;
		}
		out->profile = xstrdup(profile);
	}
out:
	if (rc != 0)
		creds_recipe_clear(out);
	ini_free(&cred);
	ini_free(&conf);
	return rc;
}
