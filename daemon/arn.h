/*
 * arn: Amazon Resource Names, parsed and formatted in one place, the
 * partition included: "aws", "aws-us-gov" (GovCloud) or "aws-cn" (China).
 * The principals lmgrantd grants to live in the partition of the license
 * they are granted on, so they are formatted from the license's partition,
 * never from a hard-coded "arn:aws:". Pure functions on strings.
 */
#ifndef LMGRANTD_ARN_H
#define LMGRANTD_ARN_H

#include <stdbool.h>
#include <stddef.h>

#define ARN_DEFAULT_PARTITION "aws"

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; every member points into
 * the string parsed (not NUL-terminated there: use the lengths). */
struct arn {
	const char *partition, *service, *region, *account, *resource;
	size_t partition_len, service_len, region_len, account_len, resource_len;
};
/* 0 and *out, or -1 when s is not an ARN of a known partition (five ':'
 * after "arn", a partition of arn_partitions, a non-empty service and
 * resource). */
int arn_parse(const char *s, struct arn *out);
/* The known partitions, NULL-terminated. */
extern const char *const arn_partitions[];
/* The partition of arn as a static string, or NULL when arn is no ARN of
 * a known partition. */
const char *arn_partition_of(const char *arn);
/* True when member (e.g. service) of a parsed ARN equals s. */
bool arn_member_is(const char *member, size_t len, const char *s);

/* The principal ARNs of SPEC 4.1 in partition (a known one); caller frees. */
char *arn_account_principal(const char *partition, const char *account_id);
char *arn_ou_principal(const char *partition, const char *mgmt, const char *org_id,
		       const char *ou_id);
char *arn_org_principal(const char *partition, const char *mgmt, const char *org_id);
/* arn:PARTITION:iam::ACCOUNT:role/NAME; caller frees. */
char *arn_role(const char *partition, const char *account_id, const char *role_name);

/* For an account principal (arn:P:iam::<12 digits>:root): true, and
 * *account (borrowed from arn, 12 characters, not NUL-terminated). */
bool arn_account_of_principal(const char *arn, const char **account);
/* True for an OU or organization principal (service organizations). */
bool arn_is_org_principal(const char *arn);
/* True for a grant ARN (…:grant:g-…) as opposed to a license ARN: how a
 * sub-grant's ParentArn tells it from a top-level grant's. NULL: false. */
bool arn_is_grant(const char *arn);

#endif
