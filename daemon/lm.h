/*
 * lm: the License Manager operations lmgrantd uses, as C calls. Requests
 * are built to the API model's shapes; answers are checked before use (a
 * missing or mistyped field is an error, never "no grants"). List calls
 * follow NextToken to the end or fail as a whole.
 */
#ifndef LMGRANTD_LM_H
#define LMGRANTD_LM_H

#include <stddef.h>

#include "grant.h"
#include "aws.h"
#include "util.h"

/* A license received by the account (ListReceivedLicenses). */
struct lm_license {
	char *arn;
	char *product_sku;
	char *product_name;
	char *status; /* "AVAILABLE", ... */
	char *home_region; /* NULL when not listed */
	/* ReceivedMetadata.AllowedOperations: what the issuer lets this
	 * account do with the license (grant it on, with which operations). */
	struct strlist allowed_operations;
	bool allowed_listed; /* AllowedOperations was in the answer */
};
void lm_licenses_free(struct lm_license *l, size_t n);
/* Frees one license's members (not l itself). */
void lm_license_clear(struct lm_license *l);

/* Outcome of a write: the grant's new status and version, and the
 * request id AWS answered it with (NULL when none). Owned. */
struct lm_write_result {
	char *grant_arn;
	enum grant_status status;
	char *version;
	char *request_id;
};
void lm_write_result_clear(struct lm_write_result *r);

/* All lists: 0 and *out (caller frees with the matching _free), or -1 and
 * *err. Nothing is returned from a list that failed part-way. */
int lm_list_received_licenses(const struct aws_client *c, struct lm_license **out, size_t *n,
			      struct aws_error *err);
int lm_list_distributed_grants(const struct aws_client *c, const char *license_arn,
			       struct grant **out, size_t *n, struct aws_error *err);
/* Per-account sub-grants of the OU/organization grant parent_arn. */
int lm_list_org_subgrants(const struct aws_client *c, const char *license_arn,
			  const char *parent_arn, struct grant **out, size_t *n,
			  struct aws_error *err);
int lm_get_grant(const struct aws_client *c, const char *grant_arn, struct grant *out,
		 struct aws_error *err);

struct lm_create_grant {
	const char *client_token;
	const char *name;
	const char *license_arn;
	const char *principal_arn;
	const char *home_region;
	const char *const *operations;
	size_t noperations;
};
int lm_create_grant(const struct aws_client *c, const struct lm_create_grant *in,
		    struct lm_write_result *res, struct aws_error *err);

/* CreateGrantVersion: operations (when non-NULL) replace the allowed
 * operations; status (when non-NULL) is the new status, with override as
 * Options.ActivationOverrideBehavior when non-NULL. */
struct lm_grant_version {
	const char *client_token;
	const char *grant_arn;
	const char *source_version;
	const char *const *operations;
	size_t noperations;
	const char *status;
	const char *override;
};
int lm_create_grant_version(const struct aws_client *c, const struct lm_grant_version *in,
			    struct lm_write_result *res, struct aws_error *err);
int lm_delete_grant(const struct aws_client *c, const char *grant_arn, const char *version,
		    struct lm_write_result *res, struct aws_error *err);
int lm_accept_grant(const struct aws_client *c, const char *grant_arn,
		    struct lm_write_result *res, struct aws_error *err);

/* Decoders, exposed for unit tests: 0 or -1 with *why (caller frees). */
int lm_decode_grant(json_t *j, struct grant *out, char **why);
int lm_decode_license(json_t *j, struct lm_license *out, char **why);

#endif
