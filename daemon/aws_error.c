/*
 * aws_error: the error record and the one table every decision on an AWS
 * error is read from. Types are compared without a "ns#" prefix; the STS
 * (query protocol) spelling of a type is listed next to the JSON one.
 */
#include "aws_error.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HINT_EXPIRED                                                                              \
	"the temporary credentials have expired: renew them, or use a source lmgrantd refreshes "  \
	"itself (a profile with role_arn or credential_process, or instance metadata)"
#define HINT_UNKNOWN_KEY                                                                          \
	"AWS does not know this access key or session token: check which credentials lmgrantd "   \
	"uses (`lmgrantd whoami`)"
/* AWS tells a clock ahead, a clock behind and a wrong key apart only in
 * the message, which no decision reads: one hint names them all. */
#define HINT_SIGNATURE                                                                            \
	"the system clock is off (ahead or behind) by more than 5 minutes, or the secret access "  \
	"key does not belong to the access key id: enable time synchronisation (NTP), or check "   \
	"the key (`lmgrantd whoami`)"
/* Which account to use is `doctor`'s question (a delegated administrator
 * is as good as the management account); here the policy lacks an action,
 * which aws_error_describe names. */
#define HINT_DENIED                                                                               \
	"the IAM policy of the identity lmgrantd runs as does not allow this action: add it "      \
	"(contrib/iam/lmgrantd-daemon.json lists every action lmgrantd needs; `lmgrantd doctor` "  \
	"checks the rest of the set-up)"

static const struct aws_error_rule rules[] = {
	/* Throttling: retried with backoff, then AWS_ERR_THROTTLED. */
	{ "Throttling*", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RateLimitExceededException", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "TooManyRequestsException", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "ThrottledException", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RequestLimitExceeded", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RequestThrottled", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RequestThrottledException", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "SlowDown", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "ProvisionedThroughputExceededException", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "PriorRequestNotComplete", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "HTTP 429", NULL, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	/* The request timed out on its way in: like a 5xx, worth another
	 * attempt (writes carry a ClientToken, so a repeat is no second write). */
	{ "RequestTimeout", NULL, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	{ "RequestTimeoutException", NULL, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	{ "HTTP 408", NULL, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	{ "HTTP 5xx", NULL, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	/* Credentials. */
	{ "ExpiredToken", NULL, AWS_ERR_API, AWS_REMEDY_RENEW_CREDENTIALS, HINT_EXPIRED },
	{ "ExpiredTokenException", NULL, AWS_ERR_API, AWS_REMEDY_RENEW_CREDENTIALS, HINT_EXPIRED },
	{ "UnrecognizedClientException", NULL, AWS_ERR_API, AWS_REMEDY_NONE, HINT_UNKNOWN_KEY },
	{ "InvalidClientTokenId", NULL, AWS_ERR_API, AWS_REMEDY_NONE, HINT_UNKNOWN_KEY },
	{ "InvalidSignatureException", NULL, AWS_ERR_API, AWS_REMEDY_NONE, HINT_SIGNATURE },
	{ "SignatureDoesNotMatch", NULL, AWS_ERR_API, AWS_REMEDY_NONE, HINT_SIGNATURE },
	{ "AccessDeniedException", NULL, AWS_ERR_API, AWS_REMEDY_NONE, HINT_DENIED },
	{ "AccessDenied", NULL, AWS_ERR_API, AWS_REMEDY_NONE, HINT_DENIED }, /* STS */
	/* Organizations. */
	{ "AWSOrganizationsNotInUseException", NULL, AWS_ERR_API, AWS_REMEDY_NO_ORGANIZATION,
	  "the account is not in an organization: run lmgrantd with credentials of the "
	  "organization's management account (or License Manager's delegated administrator)" },
	/* License Manager answers a CreateGrant to an organization or OU with
	 * ValidationException while trusted access is off (SPEC 4.2); the same
	 * type answers a stale source version on the writes that carry one. */
	/* The console's "Link AWS Organizations accounts" setting was seen
	 * live not to be enough: the Organizations calls are what works. */
	{ "ValidationException", "CreateGrant", AWS_ERR_API, AWS_REMEDY_NONE,
	  "enable trusted access for AWS License Manager in AWS Organizations: from the management "
	  "account run `aws organizations enable-aws-service-access --service-principal "
	  "license-manager.amazonaws.com` and `aws organizations enable-aws-service-access "
	  "--service-principal license-management.marketplace.amazonaws.com` (`lmgrantd doctor` "
	  "checks both)" },
	{ "ValidationException", "CreateGrantVersion", AWS_ERR_API, AWS_REMEDY_REREAD, NULL },
	{ "ValidationException", "DeleteGrant", AWS_ERR_API, AWS_REMEDY_REREAD, NULL },
	/* An error answer without a type is not what any AWS API sends. */
	{ "HTTP *", NULL, AWS_ERR_PROTOCOL, AWS_REMEDY_NONE, NULL },
	/* Any other type: final, nothing to add. */
	{ "*", NULL, AWS_ERR_API, AWS_REMEDY_NONE, NULL },
};

const struct aws_error_rule *aws_error_rules(size_t *n)
{
	*n = ARRAY_LEN(rules);
	return rules;
}

static bool type_matches(const char *pattern, const char *type)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(type, pattern, n - 1) == 0;
	return strcmp(type, pattern) == 0;
}

static const struct aws_error_rule *lookup(const char *key, const char *operation, bool exact)
{
	for (size_t i = 0; i < ARRAY_LEN(rules); i++) {
		const struct aws_error_rule *r = &rules[i];

		if (exact ? strcmp(r->type, key) != 0 : !type_matches(r->type, key))
			continue;
		if (r->operation && (!operation || strcmp(r->operation, operation) != 0))
			continue;
		return r;
	}
	return &rules[ARRAY_LEN(rules) - 1];
}

const struct aws_error_rule *aws_error_rule_for(const char *type, const char *operation, long status)
{
	const struct aws_error_rule *r = NULL;
	char key[32];

	if (type) {
		r = lookup(type, operation, false);
		if (r == &rules[ARRAY_LEN(rules) - 1] && status >= 500)
			r = lookup("HTTP 5xx", operation, true);
		return r;
	}
	snprintf(key, sizeof(key), "HTTP %ld", status);
	r = lookup(key, operation, true);
	if (r == &rules[ARRAY_LEN(rules) - 1])
		r = lookup(status >= 500 ? "HTTP 5xx" : "HTTP *", operation, true);
	return r;
}

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

void aws_error_set(struct aws_error *e, enum aws_err_kind kind, const char *op, const char *type,
		   const char *message)
{
	char *t = xstrdup(type), *m = xstrdup(message);

	free(e->operation);
	free(e->type);
	free(e->message);
	e->kind = kind;
	e->remedy = AWS_REMEDY_NONE;
	e->operation = xstrdup(op);
	e->type = t;
	e->message = m;
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
	dst->remedy = src->remedy;
	dst->operation = xstrdup(src->operation);
	dst->type = xstrdup(src->type);
	dst->message = xstrdup(src->message);
	dst->request_id = xstrdup(src->request_id);
	dst->http_status = src->http_status;
	dst->attempts = src->attempts;
}

const char *aws_error_hint(const struct aws_error *e)
{
	if (!e || !e->type || e->kind != AWS_ERR_API)
		return NULL;
	return aws_error_rule_for(e->type, e->operation, e->http_status)->hint;
}

/* The IAM action an AccessDenied answer names ("... is not authorized to
 * perform: license-manager:TagResource ..."), for the hint: often not the
 * operation called (CreateGrant with tags needs TagResource). Display
 * only; no decision depends on it. Caller frees; NULL when none. */
static char *denied_action(const struct aws_error *e)
{
	static const char marker[] = "perform: ";
	const char *at = e->message ? strstr(e->message, marker) : NULL;
	size_t n;

	if (!at)
		return NULL;
	at += sizeof(marker) - 1;
	n = strspn(at, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:*");
	return n > 0 && n < 128 && memchr(at, ':', n) ? xstrndup(at, n) : NULL;
}

char *aws_error_describe(const struct aws_error *e)
{
	struct strbuf sb = { 0 };
	const char *hint = aws_error_hint(e);
	char *action = hint && e->type && strncmp(e->type, "AccessDenied", 12) == 0 ? denied_action(e) : NULL;

	sb_printf(&sb, "%s: %s", e->operation ? e->operation : "request",
		  e->type ? e->type : "error");
	if (e->message && *e->message)
		sb_printf(&sb, ": %s", e->message);
	if (e->attempts > 1)
		sb_printf(&sb, " (after %u attempts)", e->attempts);
	if (e->request_id)
		sb_printf(&sb, " [request id %s]", e->request_id);
	if (action)
		sb_printf(&sb, "; hint: %s is denied: %s", action, hint);
	else if (hint)
		sb_printf(&sb, "; hint: %s", hint);
	free(action);
	return sb_steal(&sb);
}
