/*
 * creds_process: a profile's credential_process. The command line is split
 * into words the way the AWS CLI does it (botocore: shlex.split, POSIX
 * rules: blanks separate words, '...' and "..." quote, backslash escapes)
 * and run without a shell: no variables, globs or pipes, so a config value
 * means exactly one program and its arguments. stdin is /dev/null, stderr
 * is ours (the program's messages reach the journal), stdout is captured
 * up to a size cap and within a timeout. The answer is the JSON of the
 * AWS CLI's "Version 1" format.
 *
 * A failure names the profile, never the output: it holds the secrets.
 */
#ifndef LMGRANTD_CREDS_PROCESS_H
#define LMGRANTD_CREDS_PROCESS_H

#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "util.h"

#define CREDS_PROCESS_TIMEOUT_MS 30000
#define CREDS_PROCESS_MAX_OUTPUT (64 * 1024)

/* Splits cmdline into argv (appended to *argv). -1 with *why (static) on
 * an unclosed quote, a trailing backslash or no words at all. */
int creds_split_command(const char *cmdline, struct strlist *argv, const char **why);

/* Decodes the program's output. now decides whether Expiration is past.
 * Returns 0 and *out, or -1 and *err (caller frees). */
int creds_process_parse(const char *buf, size_t len, const char *profile, time_t now,
			struct aws_credentials *out, char **err);

/* Runs cmdline for profile and decodes its output. Returns 0 and *out, or
 * -1 and *err (caller frees): cannot start, timed out, killed by a signal,
 * non-zero exit, more than max_output bytes, or an answer that is not a
 * valid, unexpired Version 1 document. */
int creds_process_run(const char *cmdline, const char *profile, long timeout_ms, size_t max_output,
		      time_t now, struct aws_credentials *out, char **err);

#endif
