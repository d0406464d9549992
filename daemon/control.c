/*
 * control: the lock, pid, suspension and reload-answer files of the state
 * directory. Every file is opened with O_NOFOLLOW and read bounded: the
 * directory is lmgrantd's, but what is in it is still only a file.
 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "util.h"

#define SMALL_FILE_MAX 4096
#define REASON_MAX 1024
#define LOCK_POLL_NS 100000000L

/* Up to SMALL_FILE_MAX bytes of an open file, from the start (caller frees). */
static char *read_fd(int fd)
{
	char *buf = xcalloc(1, SMALL_FILE_MAX + 1);
	size_t n = 0;

	while (n < SMALL_FILE_MAX) {
		ssize_t r = pread(fd, buf + n, SMALL_FILE_MAX - n, (off_t)n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return buf;
}

/* A small regular file of dir (caller frees), or NULL with errno set. */
static char *read_small(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *text = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st = { 0 };

	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		text = read_fd(fd);
	else
		errno = EINVAL;
	close(fd);
	return text;
}

/* Control characters and bytes that could fake a line, as \xNN. */
static char *escaped(const char *s, size_t max)
{
	struct strbuf sb = { 0 };

	sb_puts(&sb, "");
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			sb_printf(&sb, "\\x%02X", c);
		else
			sb_append(&sb, (const char *)&c, 1);
	}
	return sb_steal(&sb);
}

static void sleep_poll(void)
{
	struct timespec ts = { 0, LOCK_POLL_NS };

	nanosleep(&ts, NULL);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "pid 1234 (apply)" from the lock file's content, escaped; caller frees. */
static char *holder_of(int fd)
{
	char *text = read_fd(fd), *out = NULL;

	text[strcspn(text, "\n")] = '\0';
	out = text[0] ? escaped(text, 128) : xstrdup("another lmgrantd");
	free(text);
	return out;
}

/* A file root makes in the daemon's state directory (a hand-run apply or
 * suspend) goes to the directory's owner, the daemon's (dynamic) user:
 * a root-only lock would keep the daemon from ever taking it. */
static void give_to_dir_owner(const char *dir, const char *path)
{
	struct stat st = { 0 };

	if (geteuid() != 0 || stat(dir, &st) < 0 || st.st_uid == 0)
		return;
	if (lchown(path, st.st_uid, st.st_gid) < 0)
		log_msg(LOG_WARNING, "cannot give %s to the state directory's owner: %s", path,
			strerror(errno));
}

static void note_holder(int fd, const char *who)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "pid %ld (%s)\n", (long)getpid(), who);

	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n)
		log_msg(LOG_DEBUG, "cannot note the lock's holder: %s", strerror(errno));
}

/* The lock file lives on; it is opened as it is, or created O_EXCL (like
 * every file lmgrantd makes in the state directory, never through a
 * symlink). ENOENT: the directory itself is missing. */
static int open_lock_file(const char *path)
{
	for (int tries = 0; tries < 3; tries++) {
		int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

		if (fd >= 0 || errno != ENOENT)
			return fd;
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EAGAIN;
	return -1;
}

int control_lock(const char *dir, const char *who, double wait_s, bool (*should_stop)(void),
		 char **err)
{
	char *path = xasprintf("%s/lock", dir), *holder = NULL;
	int fd = open_lock_file(path);
	double deadline = mono_now() + wait_s;

	if (fd < 0 && errno == ENOENT) {
		free(path);
		return -2;
	}
	if (fd < 0) {
		*err = xasprintf("cannot open the pass lock %s: %s", path, strerror(errno));
		goto fail;
	}
	give_to_dir_owner(dir, path);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			*err = xasprintf("cannot lock %s: %s", path, strerror(errno));
			goto fail;
		}
		if (!holder) {
			holder = holder_of(fd);
			log_msg(LOG_NOTICE, "waiting for the pass of %s to end (%s)", holder, path);
		}
		if (mono_now() >= deadline || (should_stop && should_stop())) {
			*err = xasprintf("%s holds the pass lock %s; gave up after %.0f s", holder, path,
					 wait_s);
			goto fail;
		}
		sleep_poll();
	}
	note_holder(fd, who);
	free(holder);
	free(path);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	free(holder);
	free(path);
	return -1;
}

void control_unlock(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0)
		log_msg(LOG_DEBUG, "cannot clear the lock's holder: %s", strerror(errno));
	close(fd); /* releases the flock */
}

int control_write_pid(const char *dir, char **err)
{
	char *path = xasprintf("%s/lmgrantd.pid", dir), *text = xasprintf("%ld\n", (long)getpid());
	int rc = write_file_atomic(path, text, strlen(text), err);

	free(text);
	free(path);
	return rc;
}

void control_remove_pid(const char *dir)
{
	char *path = xasprintf("%s/lmgrantd.pid", dir), *text = read_small(dir, "lmgrantd.pid");

	/* Only our own: a daemon started after us may have replaced it. */
	if (text && strtol(text, NULL, 10) == (long)getpid())
		unlink(path);
	free(text);
	free(path);
}

/* A pid file can outlive its daemon and its pid be reused: signal only a
 * process whose command line names lmgrantd (also when run under a
 * wrapper such as valgrind). */
static bool is_lmgrantd(pid_t pid)
{
	char *path = xasprintf("/proc/%ld/cmdline", (long)pid), buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	bool found = false;

	free(path);
	if (fd >= 0)
		close(fd);
	if (n > 0)
		buf[n] = '\0';
	for (ssize_t i = 0; i < n && !found; i += (ssize_t)strlen(buf + i) + 1)
		found = strstr(buf + i, "lmgrantd") != NULL;
	return found;
}

pid_t control_read_pid(const char *dir, char **err)
{
	char *text = read_small(dir, "lmgrantd.pid"), *end = NULL;
	long pid = text ? strtol(text, &end, 10) : 0;

	if (!text) {
		*err = xasprintf("%s/lmgrantd.pid: %s (is `lmgrantd run` running with this state "
				 "directory?)", dir, strerror(errno));
		return -1;
	}
	if (pid <= 1 || end == text || (*end && *end != '\n')) {
		*err = xasprintf("%s/lmgrantd.pid does not hold a process id", dir);
		pid = -1;
	} else if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
		*err = xasprintf("%s/lmgrantd.pid names pid %ld, which is not running", dir, pid);
		pid = -1;
	} else if (!is_lmgrantd((pid_t)pid)) {
		*err = xasprintf("%s/lmgrantd.pid names pid %ld, which is not lmgrantd", dir, pid);
		pid = -1;
	}
	free(text);
	return (pid_t)pid;
}

char *control_suspended(const char *dir)
{
	char *text = read_small(dir, "suspended"), *out = NULL;

	/* Fail safe: a suspension that is there but cannot be read holds. */
	if (!text && errno != ENOENT)
		return xasprintf("(%s/suspended cannot be read: %s)", dir, strerror(errno));
	if (!text)
		return NULL;
	text[strcspn(text, "\n")] = '\0';
	out = escaped(text, REASON_MAX);
	free(text);
	return out;
}

int control_suspend(const char *dir, const char *reason, char **err)
{
	char *path = xasprintf("%s/suspended", dir), *text = NULL;
	int rc = 0;

	if (strlen(reason) > REASON_MAX) {
		*err = xasprintf("--reason is longer than %d bytes", REASON_MAX);
		free(path);
		return -1;
	}
	text = xasprintf("%s\n", reason);
	rc = write_file_atomic(path, text, strlen(text), err);
	if (rc == 0)
		give_to_dir_owner(dir, path);
	free(text);
	free(path);
	return rc;
}

int control_resume(const char *dir, char **err)
{
	char *path = xasprintf("%s/suspended", dir);
	int rc = 0;

	if (unlink(path) < 0) {
		if (errno == ENOENT) {
			rc = 1;
		} else {
			*err = xasprintf("%s: %s", path, strerror(errno));
			rc = -1;
		}
	}
	free(path);
	return rc;
}

int control_write_reload(const char *dir, const struct reload_answer *a, char **err)
{
	char *path = xasprintf("%s/reload.json", dir), *text = NULL;
	json_t *doc = json_pack("{s:I, s:I, s:s, s:o}", "pid", (json_int_t)a->pid, "seq",
				(json_int_t)a->seq, "result", a->loaded ? "loaded" : "rejected",
				"errors", a->errors ? json_string(a->errors) : json_null());
	int rc = -1;

	text = json_dumps(doc, JSON_COMPACT);
	if (text)
		rc = write_file_atomic(path, text, strlen(text), err);
	else
		*err = xstrdup("cannot encode the reload answer");
	free(text);
	json_decref(doc);
	free(path);
	return rc;
}

int control_read_reload(const char *dir, struct reload_answer *a)
{
	char *path = xasprintf("%s/reload.json", dir);
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	json_t *pid = json_object_get(doc, "pid"), *seq = json_object_get(doc, "seq");
	const char *result = json_string_value(json_object_get(doc, "result"));
	const char *errors = json_string_value(json_object_get(doc, "errors"));
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (json_is_integer(pid) && json_is_integer(seq) && result) {
		a->pid = (long)json_integer_value(pid);
		a->seq = (unsigned long)json_integer_value(seq);
		a->loaded = strcmp(result, "loaded") == 0;
		a->errors = errors ? xstrdup(errors) : NULL;
		rc = 0;
	}
	json_decref(doc);
	free(path);
	return rc;
}

void control_reload_clear(struct reload_answer *a)
{
	if (!a)
		return;
	free(a->errors);
	memset(a, 0, sizeof(*a));
}
