/*
 * log: journal or stderr. The journal gets every field of SPEC §6 as its
 * own field so that `journalctl LMGRANTD_MODEL=x` works; stderr gets one
 * line: "lmgrantd: <message> [action=.. result=.. ...]".
 *
 * The only module-level state is the destination (and whether stderr is
 * terse), written at start-up by log_setup and log_terse_stderr.
 *
 * Messages and field values carry text from AWS, files and the
 * environment; every one is escaped here (util's text_escape: control
 * characters as \xNN, bounded), so that no caller can forget it and no
 * AWS error message can start a line of its own or drive the terminal.
 */
#include "log.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "util.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Written once by log_setup, read-only after. */
static struct {
	bool journal;
	bool to_stderr;
	bool verbose;
	bool terse; /* log_terse_stderr */
	const char *command;
	char invoked_by[64];
	char config_sha256[65];
	char config_revision[65];
} log_cfg;

int log_target_parse(const char *s, enum log_target *out)
{
	if (strcmp(s, "auto") == 0)
		*out = LOG_TARGET_AUTO;
	else if (strcmp(s, "journal") == 0)
		*out = LOG_TARGET_JOURNAL;
	else if (strcmp(s, "stderr") == 0)
		*out = LOG_TARGET_STDERR;
	else
		return -1;
	return 0;
}

/* systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it connected;
 * stderr is the journal only if it is still that stream. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev = 0, ino = 0;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static bool journal_socket_exists(void)
{
	struct stat st;

	return stat(JOURNAL_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The user name of the effective uid, else the number: who ran the
 * command, for the audit trail. */
static void set_invoked_by(void)
{
	struct passwd pw, *found = NULL;
	char buf[1024];
	uid_t uid = geteuid();

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found && found->pw_name)
		snprintf(log_cfg.invoked_by, sizeof(log_cfg.invoked_by), "%s", found->pw_name);
	else
		snprintf(log_cfg.invoked_by, sizeof(log_cfg.invoked_by), "%lu", (unsigned long)uid);
}

void log_setup(enum log_target target, bool verbose, const char *command)
{
	bool auto_journal = target == LOG_TARGET_AUTO && stderr_is_journal();

	log_cfg.verbose = verbose;
	log_cfg.command = command;
	log_cfg.journal = target == LOG_TARGET_JOURNAL || auto_journal ||
			  (target == LOG_TARGET_AUTO && journal_socket_exists());
	log_cfg.to_stderr = target == LOG_TARGET_STDERR || (target == LOG_TARGET_AUTO && !auto_journal);
	/* Only journal entries carry it; the user lookup may ask NSS (a
	 * socket), which a stderr-only run has no need for. */
	if (log_cfg.journal)
		set_invoked_by();
}

bool log_to_journal(void)
{
	return log_cfg.journal;
}

void log_terse_stderr(void)
{
	log_cfg.terse = true;
}

/* What plan's and apply's rows show: the outcome of each grant action,
 * and the routine entries below warning (the count line is the summary). */
static bool shown_as_row(const struct log_event *ev)
{
	return ev->priority > LOG_WARNING ||
	       (strcmp(ev->action, "pass") != 0 && strcmp(ev->action, "config") != 0);
}

void log_set_config(const char *sha256, const char *revision)
{
	snprintf(log_cfg.config_sha256, sizeof(log_cfg.config_sha256), "%s", sha256 ? sha256 : "");
	snprintf(log_cfg.config_revision, sizeof(log_cfg.config_revision), "%s",
		 revision ? revision : "");
}

static const char *priority_word(int priority)
{
	switch (priority) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	default:
		return "";
	}
}

static void add_field(struct strbuf *sb, const char *name, const char *value)
{
	if (value && *value) {
		sb_printf(sb, " %s=", name);
		sb_escape(sb, value, ESCAPE_FIELD_MAX);
	}
}

static void event_to_stderr(const struct log_event *ev, const char *message)
{
	struct strbuf sb = { 0 };

	sb_printf(&sb, "lmgrantd: %s", priority_word(ev->priority));
	sb_escape(&sb, message, ESCAPE_LINE_MAX);
	sb_printf(&sb, " [action=%s result=%s", ev->action, ev->result);
	add_field(&sb, "model", ev->model);
	add_field(&sb, "target", ev->target);
	add_field(&sb, "grant", ev->grant_arn);
	add_field(&sb, "error", ev->error);
	add_field(&sb, "request_id", ev->request_id);
	add_field(&sb, "status_reason", ev->status_reason);
	if (ev->pass)
		sb_printf(&sb, " pass=%lu", ev->pass);
	sb_puts(&sb, "]\n");
	fputs(sb.buf, stderr);
	sb_free(&sb);
}

/* Fields with no value are left out rather than sent empty. */
static void push_field(struct iovec *iov, char **owned, size_t *n, const char *name, const char *value)
{
	struct strbuf sb = { 0 };

	if (!value || !*value)
		return;
	sb_printf(&sb, "%s=", name);
	sb_escape(&sb, value, strcmp(name, "MESSAGE") == 0 ? ESCAPE_LINE_MAX : ESCAPE_FIELD_MAX);
	owned[*n] = sb_steal(&sb);
	iov[*n].iov_base = owned[*n];
	iov[*n].iov_len = strlen(owned[*n]);
	(*n)++;
}

/* The fields every entry carries, whatever its kind (SPEC §6). */
static void push_context(struct iovec *iov, char **owned, size_t *n)
{
	push_field(iov, owned, n, "SYSLOG_IDENTIFIER", "lmgrantd");
	push_field(iov, owned, n, "LMGRANTD_CONFIG_SHA256", log_cfg.config_sha256);
	push_field(iov, owned, n, "LMGRANTD_CONFIG_REVISION", log_cfg.config_revision);
	push_field(iov, owned, n, "LMGRANTD_COMMAND", log_cfg.command);
	push_field(iov, owned, n, "LMGRANTD_INVOKED_BY", log_cfg.invoked_by);
}

static void event_to_journal(const struct log_event *ev, const char *message)
{
	struct iovec iov[24];
	char *owned[24];
	char num[32];
	size_t n = 0;

	push_field(iov, owned, &n, "MESSAGE", message);
	push_field(iov, owned, &n, "MESSAGE_ID", ev->message_id);
	snprintf(num, sizeof(num), "%d", ev->priority);
	push_field(iov, owned, &n, "PRIORITY", num);
	push_context(iov, owned, &n);
	push_field(iov, owned, &n, "LMGRANTD_ACTION", ev->action);
	push_field(iov, owned, &n, "LMGRANTD_RESULT", ev->result);
	push_field(iov, owned, &n, "LMGRANTD_MODEL", ev->model);
	push_field(iov, owned, &n, "LMGRANTD_LICENSE_ARN", ev->license_arn);
	push_field(iov, owned, &n, "LMGRANTD_GRANT_ARN", ev->grant_arn);
	push_field(iov, owned, &n, "LMGRANTD_PRINCIPAL_ARN", ev->principal_arn);
	push_field(iov, owned, &n, "LMGRANTD_TARGET", ev->target);
	push_field(iov, owned, &n, "LMGRANTD_AWS_REQUEST_ID", ev->request_id);
	push_field(iov, owned, &n, "LMGRANTD_ERROR", ev->error);
	push_field(iov, owned, &n, "LMGRANTD_STATUS_REASON", ev->status_reason);
	if (ev->pass) {
		snprintf(num, sizeof(num), "%lu", ev->pass);
		push_field(iov, owned, &n, "LMGRANTD_PASS", num);
	}
	sd_journal_sendv(iov, (int)n);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
}

void log_event(const struct log_event *ev, const char *fmt, ...)
{
	va_list ap;
	char *message;

	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);
	if (log_cfg.journal)
		event_to_journal(ev, message);
	if (log_cfg.to_stderr && !(log_cfg.terse && shown_as_row(ev)))
		event_to_stderr(ev, message);
	free(message);
}

static void msg_to_journal(int priority, const char *message)
{
	struct iovec iov[12];
	char *owned[12];
	char num[16];
	size_t n = 0;

	push_field(iov, owned, &n, "MESSAGE", message);
	snprintf(num, sizeof(num), "%d", priority);
	push_field(iov, owned, &n, "PRIORITY", num);
	push_context(iov, owned, &n);
	sd_journal_sendv(iov, (int)n);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;
	char *message, *safe;

	if (priority == LOG_DEBUG && !log_cfg.verbose)
		return;
	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);
	safe = text_escape(message, ESCAPE_LINE_MAX);
	if (log_cfg.journal)
		msg_to_journal(priority, safe);
	if (log_cfg.to_stderr)
		fprintf(stderr, "lmgrantd: %s%s\n", priority_word(priority), safe);
	free(safe);
	free(message);
}
