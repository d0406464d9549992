/*
 * safefile: the ownership and permission rules of safefile.h. Checks on
 * the file go through the descriptor, so that what is checked is what is
 * read; the directory checks go by name (a directory cannot be opened
 * without following the path anyway).
 */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

enum safefile_err safefile_check_stat(const struct stat *st, bool dir_ok)
{
	if (!S_ISREG(st->st_mode) && !(dir_ok && S_ISDIR(st->st_mode)))
		return SF_NOT_REGULAR;
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return SF_OWNER;
	if (st->st_mode & S_IWOTH)
		return SF_WORLD_WRITABLE;
	if (st->st_mode & S_IWGRP)
		return SF_GROUP_WRITABLE;
	return SF_OK;
}

/* Anyone may rename or replace entries of such a directory. */
static bool dir_unsafe(const char *dir)
{
	struct stat st = { 0 };

	return stat(dir, &st) == 0 && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX);
}

/* The unsafe directory holding file, or NULL; caller frees. */
static char *unsafe_parent(const char *file)
{
	char *copy = xstrdup(file);
	char *dir = xstrdup(dirname(copy));

	free(copy);
	if (dir_unsafe(dir))
		return dir;
	free(dir);
	return NULL;
}

enum safefile_err safefile_check_parents(const char *path, char **dir)
{
	struct stat lst = { 0 };
	char *real = NULL;

	*dir = unsafe_parent(path);
	if (*dir)
		return SF_UNSAFE_DIR;
	if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode))
		return SF_OK;
	real = realpath(path, NULL);
	if (real)
		*dir = unsafe_parent(real);
	free(real);
	return *dir ? SF_UNSAFE_LINK_DIR : SF_OK;
}

const char *safefile_reason(enum safefile_err e)
{
	switch (e) {
	case SF_OK:
		return "is fine";
	case SF_NOT_REGULAR:
		return "is not a regular file";
	case SF_OWNER:
		return "is owned by a user other than root or the one lmgrantd runs as";
	case SF_GROUP_WRITABLE:
		return "is group-writable";
	case SF_WORLD_WRITABLE:
		return "is world-writable";
	case SF_UNSAFE_DIR:
		return "is in a world-writable directory that is not sticky";
	case SF_UNSAFE_LINK_DIR:
		return "is a symlink to a file in a world-writable directory that is not sticky";
	}
	return "is unsafe";
}

int safefile_open(const char *path, bool dir_ok, bool nofollow, char **why)
{
	struct stat st = { 0 };
	char *dir = NULL;
	enum safefile_err e = safefile_check_parents(path, &dir);
	int fd = -1, saved = 0;

	*why = NULL;
	if (e != SF_OK) {
		*why = xasprintf("%s (%s)", safefile_reason(e), dir);
		free(dir);
		return -1;
	}
	fd = open(path, SAFEFILE_OPEN_FLAGS | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		if (errno == ELOOP && nofollow)
			*why = xstrdup("is a symlink");
		return -1;
	}
	if (fstat(fd, &st) != 0)
		goto fail;
	e = safefile_check_stat(&st, dir_ok);
	if (e != SF_OK) {
		*why = xstrdup(safefile_reason(e));
		goto fail;
	}
	return fd;
fail:
	saved = errno; /* what a failed fstat said, for the caller */
	close(fd);
	errno = saved;
	return -1;
}
