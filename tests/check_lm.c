/* Unit tests of lm's answer decoders and http's endpoint rules: broken
 * answers are errors, never "no grants"; plain http only to loopback. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "lm.h"

static json_t *grant_json(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s]}",
			 "GrantArn", "arn:aws:license-manager::111111111111:grant:g-1",
			 "GrantName", "lmgrantd:m", "ParentArn", "arn:aws:license-manager::2:license:l-1",
			 "LicenseArn", "arn:aws:license-manager::2:license:l-1",
			 "GranteePrincipalArn", "arn:aws:iam::222222222222:root", "HomeRegion", "us-east-1",
			 "GrantStatus", "DISABLED", "Version", "3", "GrantedOperations", "CheckoutLicense",
			 "CheckInLicense");
}

START_TEST(decodes_a_grant)
{
	json_t *j = grant_json();
	struct grant g;
	char *why = NULL;

	ck_assert_int_eq(lm_decode_grant(j, &g, &why), 0);
	ck_assert_str_eq(g.principal_arn, "arn:aws:iam::222222222222:root");
	ck_assert_int_eq(g.status, GS_DISABLED);
	ck_assert_str_eq(g.version, "3");
	ck_assert_uint_eq(g.noperations, 2);
	ck_assert_str_eq(g.operations[1], "CheckInLicense");
	grant_clear(&g);
	json_decref(j);
}
END_TEST

static const char *const required[] = {
	"GrantArn", "LicenseArn", "GranteePrincipalArn", "GrantStatus", "Version", "GrantedOperations",
};

START_TEST(missing_required_member_is_an_error)
{
	json_t *j = grant_json();
	struct grant g;
	char *why = NULL;

	json_object_del(j, required[_i]);
	ck_assert_int_eq(lm_decode_grant(j, &g, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, required[_i]));
	ck_assert_ptr_null(g.arn);
	free(why);
	json_decref(j);
}
END_TEST

START_TEST(wrong_types_are_errors)
{
	json_t *j = grant_json();
	struct grant g;
	char *why = NULL;

	json_object_set_new(j, "Version", json_integer(3));
	ck_assert_int_eq(lm_decode_grant(j, &g, &why), -1);
	free(why);
	why = NULL;
	json_object_set_new(j, "Version", json_string("3"));
	json_object_set_new(j, "GrantedOperations", json_pack("[i]", 1));
	ck_assert_int_eq(lm_decode_grant(j, &g, &why), -1);
	free(why);
	why = NULL;
	ck_assert_int_eq(lm_decode_grant(json_null(), &g, &why), -1);
	free(why);
	json_decref(j);
}
END_TEST

START_TEST(unknown_status_is_kept_as_unknown)
{
	json_t *j = grant_json();
	struct grant g;
	char *why = NULL;

	json_object_set_new(j, "GrantStatus", json_string("SOMETHING_NEW"));
	ck_assert_int_eq(lm_decode_grant(j, &g, &why), 0);
	ck_assert_int_eq(g.status, GS_UNKNOWN);
	grant_clear(&g);
	json_decref(j);
}
END_TEST

START_TEST(license_needs_an_arn)
{
	json_t *j = json_pack("{s:s}", "ProductSKU", "prod-x");
	struct lm_license l;
	char *why = NULL;

	ck_assert_int_eq(lm_decode_license(j, &l, &why), -1);
	free(why);
	json_object_set_new(j, "LicenseArn", json_string("arn:aws:license-manager::1:license:l-1"));
	ck_assert_int_eq(lm_decode_license(j, &l, &why), 0);
	ck_assert_str_eq(l.product_sku, "prod-x");
	lm_licenses_free(NULL, 0);
	lm_license_clear(&l);
	json_decref(j);
}
END_TEST

/* Issue 13: doctor needs the home region and what this account may do. */
START_TEST(license_home_region_and_allowed_operations)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:{s:s, s:[s, s]}}", "LicenseArn", "arn:aws:license-manager::1:license:l-1",
			      "Status", "AVAILABLE", "HomeRegion", "us-east-1", "ReceivedMetadata",
			      "ReceivedStatus", "ACTIVE", "AllowedOperations", "CreateGrant", "CheckoutLicense");
	struct lm_license *l = calloc(1, sizeof(*l));
	char *why = NULL;

	ck_assert_int_eq(lm_decode_license(j, l, &why), 0);
	ck_assert_str_eq(l->home_region, "us-east-1");
	ck_assert_uint_eq(l->allowed_operations.n, 2);
	ck_assert(strlist_contains(&l->allowed_operations, "CreateGrant"));
	lm_licenses_free(l, 1);
	json_object_set_new(json_object_get(j, "ReceivedMetadata"), "AllowedOperations", json_string("CreateGrant"));
	l = calloc(1, sizeof(*l));
	ck_assert_int_eq(lm_decode_license(j, l, &why), -1);
	ck_assert_str_eq(why, "ReceivedMetadata.AllowedOperations is not a list");
	free(why);
	free(l);
	json_decref(j);
}
END_TEST

/* SPEC 4.1: what makes a license usable comes from the listing. */
START_TEST(license_usability_members)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:{s:s, s:[s,s]}}", "LicenseArn",
			      "arn:aws:license-manager::1:license:l-1", "Status", "AVAILABLE",
			      "HomeRegion", "us-east-1", "ReceivedMetadata", "ReceivedStatus", "ACTIVE",
			      "AllowedOperations", "CreateGrant", "CheckoutLicense");
	struct lm_license *l = calloc(1, sizeof(*l));
	char *why = NULL;

	ck_assert_int_eq(lm_decode_license(j, l, &why), 0);
	ck_assert_str_eq(l->home_region, "us-east-1");
	ck_assert(l->allowed_listed);
	ck_assert_uint_eq(l->allowed_operations.n, 2);
	ck_assert(strlist_contains(&l->allowed_operations, "CreateGrant"));
	lm_licenses_free(l, 1);

	/* No AllowedOperations: not listed (resolve refuses the license). */
	json_object_del(json_object_get(j, "ReceivedMetadata"), "AllowedOperations");
	l = calloc(1, sizeof(*l));
	ck_assert_int_eq(lm_decode_license(j, l, &why), 0);
	ck_assert(!l->allowed_listed);
	lm_licenses_free(l, 1);

	/* A mistyped list is a broken answer. */
	json_object_set_new(json_object_get(j, "ReceivedMetadata"), "AllowedOperations", json_pack("[i]", 3));
	l = calloc(1, sizeof(*l));
	ck_assert_int_eq(lm_decode_license(j, l, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "AllowedOperations"));
	free(why);
	free(l);
	json_decref(j);
}
END_TEST

START_TEST(grant_status_reason_is_kept)
{
	json_t *j = grant_json();
	struct grant g;
	char *why = NULL;

	json_object_set_new(j, "StatusReason", json_string("role missing"));
	ck_assert_int_eq(lm_decode_grant(j, &g, &why), 0);
	ck_assert_str_eq(g.status_reason, "role missing");
	grant_clear(&g);
	json_decref(j);
}
END_TEST

START_TEST(endpoint_rules)
{
	struct aws_env env = { 0 };
	struct aws_service s;
	char *err = NULL;

	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &s, &err), 0);
	ck_assert_str_eq(s.url, "https://license-manager.us-east-1.amazonaws.com");
	ck_assert_str_eq(s.signing_name, "license-manager");
	aws_service_clear(&s);
	env.use_fips = true;
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &s, &err), 0);
	ck_assert_str_eq(s.url, "https://license-manager-fips.us-east-1.amazonaws.com");
	aws_service_clear(&s);
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_ORGANIZATIONS, "eu-west-1", &s, &err), 0);
	ck_assert_str_eq(s.url, "https://organizations.us-east-1.amazonaws.com");
	ck_assert_str_eq(s.region, "us-east-1");
	aws_service_clear(&s);
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_STS, "eu-west-1", &s, &err), 0);
	ck_assert_str_eq(s.url, "https://sts.eu-west-1.amazonaws.com");
	aws_service_clear(&s);
	env.endpoint_url = "http://127.0.0.1:9999";
	env.endpoint_org = "http://localhost:8888";
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &s, &err), 0);
	ck_assert_str_eq(s.url, "http://127.0.0.1:9999");
	aws_service_clear(&s);
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_ORGANIZATIONS, "us-east-1", &s, &err), 0);
	ck_assert_str_eq(s.url, "http://localhost:8888");
	aws_service_clear(&s);
	env.endpoint_lm = "http://license.example.com";
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "loopback"));
	free(err);
	env.endpoint_lm = "ftp://127.0.0.1/";
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &s, &err), -1);
	free(err);
	env.endpoint_lm = "https://lm.internal.example.com";
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &s, &err), 0);
	aws_service_clear(&s);
}
END_TEST

START_TEST(client_tokens_differ)
{
	char *a = aws_new_client_token(), *b = aws_new_client_token();

	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(strlen(a), strlen("lmgrantd-") + 32);
	free(a);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, decodes_a_grant);
	tcase_add_loop_test(tc, missing_required_member_is_an_error, 0, (int)(sizeof(required) / sizeof(*required)));
	tcase_add_test(tc, wrong_types_are_errors);
	tcase_add_test(tc, unknown_status_is_kept_as_unknown);
	tcase_add_test(tc, license_needs_an_arn);
	tcase_add_test(tc, license_home_region_and_allowed_operations);
	tcase_add_test(tc, license_usability_members);
	tcase_add_test(tc, grant_status_reason_is_kept);
	tcase_add_test(tc, endpoint_rules);
	tcase_add_test(tc, client_tokens_differ);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
