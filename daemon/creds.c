/*
 * creds: the credential chain (SPEC §3). Sources, first found wins:
 *   1. environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)
 *   2. systemd credential $CREDENTIALS_DIRECTORY/aws (shared-credentials
 *      format), profile AWS_PROFILE else "default"
 *   3. profile AWS_PROFILE (else "default") of the shared credentials and
 *      config files: static keys, role_arn with source_profile or
 *      credential_source, credential_process (creds_profile turns it into a
 *      recipe, executed here)
 *      and role_arn with web_identity_token_file
 *   4. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (creds_webid)
 *   5. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 *      _FULL_URI (creds_container)
 *   6. EC2 instance metadata (IMDSv2), unless AWS_EC2_METADATA_DISABLED=true
 * A source that is there but broken (half the keys, an unparsable file, a
 * role that cannot be assumed, an AWS_PROFILE that does not exist) is an
 * error, not a reason to try the next one: falling through would use
 * credentials the operator did not mean.
 *
 * The whole chain is resolved again when the credentials are within
 * CREDS_REFRESH_MARGIN_S of their expiration (role chains included: the
 * source credentials may have expired too). A source that hands out
 * credentials living less than that margin is asked again on every
 * request.
 */
#include "creds.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>

#include "creds_container.h"
#include "creds_process.h"
#include "creds_profile.h"
#include "creds_webid.h"
#include "http.h"
#include "imds.h"
#include "log.h"
#include "names.h"
#include "sts.h"
#include "util.h"

#define REFRESH_RETRY_S 30

struct creds_provider {
	struct cred_source base;  /* what aws_client sees (creds_provider_source) */
	pthread_mutex_t lock;     /* held by the source's get and renew; see creds.h */
	struct creds_env env;     /* borrowed strings */
	bool loaded;
	struct aws_credentials current;
	char *source;
	time_t retry_after;       /* a failed refresh is tried again from then on */
	bool refused;             /* AWS called current expired (creds_invalidate) */
	/* For role profiles and instance metadata (creds_provider_set_network). */
	bool have_network;
	struct http_opts opts;
	struct aws_service sts;
	struct http_client *http; /* owned; made on first use */
};

/* ---- environment ---- */

static const char *env_or_null(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void creds_env_from_environ(struct creds_env *env)
{
	const char *disabled = env_or_null("AWS_EC2_METADATA_DISABLED");

	memset(env, 0, sizeof(*env));
	env->access_key_id = env_or_null("AWS_ACCESS_KEY_ID");
	env->secret_access_key = env_or_null("AWS_SECRET_ACCESS_KEY");
	env->session_token = env_or_null("AWS_SESSION_TOKEN");
	env->profile = env_or_null("AWS_PROFILE");
	env->shared_credentials_file = env_or_null("AWS_SHARED_CREDENTIALS_FILE");
	env->config_file = env_or_null("AWS_CONFIG_FILE");
	env->home = env_or_null("HOME");
	env->credentials_directory = env_or_null("CREDENTIALS_DIRECTORY");
	env->region = env_or_null("AWS_REGION");
	if (!env->region)
		env->region = env_or_null("AWS_DEFAULT_REGION");
	env->imds_endpoint = env_or_null("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	env->imds_disabled = disabled && strcasecmp(disabled, "true") == 0;
	env->web_identity_token_file = env_or_null("AWS_WEB_IDENTITY_TOKEN_FILE");
	env->role_arn = env_or_null("AWS_ROLE_ARN");
	env->role_session_name = env_or_null("AWS_ROLE_SESSION_NAME");
	env->container_relative_uri = env_or_null("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	env->container_full_uri = env_or_null("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	env->container_token = env_or_null("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	env->container_token_file = env_or_null("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
}

const char *creds_sts_region(const struct creds_env *env, const char *config_region)
{
	/* Anything but a region name would end up in the signing scope and
	 * the host name; such a value is ignored. */
	return env->region && check_region(env->region) ? env->region : config_region;
}

/* ---- providers ---- */

static int source_get(struct cred_source *s, time_t now, struct aws_credentials *out, char **err)
{
	struct creds_provider *p = (struct creds_provider *)s;
	const struct aws_credentials *cr = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&p->lock);
	rc = creds_get(p, now, &cr, err);
	if (rc == 0)
		aws_credentials_copy(out, cr);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* Resolves the chain again unless a request on another thread has done so
 * already since refused_key_id was handed out. Keys are not secrets;
 * comparing them is enough to tell one set of credentials from the next. */
static bool source_renew(struct cred_source *s, const char *refused_key_id, time_t now)
{
	struct creds_provider *p = (struct creds_provider *)s;
	const struct aws_credentials *cr = NULL;
	char *err = NULL;
	bool other = false;

	pthread_mutex_lock(&p->lock);
	if (creds_get(p, now, &cr, &err) == 0 && strcmp(cr->access_key_id, refused_key_id) == 0) {
		creds_invalidate(p);
		if (creds_get(p, now, &cr, &err) < 0)
			cr = NULL;
	}
	other = cr && strcmp(cr->access_key_id, refused_key_id) != 0;
	pthread_mutex_unlock(&p->lock);
	free(err);
	return other;
}

static void source_free(struct cred_source *s)
{
	(void)s; /* owned by whoever made the provider */
}

static const struct cred_source_ops chain_ops = { source_get, source_renew, source_free };

struct creds_provider *creds_provider_chain(const struct creds_env *env)
{
	struct creds_provider *p = xcalloc(1, sizeof(*p));

	p->base.ops = &chain_ops;
	pthread_mutex_init(&p->lock, NULL);
	p->env = *env;
	return p;
}

struct cred_source *creds_provider_source(struct creds_provider *p)
{
	return &p->base;
}

void creds_provider_set_network(struct creds_provider *p, const struct http_opts *opts,
				const struct aws_service *sts)
{
	aws_service_clear(&p->sts);
	p->opts = *opts;
	p->sts.signing_name = xstrdup(sts->signing_name);
	p->sts.region = xstrdup(sts->region);
	p->sts.url = xstrdup(sts->url);
	p->sts.target_prefix = xstrdup(sts->target_prefix);
	p->have_network = true;
}

void creds_provider_free(struct creds_provider *p)
{
	if (!p)
		return;
	aws_credentials_clear(&p->current);
	free(p->source);
	aws_service_clear(&p->sts);
	http_client_free(p->http);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const char *creds_source(const struct creds_provider *p)
{
	return p->source ? p->source : "";
}

/* The provider's own HTTP client, for STS and IMDS. */
static struct http_client *network(struct creds_provider *p, const char *what, char **err)
{
	if (!p->have_network) {
		*err = xasprintf("%s needs the network, which this command does not set up", what);
		return NULL;
	}
	if (!p->http)
		p->http = http_client_new(&p->opts);
	if (!p->http)
		*err = xstrdup("cannot initialise libcurl");
	return p->http;
}

/* ---- executing a recipe ---- */

static int assume(struct creds_provider *p, const struct creds_role *role,
		  struct aws_credentials *c, char **err)
{
	struct cred_source *src = NULL;
	struct aws_credentials next = { 0 };
	struct aws_error ae = { 0 };
	struct sts_assume_role_in in = {
		role->role_arn, role->session_name, role->external_id, role->duration_s,
	};
	struct aws_client client = { network(p, "role_arn", err), NULL, &p->sts };
	int rc = -1;

	if (!client.http)
		return -1;
	src = cred_source_fixed(c, "source of a role");
	client.creds = src;
	if (sts_assume_role(&client, &in, &next, &ae) < 0) {
		char *why = aws_error_describe(&ae);

		*err = xasprintf("profile %s: assuming %s failed: %s", role->profile, role->role_arn, why);
		free(why);
		goto out;
	}
	aws_credentials_clear(c);
	*c = next;
	rc = 0;
out:
	aws_error_clear(&ae);
	cred_source_free(src);
	return rc;
}

static int base_from_environment(const struct creds_env *e, const char *profile,
				 struct aws_credentials *c, char **err)
{
	if (!e->access_key_id || !e->secret_access_key) {
		*err = xasprintf("profile %s: credential_source Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
				 profile);
		return -1;
	}
	c->access_key_id = xstrdup(e->access_key_id);
	c->secret_access_key = xstrdup(e->secret_access_key);
	c->session_token = xstrdup(e->session_token);
	return 0;
}

static int from_web_identity(struct creds_provider *p, const struct creds_webid *w,
			     struct aws_credentials *c, char **err)
{
	struct aws_client sts = { network(p, "web identity", err), NULL, &p->sts };

	if (!sts.http)
		return -1;
	return creds_webid_get(&sts, w, c, err);
}

static int from_imds(struct creds_provider *p, time_t now, struct aws_credentials *c,
		     char **role, char **err)
{
	struct http_client *http = network(p, "instance metadata", err);

	if (!http)
		return -1;
	return imds_get_credentials(http, p->env.imds_endpoint, IMDS_TIMEOUT_MS, now, c, role, err);
}

/* "profile ops (role arn:...) <- profile base (/root/.aws/credentials)". */
static char *recipe_label(const struct creds_recipe *r, const char *kind, const char *imds_role)
{
	struct strbuf sb = { 0 };

	for (size_t i = r->nroles; i-- > 0;)
		sb_printf(&sb, "%s %s (role %s) <- ", kind, r->roles[i].profile, r->roles[i].role_arn);
	switch (r->base) {
	case CREDS_BASE_STATIC:
		sb_printf(&sb, "%s %s (%s)", kind, r->base_profile, r->base_file);
		break;
	case CREDS_BASE_PROCESS:
		sb_printf(&sb, "%s %s (credential_process)", kind, r->base_profile);
		break;
	case CREDS_BASE_ENVIRONMENT:
		sb_puts(&sb, "environment");
		break;
	case CREDS_BASE_IMDS:
		sb_printf(&sb, "EC2 instance metadata (role %s)", imds_role ? imds_role : "?");
		break;
	case CREDS_BASE_WEB_IDENTITY:
		sb_printf(&sb, "%s %s (web identity, role %s, token file %s)", kind, r->base_profile,
			  r->web_role.role_arn, r->web_token_file);
		break;
	}
	return sb_steal(&sb);
}

/* Once the roles are assumed the source profile's long-term key is not
 * needed until the next refresh reads it again: wiped here, and the STS
 * client that signed with it is dropped, with the copies libcurl keeps
 * in its handle and its kept-alive connection (a core or a memory read
 * then holds only the session credentials in use). */
static void drop_source_secret(struct creds_provider *p, struct creds_recipe *r)
{
	aws_credentials_clear(&r->keys);
	http_client_free(p->http);
	p->http = NULL;
}

static int run_recipe(struct creds_provider *p, struct creds_recipe *r, const char *kind,
		      time_t now, struct aws_credentials *out, char **source, char **err)
{
	char *imds_role = NULL;
	const char *why = NULL;
	int rc = -1;

	switch (r->base) {
	case CREDS_BASE_STATIC:
		aws_credentials_copy(out, &r->keys);
		if (aws_credentials_check(out, &why) < 0) {
			*err = xasprintf("%s: profile %s: %s", r->base_file, r->base_profile, why);
			goto out;
		}
		break;
	case CREDS_BASE_PROCESS:
		if (creds_process_run(r->process, r->base_profile, CREDS_PROCESS_TIMEOUT_MS,
				      CREDS_PROCESS_MAX_OUTPUT, now, out, err) < 0)
			goto out;
		break;
	case CREDS_BASE_ENVIRONMENT:
		if (base_from_environment(&p->env, r->base_profile, out, err) < 0)
			goto out;
		break;
	case CREDS_BASE_IMDS:
		if (from_imds(p, now, out, &imds_role, err) < 0)
			goto out;
		break;
	case CREDS_BASE_WEB_IDENTITY: {
		struct creds_webid w = {
			r->web_token_file, r->web_role.role_arn, r->web_role.session_name,
		};

		if (from_web_identity(p, &w, out, err) < 0) {
			char *inner = *err;

			*err = xasprintf("profile %s: %s", r->base_profile, inner);
			free(inner);
			goto out;
		}
		break;
	}
	}
	for (size_t i = 0; i < r->nroles; i++)
		if (assume(p, &r->roles[i], out, err) < 0)
			goto out;
	*source = recipe_label(r, kind, imds_role);
	rc = 0;
out:
	if (rc < 0)
		aws_credentials_clear(out);
	free(imds_role);
	if (r->nroles)
		drop_source_secret(p, r);
	return rc;
}

/* ---- the chain ---- */

/* Each step returns 0 found, 1 not there (why says so), -1 broken (why
 * says only that, and the chain stops). */

static void note_broken(struct strbuf *why, const char *what)
{
	sb_free(why);
	sb_printf(why, "%s; ", what);
}

static int from_environment(const struct creds_env *e, struct aws_credentials *c, char **source,
			    struct strbuf *why)
{
	const char *bad = NULL;

	if (!e->access_key_id && !e->secret_access_key) {
		sb_puts(why, "environment: AWS_ACCESS_KEY_ID not set; ");
		return 1;
	}
	if (!e->access_key_id || !e->secret_access_key) {
		note_broken(why, "environment: only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set");
		return -1;
	}
	c->access_key_id = xstrdup(e->access_key_id);
	c->secret_access_key = xstrdup(e->secret_access_key);
	c->session_token = xstrdup(e->session_token);
	if (aws_credentials_check(c, &bad) < 0) {
		char *msg = xasprintf("environment: %s", bad);

		note_broken(why, msg);
		free(msg);
		aws_credentials_clear(c);
		return -1;
	}
	*source = xstrdup("environment");
	return 0;
}

static int from_files(struct creds_provider *p, const struct creds_files *files, const char *profile,
		      const char *kind, time_t now, struct aws_credentials *c, char **source,
		      struct strbuf *why)
{
	struct creds_recipe r;
	char *err = NULL;
	int rc = creds_profile_resolve(files, profile, &r, &err);

	if (rc == 0 && run_recipe(p, &r, kind, now, c, source, &err) < 0)
		rc = -1;
	if (rc < 0)
		note_broken(why, err);
	else if (rc > 0)
		sb_printf(why, "%s%s%s: no profile %s; ", files->credentials ? files->credentials : "",
			  files->credentials && files->config ? ", " : "",
			  files->config ? files->config : "", profile);
	free(err);
	creds_recipe_clear(&r);
	return rc;
}

/* AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN: both or neither. */
static int from_env_web_identity(struct creds_provider *p, struct aws_credentials *c,
				 char **source, struct strbuf *why)
{
	const struct creds_env *e = &p->env;
	struct creds_webid w = { e->web_identity_token_file, e->role_arn, e->role_session_name };
	char *err = NULL;

	if (!e->web_identity_token_file && !e->role_arn) {
		sb_puts(why, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set; ");
		return 1;
	}
	if (!e->web_identity_token_file || !e->role_arn) {
		note_broken(why, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together");
		return -1;
	}
	if (from_web_identity(p, &w, c, &err) < 0) {
		note_broken(why, err);
		free(err);
		return -1;
	}
	*source = xasprintf("web identity (role %s, token file %s)", e->role_arn,
			    e->web_identity_token_file);
	return 0;
}

static int from_container(struct creds_provider *p, time_t now, struct aws_credentials *c,
			  char **source, struct strbuf *why)
{
	const struct creds_env *e = &p->env;
	struct creds_container cc = {
		e->container_relative_uri, e->container_full_uri, e->container_token,
		e->container_token_file,
	};
	struct http_client *http = NULL;
	char *err = NULL, *url = NULL;

	if (!cc.relative_uri && !cc.full_uri) {
		sb_puts(why, "container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI not set; ");
		return 1;
	}
	http = network(p, "container credentials", &err);
	if (!http || creds_container_get(http, &cc, now, c, &err) < 0) {
		note_broken(why, err);
		free(err);
		return -1;
	}
	url = creds_container_url(&cc, &err);
	*source = xasprintf("container credentials (%s)", url ? url : "?");
	free(url);
	free(err);
	return 0;
}

static int resolve_chain(struct creds_provider *p, time_t now, struct aws_credentials *c,
			 char **source, char **err)
{
	const struct creds_env *e = &p->env;
	const char *profile = e->profile ? e->profile : "default";
	struct strbuf why = { 0 };
	char *cred_path = NULL, *conf_path = NULL, *role = NULL, *ierr = NULL;
	struct creds_files files = { 0 };
	int rc;

	rc = from_environment(e, c, source, &why);
	if (rc <= 0)
		goto done;
	if (e->credentials_directory) {
		cred_path = xasprintf("%s/aws", e->credentials_directory);
		files.credentials = cred_path;
		rc = from_files(p, &files, profile, "systemd credential, profile", now, c, source, &why);
		free(cred_path);
		if (rc <= 0)
			goto done;
	}
	cred_path = e->shared_credentials_file ? xstrdup(e->shared_credentials_file)
					       : xasprintf("%s/.aws/credentials", e->home ? e->home : "");
	conf_path = e->config_file ? xstrdup(e->config_file)
				   : xasprintf("%s/.aws/config", e->home ? e->home : "");
	files = (struct creds_files){ cred_path, conf_path };
	rc = from_files(p, &files, profile, "profile", now, c, source, &why);
	free(cred_path);
	free(conf_path);
	if (rc <= 0)
		goto done;
	rc = -1;
	if (e->profile) {
		/* An explicit profile that does not exist is a mistake. */
		sb_puts(&why, "AWS_PROFILE names a profile that does not exist; ");
		goto done;
	}
	rc = from_env_web_identity(p, c, source, &why);
	if (rc <= 0)
		goto done;
	rc = from_container(p, now, c, source, &why);
	if (rc <= 0)
		goto done;
	rc = -1;
	if (e->imds_disabled) {
		sb_puts(&why, "instance metadata: disabled by AWS_EC2_METADATA_DISABLED; ");
		goto done;
	}
	if (from_imds(p, now, c, &role, &ierr) < 0) {
		sb_printf(&why, "%s; ", ierr);
		free(ierr);
		goto done;
	}
	*source = xasprintf("EC2 instance metadata (role %s)", role);
	free(role);
	rc = 0;
done:
	if (rc < 0) {
		if (why.len >= 2)
			why.buf[why.len - 2] = '\0';
		*err = xasprintf("no usable AWS credentials: %s", why.buf ? why.buf : "nothing found");
	}
	sb_free(&why);
	return rc < 0 ? -1 : 0;
}

static bool refresh_due(const struct creds_provider *p, time_t now)
{
	return p->refused ||
	       (p->current.expiration && now >= p->current.expiration - CREDS_REFRESH_MARGIN_S);
}

void creds_invalidate(struct creds_provider *p)
{
	if (!p->loaded)
		return;
	p->refused = true;
	p->retry_after = 0;
}

int creds_get(struct creds_provider *p, time_t now, const struct aws_credentials **out, char **err)
{
	struct aws_credentials fresh = { 0 };
	char *source = NULL, *rerr = NULL;

	*out = NULL;
	if (p->loaded && (!refresh_due(p, now) ||
			  (now < p->retry_after && now < p->current.expiration))) {
		*out = &p->current;
		return 0;
	}
	if (resolve_chain(p, now, &fresh, &source, &rerr) == 0) {
		aws_credentials_clear(&p->current);
		p->current = fresh;
		free(p->source);
		p->source = source;
		p->loaded = true;
		p->retry_after = 0;
		p->refused = false;
		*out = &p->current;
		return 0;
	}
	if (p->loaded && now < p->current.expiration) {
		log_msg(LOG_WARNING, "refreshing the credentials from %s failed; the current ones stay in use for %ld s: %s",
			p->source, (long)(p->current.expiration - now), rerr);
		free(rerr);
		p->retry_after = now + REFRESH_RETRY_S;
		*out = &p->current;
		return 0;
	}
	*err = rerr;
	return -1;
}
