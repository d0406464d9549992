/*
 * aws: attempts, error answers and pagination for AWS JSON 1.1 and query
 * APIs, over the http transport.
 *
 * Retry policy (SPEC §4.5): throttling, 5xx and transport errors are retried
 * with exponential backoff and full jitter, up to max_attempts; everything
 * else is returned at once. What an error answer is comes from its type
 * (the body's __type, or <Code> for the query protocol) through the table
 * in aws_error.c, never from the HTTP status alone or the message.
 */
#include "aws.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"
#include "xmltree.h"

/* One call: the transport's request and what this module needs besides;
 * all borrowed for the call. */
struct request {
	const char *operation;
	bool json; /* JSON 1.1; else the query protocol */
	struct http_request http;
};

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

/* ---- error answers ---- */

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

/* Type and message of an error answer (JSON __type/message, or a query
 * protocol <ErrorResponse>); each NULL when absent. Caller frees both. */
static void decode_error_body(bool json_protocol, const char *body, size_t len, char **type,
			      char **message)
{
	json_t *j = NULL;

	*type = NULL;
	*message = NULL;
	if (!json_protocol) {
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

/* ---- attempts ---- */

enum attempt_outcome { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_FAIL };

/* An answer with an error status: its type looked up in the table. */
static enum attempt_outcome classify_answer(const struct request *rq, const struct http_response *resp,
					    struct aws_error *err)
{
	char *type = NULL, *message = NULL, label[32];
	const struct aws_error_rule *r = NULL;

	decode_error_body(rq->json, resp->body.buf ? resp->body.buf : "", resp->body.len, &type, &message);
	r = aws_error_rule_for(type, rq->operation, resp->status);
	snprintf(label, sizeof(label), "HTTP %ld", resp->status);
	if (r->kind == AWS_ERR_PROTOCOL) {
		char *what = xasprintf("HTTP %ld with no AWS error type", resp->status);

		aws_error_set(err, AWS_ERR_PROTOCOL, rq->operation, "UnknownError", what);
		free(what);
	} else {
		aws_error_set(err, r->kind, rq->operation, type ? type : label, message);
		err->remedy = r->remedy;
	}
	free(type);
	free(message);
	return r->kind == AWS_ERR_THROTTLED || r->kind == AWS_ERR_SERVER ? ATTEMPT_RETRY : ATTEMPT_FAIL;
}

/* Classifies a finished transfer; fills err for anything but success. */
static enum attempt_outcome classify(const struct request *rq, const struct http_response *resp,
				     struct aws_error *err)
{
	free(err->request_id);
	err->request_id = resp->request_id[0] ? xstrdup(resp->request_id) : NULL;
	err->http_status = resp->status;
	if (resp->not_loopback) {
		aws_error_set(err, AWS_ERR_TRANSPORT, rq->operation, "NotLoopback",
			      "plain http connected to an address that is not loopback; nothing was sent");
		return ATTEMPT_FAIL;
	}
	if (resp->transport_failed) {
		aws_error_set(err, AWS_ERR_TRANSPORT, rq->operation, resp->error,
			      resp->too_big ? "response larger than the 16 MiB cap" : NULL);
		return resp->retryable ? ATTEMPT_RETRY : ATTEMPT_FAIL;
	}
	if (resp->status >= 200 && resp->status < 300) {
		/* Neither JSON nor XML has a raw NUL; a parser that stopped
		 * there could take a valid-looking prefix for the answer. */
		if (resp->body.len > 0 && memchr(resp->body.buf, '\0', resp->body.len)) {
			aws_error_set(err, AWS_ERR_PROTOCOL, rq->operation, "InvalidResponse",
				      "the answer holds a NUL byte");
			return ATTEMPT_FAIL;
		}
		return ATTEMPT_OK;
	}
	return classify_answer(rq, resp, err);
}

/* Runs a request with the retry policy. On success *body_out (caller frees)
 * holds the answer body and, when request_id is not NULL, *request_id
 * (caller frees; NULL when AWS sent none) the answer's x-amzn-RequestId.
 * Credentials are asked for without any lock of the client held (http.h,
 * lock order). */
static int perform(struct http_client *c, const struct request *rq, struct cred_source *cs,
		   char **body_out, char **request_id, struct aws_error *err)
{
	unsigned max_attempts = http_client_opts(c)->max_attempts;
	bool renewed = false; /* credentials renewed after ExpiredToken, at most once */

	aws_error_clear(err);
	for (unsigned attempt = 1;; attempt++) {
		struct http_response resp = { 0 };
		struct aws_credentials cr = { 0 };
		enum attempt_outcome out;
		char *cerr = NULL;
		bool renew = false;

		if (cs && cred_source_get(cs, time(NULL), &cr, &cerr) < 0) {
			aws_error_set(err, AWS_ERR_CREDENTIALS, rq->operation, "NoCredentials", cerr);
			free(cerr);
			return -1;
		}
		http_send_signed(c, &rq->http, cs ? &cr : NULL, &resp);
		if (resp.cancelled) {
			http_response_clear(&resp);
			aws_credentials_clear(&cr);
			break;
		}
		out = classify(rq, &resp, err);
		err->attempts = attempt;
		if (out == ATTEMPT_RETRY && attempt >= max_attempts)
			out = ATTEMPT_FAIL;
		http_client_count(c, rq->operation, rq->http.signing_name, &resp.ticket,
				  out == ATTEMPT_OK ? NULL : err->type,
				  out != ATTEMPT_OK && err->kind == AWS_ERR_THROTTLED, out == ATTEMPT_RETRY);
		if (out == ATTEMPT_OK) {
			*body_out = sb_steal(&resp.body);
			if (request_id)
				*request_id = resp.request_id[0] ? xstrdup(resp.request_id) : NULL;
			aws_credentials_clear(&cr);
			aws_error_clear(err);
			return 0;
		}
		http_response_clear(&resp);
		/* Expired before its time: new credentials get one more try,
		 * right away; the same ones again would only fail again. */
		if (out == ATTEMPT_FAIL && !renewed && cs && err->remedy == AWS_REMEDY_RENEW_CREDENTIALS)
			renew = cred_source_renew(cs, cr.access_key_id, time(NULL));
		aws_credentials_clear(&cr);
		if (renew) {
			renewed = true;
			continue;
		}
		if (out == ATTEMPT_FAIL)
			return -1;
		if (!http_backoff(c, attempt))
			break;
	}
	aws_error_set(err, AWS_ERR_CANCELLED, rq->operation, "Cancelled", "stopping");
	return -1;
}

/* ---- calls ---- */

int aws_json_call(struct http_client *c, const struct aws_service *svc,
		  struct cred_source *cs, const char *operation, json_t *body,
		  json_t **out, struct aws_error *err)
{
	return aws_json_call_id(c, svc, cs, operation, body, out, NULL, err);
}

int aws_json_call_id(struct http_client *c, const struct aws_service *svc,
		     struct cred_source *cs, const char *operation, json_t *body,
		     json_t **out, char **request_id, struct aws_error *err)
{
	char *payload = json_dumps(body, JSON_COMPACT), *answer = NULL;
	char *target = xasprintf("X-Amz-Target: %s.%s", svc->target_prefix, operation);
	const char *headers[] = { "Content-Type: application/x-amz-json-1.1", target, NULL };
	struct request rq = {
		.operation = operation, .json = true,
		.http = { svc->url, svc->region, svc->signing_name, headers, payload,
			  payload ? strlen(payload) : 0 },
	};
	json_error_t jerr;
	int rc = -1;

	*out = NULL;
	if (request_id)
		*request_id = NULL;
	if (!payload) {
		aws_error_clear(err);
		aws_error_set(err, AWS_ERR_PROTOCOL, operation, "SerializationError", "cannot encode the request");
		goto fail;
	}
	if (perform(c, &rq, cs, &answer, request_id, err) < 0)
		goto fail;
	*out = json_loads(answer, 0, &jerr);
	if (!json_is_object(*out)) {
		char *what = xasprintf("invalid JSON answer: %s", jerr.text);

		json_decref(*out);
		*out = NULL;
		aws_error_set(err, AWS_ERR_PROTOCOL, operation, "InvalidResponse", what);
		free(what);
		if (request_id) {
			free(err->request_id);
			err->request_id = *request_id;
			*request_id = NULL;
		}
		goto fail;
	}
	rc = 0;
fail:
	free(target);
	free(payload);
	free(answer);
	return rc;
}

int aws_query_call(struct http_client *c, const struct aws_service *svc,
		   struct cred_source *cs, const char *operation, const char *form,
		   char **xml_out, struct aws_error *err)
{
	const char *headers[] = { "Content-Type: application/x-www-form-urlencoded; charset=utf-8", NULL };
	struct request rq = {
		.operation = operation, .json = false,
		.http = { svc->url, svc->region, svc->signing_name, headers, form, strlen(form) },
	};

	*xml_out = NULL;
	return perform(c, &rq, cs, xml_out, NULL, err);
}

/* ---- pagination ---- */

/* The NextToken of page: 0 and *next (caller frees; NULL at the end), or
 * -1 with *err when it is of another type or repeats token. */
static int next_token(const char *op, json_t *page, const char *token, char **next,
		      struct aws_error *err)
{
	json_t *tok = json_object_get(page, "NextToken");

	*next = NULL;
	if (tok && !json_is_null(tok) && !json_is_string(tok)) {
		aws_error_protocol(err, op, xstrdup("NextToken is not a string"));
		return -1;
	}
	if (!json_is_string(tok) || json_string_length(tok) == 0)
		return 0;
	if (token && strcmp(json_string_value(tok), token) == 0) {
		aws_error_protocol(err, op, xstrdup("NextToken repeats"));
		return -1;
	}
	*next = xstrdup(json_string_value(tok));
	return 0;
}

int aws_paginate(const struct aws_client *c, const char *operation, json_t *request,
		 unsigned page_size, size_t max_pages,
		 int (*on_page)(json_t *page, void *ctx, struct aws_error *err), void *ctx,
		 struct aws_error *err)
{
	char *token = NULL;
	size_t pages = 0;
	int rc = -1;

	json_object_set_new(request, "MaxResults", json_integer(page_size));
	do {
		json_t *page = NULL;
		char *next = NULL;

		if (++pages > max_pages) {
			aws_error_protocol(err, operation, xstrdup("too many pages"));
			goto fail;
		}
		if (token)
			json_object_set_new(request, "NextToken", json_string(token));
		if (aws_json_call(c->http, c->svc, c->creds, operation, request, &page, err) < 0)
			goto fail;
		if (on_page(page, ctx, err) < 0 || next_token(operation, page, token, &next, err) < 0) {
			json_decref(page);
			goto fail;
		}
		json_decref(page);
		free(token);
		token = next;
	} while (token);
	rc = 0;
fail:
	free(token);
	return rc;
}
