/*
 * Unit tests for access: the effective state of each account per model
 * from account grants, OU and organization grants and their sub-grants;
 * which grant wins when several cover an account; tombstones; the
 * management account; filters; and the three renderings (text within 100
 * columns, JSON, CSV with quoting and formula guard). No network.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "check_main.h"
#include "util.h"

#define MGMT "111111111111"
#define ORG_ARN "arn:aws:organizations::111111111111:organization/o-exampleorg1"
#define PROD_ARN "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-prod"
#define ACCT(id) "arn:aws:iam::" id ":root"

static struct org_tree org;
static struct grant grants[8], subs[8];
static size_t ngrants, nsubs;
static struct desired_target targets[2];
static struct desired_model model;

static void add_account(const char *id, const char *parent, const char *name)
{
	org.accounts = xrealloc(org.accounts, (org.naccounts + 1) * sizeof(*org.accounts));
	org.accounts[org.naccounts++] = (struct org_account){
		.id = xstrdup(id), .parent_id = xstrdup(parent), .name = xstrdup(name),
	};
}

static void setup(void)
{
	memset(&org, 0, sizeof(org));
	org.org_id = xstrdup("o-exampleorg1");
	org.management_account = xstrdup(MGMT);
	org.root_id = xstrdup("r-root");
	org.ous = xcalloc(1, sizeof(*org.ous));
	org.ous[0] = (struct org_ou){ xstrdup("ou-prod"), xstrdup("Prod"), xstrdup("r-root"), xstrdup("Prod") };
	org.nous = 1;
	add_account(MGMT, "r-root", "management");
	add_account("222222222222", "ou-prod", "prod-a");
	add_account("333333333333", "r-root", "dev-a");
	add_account("444444444444", "ou-prod", "prod-b");
	org_tree_index(&org);
	org.have_tree = true;
	ngrants = nsubs = 0;
	targets[0] = (struct desired_target){ .kind = TARGET_OU, .label = "ou Prod",
					      .principal_arn = (char *)PROD_ARN };
	targets[1] = (struct desired_target){ .kind = TARGET_ACCOUNT, .label = "account 333333333333",
					      .principal_arn = (char *)ACCT("333333333333") };
	model = (struct desired_model){ .name = "claude", .license_arn = (char *)"arn:lic", .targets = targets,
					.ntargets = 2 };
}

static void teardown(void)
{
	org_tree_clear(&org);
	for (size_t i = 0; i < ngrants; i++)
		grant_clear(&grants[i]);
	for (size_t i = 0; i < nsubs; i++)
		grant_clear(&subs[i]);
}

static struct grant *grant(struct grant *v, size_t *n, const char *arn, const char *principal,
			   enum grant_status st, const char *parent, const char *reason)
{
	struct grant *g = &v[(*n)++];

	memset(g, 0, sizeof(*g));
	g->arn = xstrdup(arn);
	g->principal_arn = xstrdup(principal);
	g->status = st;
	g->parent_arn = xstrdup(parent ? parent : "arn:lic");
	g->status_reason = xstrdup(reason);
	return g;
}

static void build(struct access_report *r, const char *only)
{
	struct access_license l = { &model, grants, ngrants, subs, nsubs, NULL };

	access_build(&org, &l, 1, only, r);
}

static const struct access_cell *cell(const struct access_report *r, const char *account)
{
	for (size_t i = 0; i < r->naccounts; i++)
		if (strcmp(r->accounts[i]->id, account) == 0)
			return &r->rows[0].cells[i];
	ck_abort_msg("account %s not in the report", account);
	return NULL;
}

START_TEST(test_states_and_via)
{
	struct access_report r;

	grant(grants, &ngrants, "g-ou", PROD_ARN, GS_WORKFLOW_COMPLETED, NULL, NULL);
	grant(subs, &nsubs, "g-ou-222", ACCT("222222222222"), GS_ACTIVE, "g-ou", NULL);
	grant(subs, &nsubs, "g-ou-444", ACCT("444444444444"), GS_DISABLED, "g-ou", "another active grant");
	grant(grants, &ngrants, "g-333", ACCT("333333333333"), GS_FAILED_WORKFLOW, NULL, "distribution failed");
	build(&r, NULL);
	/* The management account is not listed. */
	ck_assert_uint_eq(r.naccounts, 3);
	ck_assert_int_eq(cell(&r, "222222222222")->state, ACCESS_ACTIVE);
	ck_assert_str_eq(cell(&r, "222222222222")->via, PROD_ARN);
	ck_assert_str_eq(cell(&r, "222222222222")->grant_arn, "g-ou");
	ck_assert_str_eq(cell(&r, "222222222222")->target, "ou Prod");
	ck_assert_ptr_null(cell(&r, "222222222222")->reason);
	ck_assert_int_eq(cell(&r, "444444444444")->state, ACCESS_DISABLED);
	ck_assert_str_eq(cell(&r, "444444444444")->reason, "another active grant");
	ck_assert_int_eq(cell(&r, "333333333333")->state, ACCESS_FAILED);
	ck_assert_str_eq(cell(&r, "333333333333")->reason, "distribution failed");
	ck_assert_str_eq(cell(&r, "333333333333")->target, "account 333333333333");
	access_report_free(&r);
}
END_TEST

START_TEST(test_best_grant_wins)
{
	struct access_report r;

	/* 222: a DISABLED account grant of its own, ACTIVE through the org. */
	grant(grants, &ngrants, "g-222", ACCT("222222222222"), GS_DISABLED, NULL, "x");
	grant(grants, &ngrants, "g-org", ORG_ARN, GS_WORKFLOW_COMPLETED, NULL, NULL);
	grant(subs, &nsubs, "g-org-222", ACCT("222222222222"), GS_ACTIVE, "g-org", NULL);
	/* 444: the org grant has no sub-grant for it yet: pending. */
	/* 333: its deleted account grant gives nothing; the org sub-grant does. */
	grant(grants, &ngrants, "g-333", ACCT("333333333333"), GS_DELETED, NULL, NULL);
	grant(subs, &nsubs, "g-org-333", ACCT("333333333333"), GS_DISABLED, "g-org", NULL);
	build(&r, NULL);
	ck_assert_int_eq(cell(&r, "222222222222")->state, ACCESS_ACTIVE);
	ck_assert_str_eq(cell(&r, "222222222222")->via, ORG_ARN);
	ck_assert_ptr_null(cell(&r, "222222222222")->target); /* the org is not declared */
	ck_assert_int_eq(cell(&r, "444444444444")->state, ACCESS_PENDING);
	ck_assert_int_eq(cell(&r, "333333333333")->state, ACCESS_DISABLED);
	ck_assert_str_eq(cell(&r, "333333333333")->grant_arn, "g-org");
	access_report_free(&r);
}
END_TEST

START_TEST(test_none_rejected_and_filter)
{
	struct access_report r;

	grant(grants, &ngrants, "g-444", ACCT("444444444444"), GS_REJECTED, NULL, NULL);
	grant(grants, &ngrants, "g-ou", PROD_ARN, GS_PENDING_WORKFLOW, NULL, NULL);
	build(&r, NULL);
	ck_assert_int_eq(cell(&r, "333333333333")->state, ACCESS_NONE);
	ck_assert_ptr_null(cell(&r, "333333333333")->via);
	/* Pending through the OU beats rejected on its own grant. */
	ck_assert_int_eq(cell(&r, "444444444444")->state, ACCESS_PENDING);
	access_report_free(&r);
	build(&r, "333333333333");
	ck_assert_uint_eq(r.naccounts, 1);
	ck_assert_str_eq(r.accounts[0]->id, "333333333333");
	access_report_free(&r);
}
END_TEST

static char *render(const struct access_report *r, enum access_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	access_print(f, fmt, r);
	fclose(f);
	return buf;
}

START_TEST(test_renderings)
{
	struct access_report r;
	char *text, *csv, *js, *line;
	json_t *doc;

	free(org.accounts[1].name);
	org.accounts[1].name = xstrdup("=cmd|\"evil\"\x1b[31m-and-a-very-long-name");
	grant(grants, &ngrants, "g-ou", PROD_ARN, GS_WORKFLOW_COMPLETED, NULL, NULL);
	grant(subs, &nsubs, "g-ou-222", ACCT("222222222222"), GS_ACTIVE, "g-ou", NULL);
	build(&r, NULL);
	text = render(&r, ACCESS_TEXT);
	ck_assert_ptr_null(strchr(text, '\x1b'));
	ck_assert_ptr_nonnull(strstr(text, "\\x1b"));
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		ck_assert_uint_le(strlen(line), 100);
	csv = render(&r, ACCESS_CSV);
	ck_assert_ptr_nonnull(strstr(csv, "model,license_arn,account,name,state,via,target,grant_arn,reason\r\n"));
	/* Quoted, quotes doubled, and a leading ' against formulas. */
	ck_assert_ptr_nonnull(strstr(csv, "\"'=cmd|\"\"evil\"\""));
	ck_assert_ptr_nonnull(strstr(csv, "\"claude\",\"arn:lic\",\"222222222222\""));
	js = render(&r, ACCESS_JSON);
	doc = json_loads(js, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(doc, "models"), 0), "accounts"), 0), "state")), "active");
	json_decref(doc);
	free(text);
	free(csv);
	free(js);
	access_report_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_states_and_via);
	tcase_add_test(tc, test_best_grant_wins);
	tcase_add_test(tc, test_none_rejected_and_filter);
	tcase_add_test(tc, test_renderings);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
