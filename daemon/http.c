/*
 * http: libcurl transport for signed AWS requests and plain IMDS ones.
 *
 * Signing is left entirely to libcurl (CURLOPT_AWS_SIGV4 with the keys in
 * CURLOPT_USERPWD); a session token travels as X-Amz-Security-Token, which
 * curl then signs like every other header we set. Easy handles are kept
 * idle between transfers so connections are reused (keep-alive); a
 * transfer runs on a handle of its own, outside the client's lock.
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

#include "endpoint.h"
#include "log.h"
#include "util.h"

/*
 * Shared by the worker threads of a pass: everything mutable (rate limit
 * slot, counters, idle handles) is guarded by lock; see http.h for the
 * lock order.
 */
struct http_client {
	pthread_mutex_t lock;
	CURL **idle;
	size_t nidle, idle_cap;
	struct http_opts opts;
	struct pacer *pacer; /* NULL: no client-side limit */
	struct http_stats stats;
	struct http_call_count *calls;
	size_t ncalls, calls_cap;
};

/* ---- client ---- */

void http_opts_default(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_tps = HTTP_TPS_AUTO;
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
	if (c->opts.max_tps >= 0)
		c->pacer = pacer_new(c->opts.max_tps);
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
	pacer_free(c->pacer);
	free(c);
}

const struct http_opts *http_client_opts(const struct http_client *c)
{
	return &c->opts;
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

double http_client_rate(const struct http_client *c, const char *service)
{
	double rate = 0;

	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	if (c->pacer)
		rate = pacer_rate(c->pacer, service);
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return rate;
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

/* Client-side rate limit, per service: every attempt, a retry too, waits
 * for its slot in the pacer's lane, so retries spend the same budget as
 * first attempts. Slots are 1/rate apart, a token bucket of depth one: no
 * bursts that a server-side bucket of the same rate would throttle. */
static bool rate_limit_wait(struct http_client *c, const char *service, struct pacer_ticket *t)
{
	double now = monotonic_now();

	*t = (struct pacer_ticket){ .at = now, .reserved = now };
	if (!c->pacer)
		return true;
	pthread_mutex_lock(&c->lock);
	*t = pacer_reserve(c->pacer, service, now);
	pthread_mutex_unlock(&c->lock);
	return sleep_cancellable(c, t->at - now);
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

bool http_backoff(struct http_client *c, unsigned attempt)
{
	return sleep_cancellable(c, backoff_seconds(&c->opts, attempt));
}

void http_client_count(struct http_client *c, const char *operation, const char *service,
		       const struct pacer_ticket *ticket, const char *error, bool throttled,
		       bool retried)
{
	bool moved = false;
	double rate = 0;

	pthread_mutex_lock(&c->lock);
	c->stats.requests++;
	if (throttled)
		c->stats.throttled++;
	if (retried)
		c->stats.retries++;
	count_call(c, operation, error);
	if (c->pacer) {
		pacer_answer(c->pacer, service, ticket, monotonic_now(),
			     !error ? PACER_OK : (throttled ? PACER_THROTTLED : PACER_NEUTRAL));
		moved = pacer_take_change(c->pacer, service, &rate);
	}
	pthread_mutex_unlock(&c->lock);
	if (moved)
		log_msg(LOG_DEBUG, "%s: request rate now %.1f/s", service, rate);
}

void http_response_clear(struct http_response *r)
{
	if (!r)
		return;
	sb_free(&r->body);
	memset(r, 0, sizeof(*r));
}

/* ---- one attempt ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_response *r = userp;
	size_t n = size * nmemb;

	if (r->body.len + n > HTTP_MAX_RESPONSE_BYTES) {
		r->too_big = true;
		return 0; /* makes curl fail the transfer */
	}
	sb_append(&r->body, data, n);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_response *r = userp;
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
		if (len >= HTTP_MAX_REQUEST_ID)
			len = HTTP_MAX_REQUEST_ID - 1;
		memcpy(r->request_id, v, len);
		r->request_id[len] = '\0';
	}
	return n;
}

static struct curl_slist *request_headers(const struct http_request *rq,
					  const struct aws_credentials *cr)
{
	struct curl_slist *h = NULL;

	for (size_t i = 0; rq->headers && rq->headers[i]; i++)
		h = curl_slist_append(h, rq->headers[i]);
	if (cr && cr->session_token) {
		char *line = xasprintf("X-Amz-Security-Token: %s", cr->session_token);

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

/* Plain http passed the name check; this is the address curl actually
 * connected to, checked before a byte of the request is sent (the name
 * check alone trusts that "localhost" stays local). */
static int on_connected(void *userp, char *primary_ip, char *local_ip, int primary_port,
			int local_port)
{
	struct http_response *r = userp;

	(void)local_ip, (void)primary_port, (void)local_port;
	if (endpoint_ip_is_loopback(primary_ip))
		return CURL_PREREQFUNC_OK;
	r->not_loopback = true;
	return CURL_PREREQFUNC_ABORT;
}

static void setup_transfer(struct http_client *c, CURL *h, const struct http_request *rq,
			   bool signed_request, struct curl_slist *headers, struct http_response *resp)
{
	char sigv4[160];

	curl_easy_reset(h);
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:%s", rq->region, rq->signing_name);
	curl_easy_setopt(h, CURLOPT_URL, rq->url);
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
	if (signed_request)
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
	if (strncmp(rq->url, "http://", 7) == 0) {
		/* Clear text goes nowhere but this machine: no proxy either. */
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
		curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_connected);
		curl_easy_setopt(h, CURLOPT_PREREQDATA, resp);
	}
}

/* Sets the keys for SigV4. curl copies the string; ours is wiped. */
static void set_keys(CURL *h, const struct aws_credentials *cr)
{
	char *userpwd = xasprintf("%s:%s", cr->access_key_id, cr->secret_access_key);

	curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	free_secret(userpwd);
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

void http_send_signed(struct http_client *c, const struct http_request *rq,
		      const struct aws_credentials *cr, struct http_response *out)
{
	struct curl_slist *headers = NULL;
	CURL *h = NULL;
	CURLcode rc = CURLE_FAILED_INIT;

	memset(out, 0, sizeof(*out));
	if (!rate_limit_wait(c, rq->signing_name, &out->ticket)) {
		out->cancelled = true;
		return;
	}
	headers = request_headers(rq, cr);
	h = acquire_handle(c);
	if (h) {
		setup_transfer(c, h, rq, cr != NULL, headers, out);
		if (cr)
			set_keys(h, cr);
		rc = curl_easy_perform(h);
		if (cr)
			curl_easy_setopt(h, CURLOPT_USERPWD, "");
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
		release_handle(c, h);
	}
	curl_slist_free_all(headers);
	if (out->not_loopback) {
		out->transport_failed = true;
		out->error = "NotLoopback";
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		out->cancelled = true;
	} else if (rc != CURLE_OK) {
		out->transport_failed = true;
		out->error = curl_easy_strerror(rc);
		out->retryable = !out->too_big && is_retryable_curl(rc);
	}
}

long http_plain_request(struct http_client *c, const char *method, const char *url,
			const char *const *headers, char **body_out, long timeout_ms)
{
	struct http_response resp = { 0 };
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
