/*
 * Unit tests for plan: every live status of SPEC §4.2 for a declared
 * principal, every action kind, duplicates, pruning, the max_deletes safety
 * valve, unresolved models and unreadable licenses, ordering, and a plan
 * over 10,000 grants. No network, no clock: plan_build is pure.
 */
#include <check.h>
#include <pthread.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_fixture.h"
#include "util.h"

/* What must hold for every plan: counts add up, kinds are in order,
 * every action explains itself and names its license when it has one. */
static void check_invariants(const struct plan *p)
{
	size_t sum = 0;

	for (size_t k = 0; k < ACT_KIND_COUNT; k++)
		sum += p->counts[k];
	ck_assert_uint_eq(sum, p->nactions);
	for (size_t i = 0; i < p->nactions; i++) {
		const struct action *a = &p->actions[i];

		ck_assert_ptr_nonnull(a->reason);
		ck_assert_uint_gt(strlen(a->reason), 0);
		ck_assert_ptr_nonnull(a->model);
		if (i > 0)
			ck_assert_int_le(p->actions[i - 1].kind, a->kind);
		if (a->kind != ACT_BLOCKED)
			ck_assert_ptr_nonnull(a->license_arn);
		if (a->kind != ACT_CREATE && a->kind != ACT_BLOCKED)
			ck_assert_ptr_nonnull(a->grant_arn);
		ck_assert(a->withheld == (a->kind == ACT_DELETE && p->deletes_withheld));
		ck_assert((a->kind == ACT_BLOCKED) == (a->blocked_by != BLOCK_NONE));
	}
}

static const struct plan *build(struct fx *f)
{
	const struct plan *p = fx_plan(f);

	check_invariants(p);
	return p;
}

/* The first action of kind k whose principal is principal (NULL: any). */
static const struct action *find(const struct plan *p, enum action_kind k, const char *principal)
{
	for (size_t i = 0; i < p->nactions; i++) {
		const struct action *a = &p->actions[i];

		if (a->kind != k)
			continue;
		if (!principal || (a->principal_arn && strcmp(a->principal_arn, principal) == 0))
			return a;
	}
	return NULL;
}

static const char *const OTHER_OPS[] = { "CheckoutLicense", "CheckInLicense" };

/* ---- SPEC §4.2: the live status of a declared principal's only grant ---- */

struct status_row {
	const char *name;
	enum grant_status status;
	enum target_kind kind;
	bool activate;
	bool can_accept;
	size_t nsub;
	enum grant_status sub[2]; /* sub-grants under the grant */
	size_t nexpect;
	enum action_kind expect[2];
	const char *reason_has; /* in the last action's reason */
};

static const struct status_row status_rows[] = {
	{ "DELETED -> create", GS_DELETED, TARGET_ACCOUNT, true, false, 0, { 0 }, 1, { ACT_CREATE },
	  "declared, no live grant" },
	{ "FAILED_WORKFLOW, never created here -> create", GS_FAILED_WORKFLOW, TARGET_ACCOUNT, true, false,
	  0, { 0 }, 1, { ACT_CREATE }, "the last grant FAILED_WORKFLOW" },
	{ "PENDING_WORKFLOW -> waiting", GS_PENDING_WORKFLOW, TARGET_ACCOUNT, true, false, 0, { 0 }, 1,
	  { ACT_WAITING }, "workflow in progress" },
	{ "PENDING_WORKFLOW OU -> waiting", GS_PENDING_WORKFLOW, TARGET_OU, true, false, 0, { 0 }, 1,
	  { ACT_WAITING }, "workflow in progress" },
	{ "PENDING_DELETE -> waiting", GS_PENDING_DELETE, TARGET_ACCOUNT, true, false, 0, { 0 }, 1,
	  { ACT_WAITING }, "being deleted" },
	{ "UNKNOWN -> waiting", GS_UNKNOWN, TARGET_ACCOUNT, true, false, 0, { 0 }, 1, { ACT_WAITING },
	  "in progress" },
	{ "PENDING_ACCEPT -> waiting for the account", GS_PENDING_ACCEPT, TARGET_ACCOUNT, true, false, 0,
	  { 0 }, 1, { ACT_WAITING }, "account 000000001001 to accept" },
	{ "PENDING_ACCEPT, grantee role -> accept", GS_PENDING_ACCEPT, TARGET_ACCOUNT, true, true, 0, { 0 },
	  1, { ACT_ACCEPT }, "accepting as grantee" },
	{ "PENDING_ACCEPT OU, grantee role -> waiting", GS_PENDING_ACCEPT, TARGET_OU, true, true, 0, { 0 },
	  1, { ACT_WAITING }, "accept" },
	{ "DISABLED -> activate", GS_DISABLED, TARGET_ACCOUNT, true, false, 0, { 0 }, 1, { ACT_ACTIVATE },
	  "DISABLED" },
	{ "DISABLED OU -> activate", GS_DISABLED, TARGET_OU, true, false, 0, { 0 }, 1, { ACT_ACTIVATE },
	  "DISABLED" },
	{ "DISABLED, activate false -> nothing", GS_DISABLED, TARGET_ACCOUNT, false, false, 0, { 0 }, 0,
	  { 0 }, NULL },
	{ "ACTIVE account -> nothing", GS_ACTIVE, TARGET_ACCOUNT, true, false, 0, { 0 }, 0, { 0 }, NULL },
	{ "WORKFLOW_COMPLETED OU -> nothing", GS_WORKFLOW_COMPLETED, TARGET_OU, true, false, 0, { 0 }, 0,
	  { 0 }, NULL },
	{ "WORKFLOW_COMPLETED OU, DISABLED sub-grant -> activate", GS_WORKFLOW_COMPLETED, TARGET_OU, true,
	  false, 2, { GS_ACTIVE, GS_DISABLED }, 1, { ACT_ACTIVATE },
	  "1 account(s) with a DISABLED sub-grant, e.g. arn:aws:iam::000000002001:root" },
	{ "WORKFLOW_COMPLETED org, DISABLED sub-grants -> activate", GS_WORKFLOW_COMPLETED,
	  TARGET_ORGANIZATION, true, false, 2, { GS_DISABLED, GS_DISABLED }, 1, { ACT_ACTIVATE },
	  "2 account(s) with a DISABLED sub-grant, e.g. arn:aws:iam::000000002000:root" },
	{ "WORKFLOW_COMPLETED OU, sub-grants ACTIVE -> nothing", GS_WORKFLOW_COMPLETED, TARGET_OU, true,
	  false, 2, { GS_ACTIVE, GS_ACTIVE }, 0, { 0 }, NULL },
	{ "WORKFLOW_COMPLETED OU, DISABLED sub-grant, activate false -> nothing", GS_WORKFLOW_COMPLETED,
	  TARGET_OU, false, false, 1, { GS_DISABLED }, 0, { 0 }, NULL },
	{ "REJECTED -> blocked, not recreated", GS_REJECTED, TARGET_ACCOUNT, true, true, 0, { 0 }, 1,
	  { ACT_BLOCKED }, "rejected" },
};

START_TEST(test_status_table)
{
	const struct status_row *row = &status_rows[_i];
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const char *principal = NULL, *garn = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	f.d.can_accept = row->can_accept;
	mi = fx_model(&f, "anthropic.claude-test", fx_lic(&f, 1));
	f.d.models[mi].activate = row->activate;
	switch (row->kind) {
	case TARGET_ACCOUNT:
		principal = fx_acct(&f, 1001);
		break;
	case TARGET_OU:
		principal = fx_ou(&f, "ou-ab12-prod0001");
		break;
	case TARGET_ORGANIZATION:
		principal = fx_org(&f);
		break;
	}
	fx_target(&f, mi, row->kind, "the target", principal);
	li = fx_license(&f, fx_lic(&f, 1));
	garn = fx_garn(&f, 1);
	fx_grant_version(fx_grant(&f, li, garn, principal, row->status), "7");
	for (size_t i = 0; i < row->nsub; i++)
		fx_subgrant(&f, li, fx_garn(&f, 100 + (unsigned)i), garn, fx_acct(&f, 2000 + (unsigned)i),
			    row->sub[i]);

	p = build(&f);
	ck_assert_msg(p->nactions == row->nexpect, "%s: %zu actions", row->name, p->nactions);
	for (size_t i = 0; i < row->nexpect; i++) {
		const struct action *a = &p->actions[i];

		ck_assert_msg(a->kind == row->expect[i], "%s: action %zu is %s", row->name, i,
			      action_kind_name(a->kind));
		ck_assert_str_eq(a->model, "anthropic.claude-test");
		ck_assert_str_eq(a->license_arn, fx_lic(&f, 1));
		ck_assert_str_eq(a->principal_arn, principal);
		ck_assert_str_eq(a->target_label, "the target");
		ck_assert(a->is_account == (row->kind == TARGET_ACCOUNT));
		ck_assert(!a->withheld);
		if (a->kind == ACT_CREATE) {
			ck_assert_ptr_null(a->grant_arn);
			ck_assert_ptr_null(a->version);
			ck_assert_int_eq(a->status, row->status == GS_FAILED_WORKFLOW ? GS_FAILED_WORKFLOW
										     : GS_UNKNOWN);
			ck_assert_ptr_eq(a->operations, FX_OPS);
			ck_assert_uint_eq(a->noperations, ARRAY_LEN(FX_OPS));
		} else {
			ck_assert_str_eq(a->grant_arn, garn);
			ck_assert_str_eq(a->version, "7");
			ck_assert_int_eq(a->status, row->status);
		}
	}
	if (row->reason_has)
		ck_assert_msg(strstr(p->actions[row->nexpect - 1].reason, row->reason_has),
			      "%s: reason \"%s\"", row->name, p->actions[row->nexpect - 1].reason);
	/* No status of a single grant is an error of the pass, REJECTED included. */
	ck_assert_uint_eq(p->nerrors, 0);
	ck_assert(!p->deletes_withheld);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 0);
	fx_free(&f);
}
END_TEST

/* ---- operations ---- */

struct ops_row {
	enum grant_status status;
	bool activate;
	size_t nexpect;
	enum action_kind expect[2];
};

static const struct ops_row ops_rows[] = {
	{ GS_ACTIVE, true, 1, { ACT_UPDATE } },
	{ GS_WORKFLOW_COMPLETED, true, 1, { ACT_UPDATE } },
	{ GS_DISABLED, true, 2, { ACT_UPDATE, ACT_ACTIVATE } },
	{ GS_DISABLED, false, 1, { ACT_UPDATE } },
	/* Not yet accepted or still in a workflow: wait first, update later. */
	{ GS_PENDING_ACCEPT, true, 1, { ACT_WAITING } },
	{ GS_PENDING_WORKFLOW, true, 1, { ACT_WAITING } },
	{ GS_REJECTED, true, 1, { ACT_BLOCKED } },
};

START_TEST(test_ops_differ)
{
	const struct ops_row *row = &ops_rows[_i];
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	f.d.models[mi].activate = row->activate;
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant_ops(fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), row->status), OTHER_OPS,
		     ARRAY_LEN(OTHER_OPS));

	p = build(&f);
	ck_assert_uint_eq(p->nactions, row->nexpect);
	for (size_t i = 0; i < row->nexpect; i++)
		ck_assert_str_eq(action_kind_name(p->actions[i].kind), action_kind_name(row->expect[i]));
	if (row->expect[0] == ACT_UPDATE) {
		const struct action *u = &p->actions[0];

		ck_assert_ptr_eq(u->operations, FX_OPS);
		ck_assert_uint_eq(u->noperations, ARRAY_LEN(FX_OPS));
		ck_assert_str_eq(u->grant_arn, fx_garn(&f, 1));
		ck_assert_str_eq(u->version, "1");
		ck_assert_int_eq(u->status, row->status);
		ck_assert_ptr_nonnull(strstr(u->reason, "operations differ"));
	}
	fx_free(&f);
}
END_TEST

START_TEST(test_ops_same_set_other_order)
{
	static const char *const reordered[] = {
		"ListPurchasedLicenses", "ExtendConsumptionLicense", "CheckInLicense", "CheckoutLicense",
	};
	struct fx f = { 0 };
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant_ops(fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_ACTIVE), reordered,
		     ARRAY_LEN(reordered));
	ck_assert_uint_eq(build(&f)->nactions, 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_subgrant_of_other_parent)
{
	struct fx f = { 0 };
	const char *ou = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	ou = fx_ou(&f, "ou-ab12-prod0001");
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target(&f, mi, TARGET_OU, "ou Prod", ou);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), ou, GS_WORKFLOW_COMPLETED);
	/* A DISABLED sub-grant of some other (undeclared, old) grant. */
	fx_subgrant(&f, li, fx_garn(&f, 50), fx_garn(&f, 2), fx_acct(&f, 7), GS_DISABLED);
	ck_assert_uint_eq(build(&f)->nactions, 0);
	fx_free(&f);
}
END_TEST

/* ---- pruning ---- */

START_TEST(test_undeclared_deleted_with_prune)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const struct action *d = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_ACTIVE);
	fx_grant_version(fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 2), GS_ACTIVE), "4");

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 1);
	d = find(p, ACT_DELETE, fx_acct(&f, 2));
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->model, "m");
	ck_assert_ptr_null(d->target_label);
	ck_assert_str_eq(d->license_arn, fx_lic(&f, 1));
	ck_assert_str_eq(d->grant_arn, fx_garn(&f, 2));
	ck_assert_str_eq(d->version, "4");
	ck_assert_int_eq(d->status, GS_ACTIVE);
	ck_assert(d->is_account);
	ck_assert_str_eq(d->reason, "not declared; 1 account(s) lose access");
	ck_assert_uint_eq(d->losses, 1);
	ck_assert_uint_eq(plan_changes(p), 1);

	f.d.prune = false;
	p = build(&f);
	ck_assert_uint_eq(p->nactions, 0);
	fx_free(&f);
}
END_TEST

/* Which undeclared grants a prune deletes, by status. */
START_TEST(test_undeclared_by_status)
{
	static const struct {
		enum grant_status st;
		bool deleted;
	} rows[] = {
		{ GS_ACTIVE, true },          { GS_WORKFLOW_COMPLETED, true }, { GS_DISABLED, true },
		{ GS_PENDING_ACCEPT, true },  { GS_PENDING_WORKFLOW, true },   { GS_REJECTED, true },
		{ GS_PENDING_DELETE, false }, { GS_UNKNOWN, false },           { GS_DELETED, false },
		{ GS_FAILED_WORKFLOW, false },
	};
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0, want = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target(&f, mi, TARGET_OU, "ou x", fx_ou(&f, "ou-ab12-xxxxxxxx"));
	fx_target(&f, mi, TARGET_ORGANIZATION, "organization", fx_org(&f));
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1000), fx_ou(&f, "ou-ab12-xxxxxxxx"), GS_WORKFLOW_COMPLETED);
	fx_grant(&f, li, fx_garn(&f, 1001), fx_org(&f), GS_WORKFLOW_COMPLETED);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		fx_grant(&f, li, fx_garn(&f, (unsigned)i), fx_acct(&f, 100 + (unsigned)i), rows[i].st);
		want += rows[i].deleted;
	}
	f.d.max_deletes = 100;
	p = build(&f);
	ck_assert_uint_eq(p->nactions, want);
	ck_assert_uint_eq(p->counts[ACT_DELETE], want);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		ck_assert_msg((find(p, ACT_DELETE, fx_acct(&f, 100 + (unsigned)i)) != NULL) == rows[i].deleted,
			      "status %s", grant_status_name(rows[i].st));
	fx_free(&f);
}
END_TEST

struct dup_row {
	const char *name;
	enum grant_status first, second; /* listing order: first is older */
	int keeper;                      /* 0 or 1 */
	bool other_deleted;
	enum action_kind keeper_kind; /* ACT_KIND_COUNT: none */
};

static const struct dup_row dup_rows[] = {
	{ "both ACTIVE: keep the older", GS_ACTIVE, GS_ACTIVE, 0, true, ACT_KIND_COUNT },
	{ "older DISABLED, newer ACTIVE: keep ACTIVE", GS_DISABLED, GS_ACTIVE, 1, true, ACT_KIND_COUNT },
	{ "older ACTIVE, newer DISABLED: keep ACTIVE", GS_ACTIVE, GS_DISABLED, 0, true, ACT_KIND_COUNT },
	{ "ACTIVE = WORKFLOW_COMPLETED: keep the older", GS_WORKFLOW_COMPLETED, GS_ACTIVE, 0, true,
	  ACT_KIND_COUNT },
	{ "PENDING_WORKFLOW vs PENDING_ACCEPT", GS_PENDING_WORKFLOW, GS_PENDING_ACCEPT, 1, true,
	  ACT_WAITING },
	{ "REJECTED vs PENDING_WORKFLOW", GS_REJECTED, GS_PENDING_WORKFLOW, 1, true, ACT_WAITING },
	{ "DISABLED vs REJECTED", GS_DISABLED, GS_REJECTED, 0, true, ACT_ACTIVATE },
	{ "PENDING_DELETE duplicate left alone", GS_ACTIVE, GS_PENDING_DELETE, 0, false, ACT_KIND_COUNT },
	{ "UNKNOWN duplicate left alone", GS_UNKNOWN, GS_ACTIVE, 1, false, ACT_KIND_COUNT },
	{ "PENDING_DELETE keeper over REJECTED", GS_REJECTED, GS_PENDING_DELETE, 1, true, ACT_WAITING },
	{ "two PENDING_DELETE: one waiting", GS_PENDING_DELETE, GS_PENDING_DELETE, 0, false, ACT_WAITING },
};

START_TEST(test_duplicates)
{
	const struct dup_row *row = &dup_rows[_i];
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const struct action *d = NULL;
	const char *keeper = NULL, *other = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 0), fx_acct(&f, 1), row->first);
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), row->second);
	keeper = fx_garn(&f, (unsigned)row->keeper);
	other = fx_garn(&f, (unsigned)!row->keeper);

	p = build(&f);
	ck_assert_msg(p->counts[ACT_DELETE] == row->other_deleted, "%s", row->name);
	ck_assert_uint_eq(p->counts[ACT_CREATE], 0);
	if (row->other_deleted) {
		d = find(p, ACT_DELETE, NULL);
		ck_assert_str_eq(d->grant_arn, other);
		ck_assert_str_eq(d->target_label, "account 000000000001");
		ck_assert_ptr_nonnull(strstr(d->reason, "duplicate of "));
		ck_assert_ptr_nonnull(strstr(d->reason, keeper));
	}
	if (row->keeper_kind == ACT_KIND_COUNT) {
		ck_assert_uint_eq(p->nactions, p->counts[ACT_DELETE]);
	} else {
		const struct action *a = find(p, row->keeper_kind, NULL);

		ck_assert_msg(a != NULL, "%s", row->name);
		ck_assert_str_eq(a->grant_arn, keeper);
		ck_assert_uint_eq(p->nactions, p->counts[ACT_DELETE] + 1);
	}

	/* Without prune, duplicates are left alone and not reported. */
	f.d.prune = false;
	p = build(&f);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 0);
	ck_assert_uint_eq(p->nactions, row->keeper_kind == ACT_KIND_COUNT ? 0 : 1);
	fx_free(&f);
}
END_TEST

START_TEST(test_tombstone_and_live)
{
	struct fx f = { 0 };
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_DELETED);
	fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 1), GS_FAILED_WORKFLOW);
	fx_grant(&f, li, fx_garn(&f, 3), fx_acct(&f, 1), GS_ACTIVE);
	fx_grant(&f, li, fx_garn(&f, 4), fx_acct(&f, 1), GS_DELETED);
	ck_assert_uint_eq(build(&f)->nactions, 0);
	fx_free(&f);
}
END_TEST

/* ---- the max_deletes safety valve ---- */

/* A model declaring account 1, and ndel undeclared ACTIVE grants, plus one
 * missing declared account (a create that is never withheld). */
static void setup_deletes(struct fx *f, unsigned ndel, unsigned max_deletes)
{
	size_t mi = 0, li = 0;

	fx_init(f);
	f->d.max_deletes = max_deletes;
	mi = fx_model(f, "m", fx_lic(f, 1));
	fx_target_acct(f, mi, 1);
	li = fx_license(f, fx_lic(f, 1));
	for (unsigned i = 0; i < ndel; i++)
		fx_grant(f, li, fx_garn(f, i), fx_acct(f, 100 + i), GS_ACTIVE);
}

START_TEST(test_max_deletes_at_limit)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;

	setup_deletes(&f, 3, 3);
	p = build(&f);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 3);
	ck_assert(!p->deletes_withheld);
	ck_assert_uint_eq(p->nerrors, 0);
	ck_assert_uint_eq(plan_changes(p), 4);
	fx_free(&f);
}
END_TEST

START_TEST(test_max_deletes_over)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;

	setup_deletes(&f, 4, 3);
	p = build(&f);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 4);
	ck_assert(p->deletes_withheld);
	ck_assert_uint_eq(p->nerrors, 1);
	for (size_t i = 0; i < p->nactions; i++)
		ck_assert(p->actions[i].withheld == (p->actions[i].kind == ACT_DELETE));
	ck_assert_uint_eq(plan_changes(p), 1); /* the create still goes */
	fx_free(&f);
}
END_TEST

START_TEST(test_max_deletes_zero)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;

	setup_deletes(&f, 0, 0);
	p = build(&f);
	ck_assert(!p->deletes_withheld);
	ck_assert_uint_eq(p->nerrors, 0);
	ck_assert_uint_eq(plan_changes(p), 1);
	fx_free(&f);

	setup_deletes(&f, 1, 0);
	p = build(&f);
	ck_assert(p->deletes_withheld);
	ck_assert(p->actions[p->nactions - 1].withheld);
	ck_assert_uint_eq(p->nerrors, 1);
	ck_assert_uint_eq(plan_changes(p), 1);
	fx_free(&f);
}
END_TEST

/* Deletes of all models count toward one limit. */
START_TEST(test_max_deletes_across_licenses)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;

	fx_init(&f);
	f.d.max_deletes = 2;
	for (unsigned l = 1; l <= 3; l++) {
		size_t mi = fx_model(&f, l == 1 ? "a" : l == 2 ? "b" : "c", fx_lic(&f, l));
		size_t li = fx_license(&f, fx_lic(&f, l));

		fx_target_acct(&f, mi, 1);
		fx_grant(&f, li, fx_garn(&f, l * 10), fx_acct(&f, 1), GS_ACTIVE);
		fx_grant(&f, li, fx_garn(&f, l * 10 + 1), fx_acct(&f, 9), GS_ACTIVE);
	}
	p = build(&f);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 3);
	ck_assert(p->deletes_withheld);
	ck_assert_uint_eq(plan_changes(p), 0);
	fx_free(&f);
}
END_TEST

/* ---- models and licenses that cannot be planned ---- */

START_TEST(test_unresolved_model_error)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "broken", fx_lic(&f, 1));
	f.d.models[mi].error = xstrdup("ou Workloads/Nope: no such OU");
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_DISABLED);
	fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 2), GS_ACTIVE); /* undeclared */
	fx_grant(&f, li, fx_garn(&f, 3), fx_acct(&f, 1), GS_ACTIVE); /* duplicate */

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_int_eq(p->actions[0].kind, ACT_BLOCKED);
	ck_assert_str_eq(p->actions[0].model, "broken");
	ck_assert_str_eq(p->actions[0].license_arn, fx_lic(&f, 1));
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "ou Workloads/Nope: no such OU"));
	ck_assert_int_eq(p->actions[0].blocked_by, BLOCK_UNRESOLVED);
	ck_assert_uint_eq(p->nerrors, 1);
	ck_assert_uint_eq(plan_changes(p), 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_unresolved_license_and_target)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t m1 = 0, m2 = 0, ok = 0, li = 0;

	fx_init(&f);
	m1 = fx_model(&f, "no-license", NULL);
	fx_target_acct(&f, m1, 1);
	m2 = fx_model(&f, "no-ou", fx_lic(&f, 2));
	fx_target_acct(&f, m2, 1);
	fx_target(&f, m2, TARGET_OU, "ou Workloads/Gone", NULL);
	ok = fx_model(&f, "ok", fx_lic(&f, 3));
	fx_target_acct(&f, ok, 1);
	li = fx_license(&f, fx_lic(&f, 2));
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 5), GS_ACTIVE); /* undeclared */
	fx_license(&f, fx_lic(&f, 3));

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 3);
	ck_assert_uint_eq(p->counts[ACT_BLOCKED], 2);
	ck_assert_uint_eq(p->counts[ACT_CREATE], 1);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 0);
	ck_assert_uint_eq(p->nerrors, 2);
	ck_assert_str_eq(p->actions[0].model, "ok");
	/* blocked, by model name */
	ck_assert_str_eq(p->actions[1].model, "no-license");
	ck_assert_ptr_null(p->actions[1].license_arn);
	ck_assert_str_eq(p->actions[2].model, "no-ou");
	ck_assert_ptr_nonnull(strstr(p->actions[2].reason, "ou Workloads/Gone"));
	fx_free(&f);
}
END_TEST

START_TEST(test_read_failed)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	fx_target_acct(&f, mi, 2);
	li = fx_license(&f, fx_lic(&f, 1));
	f.o.licenses[li].read_ok = false;
	f.o.licenses[li].read_error = xstrdup("ListDistributedGrants: page 3: HTTP 500");
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 9), GS_ACTIVE);

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_int_eq(p->actions[0].kind, ACT_BLOCKED);
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "license state unknown"));
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "page 3: HTTP 500"));
	ck_assert_uint_eq(p->nerrors, 1);

	free(f.o.licenses[li].read_error);
	f.o.licenses[li].read_error = NULL;
	p = build(&f);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_uint_eq(p->nerrors, 1);
	fx_free(&f);
}
END_TEST

START_TEST(test_license_not_observed)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	fx_license(&f, fx_lic(&f, 2));

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_int_eq(p->actions[0].kind, ACT_BLOCKED);
	ck_assert_str_eq(p->actions[0].license_arn, fx_lic(&f, 1));
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "license state unknown"));
	ck_assert_uint_eq(p->nerrors, 1);
	fx_free(&f);
}
END_TEST

START_TEST(test_undeclared_license_untouched)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, other = 0, unread = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	fx_grant(&f, fx_license(&f, fx_lic(&f, 1)), fx_garn(&f, 1), fx_acct(&f, 1), GS_ACTIVE);
	other = fx_license(&f, fx_lic(&f, 2));
	fx_grant(&f, other, fx_garn(&f, 2), fx_acct(&f, 1), GS_ACTIVE);
	fx_grant(&f, other, fx_garn(&f, 3), fx_acct(&f, 1), GS_DISABLED);
	fx_grant(&f, other, fx_garn(&f, 4), fx_acct(&f, 3), GS_PENDING_ACCEPT);
	unread = fx_license(&f, fx_lic(&f, 3));
	f.o.licenses[unread].read_ok = false;

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 0);
	ck_assert_uint_eq(p->nerrors, 0);
	fx_free(&f);
}
END_TEST

/* The config forbids it; the plan must still not let one model prune the
 * other's grants. */
START_TEST(test_shared_license)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t a = 0, b = 0, li = 0;

	fx_init(&f);
	a = fx_model(&f, "a", fx_lic(&f, 1));
	fx_target_acct(&f, a, 1);
	b = fx_model(&f, "b", fx_lic(&f, 1));
	fx_target_acct(&f, b, 2);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_ACTIVE);
	fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 2), GS_ACTIVE);

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 2);
	ck_assert_uint_eq(p->counts[ACT_BLOCKED], 2);
	ck_assert_uint_eq(p->nerrors, 2);
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "model b"));
	ck_assert_ptr_nonnull(strstr(p->actions[1].reason, "model a"));
	ck_assert_int_eq(p->actions[0].blocked_by, BLOCK_SHARED_LICENSE);
	ck_assert_int_eq(p->actions[1].blocked_by, BLOCK_SHARED_LICENSE);

	/* One of them unresolved: still nothing but blocked. */
	f.d.models[a].error = xstrdup("unknown product");
	p = build(&f);
	ck_assert_uint_eq(p->nactions, 2);
	ck_assert_uint_eq(p->counts[ACT_BLOCKED], 2);
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "unknown product"));
	fx_free(&f);
}
END_TEST

/* An OU written by path and by id resolves to one principal: one create. */
START_TEST(test_same_principal_twice)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target(&f, mi, TARGET_OU, "ou Workloads/Prod", fx_ou(&f, "ou-ab12-prod0001"));
	fx_target(&f, mi, TARGET_OU, "ou ou-ab12-prod0001", fx_ou(&f, "ou-ab12-prod0001"));
	fx_license(&f, fx_lic(&f, 1));

	p = build(&f);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_int_eq(p->actions[0].kind, ACT_CREATE);
	ck_assert_str_eq(p->actions[0].target_label, "ou Workloads/Prod");
	ck_assert(!p->actions[0].is_account);
	fx_free(&f);
}
END_TEST

/* ---- ordering, counting, naming ---- */

START_TEST(test_ordering)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t zeta = 0, alpha = 0, mid = 0, la = 0, lz = 0;
	struct {
		enum action_kind kind;
		const char *model;
		unsigned acct; /* 0: no principal */
	} want[] = {
		{ ACT_CREATE, "alpha", 1 },   { ACT_CREATE, "alpha", 6 },   { ACT_CREATE, "zeta", 1 },
		{ ACT_UPDATE, "alpha", 2 },   { ACT_ACCEPT, "zeta", 7 },    { ACT_ACTIVATE, "alpha", 3 },
		{ ACT_DELETE, "alpha", 9 },   { ACT_DELETE, "zeta", 2 },    { ACT_DELETE, "zeta", 9 },
		{ ACT_DELETE, "zeta", 8 },    { ACT_BLOCKED, "alpha", 5 },  { ACT_BLOCKED, "mid", 0 },
		{ ACT_WAITING, "alpha", 4 },
	};

	fx_init(&f);
	f.d.can_accept = true;
	/* Models deliberately not in name order. */
	zeta = fx_model(&f, "zeta", fx_lic(&f, 2));
	mid = fx_model(&f, "mid", fx_lic(&f, 3));
	alpha = fx_model(&f, "alpha", fx_lic(&f, 1));
	f.d.models[mid].error = xstrdup("unknown product");

	fx_target_acct(&f, alpha, 1);
	fx_target_acct(&f, alpha, 2);
	fx_target_acct(&f, alpha, 3);
	fx_target_acct(&f, alpha, 4);
	fx_target_acct(&f, alpha, 5);
	fx_target_acct(&f, alpha, 6);
	fx_target_acct(&f, zeta, 1);
	fx_target_acct(&f, zeta, 7);
	fx_target_acct(&f, zeta, 2);

	lz = fx_license(&f, fx_lic(&f, 2));
	fx_grant(&f, lz, fx_garn(&f, 20), fx_acct(&f, 9), GS_ACTIVE); /* undeclared */
	fx_grant(&f, lz, fx_garn(&f, 21), fx_acct(&f, 8), GS_ACTIVE); /* undeclared */
	fx_grant(&f, lz, fx_garn(&f, 22), fx_acct(&f, 7), GS_PENDING_ACCEPT);
	fx_grant(&f, lz, fx_garn(&f, 23), fx_acct(&f, 2), GS_ACTIVE);
	fx_grant(&f, lz, fx_garn(&f, 24), fx_acct(&f, 2), GS_ACTIVE); /* duplicate */

	la = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, la, fx_garn(&f, 10), fx_acct(&f, 9), GS_ACTIVE); /* undeclared */
	fx_grant(&f, la, fx_garn(&f, 11), fx_acct(&f, 5), GS_REJECTED);
	fx_grant(&f, la, fx_garn(&f, 12), fx_acct(&f, 4), GS_PENDING_WORKFLOW);
	fx_grant(&f, la, fx_garn(&f, 13), fx_acct(&f, 3), GS_DISABLED);
	fx_grant_ops(fx_grant(&f, la, fx_garn(&f, 14), fx_acct(&f, 2), GS_ACTIVE), OTHER_OPS,
		     ARRAY_LEN(OTHER_OPS));

	p = build(&f);
	ck_assert_uint_eq(p->nactions, ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const struct action *a = &p->actions[i];

		ck_assert_msg(a->kind == want[i].kind, "action %zu: %s", i, action_kind_name(a->kind));
		ck_assert_str_eq(a->model, want[i].model);
		if (want[i].acct)
			ck_assert_str_eq(a->principal_arn, fx_acct(&f, want[i].acct));
		else
			ck_assert_ptr_null(a->principal_arn);
	}
	ck_assert_str_eq(p->actions[7].grant_arn, fx_garn(&f, 24));
	ck_assert_str_eq(p->actions[7].target_label, "account 000000000002");
	ck_assert_uint_eq(p->counts[ACT_CREATE], 3);
	ck_assert_uint_eq(p->counts[ACT_UPDATE], 1);
	ck_assert_uint_eq(p->counts[ACT_ACCEPT], 1);
	ck_assert_uint_eq(p->counts[ACT_ACTIVATE], 1);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 4);
	ck_assert_uint_eq(p->counts[ACT_BLOCKED], 2);
	ck_assert_uint_eq(p->counts[ACT_WAITING], 1);
	ck_assert_uint_eq(plan_changes(p), 10);
	ck_assert_uint_eq(p->nerrors, 1); /* mid; REJECTED is not an error */
	fx_free(&f);
}
END_TEST

/* The same input gives the same plan. */
START_TEST(test_deterministic)
{
	struct fx f = { 0 };
	struct plan again = { 0 };
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	li = fx_license(&f, fx_lic(&f, 1));
	for (unsigned i = 0; i < 50; i++) {
		fx_target_acct(&f, mi, i);
		fx_grant(&f, li, fx_garn(&f, i), fx_acct(&f, (i * 7) % 60), (enum grant_status)(i % 10));
	}
	f.d.max_deletes = 1000;
	build(&f);
	plan_build(&f.d, &f.o, &again);
	ck_assert_uint_eq(again.nactions, f.p.nactions);
	for (size_t i = 0; i < again.nactions; i++) {
		ck_assert_int_eq(again.actions[i].kind, f.p.actions[i].kind);
		ck_assert_pstr_eq(again.actions[i].grant_arn, f.p.actions[i].grant_arn);
		ck_assert_pstr_eq(again.actions[i].principal_arn, f.p.actions[i].principal_arn);
		ck_assert_str_eq(again.actions[i].reason, f.p.actions[i].reason);
	}
	plan_free(&again);
	fx_free(&f);
}
END_TEST

START_TEST(test_empty)
{
	struct desired d = { 0 };
	struct observed o = { 0 };
	struct plan p = { 0 };

	plan_build(&d, &o, &p);
	ck_assert_uint_eq(p.nactions, 0);
	ck_assert_uint_eq(p.nerrors, 0);
	ck_assert_uint_eq(plan_changes(&p), 0);
	plan_free(&p);
}
END_TEST

START_TEST(test_plan_free_safe)
{
	struct plan p = { 0 };

	plan_free(NULL);
	plan_free(&p);
	plan_free(&p);
	ck_assert_uint_eq(plan_changes(&p), 0);
}
END_TEST

START_TEST(test_kind_names)
{
	static const char *const names[] = {
		"create", "update", "accept", "activate", "delete", "blocked", "waiting",
	};

	ck_assert_uint_eq(ARRAY_LEN(names), ACT_KIND_COUNT);
	for (size_t k = 0; k < ACT_KIND_COUNT; k++)
		ck_assert_str_eq(action_kind_name((enum action_kind)k), names[k]);
	ck_assert_str_eq(action_kind_name(ACT_KIND_COUNT), "unknown");
}
END_TEST

/* ---- scale: 20 licenses x 500 accounts ---- */

/* Each model declares 500 accounts; every account but those where
 * skip(i) holds has an ACTIVE grant. */
static void setup_scale(struct fx *f, unsigned skip_every)
{
	fx_init(f);
	for (unsigned l = 0; l < 20; l++) {
		char *name = xasprintf("model-%02u", l);
		size_t mi = fx_model(f, name, fx_lic(f, l));
		size_t li = fx_license(f, fx_lic(f, l));

		free(name);
		for (unsigned a = 0; a < 500; a++) {
			/* Declared and listed in different orders. */
			unsigned acct = 100000 + (a * 37) % 500;

			fx_target_acct(f, mi, acct);
			if (skip_every && a % skip_every == 0)
				continue;
			fx_grant(f, li, fx_garn(f, l * 1000 + a), fx_acct(f, 100000 + a), GS_ACTIVE);
		}
	}
}

START_TEST(test_scale_all_present)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;

	setup_scale(&f, 0);
	p = build(&f);
	ck_assert_uint_eq(p->nactions, 0);
	ck_assert_uint_eq(p->nerrors, 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_scale_one_percent_missing)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;

	setup_scale(&f, 100);
	p = build(&f);
	ck_assert_uint_eq(p->nactions, 100);
	ck_assert_uint_eq(p->counts[ACT_CREATE], 100);
	ck_assert_uint_eq(plan_changes(p), 100);
	ck_assert_uint_eq(p->nerrors, 0);
	for (size_t i = 0; i < p->nactions; i++) {
		const char *id = p->actions[i].principal_arn + strlen("arn:aws:iam::");

		ck_assert_uint_eq(strtoul(id, NULL, 10) % 100, 0);
	}
	fx_free(&f);
}
END_TEST

START_TEST(test_scale_undeclared)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	f.d.max_deletes = 2000;
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target(&f, mi, TARGET_ORGANIZATION, "organization", fx_org(&f));
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 99999), fx_org(&f), GS_WORKFLOW_COMPLETED);
	for (unsigned i = 0; i < 2000; i++) {
		fx_grant(&f, li, fx_garn(&f, i), fx_acct(&f, i), GS_ACTIVE);
		fx_subgrant(&f, li, fx_garn(&f, 100000 + i), fx_garn(&f, 99999), fx_acct(&f, i),
			    i == 1234 ? GS_DISABLED : GS_ACTIVE);
	}
	p = build(&f);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 2000);
	ck_assert_uint_eq(p->counts[ACT_ACTIVATE], 1);
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "arn:aws:iam::000000001234:root"));
	ck_assert(!p->deletes_withheld);
	for (size_t i = 1; i < p->nactions; i++)
		ck_assert_str_eq(p->actions[i].grant_arn, fx_garn(&f, (unsigned)i - 1));
	fx_free(&f);
}
END_TEST

/* ---- the planner: one license at a time ---- */

/* Three licenses with something of every kind: creates, an update, an
 * activation, duplicates, undeclared grants (deletes), a REJECTED grant,
 * plus a model whose license could not be read. */
static void mixed_estate(struct fx *f, unsigned max_deletes)
{
	size_t unreadable = 0;

	fx_init(f);
	f->d.max_deletes = max_deletes;
	for (unsigned l = 1; l <= 3; l++) {
		size_t mi = fx_model(f, l == 1 ? "c" : l == 2 ? "a" : "b", fx_lic(f, l));
		size_t li = fx_license(f, fx_lic(f, l));

		for (unsigned t = 0; t < 6; t++)
			fx_target_acct(f, mi, l * 100 + t);
		fx_grant(f, li, fx_garn(f, l * 100 + 1), fx_acct(f, l * 100 + 1), GS_ACTIVE);
		fx_grant_ops(fx_grant(f, li, fx_garn(f, l * 100 + 2), fx_acct(f, l * 100 + 2), GS_ACTIVE),
			     OTHER_OPS, ARRAY_LEN(OTHER_OPS));
		fx_grant(f, li, fx_garn(f, l * 100 + 3), fx_acct(f, l * 100 + 3), GS_DISABLED);
		fx_grant(f, li, fx_garn(f, l * 100 + 4), fx_acct(f, l * 100 + 4), GS_REJECTED);
		fx_grant(f, li, fx_garn(f, l * 100 + 5), fx_acct(f, l * 100 + 1), GS_DISABLED);
		fx_grant(f, li, fx_garn(f, l * 100 + 6), fx_acct(f, l * 100 + 99), GS_ACTIVE);
	}
	fx_model(f, "d", fx_lic(f, 4));
	fx_target_acct(f, 3, 400);
	unreadable = fx_license(f, fx_lic(f, 4));
	f->o.licenses[unreadable].read_ok = false;
	f->o.licenses[unreadable].read_error = xstrdup("page 2 failed");
}

static void assert_same_plan(const struct plan *a, const struct plan *b)
{
	ck_assert_uint_eq(a->nactions, b->nactions);
	ck_assert_uint_eq(a->nerrors, b->nerrors);
	ck_assert(a->deletes_withheld == b->deletes_withheld);
	for (size_t k = 0; k < ACT_KIND_COUNT; k++)
		ck_assert_uint_eq(a->counts[k], b->counts[k]);
	for (size_t i = 0; i < a->nactions; i++) {
		const struct action *x = &a->actions[i], *y = &b->actions[i];

		ck_assert_int_eq(x->kind, y->kind);
		ck_assert_pstr_eq(x->model, y->model);
		ck_assert_pstr_eq(x->principal_arn, y->principal_arn);
		ck_assert_pstr_eq(x->grant_arn, y->grant_arn);
		ck_assert_pstr_eq(x->version, y->version);
		ck_assert_int_eq(x->status, y->status);
		ck_assert_int_eq(x->blocked_by, y->blocked_by);
		ck_assert(x->withheld == y->withheld);
		ck_assert_str_eq(x->reason, y->reason);
	}
}

/* f's licenses through a planner, last first when reverse, each one's
 * grants freed right after it was added when drop_grants. */
static void plan_by_license(struct fx *f, bool reverse, bool drop_grants, struct plan *out)
{
	struct planner *pl = planner_new(&f->d);

	for (size_t k = 0; k < f->o.nlicenses; k++) {
		struct observed_license *l = &f->o.licenses[reverse ? f->o.nlicenses - 1 - k : k];

		planner_add_license(pl, l);
		if (drop_grants) /* as a pass does: the plan must not need them after */
			observed_license_drop_grants(l);
	}
	planner_finish(pl, out);
}

START_TEST(test_planner_outlives_grants)
{
	struct fx ref = { 0 }, f = { 0 };
	struct plan p = { 0 };

	mixed_estate(&ref, 100);
	fx_plan(&ref);
	check_invariants(&ref.p);
	ck_assert_uint_gt(ref.p.counts[ACT_CREATE], 0);
	ck_assert_uint_gt(ref.p.counts[ACT_UPDATE], 0);
	ck_assert_uint_gt(ref.p.counts[ACT_ACTIVATE], 0);
	ck_assert_uint_gt(ref.p.counts[ACT_DELETE], 0);
	ck_assert_uint_eq(ref.p.counts[ACT_BLOCKED], 4); /* 3 REJECTED, 1 unreadable */
	for (size_t i = 0; i < ref.p.nactions; i++)
		if (ref.p.actions[i].kind == ACT_BLOCKED)
			ck_assert_int_eq(ref.p.actions[i].blocked_by,
					 ref.p.actions[i].grant_arn ? BLOCK_REJECTED : BLOCK_UNREADABLE);
	ck_assert_uint_eq(ref.p.counts[ACT_DELETE], 6);

	mixed_estate(&f, 100);
	plan_by_license(&f, false, true, &p);
	assert_same_plan(&p, &ref.p);
	plan_free(&p);
	fx_free(&f);
	fx_free(&ref);
}
END_TEST

START_TEST(test_planner_any_order)
{
	struct fx f = { 0 };
	struct plan p = { 0 };

	mixed_estate(&f, 100);
	fx_plan(&f);
	plan_by_license(&f, true, false, &p);
	assert_same_plan(&p, &f.p);
	plan_free(&p);
	fx_free(&f);
}
END_TEST

/* max_deletes counts the accounts that lose access on every license,
 * however they arrive: each license has one undeclared ACTIVE account
 * grant (a loss) and one duplicate (none). */
START_TEST(test_planner_max_deletes_whole_plan)
{
	struct fx f = { 0 };
	struct plan p = { 0 };

	mixed_estate(&f, 3);
	plan_by_license(&f, false, false, &p);
	ck_assert_uint_eq(p.counts[ACT_DELETE], 6);
	ck_assert_uint_eq(p.losses, 3);
	ck_assert(!p.deletes_withheld);
	plan_free(&p);
	fx_free(&f);

	mixed_estate(&f, 2);
	plan_by_license(&f, false, false, &p);
	ck_assert_uint_eq(p.losses, 3);
	ck_assert(p.deletes_withheld);
	for (size_t i = 0; i < p.nactions; i++)
		ck_assert(p.actions[i].withheld == (p.actions[i].kind == ACT_DELETE));
	plan_free(&p);
	fx_free(&f);
}
END_TEST

/* A second answer for a license already planned changes nothing: the
 * first one counts, as when a listing repeats a license. */
START_TEST(test_planner_first_answer_counts)
{
	struct fx f = { 0 };
	struct planner *pl = NULL;
	struct plan p = { 0 };
	struct observed_license failed = { 0 };

	mixed_estate(&f, 100);
	fx_plan(&f);
	failed.license_arn = xstrdup(f.o.licenses[0].license_arn);
	failed.read_error = xstrdup("page 2 failed");
	pl = planner_new(&f.d);
	for (size_t i = 0; i < f.o.nlicenses; i++)
		planner_add_license(pl, &f.o.licenses[i]);
	planner_add_license(pl, &failed);
	planner_finish(pl, &p);
	assert_same_plan(&p, &f.p);
	plan_free(&p);
	free(failed.license_arn);
	free(failed.read_error);
	fx_free(&f);
}
END_TEST

struct add_job {
	struct planner *pl;
	const struct observed_license *lic;
};

static void *add_in_thread(void *arg)
{
	struct add_job *job = arg;

	planner_add_license(job->pl, job->lic);
	return NULL;
}

/* As a pass calls it: from worker threads, one license each. */
START_TEST(test_planner_concurrent)
{
	struct fx f = { 0 };
	struct planner *pl = NULL;
	struct plan p = { 0 };
	pthread_t threads[8];
	struct add_job jobs[8];

	fx_init(&f);
	f.d.max_deletes = 1000;
	for (unsigned l = 0; l < ARRAY_LEN(threads); l++) {
		size_t mi = fx_model(&f, l % 2 ? "odd" : "even", fx_lic(&f, l));
		size_t li = fx_license(&f, fx_lic(&f, l));

		for (unsigned t = 0; t < 300; t++) {
			fx_target_acct(&f, mi, t);
			if (t % 3)
				fx_grant(&f, li, fx_garn(&f, l * 1000 + t), fx_acct(&f, t + t % 2),
					 t % 5 ? GS_ACTIVE : GS_DISABLED);
		}
	}
	fx_plan(&f);
	pl = planner_new(&f.d);
	for (unsigned l = 0; l < ARRAY_LEN(threads); l++) {
		jobs[l] = (struct add_job){ pl, &f.o.licenses[l] };
		ck_assert_int_eq(pthread_create(&threads[l], NULL, add_in_thread, &jobs[l]), 0);
	}
	for (unsigned l = 0; l < ARRAY_LEN(threads); l++)
		pthread_join(threads[l], NULL);
	planner_finish(pl, &p);
	ck_assert_uint_gt(p.nactions, 1000);
	assert_same_plan(&p, &f.p);
	plan_free(&p);
	fx_free(&f);
}
END_TEST

/* ---- issue 12: real AWS rules ---- */

/* A model with an OU target covering accounts 1 and 2, on license 1. */
static size_t ou_model(struct fx *f, const char *ou)
{
	size_t mi = fx_model(f, "m", fx_lic(f, 1));

	fx_target(f, mi, TARGET_OU, "ou Workloads", ou);
	fx_cover(f, mi, fx_acct(f, 1));
	fx_cover(f, mi, fx_acct(f, 2));
	return mi;
}

/* organization: true changed to ous: [Workloads] (SPEC 4.3): while the OU
 * grant is not active in accounts 1 and 2, the organization grant waits,
 * and the OU grant is activated with AWS's swap because the accounts still
 * hold the organization's sub-grants. */
START_TEST(test_make_before_break)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const struct action *a = NULL;
	const char *ou = NULL, *org = NULL;
	size_t li = 0;

	fx_init(&f);
	ou = fx_ou(&f, "ou-ab12-wkld0001");
	org = fx_org(&f);
	ou_model(&f, ou);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), org, GS_WORKFLOW_COMPLETED);
	for (unsigned i = 1; i <= 3; i++)
		fx_subgrant(&f, li, fx_garn(&f, 10 + i), fx_garn(&f, 1), fx_acct(&f, i), GS_ACTIVE);
	fx_grant(&f, li, fx_garn(&f, 2), ou, GS_DISABLED);

	p = build(&f);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 0);
	a = find(p, ACT_ACTIVATE, ou);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->override, "ALL_GRANTS_PERMITTED_BY_ISSUER");
	ck_assert_uint_eq(a->naccounts, 2);
	a = find(p, ACT_WAITING, org);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(strstr(a->reason, "replacement not active yet for 2 account(s)"));
	ck_assert_uint_eq(p->nerrors, 0);

	/* Without prune the organization grant stays, so no swap either. */
	f.d.prune = false;
	p = build(&f);
	ck_assert_ptr_null(find(p, ACT_ACTIVATE, ou)->override);
	ck_assert_ptr_null(find(p, ACT_WAITING, org));
	f.d.prune = true;

	/* The OU grant active in 1 and 2: the organization grant goes, and
	 * only account 3 loses access. */
	f.o.licenses[li].grants[1].status = GS_WORKFLOW_COMPLETED;
	fx_subgrant(&f, li, fx_garn(&f, 21), fx_garn(&f, 2), fx_acct(&f, 1), GS_ACTIVE);
	fx_subgrant(&f, li, fx_garn(&f, 22), fx_garn(&f, 2), fx_acct(&f, 2), GS_ACTIVE);
	p = build(&f);
	a = find(p, ACT_DELETE, org);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->losses, 1);
	ck_assert_uint_eq(p->losses, 1);
	ck_assert(!p->deletes_withheld);

	/* One account of the OU still without its sub-grant active: wait. */
	f.o.licenses[li].subgrants[4].status = GS_PENDING_WORKFLOW;
	p = build(&f);
	ck_assert_ptr_null(find(p, ACT_DELETE, org));
	ck_assert_ptr_nonnull(strstr(find(p, ACT_WAITING, org)->reason, "1 account(s)"));

	/* The valve counts accounts cut off: one is more than zero. */
	f.o.licenses[li].subgrants[4].status = GS_ACTIVE;
	f.d.max_deletes = 0;
	p = build(&f);
	ck_assert(p->deletes_withheld);
	ck_assert_uint_eq(p->nerrors, 1);
	fx_free(&f);
}
END_TEST

/* Deleting duplicates cuts no account off: 30 of them pass a valve of 10. */
START_TEST(test_duplicates_cost_nothing)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	li = fx_license(&f, fx_lic(&f, 1));
	for (unsigned i = 1; i <= 30; i++) {
		fx_target_acct(&f, mi, i);
		fx_grant(&f, li, fx_garn(&f, i), fx_acct(&f, i), GS_ACTIVE);
		fx_grant(&f, li, fx_garn(&f, 100 + i), fx_acct(&f, i), GS_DISABLED);
	}
	p = build(&f);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 30);
	ck_assert_uint_eq(p->losses, 0);
	ck_assert(!p->deletes_withheld);
	for (size_t i = 0; i < p->nactions; i++)
		ck_assert_int_eq(p->actions[i].status, GS_DISABLED); /* the ACTIVE copies stay */
	fx_free(&f);
}
END_TEST

/* Two copies in one status: the smaller GrantArn stays, whatever the
 * listing order, so two instances delete the same copy. */
START_TEST(test_keeper_total_order)
{
	for (int order = 0; order < 2; order++) {
		struct fx f = { 0 };
		const struct plan *p = NULL;
		size_t mi = 0, li = 0;

		fx_init(&f);
		mi = fx_model(&f, "m", fx_lic(&f, 1));
		fx_target_acct(&f, mi, 1);
		li = fx_license(&f, fx_lic(&f, 1));
		fx_grant(&f, li, fx_garn(&f, order ? 9 : 5), fx_acct(&f, 1), GS_ACTIVE);
		fx_grant(&f, li, fx_garn(&f, order ? 5 : 9), fx_acct(&f, 1), GS_ACTIVE);
		p = build(&f);
		ck_assert_uint_eq(p->counts[ACT_DELETE], 1);
		ck_assert_str_eq(find(p, ACT_DELETE, NULL)->grant_arn, fx_garn(&f, 9));
		fx_free(&f);
	}
}
END_TEST

/* SPEC 4.2: a grant lmgrantd activated that AWS kept DISABLED is not
 * activated again before retry_after; it is reported, with AWS's reason. */
START_TEST(test_activation_not_repeated)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const struct action *a = NULL;
	size_t mi = 0, li = 0;
	struct grant *g = NULL;

	fx_init(&f);
	f.d.memory = memory_new();
	f.d.now = 1000000;
	f.d.retry_after_s = 3600;
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	g = fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_DISABLED);
	g->status_reason = xstrdup("Another license for this product is already active");

	ck_assert_ptr_nonnull(find(build(&f), ACT_ACTIVATE, NULL));
	f.d.override = "DISTRIBUTED_GRANTS_ONLY";
	memory_note_activation(f.d.memory, fx_garn(&f, 1), NULL, "DISTRIBUTED_GRANTS_ONLY", 1000000 - 60);
	p = build(&f);
	ck_assert_ptr_null(find(p, ACT_ACTIVATE, NULL));
	a = find(p, ACT_BLOCKED, fx_acct(&f, 1));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->blocked_by, BLOCK_ACTIVATION);
	ck_assert_ptr_nonnull(strstr(a->reason, "Another license for this product is already active"));
	ck_assert_ptr_nonnull(strstr(a->reason, "ALL_GRANTS_PERMITTED_BY_ISSUER"));
	ck_assert_str_eq(a->status_reason, "Another license for this product is already active");
	ck_assert_uint_eq(p->nerrors, 0);
	ck_assert_uint_eq(plan_changes(p), 0);

	/* Another override configured: a new decision, activated at once. */
	f.d.override = "ALL_GRANTS_PERMITTED_BY_ISSUER";
	ck_assert_ptr_nonnull(find(build(&f), ACT_ACTIVATE, NULL));
	f.d.override = "DISTRIBUTED_GRANTS_ONLY";

	/* After retry_after, once more. */
	f.d.now = 1000000 + 3600;
	ck_assert_ptr_nonnull(find(build(&f), ACT_ACTIVATE, NULL));
	memory_free(f.d.memory);
	fx_free(&f);
}
END_TEST

/* Under an OU grant: the account AWS kept DISABLED is blocked, an account
 * that joined since gets the parent activated again, for it alone. */
START_TEST(test_subgrant_activation_not_repeated)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const struct action *a = NULL;
	const char *ou = NULL;
	size_t li = 0;

	fx_init(&f);
	f.d.memory = memory_new();
	f.d.now = 5000;
	f.d.retry_after_s = 3600;
	ou = fx_ou(&f, "ou-ab12-wkld0001");
	ou_model(&f, ou);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), ou, GS_WORKFLOW_COMPLETED);
	fx_subgrant(&f, li, fx_garn(&f, 11), fx_garn(&f, 1), fx_acct(&f, 1), GS_DISABLED)->status_reason =
		xstrdup("held by another grant");
	fx_subgrant(&f, li, fx_garn(&f, 12), fx_garn(&f, 1), fx_acct(&f, 2), GS_DISABLED);
	f.d.override = "DISTRIBUTED_GRANTS_ONLY";
	memory_note_activation(f.d.memory, fx_garn(&f, 1), fx_acct(&f, 1), "DISTRIBUTED_GRANTS_ONLY", 4000);

	p = build(&f);
	a = find(p, ACT_ACTIVATE, ou);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->naccounts, 1);
	ck_assert_str_eq(a->accounts[0], fx_acct(&f, 2));
	a = find(p, ACT_BLOCKED, fx_acct(&f, 1));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->blocked_by, BLOCK_ACTIVATION);
	ck_assert_str_eq(a->target_label, "ou Workloads");
	ck_assert_ptr_nonnull(strstr(a->reason, "held by another grant"));

	/* Both held: nothing to activate. */
	memory_note_activation(f.d.memory, fx_garn(&f, 1), fx_acct(&f, 2), "DISTRIBUTED_GRANTS_ONLY", 4000);
	p = build(&f);
	ck_assert_ptr_null(find(p, ACT_ACTIVATE, NULL));
	ck_assert_uint_eq(p->counts[ACT_BLOCKED], 2);
	memory_free(f.d.memory);
	fx_free(&f);
}
END_TEST

/* SPEC 4.2: FAILED_WORKFLOW is an error with AWS's reason, recreated at
 * most once per failed_retry. */
START_TEST(test_failed_workflow)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const struct action *a = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	f.d.memory = memory_new();
	f.d.now = 9000;
	f.d.failed_retry_s = 3600;
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_FAILED_WORKFLOW)->status_reason =
		xstrdup("service-linked role missing");
	memory_note_create(f.d.memory, fx_lic(&f, 1), fx_acct(&f, 1), 8000);

	p = build(&f);
	ck_assert_ptr_null(find(p, ACT_CREATE, NULL));
	a = find(p, ACT_BLOCKED, fx_acct(&f, 1));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->blocked_by, BLOCK_FAILED);
	ck_assert_ptr_nonnull(strstr(a->reason, "service-linked role missing"));
	ck_assert_uint_eq(p->nerrors, 1);

	f.d.now = 8000 + 3600;
	p = build(&f);
	a = find(p, ACT_CREATE, fx_acct(&f, 1));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->status, GS_FAILED_WORKFLOW);
	ck_assert_str_eq(a->status_reason, "service-linked role missing");
	memory_free(f.d.memory);
	fx_free(&f);
}
END_TEST

/* SPEC 4.1: a sub-grant that ListDistributedGrants lists (ParentArn a
 * grant) is never planned as a grant of its own. */
START_TEST(test_listed_subgrant_ignored)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0;
	struct grant *g = NULL;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), fx_acct(&f, 1), GS_ACTIVE);
	g = fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 7), GS_ACTIVE);
	g->parent_arn = xstrdup(fx_garn(&f, 50));
	g = fx_grant(&f, li, fx_garn(&f, 3), fx_acct(&f, 1), GS_DISABLED);
	g->parent_arn = xstrdup(fx_garn(&f, 50));
	p = build(&f);
	ck_assert_uint_eq(p->nactions, 0);
	fx_free(&f);
}
END_TEST

/* A hand-made active grant inside a declared OU (SPEC 4.3): kept with
 * prune: false (the OU grant's activation is the plain one); with prune
 * the OU grant swaps it out, and it is deleted once the sub-grant is
 * active. */
START_TEST(test_hand_made_grant_in_declared_ou)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	const char *ou = NULL;
	size_t li = 0;

	fx_init(&f);
	ou = fx_ou(&f, "ou-ab12-wkld0001");
	ou_model(&f, ou);
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 1), ou, GS_WORKFLOW_COMPLETED);
	fx_subgrant(&f, li, fx_garn(&f, 11), fx_garn(&f, 1), fx_acct(&f, 1), GS_DISABLED);
	fx_subgrant(&f, li, fx_garn(&f, 12), fx_garn(&f, 1), fx_acct(&f, 2), GS_ACTIVE);
	fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 1), GS_ACTIVE);

	f.d.prune = false;
	p = build(&f);
	ck_assert_ptr_null(find(p, ACT_ACTIVATE, ou)->override);
	ck_assert_uint_eq(p->counts[ACT_DELETE] + p->counts[ACT_WAITING], 0);

	f.d.prune = true;
	p = build(&f);
	ck_assert_str_eq(find(p, ACT_ACTIVATE, ou)->override, "ALL_GRANTS_PERMITTED_BY_ISSUER");
	ck_assert_ptr_nonnull(find(p, ACT_WAITING, fx_acct(&f, 1)));
	ck_assert_uint_eq(p->counts[ACT_DELETE], 0);

	/* After the swap: the sub-grant ACTIVE, the hand-made grant DISABLED. */
	f.o.licenses[li].subgrants[0].status = GS_ACTIVE;
	f.o.licenses[li].grants[1].status = GS_DISABLED;
	p = build(&f);
	ck_assert_ptr_nonnull(find(p, ACT_DELETE, fx_acct(&f, 1)));
	ck_assert_uint_eq(p->losses, 0);
	ck_assert_ptr_null(find(p, ACT_ACTIVATE, NULL));
	fx_free(&f);
}
END_TEST

/* SPEC 2: a model whose targets overlap gets nothing done and fails the pass. */
START_TEST(test_overlap_blocks_model)
{
	struct fx f = { 0 };
	const struct plan *p = NULL;
	size_t mi = 0, li = 0;

	fx_init(&f);
	mi = fx_model(&f, "m", fx_lic(&f, 1));
	fx_target_acct(&f, mi, 1);
	f.d.models[mi].error = xstrdup("ou A and account 1 both cover it");
	f.d.models[mi].overlap = true;
	li = fx_license(&f, fx_lic(&f, 1));
	fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 9), GS_ACTIVE);
	p = build(&f);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_int_eq(p->actions[0].blocked_by, BLOCK_OVERLAP);
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "targets overlap"));
	ck_assert_uint_eq(p->nerrors, 1);
	fx_free(&f);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("status");

	tcase_add_loop_test(tc, test_status_table, 0, ARRAY_LEN(status_rows));
	tcase_add_loop_test(tc, test_ops_differ, 0, ARRAY_LEN(ops_rows));
	tcase_add_test(tc, test_ops_same_set_other_order);
	tcase_add_test(tc, test_subgrant_of_other_parent);
	suite_add_tcase(s, tc);

	tc = tcase_create("prune");
	tcase_add_test(tc, test_undeclared_deleted_with_prune);
	tcase_add_test(tc, test_undeclared_by_status);
	tcase_add_loop_test(tc, test_duplicates, 0, ARRAY_LEN(dup_rows));
	tcase_add_test(tc, test_tombstone_and_live);
	tcase_add_test(tc, test_max_deletes_at_limit);
	tcase_add_test(tc, test_max_deletes_over);
	tcase_add_test(tc, test_max_deletes_zero);
	tcase_add_test(tc, test_max_deletes_across_licenses);
	suite_add_tcase(s, tc);

	tc = tcase_create("aws-rules");
	tcase_add_test(tc, test_make_before_break);
	tcase_add_test(tc, test_duplicates_cost_nothing);
	tcase_add_test(tc, test_keeper_total_order);
	tcase_add_test(tc, test_activation_not_repeated);
	tcase_add_test(tc, test_subgrant_activation_not_repeated);
	tcase_add_test(tc, test_failed_workflow);
	tcase_add_test(tc, test_listed_subgrant_ignored);
	tcase_add_test(tc, test_hand_made_grant_in_declared_ou);
	tcase_add_test(tc, test_overlap_blocks_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("unplannable");
	tcase_add_test(tc, test_unresolved_model_error);
	tcase_add_test(tc, test_unresolved_license_and_target);
	tcase_add_test(tc, test_read_failed);
	tcase_add_test(tc, test_license_not_observed);
	tcase_add_test(tc, test_undeclared_license_untouched);
	tcase_add_test(tc, test_shared_license);
	tcase_add_test(tc, test_same_principal_twice);
	suite_add_tcase(s, tc);

	tc = tcase_create("plan");
	tcase_add_test(tc, test_ordering);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_plan_free_safe);
	tcase_add_test(tc, test_kind_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("planner");
	tcase_add_test(tc, test_planner_outlives_grants);
	tcase_add_test(tc, test_planner_any_order);
	tcase_add_test(tc, test_planner_max_deletes_whole_plan);
	tcase_add_test(tc, test_planner_first_answer_counts);
	tcase_add_test(tc, test_planner_concurrent);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scale_all_present);
	tcase_add_test(tc, test_scale_one_percent_missing);
	tcase_add_test(tc, test_scale_undeclared);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(plan_suite());
}
