/*
 * Unit tests of arn: parsing (partition, members, a resource with ':'),
 * refusals (no "arn:", too few members, an unknown partition), the
 * principal shapes formatted in each partition, and the config's license
 * ARN check that now goes through arn (aws-us-gov and aws-cn accepted,
 * a made-up partition not).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arn.h"
#include "check_main.h"
#include "config_check.h"

START_TEST(parses_members)
{
	struct arn a;

	ck_assert_int_eq(arn_parse("arn:aws-us-gov:iam::123456789012:role/a:b", &a), 0);
	ck_assert(arn_member_is(a.partition, a.partition_len, "aws-us-gov"));
	ck_assert(arn_member_is(a.service, a.service_len, "iam"));
	ck_assert_uint_eq(a.region_len, 0);
	ck_assert(arn_member_is(a.account, a.account_len, "123456789012"));
	ck_assert(arn_member_is(a.resource, a.resource_len, "role/a:b"));
	ck_assert_int_eq(arn_parse("arn:aws-cn:license-manager:cn-north-1:1:license:l-1", &a), 0);
	ck_assert(arn_member_is(a.region, a.region_len, "cn-north-1"));
	ck_assert_int_eq(arn_parse("arn:aws-eu:iam::123456789012:root", &a), -1);
	ck_assert_int_eq(arn_parse("arn:aws:iam::123456789012", &a), -1);
	ck_assert_int_eq(arn_parse("arn:aws:iam::123456789012:", &a), -1);
	ck_assert_int_eq(arn_parse("arn:aws:::1:x", &a), -1);
	ck_assert_int_eq(arn_parse("urn:aws:iam::1:root", &a), -1);
	ck_assert_int_eq(arn_parse("", &a), -1);
}
END_TEST

START_TEST(partition_of)
{
	ck_assert_str_eq(arn_partition_of("arn:aws:iam::1:root"), "aws");
	ck_assert_str_eq(arn_partition_of("arn:aws-us-gov:iam::1:root"), "aws-us-gov");
	ck_assert_str_eq(arn_partition_of("arn:aws-cn:iam::1:root"), "aws-cn");
	ck_assert_ptr_null(arn_partition_of("arn:aws-iso:iam::1:root"));
	ck_assert_ptr_null(arn_partition_of("arn:aws"));
	ck_assert_ptr_null(arn_partition_of(NULL));
}
END_TEST

START_TEST(principals_in_every_partition)
{
	for (size_t i = 0; arn_partitions[i]; i++) {
		const char *p = arn_partitions[i];
		char *acct = arn_account_principal(p, "123456789012");
		char *ou = arn_ou_principal(p, "111111111111", "o-a", "ou-b");
		char *org = arn_org_principal(p, "111111111111", "o-a");
		char *role = arn_role(p, "123456789012", "R");
		const char *id = NULL;

		ck_assert_str_eq(arn_partition_of(acct), p);
		ck_assert(arn_account_of_principal(acct, &id));
		ck_assert_int_eq(strncmp(id, "123456789012", 12), 0);
		ck_assert(!arn_is_org_principal(acct));
		ck_assert(arn_is_org_principal(ou));
		ck_assert(arn_is_org_principal(org));
		ck_assert(!arn_account_of_principal(ou, &id));
		ck_assert(!arn_account_of_principal(role, &id));
		ck_assert_ptr_nonnull(strstr(ou, ":organizations::111111111111:ou/o-a/ou-b"));
		ck_assert_ptr_nonnull(strstr(org, ":organizations::111111111111:organization/o-a"));
		ck_assert_ptr_nonnull(strstr(role, ":iam::123456789012:role/R"));
		ck_assert_int_eq(strncmp(acct, "arn:", 4), 0);
		ck_assert_int_eq(strncmp(acct + 4, p, strlen(p)), 0);
		free(acct);
		free(ou);
		free(org);
		free(role);
	}
	{
		const char *id = NULL;

		ck_assert(!arn_account_of_principal("arn:aws:iam::12345678901:root", &id));
		ck_assert(!arn_account_of_principal("arn:aws:iam::12345678901a:root", &id));
		ck_assert(!arn_account_of_principal("arn:aws:iam:us-east-1:123456789012:root", &id));
	}
}
END_TEST

START_TEST(license_arns_of_the_config)
{
	ck_assert(check_license_arn("arn:aws:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef"));
	ck_assert(check_license_arn("arn:aws-us-gov:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef"));
	ck_assert(check_license_arn("arn:aws-cn:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef"));
	ck_assert(!check_license_arn("arn:aws-made-up:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef"));
	ck_assert(!check_license_arn("arn:awsx:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("arn");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parses_members);
	tcase_add_test(tc, partition_of);
	tcase_add_test(tc, principals_in_every_partition);
	tcase_add_test(tc, license_arns_of_the_config);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
