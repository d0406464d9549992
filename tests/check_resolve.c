/* Unit tests of resolve: principal ARNs, license choice, per-model errors
 * and overlap warnings, on hand-built organizations (no network). */
#include <check.h>
#include <stdio.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "util.h"

static struct org_tree org;
static struct lm_license licenses[3];

static struct config cfg;
static struct config_model model;
static struct config_target targets[4];
static struct config_target targets2[2];
static struct config_model models_two[2];
static char *ops[] = { "CheckoutLicense" };

static void add_ou(const char *id, const char *name, const char *parent, const char *path)
{
	org.ous = realloc(org.ous, (org.nous + 1) * sizeof(*org.ous));
	org.ous[org.nous++] = (struct org_ou){ strdup(id), strdup(name), strdup(parent), strdup(path) };
}

static void add_account(const char *id, const char *parent)
{
	org.accounts = realloc(org.accounts, (org.naccounts + 1) * sizeof(*org.accounts));
	org.accounts[org.naccounts++] = (struct org_account){ strdup(id), strdup(parent), NULL };
}

/* A usable license: home region us-east-1, every operation allowed. */
static void license_at(size_t i, const char *arn, const char *sku, const char *status)
{
	static const char *const allowed[] = { "CreateGrant", "CheckoutLicense", "CheckInLicense" };

	strlist_free(&licenses[i].allowed_operations);
	licenses[i] = (struct lm_license){ .arn = (char *)arn, .product_sku = (char *)sku,
					   .product_name = "P", .status = (char *)status,
					   .home_region = "us-east-1", .allowed_listed = true };
	for (size_t k = 0; k < ARRAY_LEN(allowed); k++)
		strlist_push(&licenses[i].allowed_operations, xstrdup(allowed[k]));
}

static void setup(void)
{
	memset(&org, 0, sizeof(org));
	org.org_id = strdup("o-exampleorg1");
	org.management_account = strdup("111111111111");
	org.root_id = strdup("r-ab12");
	org.have_tree = true;
	add_ou("ou-ab12-wkld0001", "Workloads", "r-ab12", "Workloads");
	add_ou("ou-ab12-prod0001", "Prod", "ou-ab12-wkld0001", "Workloads/Prod");
	add_account("222222222222", "ou-ab12-prod0001");
	add_account("333333333333", "r-ab12");
	add_account("111111111111", "r-ab12");
	org_tree_index(&org);
	license_at(0, "arn:aws:license-manager::294406891311:license:l-1", "prod-aaaaaaaaaaaa", "AVAILABLE");
	license_at(1, "arn:aws:license-manager::294406891311:license:l-2", "prod-bbbbbbbbbbbb", "AVAILABLE");
	license_at(2, "arn:aws:license-manager::294406891311:license:l-3", "prod-bbbbbbbbbbbb", "AVAILABLE");
	memset(&cfg, 0, sizeof(cfg));
	cfg.region = "us-east-1";
	memset(&model, 0, sizeof(model));
	memset(targets, 0, sizeof(targets));
	cfg.prune = true;
	cfg.max_deletes = 10;
	cfg.models = &model;
	cfg.nmodels = 1;
	model.name = "m";
	model.product = "prod-aaaaaaaaaaaa";
	model.operations = ops;
	model.noperations = 1;
	model.activate = true;
	model.targets = targets;
}

static void teardown(void)
{
	org_tree_clear(&org);
	for (size_t i = 0; i < ARRAY_LEN(licenses); i++)
		strlist_free(&licenses[i].allowed_operations);
}

static void target(size_t i, enum target_kind k, const char *value, bool is_path, const char *label)
{
	targets[i] = (struct config_target){ k, (char *)value, is_path, (char *)label,
					     { "c.yaml", (unsigned)(10 + i), 7 } };
	if (model.ntargets <= i)
		model.ntargets = i + 1;
}

static void run(struct desired *d, struct strlist *w)
{
	struct resolve_input in = { &cfg, &org, NULL, licenses, 3, NULL };

	resolve_desired(&in, d, w);
}

START_TEST(principals_of_every_kind)
{
	struct desired d;
	struct strlist w = { 0 };
	const struct desired_target *t = NULL;

	target(0, TARGET_ORGANIZATION, NULL, false, "organization");
	run(&d, &w);
	ck_assert_ptr_null(d.models[0].error);
	ck_assert_str_eq(d.models[0].license_arn, licenses[0].arn);
	t = &d.models[0].targets[0];
	ck_assert_str_eq(t->principal_arn, "arn:aws:organizations::111111111111:organization/o-exampleorg1");
	/* Every member account, sorted; not the management account. */
	ck_assert_uint_eq(t->naccounts, 2);
	ck_assert_str_eq(t->accounts[0], "arn:aws:iam::222222222222:root");
	ck_assert_str_eq(t->accounts[1], "arn:aws:iam::333333333333:root");
	ck_assert(d.prune);
	ck_assert_uint_eq(d.max_deletes, 10);
	desired_free(&d);

	memset(targets, 0, sizeof(targets));
	model.ntargets = 0;
	target(0, TARGET_OU, "Workloads/Prod", true, "ou Workloads/Prod");
	target(1, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	run(&d, &w);
	ck_assert_ptr_null(d.models[0].error);
	t = d.models[0].targets;
	ck_assert_str_eq(t[0].principal_arn, "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-prod0001");
	ck_assert_uint_eq(t[0].naccounts, 1);
	ck_assert_str_eq(t[0].accounts[0], "arn:aws:iam::222222222222:root");
	ck_assert_str_eq(t[1].principal_arn, "arn:aws:iam::333333333333:root");
	{
		size_t n = 0;
		char *const *acc = desired_target_accounts(&t[1], &n);

		ck_assert_uint_eq(n, 1);
		ck_assert_str_eq(acc[0], "arn:aws:iam::333333333333:root");
	}
	desired_free(&d);

	memset(targets, 0, sizeof(targets));
	model.ntargets = 0;
	target(0, TARGET_OU, "ou-ab12-wkld0001", false, "ou ou-ab12-wkld0001");
	run(&d, &w);
	t = d.models[0].targets;
	ck_assert_str_eq(t[0].principal_arn, "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-wkld0001");
	/* 2222 lies in Prod, below Workloads. */
	ck_assert_uint_eq(t[0].naccounts, 1);
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

/* SPEC 3: principals are in the license's partition. A GovCloud license
 * named in the config gives arn:aws-us-gov: principals of every kind. */
START_TEST(aws_us_gov_license_gives_gov_principals)
{
	static const char gov[] = "arn:aws-us-gov:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef";
	struct desired d;
	struct strlist w = { 0 };

	licenses[1].arn = (char *)gov;
	model.product = NULL;
	model.license_arn = (char *)gov;
	target(0, TARGET_OU, "Workloads/Prod", true, "ou Workloads/Prod");
	target(1, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	run(&d, &w);
	ck_assert_msg(d.models[0].error == NULL, "%s", d.models[0].error);
	ck_assert_str_eq(d.models[0].license_arn, gov);
	ck_assert_str_eq(d.models[0].targets[0].principal_arn,
			 "arn:aws-us-gov:organizations::111111111111:ou/o-exampleorg1/ou-ab12-prod0001");
	ck_assert_uint_eq(d.models[0].targets[0].naccounts, 1);
	ck_assert_str_eq(d.models[0].targets[0].accounts[0], "arn:aws-us-gov:iam::222222222222:root");
	ck_assert_str_eq(d.models[0].targets[1].principal_arn, "arn:aws-us-gov:iam::333333333333:root");
	desired_free(&d);
	memset(targets, 0, sizeof(targets));
	model.ntargets = 0;
	target(0, TARGET_ORGANIZATION, NULL, false, "organization");
	run(&d, &w);
	ck_assert_msg(d.models[0].error == NULL, "%s", d.models[0].error);
	ck_assert_str_eq(d.models[0].targets[0].principal_arn,
			 "arn:aws-us-gov:organizations::111111111111:organization/o-exampleorg1");
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

START_TEST(unknown_ou_path_is_a_model_error_with_position)
{
	struct desired d;
	struct strlist w = { 0 };

	target(0, TARGET_OU, "Workloads/Nope", true, "ou Workloads/Nope");
	run(&d, &w);
	ck_assert_ptr_nonnull(d.models[0].error);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "c.yaml:10:7: unknown OU path 'Workloads/Nope'"));
	ck_assert_ptr_null(d.models[0].targets[0].principal_arn);
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

START_TEST(unknown_ou_id_and_foreign_account)
{
	struct desired d;
	struct strlist w = { 0 };

	target(0, TARGET_OU, "ou-ab12-zzzz0001", false, "ou ou-ab12-zzzz0001");
	target(1, TARGET_ACCOUNT, "999999999999", false, "account 999999999999");
	run(&d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "unknown OU id 'ou-ab12-zzzz0001'"));
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "account 999999999999 is not in organization"));
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

START_TEST(product_without_license_and_ambiguous_product)
{
	struct desired d;
	struct strlist w = { 0 };

	target(0, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	model.product = "prod-cccccccccccc";
	run(&d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "no received license for product prod-cccccccccccc"));
	ck_assert_ptr_null(d.models[0].license_arn);
	desired_free(&d);
	model.product = "prod-bbbbbbbbbbbb";
	run(&d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "2 available licenses"));
	desired_free(&d);
	model.product = NULL;
	model.license_arn = licenses[2].arn;
	run(&d, &w);
	ck_assert_ptr_null(d.models[0].error);
	ck_assert_str_eq(d.models[0].license_arn, licenses[2].arn);
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

START_TEST(unreadable_organization_blocks_only_org_targets)
{
	struct desired d;
	struct strlist w = { 0 };
	struct org_tree empty = { 0 };
	struct resolve_input in = { &cfg, &empty, "AccessDeniedException", licenses, 3, NULL };

	target(0, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	resolve_desired(&in, &d, &w);
	ck_assert_ptr_null(d.models[0].error);
	desired_free(&d);
	target(1, TARGET_OU, "Workloads", true, "ou Workloads");
	resolve_desired(&in, &d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "AccessDeniedException"));
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

START_TEST(licenses_unreadable)
{
	struct desired d;
	struct strlist w = { 0 };
	struct resolve_input in = { &cfg, &org, NULL, NULL, 0, "ListReceivedLicenses: boom" };

	target(0, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	resolve_desired(&in, &d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "boom"));
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

/* SPEC 2: overlapping targets are errors that block the model. */
START_TEST(overlaps_within_a_model)
{
	struct desired d;
	struct strlist w = { 0 };

	target(0, TARGET_OU, "Workloads", true, "ou Workloads");
	target(1, TARGET_OU, "Workloads/Prod", true, "ou Workloads/Prod");
	target(2, TARGET_ACCOUNT, "222222222222", false, "account 222222222222");
	target(3, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	run(&d, &w);
	ck_assert(d.models[0].overlap);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "ou Workloads/Prod and ou Workloads are nested"));
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "both cover arn:aws:iam::222222222222:root"));
	ck_assert_ptr_null(strstr(d.models[0].error, "333333333333"));
	desired_free(&d);

	/* No overlap: nothing. */
	memset(targets, 0, sizeof(targets));
	model.ntargets = 0;
	target(0, TARGET_OU, "Workloads/Prod", true, "ou Workloads/Prod");
	target(1, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	run(&d, &w);
	ck_assert(!d.models[0].overlap);
	ck_assert_ptr_null(d.models[0].error);
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

/* Two models on two licenses of one product (a private offer beside the
 * public one) that reach one account: both are blocked. */
START_TEST(overlaps_across_models_of_one_product)
{
	struct desired d;
	struct strlist w = { 0 };

	models_two[0] = (struct config_model){ .name = "a", .license_arn = licenses[1].arn,
					       .operations = ops, .noperations = 1, .activate = true,
					       .targets = targets, .ntargets = 1 };
	models_two[1] = (struct config_model){ .name = "b", .license_arn = licenses[2].arn,
					       .operations = ops, .noperations = 1, .activate = true,
					       .targets = targets2, .ntargets = 1 };
	targets[0] = (struct config_target){ TARGET_OU, "Workloads", true, "ou Workloads", { "c.yaml", 3, 7 } };
	targets2[0] = (struct config_target){ TARGET_ACCOUNT, "222222222222", false,
					      "account 222222222222", { "c.yaml", 9, 7 } };
	cfg.models = models_two;
	cfg.nmodels = 2;
	run(&d, &w);
	ck_assert(d.models[0].overlap);
	ck_assert(d.models[1].overlap);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "of model b"));
	ck_assert_ptr_nonnull(strstr(d.models[1].error, "of model a"));
	desired_free(&d);

	/* Another product: no overlap. */
	models_two[1].license_arn = licenses[0].arn;
	run(&d, &w);
	ck_assert(!d.models[0].overlap);
	ck_assert(!d.models[1].overlap);
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

/* SPEC 4.1: only an AVAILABLE license of the configured home region that
 * allows CreateGrant and the model's operations is usable. */
START_TEST(license_must_be_usable)
{
	struct desired d;
	struct strlist w = { 0 };
	static char *two_ops[] = { "CheckoutLicense", "CreateToken" };

	target(0, TARGET_ACCOUNT, "333333333333", false, "account 333333333333");
	licenses[0].status = "EXPIRED";
	run(&d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "is EXPIRED, not AVAILABLE"));
	ck_assert_ptr_null(d.models[0].license_arn);
	desired_free(&d);

	/* An expired license beside an available one of the product: the available one. */
	model.product = "prod-bbbbbbbbbbbb";
	licenses[1].status = "EXPIRED";
	run(&d, &w);
	ck_assert_ptr_null(d.models[0].error);
	ck_assert_str_eq(d.models[0].license_arn, licenses[2].arn);
	desired_free(&d);

	model.product = "prod-aaaaaaaaaaaa";
	licenses[0].status = "AVAILABLE";
	licenses[0].home_region = "eu-west-1";
	run(&d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "home region eu-west-1, but region is us-east-1"));
	desired_free(&d);

	licenses[0].home_region = "us-east-1";
	model.operations = two_ops;
	model.noperations = 2;
	run(&d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "does not allow CreateToken"));
	desired_free(&d);

	model.operations = ops;
	model.noperations = 1;
	free(licenses[0].allowed_operations.items[0]);
	licenses[0].allowed_operations.items[0] = xstrdup("ListPurchasedLicenses"); /* was CreateGrant */
	run(&d, &w);
	ck_assert_ptr_nonnull(strstr(d.models[0].error, "does not allow CreateGrant"));
	desired_free(&d);
	strlist_free(&w);
}
END_TEST

/* Lookups by id are binary searches over the indexed tree: every one of
 * 2,000 accounts and 200 OUs added in descending order is found, and an id
 * that sorts between two others is not. */
START_TEST(lookups_in_a_large_tree)
{
	struct org_tree big = { 0 };
	char id[32];

	big.accounts = calloc(2000, sizeof(*big.accounts));
	big.ous = calloc(200, sizeof(*big.ous));
	for (unsigned i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "%012u", 999999999 - i * 2);
		big.accounts[big.naccounts++] = (struct org_account){ strdup(id), strdup("r-ab12"), NULL };
	}
	for (unsigned i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "ou-ab12-%08u", 99999999 - i * 2);
		big.ous[big.nous++] = (struct org_ou){ strdup(id), strdup(id), strdup("r-ab12"), strdup(id) };
	}
	org_tree_index(&big);
	for (unsigned i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "%012u", 999999999 - i * 2);
		ck_assert_ptr_nonnull(org_find_account(&big, id));
		ck_assert_str_eq(org_find_account(&big, id)->id, id);
		snprintf(id, sizeof(id), "%012u", 999999999 - i * 2 - 1);
		ck_assert_ptr_null(org_find_account(&big, id));
	}
	for (unsigned i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "ou-ab12-%08u", 99999999 - i * 2);
		ck_assert_str_eq(org_find_ou(&big, id)->path, id);
		ck_assert_ptr_nonnull(org_find_ou_path(&big, id));
	}
	ck_assert_ptr_null(org_find_ou(&big, "ou-ab12-00000000"));
	ck_assert(org_is_below(&big, "ou-ab12-99999999", "ou-ab12-99999999"));
	org_tree_clear(&big);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, principals_of_every_kind);
	tcase_add_test(tc, aws_us_gov_license_gives_gov_principals);
	tcase_add_test(tc, unknown_ou_path_is_a_model_error_with_position);
	tcase_add_test(tc, unknown_ou_id_and_foreign_account);
	tcase_add_test(tc, product_without_license_and_ambiguous_product);
	tcase_add_test(tc, unreadable_organization_blocks_only_org_targets);
	tcase_add_test(tc, licenses_unreadable);
	tcase_add_test(tc, overlaps_within_a_model);
	tcase_add_test(tc, overlaps_across_models_of_one_product);
	tcase_add_test(tc, license_must_be_usable);
	tcase_add_test(tc, lookups_in_a_large_tree);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
