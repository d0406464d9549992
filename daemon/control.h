/*
 * control: how lmgrantd's processes meet in the state directory (SPEC §5).
 * The pass lock (one pass at a time per state directory, flock on
 * <dir>/lock), the daemon's pid file (<dir>/lmgrantd.pid, for `reload`),
 * the suspension (<dir>/suspended, holding the reason) and the daemon's
 * answer to a reload (<dir>/reload.json). Files only: what a daemon does
 * with them is service's, what a command prints is main's.
 */
#ifndef LMGRANTD_CONTROL_H
#define LMGRANTD_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>

/* How long a pass waits for another one's lock (SPEC §5). */
#define CONTROL_LOCK_WAIT_S 60.0

/*
 * Takes the exclusive pass lock of dir for who ("apply", "run"), waiting
 * up to wait_s seconds (polling; should_stop may end the wait early) and
 * saying once on stderr/journal whom it waits for. Returns the lock's fd
 * (release with control_unlock), -2 when dir does not exist (no daemon
 * uses it, so there is nothing to exclude), or -1 with *err (caller
 * frees) naming the holder.
 */
int control_lock(const char *dir, const char *who, double wait_s, bool (*should_stop)(void),
		 char **err);
void control_unlock(int fd);

/* The daemon's pid file. */
int control_write_pid(const char *dir, char **err);
void control_remove_pid(const char *dir);
/* The pid of a running lmgrantd recorded in dir, or -1 with *err. */
pid_t control_read_pid(const char *dir, char **err);

/* The suspension: the reason while <dir>/suspended exists (caller frees;
 * "" when none was given; control characters escaped), else NULL. */
char *control_suspended(const char *dir);
int control_suspend(const char *dir, const char *reason, char **err);
/* Returns 1 when there was no suspension, 0 when it was lifted, -1. */
int control_resume(const char *dir, char **err);

/* The daemon's answer to its seq-th reload. */
struct reload_answer {
	long pid;
	unsigned long seq;
	bool loaded;
	char *errors; /* owned; one per line; NULL when loaded */
};
int control_write_reload(const char *dir, const struct reload_answer *a, char **err);
/* 0 and *a (clear with control_reload_clear), or -1 when there is none. */
int control_read_reload(const char *dir, struct reload_answer *a);
void control_reload_clear(struct reload_answer *a);

#endif
