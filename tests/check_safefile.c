/* Unit tests of safefile (issue 16 items 2, 6, 7): the ownership and
 * permission rules for files that decide what lmgrantd does, and opening
 * them without blocking on a FIFO or following a symlink when told not to. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "safefile.h"
#include "util.h"

static char tmpdir[] = "/tmp/lmgrantd-safefile.XXXXXX";

static char *make_file(const char *name, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("[default]\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static struct stat stat_of(mode_t type_and_mode, uid_t uid)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = type_and_mode;
	st.st_uid = uid;
	return st;
}

START_TEST(stat_rules)
{
	struct stat st = stat_of(S_IFREG | 0600, geteuid());

	ck_assert_int_eq(safefile_check_stat(&st, false), SF_OK);
	st = stat_of(S_IFREG | 0644, 0);
	ck_assert_int_eq(safefile_check_stat(&st, false), SF_OK);
	st = stat_of(S_IFREG | 0620, geteuid());
	ck_assert_int_eq(safefile_check_stat(&st, false), SF_GROUP_WRITABLE);
	st = stat_of(S_IFREG | 0602, geteuid());
	ck_assert_int_eq(safefile_check_stat(&st, false), SF_WORLD_WRITABLE);
	st = stat_of(S_IFIFO | 0600, geteuid());
	ck_assert_int_eq(safefile_check_stat(&st, false), SF_NOT_REGULAR);
	st = stat_of(S_IFDIR | 0755, geteuid());
	ck_assert_int_eq(safefile_check_stat(&st, false), SF_NOT_REGULAR);
	ck_assert_int_eq(safefile_check_stat(&st, true), SF_OK);
	if (geteuid() != 65534) {
		st = stat_of(S_IFREG | 0600, 65534);
		ck_assert_int_eq(safefile_check_stat(&st, false), SF_OWNER);
	}
}
END_TEST

START_TEST(directories_and_symlinks)
{
	char *open_dir = xasprintf("%s/open", tmpdir), *sticky = xasprintf("%s/sticky", tmpdir);
	char *in_open = NULL, *in_sticky = NULL, *link = xasprintf("%s/link", tmpdir);
	char *dir = NULL, *why = NULL;
	int fd;

	ck_assert_int_eq(mkdir(open_dir, 0700), 0);
	ck_assert_int_eq(chmod(open_dir, 0777), 0);
	ck_assert_int_eq(mkdir(sticky, 0700), 0);
	ck_assert_int_eq(chmod(sticky, 01777), 0);
	in_open = make_file("open/credentials", 0600);
	in_sticky = make_file("sticky/credentials", 0600);
	ck_assert_int_eq(safefile_check_parents(in_open, &dir), SF_UNSAFE_DIR);
	ck_assert_str_eq(dir, open_dir);
	free(dir);
	ck_assert_int_eq(safefile_check_parents(in_sticky, &dir), SF_OK);
	ck_assert_ptr_null(dir);
	/* A symlink in a safe directory to a file in an unsafe one. */
	ck_assert_int_eq(symlink(in_open, link), 0);
	ck_assert_int_eq(safefile_check_parents(link, &dir), SF_UNSAFE_LINK_DIR);
	free(dir);
	fd = safefile_open(link, false, false, &why);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_nonnull(strstr(why, "is a symlink to a file in a world-writable directory"));
	free(why);
	/* nofollow refuses any symlink as the name itself. */
	unlink(link);
	ck_assert_int_eq(symlink(in_sticky, link), 0);
	fd = safefile_open(link, false, true, &why);
	ck_assert_int_eq(fd, -1);
	ck_assert_str_eq(why, "is a symlink");
	free(why);
	fd = safefile_open(link, false, false, &why);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(link);
	unlink(in_open);
	unlink(in_sticky);
	rmdir(open_dir);
	rmdir(sticky);
	free(in_open);
	free(in_sticky);
	free(link);
	free(open_dir);
	free(sticky);
}
END_TEST

START_TEST(fifo_fails_at_once)
{
	char *fifo = xasprintf("%s/fifo", tmpdir), *why = NULL;
	time_t start = time(NULL);
	int fd;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	fd = safefile_open(fifo, false, false, &why);
	ck_assert_int_eq(fd, -1);
	ck_assert_str_eq(why, "is not a regular file");
	ck_assert_int_le(time(NULL) - start, 1);
	free(why);
	unlink(fifo);
	free(fifo);
}
END_TEST

START_TEST(missing_file_is_errno)
{
	char *why = NULL;

	ck_assert_int_eq(safefile_open("/nonexistent/credentials", false, false, &why), -1);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("safefile");
	TCase *tc = tcase_create("rules");
	int rc;

	if (!mkdtemp(tmpdir))
		return EXIT_FAILURE;
	tcase_add_test(tc, stat_rules);
	tcase_add_test(tc, directories_and_symlinks);
	tcase_add_test(tc, fifo_fails_at_once);
	tcase_add_test(tc, missing_file_is_errno);
	suite_add_tcase(s, tc);
	rc = run_suite(s);
	rmdir(tmpdir);
	return rc;
}
