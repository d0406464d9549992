/*
 * aws: the AWS client over the http transport. Runs a call's attempts
 * (credentials from a cred_source, one signed transfer, the answer decoded
 * and its error classified by aws_error's table, backoff and retry for
 * throttling, 5xx and transport errors, one more try with renewed
 * credentials after ExpiredToken), for the JSON 1.1 and query protocols,
 * and follows NextToken for the list operations of lm and org.
 *
 * It knows no particular operation: lm, org and sts build the requests.
 */
#ifndef LMGRANTD_AWS_H
#define LMGRANTD_AWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws_error.h"
#include "credentials.h"
#include "endpoint.h"
#include "http.h"

/* What an API module needs to call its service: all borrowed. */
struct aws_client {
	struct http_client *http;
	struct cred_source *creds;
	const struct aws_service *svc;
};

/*
 * Calls a JSON 1.1 operation. body is borrowed (serialized once, so a retry
 * resends the same bytes, ClientToken included). On success returns 0 and
 * *out is the decoded answer (caller decrefs); on failure returns -1,
 * *out is NULL and *err says why.
 */
int aws_json_call(struct http_client *c, const struct aws_service *svc,
		  struct cred_source *cs, const char *operation, json_t *body,
		  json_t **out, struct aws_error *err);

/* The same, and on success *request_id (caller frees; NULL when AWS sent
 * none) is the answer's x-amzn-RequestId: writes journal it (SPEC 6). On
 * an answer that does not decode, err->request_id holds it. */
int aws_json_call_id(struct http_client *c, const struct aws_service *svc,
		     struct cred_source *cs, const char *operation, json_t *body,
		     json_t **out, char **request_id, struct aws_error *err);

/*
 * Calls a query-protocol (STS) operation with an x-www-form-urlencoded
 * body (borrowed). On success returns 0 and *xml_out (caller frees) holds
 * the raw XML answer. cs NULL sends the request unsigned (STS
 * AssumeRoleWithWebIdentity, whose token is its proof).
 */
int aws_query_call(struct http_client *c, const struct aws_service *svc,
		   struct cred_source *cs, const char *operation, const char *form,
		   char **xml_out, struct aws_error *err);

/*
 * Follows NextToken: calls operation with request (borrowed; MaxResults
 * set to page_size, NextToken to each page's token) until a page has no
 * token, at most max_pages pages, and hands every page to on_page
 * (borrowed for the call; on_page returns -1 with *err set to stop). A
 * token that is not a string or comes back unchanged is an error: the
 * first would end the list early, the second loop forever.
 */
int aws_paginate(const struct aws_client *c, const char *operation, json_t *request,
		 unsigned page_size, size_t max_pages,
		 int (*on_page)(json_t *page, void *ctx, struct aws_error *err), void *ctx,
		 struct aws_error *err);

/* 32 random hex characters prefixed by "lmgrantd-": a ClientToken. Caller frees. */
char *aws_new_client_token(void);

#endif
