/*
 * resolve: turns the configuration into struct desired, the input of plan:
 * each model's license ARN (from its product id or license ARN and the
 * received licenses) and each target's principal ARN (from the
 * organization's ids and OU tree). Pure: no I/O; whatever could not be
 * read arrives as NULL/empty and becomes a per-model error.
 */
#ifndef LMGRANTD_RESOLVE_H
#define LMGRANTD_RESOLVE_H

#include "config.h"
#include "lm.h"
#include "org.h"
#include "plan.h"
#include "util.h"

struct resolve_input {
	const struct config *cfg;
	const struct org_tree *org;   /* org_id NULL when it could not be read */
	const char *org_error;        /* why, or NULL */
	const struct lm_license *licenses;
	size_t nlicenses;
	const char *licenses_error;   /* non-NULL when ListReceivedLicenses failed */
};

/* Fills *out (free with desired_free; borrows from in->cfg) and appends
 * overlap warnings to *warnings. */
void resolve_desired(const struct resolve_input *in, struct desired *out, struct strlist *warnings);
void desired_free(struct desired *d);

/* The principal ARNs of SPEC §4.1 in partition ("aws", "aws-us-gov",
 * "aws-cn": the license's); caller frees. */
char *principal_account_arn(const char *partition, const char *account_id);
char *principal_ou_arn(const char *partition, const char *mgmt, const char *org_id, const char *ou_id);
char *principal_org_arn(const char *partition, const char *mgmt, const char *org_id);

#endif
