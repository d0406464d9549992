/*
 * http: libcurl transport for AWS JSON 1.1 and query APIs.
 *
 * Signing is left entirely to libcurl (CURLOPT_AWS_SIGV4 with the keys in
 * CURLOPT_USERPWD); a session token travels as X-Amz-Security-Token, which
 * curl then signs like every other header we set. One easy handle is kept
 * for the life of the client so connections are reused (keep-alive).
 *
 * Retry policy (SPEC §4.5): throttling, 5xx and transport errors are retried
 * with exponential backoff and full jitter, up to max_attempts; everything
 * else is returned at once. Errors are classified by the body's __type.
 */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"
#include "xmltree.h"

#define MAX_RESPONSE_BYTES (16u * 1024u * 1024u)
#define MAX_REQUEST_ID 128

/*
 * The client is shared by the worker threads of a pass: everything mutable
 * in it (rate limit slot, counters, idle handles, the credential provider's
 * cache) is guarded by lock. A transfer runs on an easy handle of its own,
 * taken from the idle list, so connections are reused across requests.
 */
struct http_client {
	pthread_mutex_t lock;
	CURL **idle;
	size_t nidle, idle_cap;
	struct http_opts opts;
	double next_slot; /* monotonic seconds when the next request may start */
	struct http_stats stats;
	struct http_call_count *calls;
	size_t ncalls, calls_cap;
};

struct response {
	struct strbuf body;
	bool too_big;
	char request_id[MAX_REQUEST_ID];
};

/* ---- errors ---- */

void aws_error_clear(struct aws_error *e)
{
	if (!e)
		return;
	free(e->operation);
	free(e->type);
	free(e->message);
	free(e->request_id);
	memset(e, 0, sizeof(*e));
}

void aws_error_protocol(struct aws_error *e, const char *op, char *why)
{
	aws_error_clear(e);
	e->kind = AWS_ERR_PROTOCOL;
	e->operation = xstrdup(op);
	e->type = xstrdup("InvalidResponse");
	e->message = why;
}

void aws_error_copy(struct aws_error *dst, const struct aws_error *src)
{
	aws_error_clear(dst);
	dst->kind = src->kind;
	dst->operation = xstrdup(src->operation);
	dst->type = xstrdup(src->type);
	dst->message = xstrdup(src->message);
	dst->request_id = xstrdup(src->request_id);
	dst->http_status = src->http_status;
	dst->attempts = src->attempts;
}

/*
 * Set-up problems whose AWS error does not say what to do about them. The
 * first row whose type (and message fragment, case-insensitive, when
 * given) matches wins; types are compared without a "ns#" prefix, and the
 * STS spelling of a type is listed next to the JSON one.
 */
static const struct {
	const char *type;
	const char *message_part; /* NULL: any message */
	const char *hint;
} setup_hints[] = {
	{ "ValidationException", "trusted access",
	  "enable trusted access for AWS License Manager in AWS Organizations (License Manager "
	  "console, Settings, Link AWS Organizations accounts; or `aws organizations "
	  "enable-aws-service-access --service-principal license-manager.amazonaws.com`)" },
	{ "AWSOrganizationsNotInUseException", NULL,
	  "the account is not in an organization: run lmgrantd with credentials of the "
	  "organization's management account (or License Manager's delegated administrator)" },
	{ "AccessDeniedException", NULL,
	  "the credentials lack this permission: lmgrantd needs the License Manager grant "
	  "operations and Organizations read access in the management account (see `lmgrantd whoami`)" },
	{ "ExpiredTokenException", NULL,
	  "the temporary credentials have expired: renew them, or use a source lmgrantd refreshes "
	  "itself (a profile with role_arn or credential_process, or instance metadata)" },
	{ "ExpiredToken", NULL,
	  "the temporary credentials have expired: renew them, or use a source lmgrantd refreshes "
	  "itself (a profile with role_arn or credential_process, or instance metadata)" },
	{ "UnrecognizedClientException", NULL,
	  "AWS does not know this access key or session token: check which credentials lmgrantd "
	  "uses (`lmgrantd whoami`)" },
	{ "InvalidClientTokenId", NULL,
	  "AWS does not know this access key or session token: check which credentials lmgrantd "
	  "uses (`lmgrantd whoami`)" },
	{ "InvalidSignatureException", "signature expired",
	  "the system clock is off by more than 5 minutes: enable time synchronisation (NTP)" },
	{ "SignatureDoesNotMatch", "signature expired",
	  "the system clock is off by more than 5 minutes: enable time synchronisation (NTP)" },
	{ "InvalidSignatureException", NULL,
	  "the secret access key does not belong to the access key id" },
	{ "SignatureDoesNotMatch", NULL,
	  "the secret access key does not belong to the access key id" },
};

const char *aws_error_hint(const struct aws_error *e)
{
	if (!e || !e->type || e->kind != AWS_ERR_API)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(setup_hints); i++) {
		if (strcmp(e->type, setup_hints[i].type) != 0)
			continue;
		if (!setup_hints[i].message_part ||
		    (e->message && strcasestr(e->message, setup_hints[i].message_part)))
			return setup_hints[i].hint;
	}
	return NULL;
}

char *aws_error_describe(const struct aws_error *e)
{
	struct strbuf sb = { 0 };
	const char *hint = aws_error_hint(e);

	sb_printf(&sb, "%s: %s", e->operation ? e->operation : "request",
		  e->type ? e->type : "error");
	if (e->message && *e->message)
		sb_printf(&sb, ": %s", e->message);
	if (e->attempts > 1)
		sb_printf(&sb, " (after %u attempts)", e->attempts);
	if (e->request_id)
		sb_printf(&sb, " [request id %s]", e->request_id);
	if (hint)
		sb_printf(&sb, "; hint: %s", hint);
	return sb_steal(&sb);
}

static void set_error(struct aws_error *e, enum aws_err_kind kind, const char *op,
		      const char *type, const char *message)
{
	char *t = xstrdup(type), *m = xstrdup(message);

	free(e->operation);
	free(e->type);
	free(e->message);
	e->kind = kind;
	e->operation = xstrdup(op);
	e->type = t;
	e->message = m;
}

/* ---- endpoints ---- */

void aws_service_clear(struct aws_service *s)
{
	if (!s)
		return;
	free(s->signing_name);
	free(s->region);
	free(s->url);
	free(s->target_prefix);
	memset(s, 0, sizeof(*s));
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void aws_env_from_environ(struct aws_env *env)
{
	const char *fips = nonempty_env("AWS_USE_FIPS_ENDPOINT");

	memset(env, 0, sizeof(*env));
	env->endpoint_url = nonempty_env("AWS_ENDPOINT_URL");
	env->endpoint_lm = nonempty_env("AWS_ENDPOINT_URL_LICENSE_MANAGER");
	env->endpoint_org = nonempty_env("AWS_ENDPOINT_URL_ORGANIZATIONS");
	env->endpoint_sts = nonempty_env("AWS_ENDPOINT_URL_STS");
	env->use_fips = fips && strcasecmp(fips, "true") == 0;
	env->ca_bundle = nonempty_env("AWS_CA_BUNDLE");
}

/* Host part of an http(s) URL, for the loopback rule; caller frees. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *copy = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		copy = xstrdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return copy;
}

static bool host_is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	       strncmp(host, "127.", 4) == 0;
}

/* Plain http would send signed requests and answers in clear text, so it
 * is only accepted where nothing leaves the machine. */
static int check_endpoint_url(const char *url, char **err)
{
	char *host = NULL;
	int rc = -1;

	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
		*err = xasprintf("endpoint %s: only https:// (or http:// to a loopback host) is accepted", url);
		return -1;
	}
	host = url_host(url);
	if (!host) {
		*err = xasprintf("endpoint %s: not a valid URL", url);
		goto fail;
	}
	if (strncmp(url, "http://", 7) == 0 && !host_is_loopback(host)) {
		*err = xasprintf("endpoint %s: plain http is accepted only for loopback hosts", url);
		goto fail;
	}
	rc = 0;
fail:
	free(host);
	return rc;
}

int aws_service_resolve(const struct aws_env *env, enum aws_api api, const char *region,
			struct aws_service *out, char **err)
{
	const char *override = NULL;
	char *url = NULL;

	memset(out, 0, sizeof(*out));
	switch (api) {
	case AWS_API_LICENSE_MANAGER:
		override = env->endpoint_lm ? env->endpoint_lm : env->endpoint_url;
		out->signing_name = xstrdup("license-manager");
		out->region = xstrdup(region);
		out->target_prefix = xstrdup("AWSLicenseManager");
		url = xasprintf("https://license-manager%s.%s.amazonaws.com",
				env->use_fips ? "-fips" : "", region);
		break;
	case AWS_API_ORGANIZATIONS:
		/* Organizations is a global service signed for us-east-1. */
		override = env->endpoint_org ? env->endpoint_org : env->endpoint_url;
		out->signing_name = xstrdup("organizations");
		out->region = xstrdup("us-east-1");
		out->target_prefix = xstrdup("AWSOrganizationsV20161128");
		url = xstrdup("https://organizations.us-east-1.amazonaws.com");
		break;
	case AWS_API_STS:
		override = env->endpoint_sts ? env->endpoint_sts : env->endpoint_url;
		out->signing_name = xstrdup("sts");
		out->region = xstrdup(region);
		url = xasprintf("https://sts.%s.amazonaws.com", region);
		break;
	}
	if (override) {
		free(url);
		url = xstrdup(override);
	}
	out->url = url;
	if (check_endpoint_url(url, err) < 0) {
		aws_service_clear(out);
		return -1;
	}
	return 0;
}

/* ---- client ---- */

void http_opts_default(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_tps = 5;
	o->max_attempts = 8;
	o->connect_timeout_ms = 5000;
	o->timeout_ms = 30000;
	o->backoff_base_ms = 100;
	o->backoff_cap_ms = 20000;
}

struct http_client *http_client_new(const struct http_opts *opts)
{
	struct http_client *c = xcalloc(1, sizeof(*c));

	c->opts = *opts;
	if (c->opts.max_attempts < 1)
		c->opts.max_attempts = 1;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nidle; i++)
		curl_easy_cleanup(c->idle[i]);
	free(c->idle);
	pthread_mutex_destroy(&c->lock);
	for (size_t i = 0; i < c->ncalls; i++) {
		free(c->calls[i].operation);
		free(c->calls[i].error);
	}
	free(c->calls);
	free(c);
}

const struct http_call_count *http_client_call_counts(const struct http_client *c, size_t *n)
{
	*n = c->ncalls;
	return c->calls;
}

static void count_call(struct http_client *c, const char *op, const char *error)
{
	struct http_call_count *cc;

	error = error ? error : "";
	for (size_t i = 0; i < c->ncalls; i++) {
		if (strcmp(c->calls[i].operation, op) == 0 && strcmp(c->calls[i].error, error) == 0) {
			c->calls[i].n++;
			return;
		}
	}
	grow_array((void **)&c->calls, &c->calls_cap, c->ncalls + 1, sizeof(*c->calls));
	cc = &c->calls[c->ncalls++];
	cc->operation = xstrdup(op);
	cc->error = xstrdup(error);
	cc->n = 1;
}

void http_client_stats(const struct http_client *c, struct http_stats *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	*out = c->stats;
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
}

/* An easy handle for one transfer; NULL only if libcurl cannot make one. */
static CURL *acquire_handle(struct http_client *c)
{
	CURL *h = NULL;

	pthread_mutex_lock(&c->lock);
	if (c->nidle)
		h = c->idle[--c->nidle];
	pthread_mutex_unlock(&c->lock);
	return h ? h : curl_easy_init();
}

static void release_handle(struct http_client *c, CURL *h)
{
	pthread_mutex_lock(&c->lock);
	grow_array((void **)&c->idle, &c->idle_cap, c->nidle + 1, sizeof(*c->idle));
	c->idle[c->nidle++] = h;
	pthread_mutex_unlock(&c->lock);
}

static double monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps in short slices so that a stop request is noticed quickly.
 * Returns false when cancelled. */
static bool sleep_cancellable(const struct http_client *c, double seconds)
{
	double end = monotonic_now() + seconds;

	for (;;) {
		double left = end - monotonic_now();
		struct timespec ts;

		if (c->opts.heartbeat)
			c->opts.heartbeat();
		if (c->opts.should_stop && c->opts.should_stop())
			return false;
		if (left <= 0)
			return true;
		if (left > 0.05)
			left = 0.05;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

/* Client-side rate limit: requests start at least 1/max_tps apart, which
 * is a token bucket of depth one; no bursts that a server-side bucket of
 * the same rate would answer with throttling. */
static bool rate_limit_wait(struct http_client *c)
{
	double now = monotonic_now(), slot;

	if (c->opts.max_tps <= 0)
		return true;
	pthread_mutex_lock(&c->lock);
	slot = c->next_slot < now ? now : c->next_slot;
	c->next_slot = slot + 1.0 / c->opts.max_tps;
	pthread_mutex_unlock(&c->lock);
	return sleep_cancellable(c, slot - now);
}

static double random_unit(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)rand();
	return (double)r / 4294967296.0;
}

/* Full jitter: a uniform wait in [0, min(cap, base * 2^(attempt-1))]. */
static double backoff_seconds(const struct http_opts *o, unsigned attempt)
{
	double ceiling = (double)o->backoff_base_ms * pow(2.0, (double)(attempt - 1));

	if (ceiling > o->backoff_cap_ms)
		ceiling = o->backoff_cap_ms;
	return random_unit() * ceiling / 1000.0;
}

char *aws_new_client_token(void)
{
	unsigned char raw[16];
	char hex[33];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		for (size_t i = 0; i < sizeof(raw); i++)
			raw[i] = (unsigned char)rand();
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return xasprintf("lmgrantd-%s", hex);
}

/* ---- one attempt ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct response *r = userp;
	size_t n = size * nmemb;

	if (r->body.len + n > MAX_RESPONSE_BYTES) {
		r->too_big = true;
		return 0; /* makes curl fail the transfer */
	}
	sb_append(&r->body, data, n);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct response *r = userp;
	size_t n = size * nmemb, name_len;
	const char *colon = memchr(data, ':', n);

	if (!colon)
		return n;
	name_len = (size_t)(colon - data);
	if ((name_len == 16 && strncasecmp(data, "x-amzn-RequestId", 16) == 0) ||
	    (name_len == 16 && strncasecmp(data, "x-amz-request-id", 16) == 0)) {
		const char *v = colon + 1, *end = data + n;
		size_t len;

		while (v < end && isspace((unsigned char)*v))
			v++;
		while (end > v && isspace((unsigned char)end[-1]))
			end--;
		len = (size_t)(end - v);
		if (len >= MAX_REQUEST_ID)
			len = MAX_REQUEST_ID - 1;
		memcpy(r->request_id, v, len);
		r->request_id[len] = '\0';
	}
	return n;
}

struct request {
	const struct aws_service *svc;
	const char *operation;
	const char *content_type;
	const char *body;
	size_t body_len;
};

static struct curl_slist *request_headers(const struct request *rq, const struct aws_credentials *cr)
{
	struct curl_slist *h = NULL;
	char *line;

	line = xasprintf("Content-Type: %s", rq->content_type);
	h = curl_slist_append(h, line);
	free(line);
	if (rq->svc->target_prefix) {
		line = xasprintf("X-Amz-Target: %s.%s", rq->svc->target_prefix, rq->operation);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (cr->session_token) {
		line = xasprintf("X-Amz-Security-Token: %s", cr->session_token);
		h = curl_slist_append(h, line);
		free_secret(line);
	}
	/* No "Accept:" removal line: libcurl 7.88 would sign an "accept"
	 * header that it then does not send, and every request would fail
	 * verification. curl's own "Accept: * / *" is harmless and unsigned. */
	return h;
}

/* Lets a stop request abort a transfer in flight instead of waiting for
 * its timeout; also gives the daemon's watchdog a chance to be fed. */
static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const struct http_client *c = userp;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (c->opts.heartbeat)
		c->opts.heartbeat();
	return c->opts.should_stop && c->opts.should_stop() ? 1 : 0;
}

static void setup_transfer(struct http_client *c, CURL *h, const struct request *rq,
			   struct curl_slist *headers, struct response *resp)
{
	char sigv4[160];

	curl_easy_reset(h);
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:%s", rq->svc->region, rq->svc->signing_name);
	curl_easy_setopt(h, CURLOPT_URL, rq->svc->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->opts.timeout_ms);
	if (c->opts.ca_bundle) {
		/* An extra CA: keep the system store too (OpenSSL reads both). */
		curl_easy_setopt(h, CURLOPT_CAINFO, c->opts.ca_bundle);
		curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)rq->body_len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
}

/* Sets the keys for SigV4. curl copies the string; ours is wiped. */
static void set_keys(CURL *h, const struct aws_credentials *cr)
{
	char *userpwd = xasprintf("%s:%s", cr->access_key_id, cr->secret_access_key);

	curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	free_secret(userpwd);
}

static bool is_throttling_type(const char *t)
{
	static const char *const names[] = {
		"RateLimitExceededException", "TooManyRequestsException", "ThrottledException",
		"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
		"SlowDown", "ProvisionedThroughputExceededException", "PriorRequestNotComplete",
	};

	if (!t)
		return false;
	if (strncmp(t, "Throttling", 10) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(t, names[i]) == 0)
			return true;
	return false;
}

/* Transport failures worth another attempt: the request may not have
 * reached AWS, or its answer was lost. Certificate or URL errors are not. */
static bool is_retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* "ns#Type" -> "Type"; also drops a ":http://..." suffix some services add. */
static char *strip_error_type(const char *raw)
{
	const char *hash = strrchr(raw, '#');
	const char *start = hash ? hash + 1 : raw;
	size_t len = strcspn(start, ":");

	return xstrndup(start, len);
}

/* Code and Message of a query-protocol error answer, <ErrorResponse>
 * <Error><Code/><Message/></Error></ErrorResponse>; each stays NULL when it
 * is missing or empty, or when the body is not well-formed XML at all. */
static void decode_xml_error(const char *body, size_t len, char **type, char **message)
{
	struct xml_element *root = NULL;
	const struct xml_element *e = NULL;
	char *why = NULL;

	if (xmltree_parse(body, len, &root, &why) < 0) {
		free(why);
		return;
	}
	if (strcmp(root->name, "ErrorResponse") == 0)
		for (e = root->children; e && strcmp(e->name, "Error") != 0; e = e->next)
			;
	for (const struct xml_element *n = e ? e->children : NULL; n; n = n->next) {
		if (n->text_len == 0)
			continue;
		if (!*type && strcmp(n->name, "Code") == 0)
			*type = xstrdup(n->text);
		else if (!*message && strcmp(n->name, "Message") == 0)
			*message = xstrdup(n->text);
	}
	xmltree_free(root);
}

/* Reads type and message out of an error answer of either protocol. */
static void decode_error_body(const struct request *rq, const char *body, size_t len,
			      char **type, char **message)
{
	json_t *j = NULL;

	*type = NULL;
	*message = NULL;
	if (!rq->svc->target_prefix) {
		decode_xml_error(body, len, type, message);
		return;
	}
	j = json_loadb(body, len, 0, NULL);
	if (json_is_object(j)) {
		const char *t = json_string_value(json_object_get(j, "__type"));
		const char *m = json_string_value(json_object_get(j, "message"));

		if (!m)
			m = json_string_value(json_object_get(j, "Message"));
		if (t)
			*type = strip_error_type(t);
		*message = xstrdup(m);
	}
	json_decref(j);
}

enum attempt_outcome { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_FAIL };

/* The request timed out on its way in (HTTP 408, or the error types AWS
 * uses for it): like a 5xx, worth another attempt. Writes carry a
 * ClientToken, so a repeated one is not a second write. */
static bool is_timeout_answer(const char *type, long status)
{
	return status == 408 ||
	       (type && (strcmp(type, "RequestTimeout") == 0 ||
			 strcmp(type, "RequestTimeoutException") == 0));
}

/* Classifies a finished transfer; fills err for anything but success. */
static enum attempt_outcome classify(const struct request *rq, CURLcode rc, long status,
				     const struct response *resp, struct aws_error *err)
{
	char *type = NULL, *message = NULL;
	enum attempt_outcome out = ATTEMPT_FAIL;

	free(err->request_id);
	err->request_id = resp->request_id[0] ? xstrdup(resp->request_id) : NULL;
	err->http_status = status;
	if (rc != CURLE_OK) {
		set_error(err, AWS_ERR_TRANSPORT, rq->operation, curl_easy_strerror(rc),
			  resp->too_big ? "response larger than the 16 MiB cap" : NULL);
		return resp->too_big ? ATTEMPT_FAIL : (is_retryable_curl(rc) ? ATTEMPT_RETRY : ATTEMPT_FAIL);
	}
	if (status >= 200 && status < 300) {
		/* Neither JSON nor XML has a raw NUL; a parser that stopped
		 * there could take a valid-looking prefix for the answer. */
		if (resp->body.len > 0 && memchr(resp->body.buf, '\0', resp->body.len)) {
			set_error(err, AWS_ERR_PROTOCOL, rq->operation, "InvalidResponse",
				  "the answer holds a NUL byte");
			return ATTEMPT_FAIL;
		}
		return ATTEMPT_OK;
	}
	decode_error_body(rq, resp->body.buf ? resp->body.buf : "", resp->body.len, &type, &message);
	if (is_throttling_type(type) || (!type && status == 429)) {
		set_error(err, AWS_ERR_THROTTLED, rq->operation, type ? type : "HTTP 429", message);
		out = ATTEMPT_RETRY;
	} else if (status >= 500 || is_timeout_answer(type, status)) {
		char label[32];

		snprintf(label, sizeof(label), "HTTP %ld", status);
		set_error(err, AWS_ERR_SERVER, rq->operation, type ? type : label, message);
		out = ATTEMPT_RETRY;
	} else if (type) {
		set_error(err, AWS_ERR_API, rq->operation, type, message);
	} else {
		char *what = xasprintf("HTTP %ld with no AWS error type", status);

		set_error(err, AWS_ERR_PROTOCOL, rq->operation, "UnknownError", what);
		free(what);
	}
	free(type);
	free(message);
	return out;
}

/* A private copy of the current credentials: another thread may refresh
 * the provider's while this one is signing. Caller clears the copy. */
static int copy_credentials(struct http_client *c, struct creds_provider *cp,
			    struct aws_credentials *out, char **err)
{
	const struct aws_credentials *cr = NULL;
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = creds_get(cp, time(NULL), &cr, err);
	if (rc == 0) {
		out->access_key_id = xstrdup(cr->access_key_id);
		out->secret_access_key = xstrdup(cr->secret_access_key);
		out->session_token = xstrdup(cr->session_token);
		out->expiration = cr->expiration;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* One signed transfer on its own handle. */
static CURLcode attempt_once(struct http_client *c, const struct request *rq,
			     const struct aws_credentials *cr, struct response *resp, long *status)
{
	struct curl_slist *headers = request_headers(rq, cr);
	CURL *h = acquire_handle(c);
	CURLcode rc = CURLE_FAILED_INIT;

	if (h) {
		setup_transfer(c, h, rq, headers, resp);
		set_keys(h, cr);
		rc = curl_easy_perform(h);
		curl_easy_setopt(h, CURLOPT_USERPWD, "");
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		release_handle(c, h);
	}
	curl_slist_free_all(headers);
	return rc;
}

static bool is_expired_token(const char *type)
{
	return type && (strcmp(type, "ExpiredToken") == 0 || strcmp(type, "ExpiredTokenException") == 0);
}

/* After AWS refused the key used_key_id as expired: true when there are
 * other credentials to try, resolving the chain again unless a request on
 * another thread has done so already. Keys are not secrets; comparing
 * them is enough to tell one set of credentials from the next. */
static bool renew_credentials(struct http_client *c, struct creds_provider *cp, const char *used_key_id)
{
	const struct aws_credentials *cr = NULL;
	char *cerr = NULL;
	bool other = false;

	pthread_mutex_lock(&c->lock);
	if (creds_get(cp, time(NULL), &cr, &cerr) == 0 && strcmp(cr->access_key_id, used_key_id) == 0) {
		creds_invalidate(cp);
		if (creds_get(cp, time(NULL), &cr, &cerr) < 0)
			cr = NULL;
	}
	other = cr && strcmp(cr->access_key_id, used_key_id) != 0;
	pthread_mutex_unlock(&c->lock);
	free(cerr);
	return other;
}

static void count_attempt(struct http_client *c, const struct request *rq,
			  enum attempt_outcome out, const struct aws_error *err)
{
	pthread_mutex_lock(&c->lock);
	c->stats.requests++;
	if (out != ATTEMPT_OK && err->kind == AWS_ERR_THROTTLED)
		c->stats.throttled++;
	if (out == ATTEMPT_RETRY)
		c->stats.retries++;
	count_call(c, rq->operation, out == ATTEMPT_OK ? NULL : err->type);
	pthread_mutex_unlock(&c->lock);
}

/* Runs a request with the retry policy. On success *body_out (caller frees)
 * holds the answer body. */
static int perform(struct http_client *c, const struct request *rq, struct creds_provider *cp,
		   char **body_out, struct aws_error *err)
{
	bool renewed = false; /* credentials renewed after ExpiredToken, at most once */

	aws_error_clear(err);
	for (unsigned attempt = 1;; attempt++) {
		struct response resp = { 0 };
		struct aws_credentials cr = { 0 };
		char *cerr = NULL, *key_id = NULL;
		enum attempt_outcome out;
		CURLcode rc;
		long status = 0;

		if (copy_credentials(c, cp, &cr, &cerr) < 0) {
			set_error(err, AWS_ERR_CREDENTIALS, rq->operation, "NoCredentials", cerr);
			free(cerr);
			return -1;
		}
		if (!rate_limit_wait(c)) {
			aws_credentials_clear(&cr);
			break;
		}
		rc = attempt_once(c, rq, &cr, &resp, &status);
		key_id = cr.access_key_id;
		cr.access_key_id = NULL;
		aws_credentials_clear(&cr);
		if (rc == CURLE_ABORTED_BY_CALLBACK) {
			sb_free(&resp.body);
			free(key_id);
			break;
		}
		out = classify(rq, rc, status, &resp, err);
		err->attempts = attempt;
		if (out == ATTEMPT_RETRY && attempt >= c->opts.max_attempts)
			out = ATTEMPT_FAIL;
		count_attempt(c, rq, out, err);
		if (out == ATTEMPT_OK) {
			free(key_id);
			*body_out = sb_steal(&resp.body);
			aws_error_clear(err);
			return 0;
		}
		sb_free(&resp.body);
		/* Expired before its time: new credentials get one more try,
		 * right away; the same ones again would only fail again. */
		if (out == ATTEMPT_FAIL && !renewed && is_expired_token(err->type) &&
		    renew_credentials(c, cp, key_id)) {
			renewed = true;
			free(key_id);
			continue;
		}
		free(key_id);
		if (out == ATTEMPT_FAIL)
			return -1;
		if (!sleep_cancellable(c, backoff_seconds(&c->opts, attempt)))
			break;
	}
	set_error(err, AWS_ERR_CANCELLED, rq->operation, "Cancelled", "stopping");
	return -1;
}

int aws_json_call(struct http_client *c, const struct aws_service *svc,
		  struct creds_provider *cp, const char *operation, json_t *body,
		  json_t **out, struct aws_error *err)
{
	char *payload = json_dumps(body, JSON_COMPACT);
	char *answer = NULL;
	struct request rq = {
		.svc = svc, .operation = operation,
		.content_type = "application/x-amz-json-1.1",
		.body = payload, .body_len = payload ? strlen(payload) : 0,
	};
	json_error_t jerr;
	int rc = -1;

	*out = NULL;
	if (!payload) {
		aws_error_clear(err);
		set_error(err, AWS_ERR_PROTOCOL, operation, "SerializationError", "cannot encode the request");
		return -1;
	}
	if (perform(c, &rq, cp, &answer, err) < 0)
		goto fail;
	*out = json_loads(answer, 0, &jerr);
	if (!json_is_object(*out)) {
		char *what = xasprintf("invalid JSON answer: %s", jerr.text);

		json_decref(*out);
		*out = NULL;
		set_error(err, AWS_ERR_PROTOCOL, operation, "InvalidResponse", what);
		free(what);
		goto fail;
	}
	rc = 0;
fail:
	free(payload);
	free(answer);
	return rc;
}

int aws_query_call(struct http_client *c, const struct aws_service *svc,
		   struct creds_provider *cp, const char *operation, const char *form,
		   char **xml_out, struct aws_error *err)
{
	struct request rq = {
		.svc = svc, .operation = operation,
		.content_type = "application/x-www-form-urlencoded; charset=utf-8",
		.body = form, .body_len = strlen(form),
	};

	*xml_out = NULL;
	return perform(c, &rq, cp, xml_out, err);
}

long http_plain_request(struct http_client *c, const char *method, const char *url,
			const char *const *headers, char **body_out, long timeout_ms)
{
	struct response resp = { 0 };
	struct curl_slist *h = NULL;
	long status = -1;
	CURLcode rc;

	CURL *e = acquire_handle(c);

	*body_out = NULL;
	if (!e)
		return -1;
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*"); /* IMDS is never reached through a proxy */
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		*body_out = sb_steal(&resp.body);
	}
	sb_free(&resp.body);
	curl_slist_free_all(h);
	release_handle(c, e);
	return status;
}
