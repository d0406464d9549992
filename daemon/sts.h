/*
 * sts: the AWS STS operations lmgrantd uses, GetCallerIdentity, AssumeRole
 * and AssumeRoleWithWebIdentity, over the query protocol (form body, XML answer), and the
 * grantee sessions: assumed-role credentials per role, cached until
 * CREDS_REFRESH_MARGIN_S before they expire.
 *
 * Answers are parsed strictly (expat through xmltree.c; see sts.c): the document
 * must be well formed, without a DTD, with the expected root element in
 * STS's namespace and every required member exactly once. A truncated or
 * malformed answer is an error, never empty credentials.
 */
#ifndef LMGRANTD_STS_H
#define LMGRANTD_STS_H

#include <stddef.h>
#include <time.h>

#include "aws.h"
#include "credentials.h"

#define STS_NAMESPACE "https://sts.amazonaws.com/doc/2011-06-15/"

/* Owned; clear with sts_identity_clear. */
struct sts_identity {
	char *account;
	char *arn;
	char *user_id;
};
void sts_identity_clear(struct sts_identity *id);

int sts_get_caller_identity(const struct aws_client *c, struct sts_identity *out,
			    struct aws_error *err);

struct sts_assume_role_in {
	const char *role_arn;
	const char *session_name;
	const char *external_id; /* NULL: none */
	long duration_s;         /* 0: STS's default (one hour) */
};
/* 0 and *out (the temporary credentials, with their expiration), or -1
 * and *err. */
int sts_assume_role(const struct aws_client *c, const struct sts_assume_role_in *in,
		    struct aws_credentials *out, struct aws_error *err);

/* STS AssumeRoleWithWebIdentity (SPEC §3, EKS/IRSA and CI OIDC), sent
 * unsigned: c->creds is not used. */
struct sts_web_identity_in {
	const char *role_arn;
	const char *session_name;
	const char *token; /* the token file's contents: a secret */
};
int sts_assume_role_web_identity(const struct aws_client *c, const struct sts_web_identity_in *in,
				 struct aws_credentials *out, struct aws_error *err);

/* The decoders, exposed for unit tests: 0, or -1 with *why (caller frees;
 * it never quotes the document). */
int sts_parse_caller_identity(const char *xml, size_t len, struct sts_identity *out, char **why);
int sts_parse_assume_role(const char *xml, size_t len, struct aws_credentials *out, char **why);
int sts_parse_assume_role_web_identity(const char *xml, size_t len, struct aws_credentials *out,
				       char **why);

/*
 * Grantee sessions (SPEC §4.4): one assumed-role session per role ARN,
 * made with the credentials of the client passed to sts_sessions_get and
 * kept until CREDS_REFRESH_MARGIN_S before it expires. No global state:
 * the engine owns the cache.
 */
struct sts_sessions;
struct sts_sessions *sts_sessions_new(void);
void sts_sessions_free(struct sts_sessions *s);
/* Returns 0 and *out, a source of the role's credentials (borrowed
 * until the next sts_sessions_get or sts_sessions_free), or -1 and *err
 * when the role cannot be assumed. One caller at a time: a refresh frees
 * the source it replaces (apply runs its accept actions one by one). */
int sts_sessions_get(struct sts_sessions *s, const struct aws_client *sts, const char *role_arn,
		     const char *session_name, time_t now, struct cred_source **out,
		     struct aws_error *err);

#endif
