/*
 * http: the libcurl transport. Sends one signed request at a time per
 * caller (signing is libcurl's own SigV4, CURLOPT_AWS_SIGV4), keeps the
 * connections (idle easy handles) and the counters of a client shared by
 * the worker threads, the client-side rate limit and the full-jitter
 * backoff between attempts, cancellation (should_stop), response size
 * caps, and plain unsigned requests for the instance metadata service.
 *
 * It knows no AWS API, error or credential source: aws runs the attempts
 * and decides what an answer means; the keys to sign with are handed in.
 */
#ifndef LMGRANTD_HTTP_H
#define LMGRANTD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "credentials.h"
#include "pacer.h"
#include "util.h"

#define HTTP_MAX_RESPONSE_BYTES (16u * 1024u * 1024u)
#define HTTP_MAX_REQUEST_ID 128

#define HTTP_TPS_AUTO 0.0

struct http_opts {
	/* Client-side requests per second, per service (signing name): > 0 a
	 * fixed rate; HTTP_TPS_AUTO the pacer's (max_tps: auto); < 0 no limit
	 * (unit tests only). */
	double max_tps;
	unsigned max_attempts;   /* per request */
	long connect_timeout_ms;
	long timeout_ms;         /* whole request */
	unsigned backoff_base_ms;
	unsigned backoff_cap_ms;
	const char *ca_bundle;   /* extra CA file, or NULL; borrowed */
	/* Polled between attempts and during waits; returning true cancels.
	 * Called from any thread; must not block. */
	bool (*should_stop)(void);
	/* Called as often as should_stop, to say the process still makes
	 * progress (the daemon feeds its watchdog); NULL: nothing. */
	void (*heartbeat)(void);
};
void http_opts_default(struct http_opts *o);

/*
 * A client is shared by the worker threads of a pass. Its one lock guards
 * the idle handles, the rate-limit slot and the counters, and is held only
 * for those few instructions: never across a transfer, a wait, or a call
 * out of this module. Lock order: a credential source's lock may be held
 * while its requests take this lock (creds resolving through STS or IMDS);
 * this lock is never held while credentials are asked for.
 */
struct http_client;
/* Caller frees with http_client_free. */
struct http_client *http_client_new(const struct http_opts *opts);
void http_client_free(struct http_client *c);
const struct http_opts *http_client_opts(const struct http_client *c);

/* Counters kept by the client, for metrics and benchmarks. */
struct http_stats {
	unsigned long requests;  /* every attempt sent */
	unsigned long retries;
	unsigned long throttled; /* attempts answered as throttled */
};
void http_client_stats(const struct http_client *c, struct http_stats *out);

/* The request rate in force for service ("license-manager", ...): the
 * start rate until the service is first called; 0 without a limit. */
double http_client_rate(const struct http_client *c, const char *service);

/* Attempts per operation and outcome ("" for success, else the AWS error
 * type or the transport error), since the client was made. */
struct http_call_count {
	char *operation;
	char *error;
	unsigned long n;
};
/* Borrowed until the next request. */
const struct http_call_count *http_client_call_counts(const struct http_client *c, size_t *n);
/* Counts one finished attempt of operation to service, sent with ticket
 * (from its http_response): error NULL for a success. Tells the pacer how
 * it was answered; a rate that moved by more than 20 % is printed with -v. */
void http_client_count(struct http_client *c, const char *operation, const char *service,
		       const struct pacer_ticket *ticket, const char *error, bool throttled,
		       bool retried);

/* One signed POST. All borrowed. */
struct http_request {
	const char *url;
	const char *region;       /* signing region */
	const char *signing_name; /* "license-manager", ... */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated; may be NULL */
	const char *body;
	size_t body_len;
};

/* What one attempt got. Clear with http_response_clear. */
struct http_response {
	bool cancelled;        /* should_stop said so, before or during the transfer */
	bool transport_failed; /* no usable answer: error says why */
	bool retryable;        /* a transport failure worth another attempt */
	const char *error;     /* static (curl's error text); NULL on an answer */
	bool too_big;          /* the answer passed HTTP_MAX_RESPONSE_BYTES */
	bool not_loopback;     /* plain http reached a non-loopback address; nothing was sent */
	long status;
	struct strbuf body;
	char request_id[HTTP_MAX_REQUEST_ID]; /* x-amzn-RequestId / x-amz-request-id */
	struct pacer_ticket ticket; /* the attempt's slot in its service's lane */
};
void http_response_clear(struct http_response *r);

/* Waits for its slot in rq's service's lane (every attempt, a retry too:
 * retries spend the same budget as first attempts), then sends rq signed with cr (the
 * session token travels as X-Amz-Security-Token, signed like every other
 * header; cr NULL: sent unsigned, as STS AssumeRoleWithWebIdentity is,
 * whose token is its proof). Plain http goes through no proxy, and only to an address that
 * is loopback once connected (endpoint_ip_is_loopback). Fills *out;
 * never fails otherwise. */
void http_send_signed(struct http_client *c, const struct http_request *rq,
		      const struct aws_credentials *cr, struct http_response *out);

/* Sleeps the full-jitter backoff after attempt (1-based); false when
 * cancelled meanwhile. */
bool http_backoff(struct http_client *c, unsigned attempt);

/* Signs nothing: a plain request to a link-local or loopback metadata
 * service (IMDS). Used by creds. Returns the HTTP status or -1. */
long http_plain_request(struct http_client *c, const char *method, const char *url,
			const char *const *headers, char **body_out, long timeout_ms);

#endif
