/*
 * creds: finds AWS credentials the way the AWS SDKs do (SPEC §3), first
 * found wins: environment, systemd credential, shared credentials/config
 * profile (static keys, role_arn + source_profile or credential_source,
 * credential_process, role_arn + web_identity_token_file), web identity
 * (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), container credentials
 * (ECS), EC2 instance metadata (IMDSv2). The provider caches
 * what it found; creds_get hands out the current credentials and resolves
 * the chain again CREDS_REFRESH_MARGIN_S before temporary ones expire.
 *
 * Reading the files is creds_profile's job, running credential_process is
 * creds_process's, the network calls are sts's, creds_webid's,
 * creds_container's and imds's. Those who sign requests see the provider
 * only as a struct cred_source (credentials.h). This module never logs or
 * returns a secret in an error message.
 *
 * Threads: a provider has a lock of its own, held while the chain is
 * resolved (a credential_process may run for 30 s, a role chain makes STS
 * calls through the provider's own HTTP client, whose lock is taken inside:
 * lock order provider, then client). Workers that need credentials during
 * a refresh wait for it; nothing else does.
 */
#ifndef LMGRANTD_CREDS_H
#define LMGRANTD_CREDS_H

#include <stdbool.h>
#include <time.h>

#include "credentials.h"

/* The process environment the chain reads, gathered once by main. All
 * borrowed for the provider's lifetime; NULL when unset. */
struct creds_env {
	const char *access_key_id;          /* AWS_ACCESS_KEY_ID */
	const char *secret_access_key;      /* AWS_SECRET_ACCESS_KEY */
	const char *session_token;          /* AWS_SESSION_TOKEN */
	const char *profile;                /* AWS_PROFILE */
	const char *shared_credentials_file; /* AWS_SHARED_CREDENTIALS_FILE */
	const char *config_file;            /* AWS_CONFIG_FILE */
	const char *home;                   /* HOME */
	const char *credentials_directory;  /* CREDENTIALS_DIRECTORY (systemd) */
	const char *region;                 /* AWS_REGION, else AWS_DEFAULT_REGION */
	const char *imds_endpoint;          /* AWS_EC2_METADATA_SERVICE_ENDPOINT */
	bool imds_disabled;                 /* AWS_EC2_METADATA_DISABLED=true */
	const char *web_identity_token_file; /* AWS_WEB_IDENTITY_TOKEN_FILE */
	const char *role_arn;               /* AWS_ROLE_ARN */
	const char *role_session_name;      /* AWS_ROLE_SESSION_NAME */
	const char *container_relative_uri; /* AWS_CONTAINER_CREDENTIALS_RELATIVE_URI */
	const char *container_full_uri;     /* AWS_CONTAINER_CREDENTIALS_FULL_URI */
	const char *container_token;        /* AWS_CONTAINER_AUTHORIZATION_TOKEN */
	const char *container_token_file;   /* AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE */
};
void creds_env_from_environ(struct creds_env *env);

/* The region whose STS endpoint the credentials use: AWS_REGION (or
 * AWS_DEFAULT_REGION) when set, else the configuration's region. */
const char *creds_sts_region(const struct creds_env *env, const char *config_region);

struct creds_provider;
struct http_opts;
struct aws_service;

/* A provider for the default chain. Caller frees. Nothing is read yet. */
struct creds_provider *creds_provider_chain(const struct creds_env *env);
/*
 * Gives the chain what role profiles and instance metadata need: STS's
 * endpoint (copied) and the options of the HTTP client the provider makes
 * for itself (copied; pointers inside them must outlive the provider).
 * The provider's STS and IMDS requests never go through the client whose
 * request is asking for credentials, so a refresh in the middle of a
 * request does not wait for that client. Without this call, role profiles
 * and instance metadata fail with an error that says so.
 */
void creds_provider_set_network(struct creds_provider *p, const struct http_opts *opts,
				const struct aws_service *sts);
void creds_provider_free(struct creds_provider *p);
/* The provider as a credential source (credentials.h), for aws_client:
 * get and renew take the provider's lock. Borrowed until the provider is
 * freed; cred_source_free on it does nothing. */
struct cred_source *creds_provider_source(struct creds_provider *p);

/*
 * Single-threaded use (tests, and the source's get under the lock):
 * returns 0 and *out (borrowed until the next creds_get or free), or -1
 * and *err (caller frees) saying which sources were tried and why none
 * worked. now is the wall clock, for expiry decisions: the chain is
 * resolved again when now >= expiration - CREDS_REFRESH_MARGIN_S; if that
 * fails while the old credentials are still valid, they are kept (and the
 * refresh is tried again 30 s later).
 */
int creds_get(struct creds_provider *p, time_t now, const struct aws_credentials **out, char **err);
/* AWS refused the current credentials as expired before their time (a
 * revoked session, a clock off, an Expiration that lied): the next
 * creds_get resolves the chain again, however far off the expiry is. */
void creds_invalidate(struct creds_provider *p);
/* Where the current credentials came from, e.g. "environment" or
 * "profile ops (/root/.aws/credentials)"; "" before the first creds_get. */
const char *creds_source(const struct creds_provider *p);

#endif
