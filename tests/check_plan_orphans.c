/*
 * Unit tests for planner_add_orphan_license (SPEC §4.3 orphans): the
 * grants lmgrantd made on a license no model declares are deleted under
 * prune and the max_deletes valve; grants it did not make never are.
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "plan_fixture.h"

/* f's models and licenses planned as usual, then license li added as an
 * orphan (it must be claimed by no model). */
static const struct plan *plan_with_orphan(struct fx *f, size_t li)
{
	struct planner *p = planner_new(&f->d);

	plan_free(&f->p);
	for (size_t i = 0; i < f->o.nlicenses; i++)
		if (i != li)
			planner_add_license(p, &f->o.licenses[i]);
	planner_add_orphan_license(p, &f->o.licenses[li]);
	planner_finish(p, &f->p);
	return &f->p;
}

static void set_name(struct grant *g, const char *name)
{
	free(g->name);
	g->name = name ? xstrdup(name) : NULL;
}

/* A model on license 1 (in sync) and license 2 that no model declares:
 * two grants lmgrantd made, one by hand, one named like lmgrantd's but not
 * its, one nameless, one already going away. */
static size_t orphan_fixture(struct fx *f)
{
	size_t mi = 0, li = 0;

	fx_init(f);
	mi = fx_model(f, "kept", fx_lic(f, 1));
	fx_target_acct(f, mi, 1);
	fx_grant(f, fx_license(f, fx_lic(f, 1)), fx_garn(f, 1), fx_acct(f, 1), GS_ACTIVE);
	li = fx_license(f, fx_lic(f, 2));
	set_name(fx_grant(f, li, fx_garn(f, 2), fx_acct(f, 2), GS_ACTIVE), "lmgrantd:gone");
	set_name(fx_grant(f, li, fx_garn(f, 3), fx_ou(f, "ou-ab12-prod0001"), GS_WORKFLOW_COMPLETED),
		 "lmgrantd:gone");
	set_name(fx_grant(f, li, fx_garn(f, 4), fx_acct(f, 4), GS_ACTIVE), "by-hand");
	set_name(fx_grant(f, li, fx_garn(f, 5), fx_acct(f, 5), GS_ACTIVE), "lmgrantd-ish");
	set_name(fx_grant(f, li, fx_garn(f, 6), fx_acct(f, 6), GS_ACTIVE), NULL);
	set_name(fx_grant(f, li, fx_garn(f, 7), fx_acct(f, 7), GS_PENDING_DELETE), "lmgrantd:gone");
	set_name(fx_grant(f, li, fx_garn(f, 8), fx_acct(f, 8), GS_DELETED), "lmgrantd:gone");
	return li;
}

START_TEST(test_orphans_deleted)
{
	struct fx f = { 0 };
	size_t li = orphan_fixture(&f);
	const struct plan *p = plan_with_orphan(&f, li);

	ck_assert_uint_eq(p->nactions, 2);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 2);
	ck_assert_uint_eq(p->nerrors, 0);
	ck_assert_str_eq(p->actions[0].grant_arn, fx_garn(&f, 2));
	ck_assert_str_eq(p->actions[1].grant_arn, fx_garn(&f, 3));
	for (size_t i = 0; i < 2; i++) {
		ck_assert_ptr_null(p->actions[i].model);
		ck_assert_str_eq(p->actions[i].license_arn, fx_lic(&f, 2));
		ck_assert_str_eq(p->actions[i].version, "1");
		ck_assert_ptr_nonnull(strstr(p->actions[i].reason, "model gone"));
	}
	ck_assert(p->actions[0].is_account);
	ck_assert(!p->actions[1].is_account);
	fx_free(&f);
}
END_TEST

START_TEST(test_orphans_need_prune)
{
	struct fx f = { 0 };
	size_t li = orphan_fixture(&f);

	f.d.prune = false;
	ck_assert_uint_eq(plan_with_orphan(&f, li)->nactions, 0);
	fx_free(&f);
}
END_TEST

/* The valve counts the accounts orphans cut off (SPEC 4.3), with the
 * declared models' deletes: an ACTIVE account grant one, an OU grant its
 * ACTIVE sub-grants' accounts, an account cut off twice once. */
START_TEST(test_orphans_counted_by_valve)
{
	struct fx f = { 0 };
	size_t li = orphan_fixture(&f);
	const struct plan *p = NULL;

	fx_subgrant(&f, li, fx_garn(&f, 20), fx_garn(&f, 3), fx_acct(&f, 10), GS_ACTIVE);
	fx_subgrant(&f, li, fx_garn(&f, 21), fx_garn(&f, 3), fx_acct(&f, 11), GS_ACTIVE);
	fx_subgrant(&f, li, fx_garn(&f, 22), fx_garn(&f, 3), fx_acct(&f, 2), GS_ACTIVE);
	fx_subgrant(&f, li, fx_garn(&f, 23), fx_garn(&f, 3), fx_acct(&f, 12), GS_DISABLED);
	fx_grant(&f, 0, fx_garn(&f, 9), fx_acct(&f, 9), GS_ACTIVE); /* undeclared on license 1 */
	f.d.max_deletes = 4;
	p = plan_with_orphan(&f, li);
	ck_assert_uint_eq(p->counts[ACT_DELETE], 3);
	ck_assert_uint_eq(p->losses, 4);
	ck_assert(!p->deletes_withheld);
	f.d.max_deletes = 3;
	p = plan_with_orphan(&f, li);
	ck_assert(p->deletes_withheld);
	ck_assert_uint_eq(plan_changes(p), 0);
	ck_assert_uint_eq(p->nerrors, 1);
	fx_free(&f);
}
END_TEST

START_TEST(test_orphan_license_unreadable)
{
	struct fx f = { 0 };
	size_t li = orphan_fixture(&f);
	const struct plan *p = NULL;

	f.o.licenses[li].read_ok = false;
	f.o.licenses[li].read_error = xstrdup("AccessDeniedException");
	p = plan_with_orphan(&f, li);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_int_eq(p->actions[0].kind, ACT_BLOCKED);
	ck_assert_int_eq(p->actions[0].blocked_by, BLOCK_UNREADABLE);
	ck_assert_uint_eq(p->nerrors, 1);
	fx_free(&f);
}
END_TEST

/* The model name in the reason comes from AWS: escaped. */
START_TEST(test_orphan_reason_escaped)
{
	struct fx f = { 0 };
	size_t li = 0;
	const struct plan *p = NULL;

	fx_init(&f);
	li = fx_license(&f, fx_lic(&f, 2));
	set_name(fx_grant(&f, li, fx_garn(&f, 2), fx_acct(&f, 2), GS_ACTIVE), "lmgrantd:a\nb\x1b");
	p = plan_with_orphan(&f, li);
	ck_assert_uint_eq(p->nactions, 1);
	ck_assert_ptr_nonnull(strstr(p->actions[0].reason, "a\\x0Ab\\x1B"));
	fx_free(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan_orphans");
	TCase *tc = tcase_create("orphans");

	tcase_add_test(tc, test_orphans_deleted);
	tcase_add_test(tc, test_orphans_need_prune);
	tcase_add_test(tc, test_orphans_counted_by_valve);
	tcase_add_test(tc, test_orphan_license_unreadable);
	tcase_add_test(tc, test_orphan_reason_escaped);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
