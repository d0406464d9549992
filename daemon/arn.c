/*
 * arn: splitting on ':' (the resource may hold more of them) and the
 * three principal shapes lmgrantd grants to.
 */
#include "arn.h"

#include <string.h>

#include "util.h"

const char *const arn_partitions[] = { "aws", "aws-us-gov", "aws-cn", NULL };

bool arn_member_is(const char *member, size_t len, const char *s)
{
	return strlen(s) == len && strncmp(member, s, len) == 0;
}

int arn_parse(const char *s, struct arn *out)
{
	const char *p[5];
	const char *at = s;

	memset(out, 0, sizeof(*out));
	if (strncmp(s, "arn:", 4) != 0)
		return -1;
	at = s + 4;
	for (size_t i = 0; i < 5; i++) {
		p[i] = at;
		if (i < 4) {
			at = strchr(at, ':');
			if (!at)
				return -1;
			at++;
		}
	}
	out->partition = p[0];
	out->partition_len = (size_t)(p[1] - p[0] - 1);
	out->service = p[1];
	out->service_len = (size_t)(p[2] - p[1] - 1);
	out->region = p[2];
	out->region_len = (size_t)(p[3] - p[2] - 1);
	out->account = p[3];
	out->account_len = (size_t)(p[4] - p[3] - 1);
	out->resource = p[4];
	out->resource_len = strlen(p[4]);
	if (!arn_partition_of(s) || out->service_len == 0 || out->resource_len == 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

const char *arn_partition_of(const char *arn)
{
	size_t len = 0;

	if (!arn || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	len = strcspn(arn + 4, ":");
	if (arn[4 + len] != ':')
		return NULL;
	for (size_t i = 0; arn_partitions[i]; i++)
		if (arn_member_is(arn + 4, len, arn_partitions[i]))
			return arn_partitions[i];
	return NULL;
}

char *arn_account_principal(const char *partition, const char *account_id)
{
	return xasprintf("arn:%s:iam::%s:root", partition, account_id);
}

char *arn_ou_principal(const char *partition, const char *mgmt, const char *org_id,
		       const char *ou_id)
{
	return xasprintf("arn:%s:organizations::%s:ou/%s/%s", partition, mgmt, org_id, ou_id);
}

char *arn_org_principal(const char *partition, const char *mgmt, const char *org_id)
{
	return xasprintf("arn:%s:organizations::%s:organization/%s", partition, mgmt, org_id);
}

char *arn_role(const char *partition, const char *account_id, const char *role_name)
{
	return xasprintf("arn:%s:iam::%s:role/%s", partition, account_id, role_name);
}

bool arn_account_of_principal(const char *arn, const char **account)
{
	struct arn a;

	if (arn_parse(arn, &a) < 0 || !arn_member_is(a.service, a.service_len, "iam") ||
	    a.region_len != 0 || a.account_len != 12 || strspn(a.account, "0123456789") < 12 ||
	    !arn_member_is(a.resource, a.resource_len, "root"))
		return false;
	*account = a.account;
	return true;
}

bool arn_is_org_principal(const char *arn)
{
	struct arn a;

	return arn_parse(arn, &a) == 0 && arn_member_is(a.service, a.service_len, "organizations");
}

bool arn_is_grant(const char *arn)
{
	return arn && strstr(arn, ":grant:") != NULL;
}
