/*
 * creds_profile: reads the shared credentials and config files (INI) and
 * turns one profile into a recipe: where the base credentials come from
 * (static keys, credential_process, the environment, instance metadata)
 * and which roles to assume with them, in order. It only reads files: no
 * network, no processes, no clock; creds executes the recipe.
 *
 * Rules (those of the AWS CLI and SDKs, made strict):
 * - the credentials file names profiles "[name]"; the config file
 *   "[profile name]", and "[default]" (or "[profile default]") for default;
 *   a profile's keys are merged from both, the credentials file winning;
 * - within a profile, role_arn comes first, then static keys, then
 *   credential_process;
 * - role_arn needs exactly one of source_profile, credential_source
 *   (Environment, Ec2InstanceMetadata) and web_identity_token_file (STS
 *   AssumeRoleWithWebIdentity with the file's token); a chain holds at most
 *   CREDS_MAX_ROLE_CHAIN roles; a profile may name itself as
 *   source_profile only when it holds static keys, any other loop is an
 *   error;
 * - duplicate sections or keys, unparsable lines, files over 1 MiB and
 *   files another user could have written (safefile's rules: owner,
 *   group/world-writable, unsafe directory, FIFO) are errors: such a file
 *   could make lmgrantd run any credential_process; a missing file is no
 *   error.
 * Error messages name file, line and key, never a value.
 */
#ifndef LMGRANTD_CREDS_PROFILE_H
#define LMGRANTD_CREDS_PROFILE_H

#include <stddef.h>

#include "credentials.h"

#define CREDS_MAX_ROLE_CHAIN 5

enum creds_base {
	CREDS_BASE_STATIC,      /* keys in the profile */
	CREDS_BASE_PROCESS,     /* credential_process */
	CREDS_BASE_ENVIRONMENT, /* credential_source = Environment */
	CREDS_BASE_IMDS,        /* credential_source = Ec2InstanceMetadata */
	CREDS_BASE_WEB_IDENTITY, /* role_arn + web_identity_token_file */
};

/* One AssumeRole of a chain; strings owned. */
struct creds_role {
	char *profile;      /* the profile that holds role_arn */
	char *role_arn;
	char *session_name; /* role_session_name, else "lmgrantd" */
	char *external_id;  /* NULL when unset */
	long duration_s;    /* duration_seconds, else 0 (STS's default) */
};

/* Everything owned; clear with creds_recipe_clear. */
struct creds_recipe {
	char *profile;             /* the profile asked for */
	enum creds_base base;
	char *base_profile;        /* the profile holding the base */
	char *base_file;           /* the file the base was found in */
	struct aws_credentials keys; /* CREDS_BASE_STATIC */
	char *process;             /* CREDS_BASE_PROCESS: the command line */
	/* CREDS_BASE_WEB_IDENTITY: role_arn, role_session_name (or
	 * "lmgrantd") and web_identity_token_file of base_profile. */
	struct creds_role web_role;
	char *web_token_file;
	/* Assumed in order: roles[0] with the base credentials, roles[1]
	 * with roles[0]'s, ...; the last one is the profile asked for. */
	struct creds_role *roles;
	size_t nroles;
};
void creds_recipe_clear(struct creds_recipe *r);

/* The files to read; either may be NULL. Borrowed. */
struct creds_files {
	const char *credentials; /* "[name]" sections */
	const char *config;      /* "[profile name]" sections */
};

/* Returns 0 and *out, 1 when neither file has the profile (or neither
 * exists), -1 and *err (caller frees) when the files or the profile are
 * broken. */
int creds_profile_resolve(const struct creds_files *files, const char *profile,
			  struct creds_recipe *out, char **err);

#endif
