/*
 * gitrev: the git commit a configuration was checked out at (SPEC §6,
 * LMGRANTD_CONFIG_REVISION), read from the files under .git, never by
 * running git: a daemon that decides who gets access must not execute
 * whatever a checkout's hooks or config name. Handles a .git directory, a
 * .git file ("gitdir: ...", worktrees and submodules), commondir, a
 * detached HEAD, symbolic refs, loose refs and packed-refs.
 *
 * It only reads; it neither knows nor cares whether the work tree is dirty.
 */
#ifndef LMGRANTD_GITREV_H
#define LMGRANTD_GITREV_H

/* The commit (40 or 64 lowercase hex digits; caller frees) HEAD of the
 * git work tree holding path (a file or directory) points at, or NULL when
 * path is in no work tree, HEAD names a branch with no commit yet, or
 * anything read is malformed. */
char *gitrev_for_path(const char *path);

#endif
