/*
 * state: what lmgrantd leaves on disk for people and monitoring:
 * status.json in the state directory (the last pass, for `lmgrantd status`)
 * and the Prometheus text-format metrics file. Both are written atomically
 * (temporary file, fsync, rename), so a reader never sees half a file and a
 * stop never leaves one.
 */
#ifndef LMGRANTD_STATE_H
#define LMGRANTD_STATE_H

#include <stdio.h>
#include <time.h>

#include "http.h"
#include "memory.h"
#include "output.h"
#include "reconcile.h"

#define STATE_DEFAULT_DIR "/var/lib/lmgrantd"
/* status.json's format_version: 2 added finished, interval_seconds and
 * models_pass (the pass the per-model data is from). */
#define STATUS_FORMAT_VERSION 2

/* Counters that live across passes, for the metrics file. */
struct metrics {
	unsigned long passes_ok;
	unsigned long passes_failed;
	time_t last_success;          /* wall clock; 0 = never */
	double last_duration;         /* seconds the last pass took */
	unsigned interval_s;          /* the config's interval, for staleness alerts */
	unsigned long actions[ACT_KIND_COUNT][4]; /* [kind][enum action_result] */
	bool last_reload_failed;      /* the daemon's last reload was rejected */
};
void metrics_add_pass(struct metrics *m, const struct pass_report *r, time_t now);

/* Writes dir/status.json for the pass, with the request rates of http in
 * force at its end. An interrupted pass keeps the per-model data of the
 * status.json it replaces. Returns -1 with *err (caller frees). */
int state_write_status(const char *dir, const struct pass_report *r, const struct http_client *http,
		       time_t started, time_t next_pass, unsigned interval_s, char **err);
/* Prints dir/status.json as text or JSON. Returns the exit code of
 * `status` (SPEC §1): 0, 1 when the last pass failed, 3 when it is stale
 * (none finished within 3 x interval before now); -1 with *err when the
 * file cannot be read. */
int state_print_status(const char *dir, enum output_format fmt, FILE *out, time_t now, char **err);
/* Writes the metrics file for the last pass r and the counters m. */
int state_write_metrics(const char *path, const struct metrics *m, const struct pass_report *r,
			const struct http_client *http, char **err);

/* dir/memory.json (SPEC 4.2: what earlier passes did) into m; a missing
 * file is an empty memory. Returns -1 with *err (caller frees). */
int state_load_memory(const char *dir, struct memory *m, char **err);
/* Forgets entries older than forget_before, then writes m to
 * dir/memory.json atomically. Returns -1 with *err. */
int state_save_memory(const char *dir, struct memory *m, double forget_before, char **err);

/* The memory of dir (empty, with a warning logged, when unreadable);
 * caller frees with memory_free. */
struct memory *state_recall_memory(const char *dir);
/* Saves m to dir, forgetting what is older than both retry periods of
 * cfg; a failure is logged as a warning. */
void state_keep_memory(const char *dir, struct memory *m, const struct config *cfg);

/* Writes data to path atomically: a new temporary file beside it (random
 * name, O_CREAT|O_EXCL|O_NOFOLLOW: nothing planted there is followed),
 * fsync, rename. Every atomic write of lmgrantd goes through this.
 * Returns -1 with *err. */
int write_file_atomic(const char *path, const char *data, size_t len, char **err);

#endif
