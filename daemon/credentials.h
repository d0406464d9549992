/*
 * credentials: AWS credentials as data, and the small interface through
 * which whoever signs requests asks for them. No I/O: the credential chain
 * (creds), STS and IMDS produce credentials; the AWS client (aws) and the
 * transport (http) consume them through a struct cred_source they do not
 * own, so none of those modules depends on the others for this.
 *
 * Also here: the one decoder every credentials document goes through
 * (credential_process JSON, IMDS JSON, an STS AssumeRole answer), and a
 * source of fixed credentials (an assumed role's, or a test's).
 */
#ifndef LMGRANTD_CREDENTIALS_H
#define LMGRANTD_CREDENTIALS_H

#include <stdbool.h>
#include <time.h>

/* Temporary credentials are replaced this long before they expire, so that
 * no request of a pass is signed with credentials about to lapse. */
#define CREDS_REFRESH_MARGIN_S 300

struct aws_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL for long-term keys */
	time_t expiration;   /* wall clock; 0 = does not expire */
};
/* Wipes the secrets and frees the members. */
void aws_credentials_clear(struct aws_credentials *c);
/* *dst (cleared first) becomes a deep copy of *src. */
void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src);
/* 0 when the keys can go into a signed request: the key id is 1-128 of
 * [A-Za-z0-9_], secret and token are printable ASCII without spaces (a
 * CR/LF would end up in a header). Else -1 and *why (static, secret-free). */
int aws_credentials_check(const struct aws_credentials *c, const char **why);

/* Parses an ISO 8601 UTC time as AWS writes it: "2025-01-01T12:00:00Z",
 * with optional fractional seconds and "+00:00"-style offsets. */
int creds_parse_time(const char *s, time_t *out);

/* Overwrites the string members secret and token of a decoded credentials
 * document (jansson) before it is freed; either name may be absent. */
struct json_t;
void creds_wipe_json(struct json_t *doc, const char *secret, const char *token);

/* The members of a credentials document, whatever its format, as the
 * format's reader found them: NULL when absent. All borrowed. */
struct credentials_doc {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;
	const char *expiration; /* ISO 8601 */
};
#define CREDS_DOC_TEMPORARY 1u /* session token and expiration are required */
/*
 * The one decoder: checks presence (key id and secret always; token and
 * expiration with CREDS_DOC_TEMPORARY), the expiration's syntax, the keys
 * (aws_credentials_check) and that they have not expired at now. Returns 0
 * and *out, or -1 and *err (caller frees; never quotes a secret), out
 * left empty.
 */
int credentials_decode(const struct credentials_doc *d, unsigned flags, time_t now,
		       struct aws_credentials *out, char **err);
/* Reads the members AccessKeyId, SecretAccessKey, token_name and
 * Expiration of a JSON object into *d (borrowed from obj). -1 and *err
 * (caller frees) when obj is no object or a member is present but not a
 * non-empty string. */
int credentials_doc_from_json(struct json_t *obj, const char *token_name,
			      struct credentials_doc *d, char **err);

/*
 * A source of credentials. get hands out a private copy (caller clears it)
 * of the current credentials, resolving them first when due; renew is
 * called after AWS refused refused_key_id as expired, and returns true
 * when other credentials are available now. Both are safe to call from any
 * thread; neither is called with an HTTP client's lock held (see aws.c).
 */
struct cred_source;
struct cred_source_ops {
	int (*get)(struct cred_source *s, time_t now, struct aws_credentials *out, char **err);
	bool (*renew)(struct cred_source *s, const char *refused_key_id, time_t now);
	void (*free)(struct cred_source *s);
};
struct cred_source {
	const struct cred_source_ops *ops;
};
int cred_source_get(struct cred_source *s, time_t now, struct aws_credentials *out, char **err);
bool cred_source_renew(struct cred_source *s, const char *refused_key_id, time_t now);
/* NULL is fine. */
void cred_source_free(struct cred_source *s);

/* Fixed credentials (copied), e.g. an assumed role's; get fails once they
 * have expired ("credentials from <label> expired"), renew has nothing to
 * offer. Caller frees with cred_source_free. */
struct cred_source *cred_source_fixed(const struct aws_credentials *c, const char *label);

#endif
