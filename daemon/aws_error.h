/*
 * aws_error: why an AWS call failed, and what to do about it. Every
 * decision on an AWS error - retry it as throttling or as a server error,
 * renew the credentials, re-read the grant and try once more, tell the
 * operator how to fix a set-up problem - comes from one table keyed by
 * the error type (and, where the same type means different things, the
 * operation), never from the message text, which AWS may reword at any
 * time. An answer without a type is keyed "HTTP <status>".
 *
 * No transport here: http moves bytes, aws decodes an error answer and
 * classifies it with aws_error_rule_for.
 */
#ifndef LMGRANTD_AWS_ERROR_H
#define LMGRANTD_AWS_ERROR_H

#include <stddef.h>

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

/* What the caller does beyond retrying. */
enum aws_remedy {
	AWS_REMEDY_NONE = 0,
	AWS_REMEDY_RENEW_CREDENTIALS, /* refused as expired: new credentials get one more try */
	AWS_REMEDY_REREAD,            /* stale version: re-read the grant, write once more */
	AWS_REMEDY_NO_ORGANIZATION,   /* the account is in no organization (whoami says "no") */
};

/* All members owned; clear with aws_error_clear. */
struct aws_error {
	enum aws_err_kind kind;
	enum aws_remedy remedy; /* from the table; NONE for non-API errors */
	char *operation;  /* e.g. "CreateGrant" */
	char *type;       /* AWS error type without "ns#", or a curl error name */
	char *message;    /* never holds a secret */
	char *request_id; /* x-amzn-RequestId, when AWS sent one */
	long http_status;
	unsigned attempts;
};
void aws_error_clear(struct aws_error *e);
/* Sets *e (cleared first) to kind/type/message for operation op; strings copied. */
void aws_error_set(struct aws_error *e, enum aws_err_kind kind, const char *op, const char *type,
		   const char *message);
/* Sets *e to an AWS_ERR_PROTOCOL "InvalidResponse" for operation op: an
 * answer that does not decode. Takes ownership of why. */
void aws_error_protocol(struct aws_error *e, const char *op, char *why);
/* "CreateGrant: ValidationException: message (request id ...)", and for a
 * known set-up error "; hint: what to enable"; caller frees. */
char *aws_error_describe(const struct aws_error *e);
/* The table's hint for e (an AWS_ERR_API error), or NULL. */
const char *aws_error_hint(const struct aws_error *e);
/* Copies src into *dst (dst is cleared first). */
void aws_error_copy(struct aws_error *dst, const struct aws_error *src);

/* One row of the table. */
struct aws_error_rule {
	const char *type;       /* exact; "Prefix*" matches every type it begins */
	const char *operation;  /* NULL: any operation */
	enum aws_err_kind kind; /* AWS_ERR_API (final), _THROTTLED or _SERVER (retried) */
	enum aws_remedy remedy;
	const char *hint;       /* NULL: none */
};
/*
 * The row for an error answer: type is the decoded error type (without
 * "ns#"), or NULL when the body had none; status the HTTP status. The first
 * row matching type and operation wins; an unknown type with a 5xx status
 * takes the "HTTP 5xx" row, any other unknown one the last row (final, no
 * hint). Never NULL.
 */
const struct aws_error_rule *aws_error_rule_for(const char *type, const char *operation, long status);
/* The whole table, for tests. */
const struct aws_error_rule *aws_error_rules(size_t *n);

#endif
