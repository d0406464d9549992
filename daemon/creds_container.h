/*
 * creds_container: credentials of an ECS task role (or EKS Pod Identity)
 * from the container credentials endpoint (SPEC §3):
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on http://169.254.170.2, or
 * AWS_CONTAINER_CREDENTIALS_FULL_URI with an Authorization header from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every call: the agent
 * rotates it) or AWS_CONTAINER_AUTHORIZATION_TOKEN. As in the AWS SDKs a
 * full URI must be plain http to a loopback address or to the ECS / EKS
 * agents (169.254.170.2, 169.254.170.23, [fd00:ec2::23]): anything else
 * could hand the authorization token to a stranger. https full URIs are
 * not supported. Never through a proxy; a short timeout.
 *
 * The answer is {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"};
 * creds refreshes before Expiration.
 */
#ifndef LMGRANTD_CREDS_CONTAINER_H
#define LMGRANTD_CREDS_CONTAINER_H

#include <time.h>

#include "credentials.h"
#include "http.h"

#define CREDS_CONTAINER_HOST "http://169.254.170.2"
#define CREDS_CONTAINER_TIMEOUT_MS 2000
#define CREDS_CONTAINER_MAX_TOKEN 16384

/* All borrowed; NULL when unset. */
struct creds_container {
	const char *relative_uri;   /* AWS_CONTAINER_CREDENTIALS_RELATIVE_URI */
	const char *full_uri;       /* AWS_CONTAINER_CREDENTIALS_FULL_URI */
	const char *token;          /* AWS_CONTAINER_AUTHORIZATION_TOKEN */
	const char *token_file;     /* AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE */
};

/* The URL to ask (caller frees), or NULL and *err when the variables name
 * none that may be used. The relative URI wins, as in the SDKs. */
char *creds_container_url(const struct creds_container *cc, char **err);

/* Returns 0 and *out, or -1 and *err (caller frees; never a secret). */
int creds_container_get(struct http_client *http, const struct creds_container *cc, time_t now,
			struct aws_credentials *out, char **err);

/* Decodes the endpoint's answer; exposed for unit tests. */
int creds_container_parse(const char *json, time_t now, struct aws_credentials *out, char **err);

#endif
