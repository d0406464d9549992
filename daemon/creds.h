/*
 * creds: finds AWS credentials the way the AWS SDKs do (SPEC §3), first
 * found wins: environment, systemd credential, shared credentials/config
 * profile. The provider caches what it found; creds_get hands out the
 * current credentials, refreshing temporary ones before they expire.
 *
 * It never logs or returns a secret in an error message.
 */
#ifndef LMGRANTD_CREDS_H
#define LMGRANTD_CREDS_H

#include <stdbool.h>
#include <time.h>

struct aws_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL for long-term keys */
	time_t expiration;   /* wall clock; 0 = does not expire */
};
/* Wipes the secrets and frees the members. */
void aws_credentials_clear(struct aws_credentials *c);

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
};
void creds_env_from_environ(struct creds_env *env);

struct creds_provider;

/* A provider for the default chain. Caller frees. Nothing is read yet. */
struct creds_provider *creds_provider_chain(const struct creds_env *env);
/* A provider for fixed credentials (copied), e.g. an assumed role's. */
struct creds_provider *creds_provider_static(const struct aws_credentials *c, const char *source);
void creds_provider_free(struct creds_provider *p);

/*
 * Returns 0 and *out (borrowed until the next creds_get or free), or -1
 * and *err (caller frees) saying which sources were tried and why none
 * worked. now is the wall clock, for expiry decisions.
 */
int creds_get(struct creds_provider *p, time_t now, const struct aws_credentials **out, char **err);
/* Where the current credentials came from, e.g. "environment" or
 * "profile ops (/root/.aws/credentials)"; "" before the first creds_get. */
const char *creds_source(const struct creds_provider *p);

#endif
