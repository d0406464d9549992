/*
 * creds_process: runs credential_process with posix_spawnp (no shell, see
 * creds_process.h), reads its stdout through a pipe with poll() against a
 * CLOCK_MONOTONIC deadline, and kills it (SIGKILL) when it overruns the
 * deadline or the size cap. The child gets default signal dispositions and
 * an empty mask: lmgrantd ignores SIGPIPE and blocks its own signals while
 * it sleeps, and a credential helper should not inherit either.
 */
#include "creds_process.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- splitting ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int creds_split_command(const char *cmdline, struct strlist *argv, const char **why)
{
	struct strbuf word = { 0 };
	bool in_word = false;
	const char *p = cmdline;
	size_t before = argv->n;

	for (;; p++) {
		char c = *p;

		if (c == '\0' || is_blank(c)) {
			if (in_word)
				strlist_push(argv, sb_steal(&word));
			in_word = false;
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (c == '\\') {
			if (!p[1]) {
				*why = "a backslash at the end";
				goto fail;
			}
			sb_append(&word, ++p, 1);
		} else if (c == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end) {
				*why = "an unclosed ' quote";
				goto fail;
			}
			sb_append(&word, p + 1, (size_t)(end - p - 1));
			p = end; /* '' is an empty word: in_word is set */
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				/* Inside "...", a backslash escapes only \ and ". */
				if (*p == '\\' && (p[1] == '\\' || p[1] == '"'))
					p++;
				sb_append(&word, p, 1);
			}
			if (!*p) {
				*why = "an unclosed \" quote";
				goto fail;
			}
		} else {
			sb_append(&word, p, 1);
		}
	}
	if (argv->n == before) {
		*why = "no program";
		return -1;
	}
	return 0;
fail:
	sb_free(&word);
	while (argv->n > before)
		free(argv->items[--argv->n]);
	return -1;
}

/* ---- the answer ---- */

int creds_process_parse(const char *buf, size_t len, const char *profile, time_t now,
			struct aws_credentials *out, char **err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	struct credentials_doc d = { 0 };
	char *why = NULL;
	json_t *version;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!doc) {
		/* jerr.text may quote the output: only the position is safe. */
		*err = xasprintf("credential_process of profile %s: the output is not JSON (line %d, column %d)",
				 profile, jerr.line, jerr.column);
		return -1;
	}
	if (!json_is_object(doc)) {
		*err = xasprintf("credential_process of profile %s: the output is not a JSON object", profile);
		goto out;
	}
	version = json_object_get(doc, "Version");
	if (!json_is_integer(version) || json_integer_value(version) != 1) {
		*err = xasprintf("credential_process of profile %s: \"Version\": 1 is missing", profile);
		goto out;
	}
	if (credentials_doc_from_json(doc, "SessionToken", &d, &why) < 0 ||
	    credentials_decode(&d, 0, now, out, &why) < 0) {
		*err = xasprintf("credential_process of profile %s: %s", profile, why);
		free(why);
		goto out;
	}
	rc = 0;
out:
	/* jansson frees strings without wiping them; these are secrets. */
	creds_wipe_json(doc, "SecretAccessKey", "SessionToken");
	json_decref(doc);
	return rc;
}

/* ---- running it ---- */

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int spawn(char *const *argv, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	int rc;

	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGHUP);
	sigaddset(&defaults, SIGUSR1);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

enum read_outcome { READ_EOF, READ_TIMEOUT, READ_TOO_BIG, READ_ERROR };

/* Reads fd until EOF into buf (cap + 1 bytes), within deadline (ms). */
static enum read_outcome read_all(int fd, char *buf, size_t cap, size_t *len, double deadline)
{
	*len = 0;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - mono_ms();
		ssize_t n;
		int pr;

		if (left <= 0)
			return READ_TIMEOUT;
		pr = poll(&pfd, 1, (int)left + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return READ_ERROR;
		if (pr == 0)
			continue;
		n = read(fd, buf + *len, cap + 1 - *len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return READ_ERROR;
		if (n == 0)
			return READ_EOF;
		*len += (size_t)n;
		if (*len > cap)
			return READ_TOO_BIG;
	}
}

/* Waits for pid until deadline; kills it after. Returns its wait status. */
static int reap(pid_t pid, double deadline, bool *killed)
{
	int status = 0;

	*killed = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (r == pid || (r < 0 && errno != EINTR))
			return status;
		if (mono_ms() >= deadline) {
			kill(pid, SIGKILL);
			*killed = true;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return status;
		}
		nanosleep(&ts, NULL);
	}
}

int creds_process_run(const char *cmdline, const char *profile, long timeout_ms, size_t max_output,
		      time_t now, struct aws_credentials *out, char **err)
{
	struct strlist words = { 0 };
	const char *why = NULL;
	char **argv = NULL, *buf = NULL;
	int fds[2] = { -1, -1 }, status = 0, rc = -1, sr;
	double deadline = mono_ms() + (double)timeout_ms;
	enum read_outcome ro;
	size_t len = 0;
	bool killed = false;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (creds_split_command(cmdline, &words, &why) < 0) {
		*err = xasprintf("credential_process of profile %s: cannot split the command line: %s",
				 profile, why);
		goto out;
	}
	argv = xcalloc(words.n + 1, sizeof(*argv));
	memcpy(argv, words.items, words.n * sizeof(*argv));
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*err = xasprintf("credential_process of profile %s: pipe: %s", profile, strerror(errno));
		goto out;
	}
	sr = spawn(argv, fds[1], &pid);
	close(fds[1]);
	if (sr != 0) {
		*err = xasprintf("credential_process of profile %s: cannot run %s: %s", profile, argv[0],
				 strerror(sr));
		goto out;
	}
	buf = xmalloc(max_output + 1);
	ro = read_all(fds[0], buf, max_output, &len, deadline);
	if (ro != READ_EOF)
		kill(pid, SIGKILL);
	status = reap(pid, deadline, &killed);
	if (ro == READ_TIMEOUT || killed) {
		*err = xasprintf("credential_process of profile %s did not finish within %ld ms", profile,
				 timeout_ms);
	} else if (ro == READ_TOO_BIG) {
		*err = xasprintf("credential_process of profile %s wrote more than %zu bytes", profile,
				 max_output);
	} else if (ro == READ_ERROR) {
		*err = xasprintf("credential_process of profile %s: reading its output failed", profile);
	} else if (WIFSIGNALED(status)) {
		*err = xasprintf("credential_process of profile %s was killed by signal %d", profile,
				 WTERMSIG(status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*err = xasprintf("credential_process of profile %s exited with status %d", profile,
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else {
		rc = creds_process_parse(buf, len, profile, now, out, err);
	}
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (buf) {
		explicit_bzero(buf, max_output + 1);
		free(buf);
	}
	free(argv);
	strlist_free(&words);
	return rc;
}
