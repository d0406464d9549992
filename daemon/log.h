/*
 * log: where lmgrantd's lines go. Events (a grant changed, an action
 * failed, a pass ended, the config was loaded) carry the structured fields
 * of SPEC §6 and go to the journal with sd_journal_send, or to stderr as
 * one line with the key fields. Plain diagnostics use log_msg.
 *
 * The destination is chosen once by log_setup, before anything is logged.
 */
#ifndef LMGRANTD_LOG_H
#define LMGRANTD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Fixed per kind of event; explained in systemd/lmgrantd.catalog. */
#define MSGID_GRANT_CREATED   "93046f0d02cd4323abe19a50486bc3b8"
#define MSGID_GRANT_UPDATED   "179a99e2a5a84743a25cb7028b358021"
#define MSGID_GRANT_ACTIVATED "fdcc390268c8459288f2c719bba0ef36"
#define MSGID_GRANT_ACCEPTED  "a68a5c17c41c409fb28cb5e2a171edb4"
#define MSGID_GRANT_DELETED   "1f695db3f7c047458a89c495c141b7c6"
#define MSGID_ACTION_FAILED   "864f40a0965a490c9aa813f4163381b9"
#define MSGID_PASS_SUMMARY    "7745f74ce1cd4f98a0285a638284025a"
#define MSGID_CONFIG_LOADED   "012f5b51241b4917b0781cdae4af3855"
#define MSGID_CONFIG_REJECTED "cfab403d1d254fb2917e4f546dc054d6"
#define MSGID_SAFETY_VALVE    "72c9d690097c4ef5906af77915912da6"
#define MSGID_STARTED         "1cf0d2a6ad0a4d61bc56ad51820062f9"
#define MSGID_ACTION_BLOCKED  "44880dae63ee4f4ba06dcb9fe586d877"
#define MSGID_ACTION_PLANNED  "6d8ebacb2e12489dae2dc49c64b6e430"
#define MSGID_READ_FAILED     "a7a7007550ab4a1abd72bb98934fe163"
#define MSGID_MODEL_BLOCKED   "4ef4e97923ec4817a5add889023972dc"

enum log_target { LOG_TARGET_AUTO, LOG_TARGET_JOURNAL, LOG_TARGET_STDERR };

/* Parses "auto" / "journal" / "stderr"; -1 when unknown. */
int log_target_parse(const char *s, enum log_target *out);
/* AUTO means the journal alone when stderr is the journal (JOURNAL_STREAM
 * matches stderr's device and inode); else stderr, and the journal too when
 * its socket exists, so that a hand-run apply is in the audit trail (SPEC
 * §6). command ("apply", "run", ...; borrowed, must outlive the process's
 * logging) and the invoking user go on every event as LMGRANTD_COMMAND and
 * LMGRANTD_INVOKED_BY. */
void log_setup(enum log_target target, bool verbose, const char *command);
bool log_to_journal(void);
/* For plan and apply on a terminal, which print one row per action
 * themselves: from now on events those rows already show (a grant
 * action's outcome, routine notices such as the pass summary) are not
 * repeated on stderr. Warnings and errors about the pass still are; the
 * journal, when it is the destination, still gets every event. */
void log_terse_stderr(void);

/* SPEC §6: the configuration every later entry is made under, its digest
 * and git revision (NULL: none), carried by every journal entry. Called
 * by the main thread when a config is loaded, never during a pass; the
 * strings are copied. */
void log_set_config(const char *sha256, const char *revision);

/* One event. Every field but message_id/priority/action/result may be
 * NULL; pass 0 means "not in a pass". Strings are borrowed. */
struct log_event {
	const char *message_id;
	int priority;         /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO */
	const char *action;   /* create|update|activate|accept|delete|pass|config */
	const char *result;   /* ok|failed|skipped|planned */
	const char *model;
	const char *license_arn;
	const char *grant_arn;
	const char *principal_arn;
	const char *target;
	const char *request_id;
	const char *error;
	const char *status_reason; /* the grant's StatusReason */
	unsigned long pass;
};
void log_event(const struct log_event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A diagnostic line; LOG_DEBUG only with -v. */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
