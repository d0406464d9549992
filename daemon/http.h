/*
 * http: sends signed AWS requests with libcurl and turns the answers into
 * JSON or an aws_error. Signing is libcurl's own SigV4 (CURLOPT_AWS_SIGV4);
 * this module adds what AWS clients need around it: endpoint rules, a
 * client-side rate limit, retries with full-jitter backoff for throttling,
 * 5xx and transport errors, response size caps, and error decoding by the
 * body's __type (never by HTTP status alone).
 *
 * It does not know any AWS operation: lm, org and sts build the requests.
 */
#ifndef LMGRANTD_HTTP_H
#define LMGRANTD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "creds.h"

/* Why a call failed, coarsely: decides retries and how callers react. */
enum aws_err_kind {
	AWS_ERR_NONE = 0,
	AWS_ERR_API,       /* AWS answered with an error that retrying won't fix */
	AWS_ERR_THROTTLED, /* still throttled after every attempt */
	AWS_ERR_SERVER,    /* still 5xx after every attempt */
	AWS_ERR_TRANSPORT, /* no usable answer (connect, timeout, reset) after every attempt */
	AWS_ERR_PROTOCOL,  /* an answer that is not what the API defines */
	AWS_ERR_CREDENTIALS, /* no credentials, or they could not be refreshed */
	AWS_ERR_CANCELLED, /* the caller asked to stop (SIGTERM) */
};

/* All members owned; clear with aws_error_clear. */
struct aws_error {
	enum aws_err_kind kind;
	char *operation;  /* e.g. "CreateGrant" */
	char *type;       /* AWS error type without "ns#", or a curl error name */
	char *message;    /* never holds a secret */
	char *request_id; /* x-amzn-RequestId, when AWS sent one */
	long http_status;
	unsigned attempts;
};
void aws_error_clear(struct aws_error *e);
/* Sets *e to an AWS_ERR_PROTOCOL "InvalidResponse" for operation op: an
 * answer that does not decode. Takes ownership of why. */
void aws_error_protocol(struct aws_error *e, const char *op, char *why);
/* "CreateGrant: ValidationException: message (request id ...)", and for a
 * known set-up error "; hint: what to enable"; caller frees. */
char *aws_error_describe(const struct aws_error *e);
/* What to do about a known set-up error (trusted access for License
 * Manager disabled, no organization, expired or unknown credentials, clock
 * skew, ...): one line, static; NULL for any other error. */
const char *aws_error_hint(const struct aws_error *e);
/* Copies src into *dst (dst is cleared first). */
void aws_error_copy(struct aws_error *dst, const struct aws_error *src);

/* One AWS API endpoint. Strings owned. */
struct aws_service {
	char *signing_name; /* "license-manager", "organizations", "sts" */
	char *region;       /* signing region */
	char *url;          /* "https://license-manager.us-east-1.amazonaws.com" */
	char *target_prefix; /* "AWSLicenseManager"; NULL for the query protocol */
};
void aws_service_clear(struct aws_service *s);

/* Process environment the endpoint rules read, gathered once by main. */
struct aws_env {
	const char *endpoint_url;       /* AWS_ENDPOINT_URL */
	const char *endpoint_lm;        /* AWS_ENDPOINT_URL_LICENSE_MANAGER */
	const char *endpoint_org;       /* AWS_ENDPOINT_URL_ORGANIZATIONS */
	const char *endpoint_sts;       /* AWS_ENDPOINT_URL_STS */
	bool use_fips;                  /* AWS_USE_FIPS_ENDPOINT=true */
	const char *ca_bundle;          /* AWS_CA_BUNDLE */
};
void aws_env_from_environ(struct aws_env *env);

enum aws_api { AWS_API_LICENSE_MANAGER, AWS_API_ORGANIZATIONS, AWS_API_STS };
/* Fills *out for api in region per SPEC §3. Returns -1 with *err (caller
 * frees) for an endpoint that is not https and not loopback http. */
int aws_service_resolve(const struct aws_env *env, enum aws_api api, const char *region,
			struct aws_service *out, char **err);

struct http_opts {
	double max_tps;          /* client-side requests per second, all APIs together */
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

struct http_client;
/* Caller frees with http_client_free. */
struct http_client *http_client_new(const struct http_opts *opts);
void http_client_free(struct http_client *c);

/* Counters kept by the client, for metrics and benchmarks. */
struct http_stats {
	unsigned long requests;  /* every attempt sent */
	unsigned long retries;
	unsigned long throttled; /* attempts answered as throttled */
};
void http_client_stats(const struct http_client *c, struct http_stats *out);

/* Attempts per operation and outcome ("" for success, else the AWS error
 * type or the transport error), since the client was made. */
struct http_call_count {
	char *operation;
	char *error;
	unsigned long n;
};
/* Borrowed until the next request. */
const struct http_call_count *http_client_call_counts(const struct http_client *c, size_t *n);

/*
 * Calls a JSON 1.1 operation. body is borrowed (serialized once, so a retry
 * resends the same bytes, ClientToken included). On success returns 0 and
 * *out is the decoded answer (caller decrefs); on failure returns -1,
 * *out is NULL and *err says why.
 */
int aws_json_call(struct http_client *c, const struct aws_service *svc,
		  struct creds_provider *cp, const char *operation, json_t *body,
		  json_t **out, struct aws_error *err);

/*
 * Calls a query-protocol (STS) operation with an x-www-form-urlencoded
 * body (borrowed). On success returns 0 and *xml_out (caller frees) holds
 * the raw XML answer.
 */
int aws_query_call(struct http_client *c, const struct aws_service *svc,
		   struct creds_provider *cp, const char *operation, const char *form,
		   char **xml_out, struct aws_error *err);

/* Signs nothing: a plain request to a link-local or loopback metadata
 * service (IMDS). Used by creds. Returns the HTTP status or -1. */
long http_plain_request(struct http_client *c, const char *method, const char *url,
			const char *const *headers, char **body_out, long timeout_ms);

/* 32 random hex characters prefixed by "lmgrantd-": a ClientToken. Caller frees. */
char *aws_new_client_token(void);

#endif

#ifndef LMGRANTD_AWS_CLIENT
#define LMGRANTD_AWS_CLIENT
/* What an API module needs to call its service: all borrowed. */
struct aws_client {
	struct http_client *http;
	struct creds_provider *creds;
	const struct aws_service *svc;
};
#endif
