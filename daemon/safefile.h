/*
 * safefile: opening a file whose content decides what lmgrantd does (the
 * config says who gets a paid model; a credentials or config file names a
 * command to run and roles to assume) only when no other local user could
 * have written it. One set of rules for every such file:
 * - a regular file (a FIFO or device is refused without blocking: the
 *   open is O_NONBLOCK|O_NOCTTY and the check is made on the descriptor);
 * - owned by root or by the user lmgrantd runs as;
 * - neither group- nor world-writable;
 * - its directory, and when the name is a symlink the directory of the
 *   file it points to, not world-writable unless sticky (/tmp is fine:
 *   nobody can replace another's file there).
 * Reading the file and wording the error are the caller's.
 */
#ifndef LMGRANTD_SAFEFILE_H
#define LMGRANTD_SAFEFILE_H

#include <stdbool.h>
#include <sys/stat.h>

#define SAFEFILE_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

enum safefile_err {
	SF_OK = 0,
	SF_NOT_REGULAR,    /* not a regular file (nor a directory where one is allowed) */
	SF_OWNER,          /* owned by someone other than root or the caller */
	SF_GROUP_WRITABLE,
	SF_WORLD_WRITABLE,
	SF_UNSAFE_DIR,     /* in a world-writable directory that is not sticky */
	SF_UNSAFE_LINK_DIR, /* a symlink to a file in such a directory */
};

/* The rules on an opened file's stat; dir_ok accepts a directory. */
enum safefile_err safefile_check_stat(const struct stat *st, bool dir_ok);
/* The directory rules for path. On a refusal *dir (caller frees) names
 * the unsafe directory. */
enum safefile_err safefile_check_parents(const char *path, char **dir);
/* "is group-writable", ...: a phrase for "PATH <phrase>"; static. */
const char *safefile_reason(enum safefile_err e);

/*
 * Opens path read-only and applies every rule. Returns the descriptor
 * (caller closes). Returns -1 with errno set and *why NULL when it cannot
 * be opened or stat'ed, or -1 with *why (caller frees; "is owned by ...")
 * when a rule refuses it. nofollow refuses a symlink as path itself.
 */
int safefile_open(const char *path, bool dir_ok, bool nofollow, char **why);

#endif
