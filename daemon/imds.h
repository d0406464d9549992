/*
 * imds: credentials of the EC2 instance role, from the instance metadata
 * service, IMDSv2 only: PUT /latest/api/token for a session token, then
 * with it GET /latest/meta-data/iam/security-credentials/ (the role name)
 * and .../<role> (the credentials). IMDSv1 (no token) is never tried: an
 * instance that enforces IMDSv2 refuses it, and one that does not should.
 *
 * Every request has a short timeout so that a host without IMDS fails fast.
 */
#ifndef LMGRANTD_IMDS_H
#define LMGRANTD_IMDS_H

#include <time.h>

#include "credentials.h"
#include "http.h"

#define IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define IMDS_TIMEOUT_MS 1000
#define IMDS_TOKEN_TTL "21600" /* seconds; the longest IMDS allows */

/* endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT or NULL for the default.
 * Returns 0, *out and *role (caller frees), or -1 and *err. */
int imds_get_credentials(struct http_client *http, const char *endpoint, long timeout_ms,
			 time_t now, struct aws_credentials *out, char **role, char **err);

/* Decodes the credentials document; exposed for unit tests. */
int imds_parse_credentials(const char *json, time_t now, struct aws_credentials *out, char **err);

#endif
