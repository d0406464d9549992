/* Unit tests of doctor: the checks of SPEC §8 from hand-built facts (no
 * network), their fixes, and the text and JSON output. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "doctor.h"

static struct doctor_facts f;
static struct config cfg;
static struct config_model model;
static struct config_target targets[3];
static char *ops[] = { "CheckoutLicense", "CreateToken" };
static struct doctor_report rep;

static void add_ou(const char *id, const char *name, const char *parent, const char *path)
{
	f.org.ous = realloc(f.org.ous, (f.org.nous + 1) * sizeof(*f.org.ous));
	f.org.ous[f.org.nous++] = (struct org_ou){ strdup(id), strdup(name), strdup(parent), strdup(path) };
}

static void add_account(const char *id, const char *parent)
{
	f.org.accounts = realloc(f.org.accounts, (f.org.naccounts + 1) * sizeof(*f.org.accounts));
	f.org.accounts[f.org.naccounts++] = (struct org_account){ strdup(id), strdup(parent), NULL };
}

static void allow(struct lm_license *l, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strlist_push(&l->allowed_operations, strdup(names[i]));
	l->allowed_listed = true;
}

/* The demo organization as the management account sees it. */
static void setup(void)
{
	static const char *const all_ops[] = {
		"CreateGrant", "CheckoutLicense", "CheckInLicense", "CreateToken",
	};

	memset(&f, 0, sizeof(f));
	memset(&rep, 0, sizeof(rep));
	f.creds_source = strdup("environment");
	f.id = (struct sts_identity){ strdup("111111111111"), strdup("arn:aws:iam::111111111111:user/ops"),
				      strdup("AIDAX") };
	f.org.org_id = strdup("o-exampleorg1");
	f.org.management_account = strdup("111111111111");
	f.org.feature_set = strdup("ALL");
	f.org.root_id = strdup("r-ab12");
	f.org.have_tree = true;
	add_ou("ou-ab12-wkld0001", "Workloads", "r-ab12", "Workloads");
	add_ou("ou-ab12-prod0001", "Prod", "ou-ab12-wkld0001", "Workloads/Prod");
	add_account("222222222222", "ou-ab12-prod0001");
	add_account("333333333333", "r-ab12");
	org_tree_index(&f.org);
	f.role = ORG_ROLE_MANAGEMENT;
	strlist_push(&f.service_access, strdup(ORG_LICENSE_MANAGER_PRINCIPAL));
	strlist_push(&f.service_access, strdup(ORG_MARKETPLACE_PRINCIPAL));
	f.licenses = calloc(1, sizeof(*f.licenses));
	f.nlicenses = 1;
	f.licenses[0].arn = strdup("arn:aws:license-manager::294406891311:license:l-1");
	f.licenses[0].product_sku = strdup("prod-aaaaaaaaaaaa");
	f.licenses[0].status = strdup("AVAILABLE");
	f.licenses[0].home_region = strdup("us-east-1");
	allow(&f.licenses[0], all_ops, 4);

	memset(&cfg, 0, sizeof(cfg));
	memset(&model, 0, sizeof(model));
	memset(targets, 0, sizeof(targets));
	cfg.region = "us-east-1";
	cfg.models = &model;
	cfg.nmodels = 1;
	model.name = "claude";
	model.product = "prod-aaaaaaaaaaaa";
	model.operations = ops;
	model.noperations = 2;
	model.targets = targets;
	targets[0] = (struct config_target){ .kind = TARGET_OU, .value = "Workloads/Prod", .is_ou_path = true,
					     .label = "ou Workloads/Prod" };
	targets[1] = (struct config_target){ .kind = TARGET_ACCOUNT, .value = "333333333333",
					     .label = "account 333333333333" };
	model.ntargets = 2;
}

static void teardown(void)
{
	doctor_report_free(&rep);
	doctor_facts_free(&f);
}

static const struct doctor_check *check(const char *name)
{
	for (size_t i = 0; i < rep.n; i++)
		if (strcmp(rep.checks[i].name, name) == 0)
			return &rep.checks[i];
	ck_abort_msg("no check %s", name);
	return NULL;
}

static void evaluate(void)
{
	doctor_report_free(&rep);
	doctor_evaluate(&f, &cfg, &rep);
}

START_TEST(all_ok_in_spec_order)
{
	static const char *const names[] = {
		"credentials", "caller", "organization-all-features", "trusted-access-license-manager",
		"trusted-access-marketplace", "license:claude", "targets:claude",
	};

	evaluate();
	ck_assert_uint_eq(rep.n, 7);
	for (size_t i = 0; i < rep.n; i++) {
		ck_assert_str_eq(rep.checks[i].name, names[i]);
		ck_assert_int_eq(rep.checks[i].result, DOCTOR_OK);
		ck_assert_ptr_null(rep.checks[i].fix);
	}
	ck_assert_int_eq(doctor_exit_code(&rep), 0);
}
END_TEST

START_TEST(trusted_access_missing_names_the_command)
{
	strlist_free(&f.service_access);
	strlist_push(&f.service_access, strdup(ORG_LICENSE_MANAGER_PRINCIPAL));
	evaluate();
	ck_assert_int_eq(check("trusted-access-license-manager")->result, DOCTOR_OK);
	ck_assert_int_eq(check("trusted-access-marketplace")->result, DOCTOR_FAIL);
	ck_assert_ptr_nonnull(strstr(check("trusted-access-marketplace")->fix,
				     "aws organizations enable-aws-service-access --service-principal license-management.marketplace.amazonaws.com"));
	ck_assert_int_eq(doctor_exit_code(&rep), 1);
	strlist_free(&f.service_access);
	evaluate();
	ck_assert_ptr_nonnull(strstr(check("trusted-access-license-manager")->fix,
				     "--service-principal license-manager.amazonaws.com"));
	/* A list that could not be read is a warning, not a failure. */
	f.service_access_error = strdup("ListAWSServiceAccessForOrganization: AccessDeniedException");
	evaluate();
	ck_assert_int_eq(check("trusted-access-marketplace")->result, DOCTOR_WARN);
	ck_assert_ptr_nonnull(strstr(check("trusted-access-marketplace")->detail, "AccessDeniedException"));
	ck_assert_int_eq(doctor_exit_code(&rep), 0);
}
END_TEST

START_TEST(consolidated_billing_fails)
{
	free(f.org.feature_set);
	f.org.feature_set = strdup("CONSOLIDATED_BILLING");
	evaluate();
	ck_assert_int_eq(check("organization-all-features")->result, DOCTOR_FAIL);
	ck_assert_ptr_nonnull(strstr(check("organization-all-features")->fix, "enable-all-features"));
}
END_TEST

START_TEST(caller_roles)
{
	free(f.id.account);
	f.id.account = strdup("666666666666");
	f.role = ORG_ROLE_DELEGATED_ADMIN;
	evaluate();
	ck_assert_int_eq(check("caller")->result, DOCTOR_OK);
	ck_assert_ptr_nonnull(strstr(check("caller")->detail, "delegated administrator"));
	f.role = ORG_ROLE_NEITHER;
	evaluate();
	ck_assert_int_eq(check("caller")->result, DOCTOR_FAIL);
	ck_assert_ptr_nonnull(strstr(check("caller")->fix,
				     "register-delegated-administrator --account-id 666666666666 --service-principal license-manager.amazonaws.com"));
	f.role = ORG_ROLE_UNKNOWN;
	f.role_error = strdup("ListDelegatedAdministrators: AccessDeniedException");
	f.role_denied = true;
	evaluate();
	ck_assert_int_eq(check("caller")->result, DOCTOR_FAIL);
	f.role_denied = false; /* throttled, say: cannot be told */
	evaluate();
	ck_assert_int_eq(check("caller")->result, DOCTOR_WARN);
	f.not_in_organization = true;
	evaluate();
	ck_assert_int_eq(check("caller")->result, DOCTOR_FAIL);
	ck_assert_int_eq(check("trusted-access-marketplace")->result, DOCTOR_WARN);
}
END_TEST

START_TEST(no_credentials)
{
	f.creds_error = strdup("no usable AWS credentials: environment: AWS_ACCESS_KEY_ID not set");
	evaluate();
	ck_assert_int_eq(check("credentials")->result, DOCTOR_FAIL);
	ck_assert_int_eq(check("caller")->result, DOCTOR_WARN);
	ck_assert_int_eq(check("license:claude")->result, DOCTOR_WARN);
	ck_assert_int_eq(doctor_exit_code(&rep), 1);
}
END_TEST

START_TEST(license_problems)
{
	struct lm_license *l = &f.licenses[0];

	free(l->home_region);
	l->home_region = strdup("eu-west-1");
	evaluate();
	ck_assert_int_eq(check("license:claude")->result, DOCTOR_FAIL);
	ck_assert_str_eq(check("license:claude")->fix, "set `region: eu-west-1` in the configuration");
	free(l->home_region);
	l->home_region = strdup("us-east-1");
	free(l->status);
	l->status = strdup("EXPIRED");
	evaluate();
	ck_assert_ptr_nonnull(strstr(check("license:claude")->detail, "EXPIRED"));
	free(l->status);
	l->status = strdup("AVAILABLE");
	strlist_free(&l->allowed_operations);
	strlist_push(&l->allowed_operations, strdup("CheckoutLicense"));
	strlist_push(&l->allowed_operations, strdup("CreateToken"));
	evaluate();
	ck_assert_ptr_nonnull(strstr(check("license:claude")->detail, "CreateGrant is not among"));
	strlist_push(&l->allowed_operations, strdup("CreateGrant"));
	model.operations[1] = "CheckInLicense";
	evaluate();
	ck_assert_str_eq(check("license:claude")->fix, "remove CheckInLicense from the operations of model claude");
	model.operations[1] = "CreateToken";
	model.product = "prod-zzzzzzzzzzzz";
	evaluate();
	ck_assert_ptr_nonnull(strstr(check("license:claude")->detail, "no license for prod-zzzzzzzzzzzz"));
	ck_assert_ptr_nonnull(strstr(check("license:claude")->fix, "subscribe"));
	model.product = "prod-aaaaaaaaaaaa";
	l->allowed_listed = false;
	evaluate();
	ck_assert_int_eq(check("license:claude")->result, DOCTOR_WARN);
	ck_assert_ptr_nonnull(strstr(check("license:claude")->detail, "lists no allowed operations"));
}
END_TEST

START_TEST(target_problems)
{
	targets[1].value = "999999999999";
	targets[1].label = "account 999999999999";
	evaluate();
	ck_assert_int_eq(check("targets:claude")->result, DOCTOR_FAIL);
	ck_assert_str_eq(check("targets:claude")->detail,
			 "account 999999999999 does not exist in organization o-exampleorg1");
	targets[1] = (struct config_target){ .kind = TARGET_ACCOUNT, .value = "222222222222",
					     .label = "account 222222222222" };
	evaluate();
	ck_assert_str_eq(check("targets:claude")->detail, "account 222222222222 lies inside ou Workloads/Prod");
	targets[1] = (struct config_target){ .kind = TARGET_OU, .value = "ou-ab12-wkld0001",
					     .label = "ou ou-ab12-wkld0001" };
	evaluate();
	ck_assert_str_eq(check("targets:claude")->detail, "ou Workloads/Prod lies inside ou ou-ab12-wkld0001");
	targets[2] = (struct config_target){ .kind = TARGET_ORGANIZATION, .label = "organization" };
	targets[1] = (struct config_target){ .kind = TARGET_ACCOUNT, .value = "333333333333",
					     .label = "account 333333333333" };
	model.ntargets = 3;
	evaluate();
	ck_assert_ptr_nonnull(strstr(check("targets:claude")->detail, "account 333333333333 overlaps with organization"));
	f.tree_error = strdup("ListRoots: AccessDeniedException");
	evaluate();
	ck_assert_int_eq(check("targets:claude")->result, DOCTOR_WARN);
}
END_TEST

START_TEST(json_output)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	json_t *doc, *c;

	free(f.org.feature_set);
	f.org.feature_set = strdup("CONSOLIDATED_BILLING");
	evaluate();
	doctor_print(out, OUTPUT_JSON, &rep);
	fclose(out);
	doc = json_loads(buf, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "checks")), 7);
	c = json_array_get(json_object_get(doc, "checks"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "result")), "ok");
	ck_assert(json_is_null(json_object_get(c, "fix")));
	ck_assert(json_is_string(json_object_get(c, "detail")));
	c = json_array_get(json_object_get(doc, "checks"), 2);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), "organization-all-features");
	ck_assert_str_eq(json_string_value(json_object_get(c, "result")), "fail");
	ck_assert(json_is_string(json_object_get(c, "fix")));
	json_decref(doc);
	free(buf);
}
END_TEST

START_TEST(text_output_escapes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	free(f.org.feature_set);
	f.org.feature_set = strdup("WEIRD\x1b[31m");
	evaluate();
	doctor_print(out, OUTPUT_TEXT, &rep);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(buf, "ok   credentials  arn:aws:iam::111111111111:user/ops"));
	ck_assert_ptr_nonnull(strstr(buf, "FAIL organization-all-features  organization o-exampleorg1 has feature set WEIRD\\x1b[31m"));
	ck_assert_ptr_nonnull(strstr(buf, "\n     fix: enable all features"));
	ck_assert_ptr_null(strchr(buf, '\x1b'));
	free(buf);
}
END_TEST

static Suite *doctor_suite(void)
{
	Suite *s = suite_create("doctor");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, all_ok_in_spec_order);
	tcase_add_test(tc, trusted_access_missing_names_the_command);
	tcase_add_test(tc, consolidated_billing_fails);
	tcase_add_test(tc, caller_roles);
	tcase_add_test(tc, no_credentials);
	tcase_add_test(tc, license_problems);
	tcase_add_test(tc, target_problems);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, text_output_escapes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(doctor_suite());
}
