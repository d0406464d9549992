/*
 * history: lmgrantd's change entries read back from the journal
 * (sd-journal), oldest first (SPEC §9): every create, update, accept,
 * activate and delete entry, whatever its result, filtered by model,
 * grantee account and time. Writing those entries is log's job.
 */
#ifndef LMGRANTD_HISTORY_H
#define LMGRANTD_HISTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct history_query {
	const char *model;   /* LMGRANTD_MODEL; NULL: any */
	const char *account; /* 12 digits: entries whose principal is that account; NULL: any */
	uint64_t since_usec; /* CLOCK_REALTIME microseconds; 0: from the start */
};

/* --since: an ISO 8601 date ("2026-11-30") or date-time
 * ("2026-11-30T12:00", "…:00Z"), UTC, or relative to now: "-30m", "-12h",
 * "-7d" (also "-90s"). Returns -1 for anything else. */
int history_parse_since(const char *s, time_t now, uint64_t *usec);

/* Prints the matching entries as text lines or one JSON list. Returns -1
 * with *err (caller frees) when the journal cannot be read. */
int history_print(const struct history_query *q, bool json, FILE *out, char **err);

#endif
