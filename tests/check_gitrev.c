/*
 * Unit tests for gitrev: .git layouts made by hand (no git needed), the
 * revision read from each, and malformed ones giving NULL, never a guess.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "gitrev.h"
#include "util.h"

#define ID1 "0123456789abcdef0123456789abcdef01234567"
#define ID2 "89abcdef0123456789abcdef0123456789abcdef"

static char *root;

static void setup(void)
{
	char tmpl[] = "/tmp/check_gitrev.XXXXXX";

	root = xstrdup(mkdtemp(tmpl));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(root);
}

/* Writes root/rel (making its directories) with content. */
static void put(const char *rel, const char *content)
{
	char *path = xasprintf("%s/%s", root, rel), *dir = xstrdup(path), *cmd = NULL;
	FILE *f = NULL;

	*strrchr(dir, '/') = '\0';
	cmd = xasprintf("mkdir -p '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	free(cmd);
	free(dir);
	free(path);
}

/* The revision of root/rel, "" for NULL; caller frees. */
static char *rev(const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel), *r = gitrev_for_path(path);

	free(path);
	return r ? r : xstrdup("");
}

#define ck_rev(rel, want)                                                                          \
	do {                                                                                       \
		char *got_ = rev(rel);                                                             \
		ck_assert_str_eq(got_, want);                                                      \
		free(got_);                                                                        \
	} while (0)

START_TEST(test_loose_ref)
{
	put("repo/.git/HEAD", "ref: refs/heads/main\n");
	put("repo/.git/refs/heads/main", ID1 "\n");
	put("repo/etc/lmgrantd.yaml", "version: 1\n");
	ck_rev("repo/etc/lmgrantd.yaml", ID1);
	ck_rev("repo/etc", ID1);
	ck_rev("repo", ID1);
}
END_TEST

START_TEST(test_packed_ref)
{
	put("repo/.git/HEAD", "ref: refs/heads/main\n");
	put("repo/.git/packed-refs", "# pack-refs with: peeled fully-peeled sorted\n"
				     ID2 " refs/heads/mainline\n"
				     ID1 " refs/heads/main\n"
				     "^" ID2 "\n");
	put("repo/c.yaml", "");
	ck_rev("repo/c.yaml", ID1);
	/* A loose ref wins over the packed one. */
	put("repo/.git/refs/heads/main", ID2 "\n");
	ck_rev("repo/c.yaml", ID2);
}
END_TEST

START_TEST(test_detached_and_sha256)
{
	static const char id64[] = ID1 "0123456789abcdef01234567";

	put("repo/.git/HEAD", ID2 "\n");
	put("repo/c.yaml", "");
	ck_rev("repo/c.yaml", ID2);
	put("repo/.git/HEAD", id64);
	ck_rev("repo/c.yaml", id64);
}
END_TEST

START_TEST(test_worktree_file)
{
	/* git worktree add: .git is a file; HEAD in the worktree's git
	 * directory, branches in the common one. */
	put("main/.git/HEAD", "ref: refs/heads/main\n");
	put("main/.git/refs/heads/main", ID1 "\n");
	put("main/.git/refs/heads/feature", ID2 "\n");
	put("main/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n");
	put("main/.git/worktrees/wt/commondir", "../..\n");
	put("wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
	put("wt/c.yaml", "");
	ck_rev("wt/c.yaml", ID2);
	ck_rev("main", ID1);
}
END_TEST

START_TEST(test_symbolic_ref_chain)
{
	put("repo/.git/HEAD", "ref: refs/heads/a\n");
	put("repo/.git/refs/heads/a", "ref: refs/heads/b\n");
	put("repo/.git/refs/heads/b", ID1 "\n");
	ck_rev("repo", ID1);
	/* A loop ends, with no answer. */
	put("repo/.git/refs/heads/b", "ref: refs/heads/a\n");
	ck_rev("repo", "");
}
END_TEST

START_TEST(test_no_answer)
{
	put("plain/c.yaml", "");
	ck_rev("plain/c.yaml", "");
	/* A branch with no commit yet. */
	put("unborn/.git/HEAD", "ref: refs/heads/main\n");
	ck_rev("unborn", "");
	/* Not an object id. */
	put("short/.git/HEAD", "0123abc\n");
	ck_rev("short", "");
	put("upper/.git/HEAD", "0123456789ABCDEF0123456789ABCDEF01234567\n");
	ck_rev("upper", "");
	/* A ref name that would leave the git directory. */
	put("escape/.git/HEAD", "ref: refs/../../secret\n");
	put("escape/secret", ID1 "\n");
	ck_rev("escape", "");
	put("abs/.git/HEAD", "ref: /etc/passwd\n");
	ck_rev("abs", "");
	/* A .git file that is not "gitdir: ...". */
	put("badfile/.git", "something else\n");
	ck_rev("badfile", "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gitrev");
	TCase *tc = tcase_create("gitrev");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_loose_ref);
	tcase_add_test(tc, test_packed_ref);
	tcase_add_test(tc, test_detached_and_sha256);
	tcase_add_test(tc, test_worktree_file);
	tcase_add_test(tc, test_symbolic_ref_chain);
	tcase_add_test(tc, test_no_answer);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
