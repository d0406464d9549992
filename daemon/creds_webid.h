/*
 * creds_webid: credentials from a web identity token (SPEC §3): EKS
 * service-account tokens (IRSA), a CI's OIDC token. The token file is read
 * afresh on every call (the platform rotates it) and exchanged for the
 * role's temporary credentials with STS AssumeRoleWithWebIdentity, sent
 * unsigned. Where the file name and role come from (AWS_WEB_IDENTITY_TOKEN_FILE
 * and AWS_ROLE_ARN, or a profile's web_identity_token_file and role_arn) is
 * creds's business; refreshing before expiry too.
 */
#ifndef LMGRANTD_CREDS_WEBID_H
#define LMGRANTD_CREDS_WEBID_H

#include "aws.h"
#include "credentials.h"

/* AWS allows tokens of up to 20,000 characters. */
#define CREDS_WEBID_MAX_TOKEN 20000
#define CREDS_WEBID_DEFAULT_SESSION "lmgrantd"

struct creds_webid {
	const char *token_file;   /* borrowed */
	const char *role_arn;     /* borrowed */
	const char *session_name; /* borrowed; NULL: CREDS_WEBID_DEFAULT_SESSION */
};

/* sts: STS's endpoint and an HTTP client (creds unused). Returns 0 and
 * *out, or -1 and *err (caller frees; never holds the token). */
int creds_webid_get(const struct aws_client *sts, const struct creds_webid *w,
		    struct aws_credentials *out, char **err);

#endif
