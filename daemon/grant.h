/*
 * grant: the License Manager grant as lmgrantd sees it, shared by the code
 * that reads grants (lm), decides about them (plan) and writes them (apply).
 */
#ifndef LMGRANTD_GRANT_H
#define LMGRANTD_GRANT_H

#include <stdbool.h>
#include <stddef.h>

enum grant_status {
	GS_UNKNOWN = 0, /* a status string this build does not know */
	GS_PENDING_WORKFLOW,
	GS_PENDING_ACCEPT,
	GS_REJECTED,
	GS_ACTIVE,
	GS_FAILED_WORKFLOW,
	GS_DELETED,
	GS_PENDING_DELETE,
	GS_DISABLED,
	GS_WORKFLOW_COMPLETED, /* keep last: GRANT_STATUS_COUNT follows it */
};
#define GRANT_STATUS_COUNT (GS_WORKFLOW_COMPLETED + 1)

struct grant {
	char *arn;
	char *name;
	char *parent_arn;
	char *license_arn;
	char *principal_arn;
	char *home_region;
	enum grant_status status;
	char *version;
	/* AWS's StatusReason (why FAILED_WORKFLOW, DISABLED, ...); may be NULL. */
	char *status_reason;
	/* One allocation holding the pointer array and the strings: a large
	 * estate keeps 10,000 grants in memory. Set with grant_set_operations. */
	char **operations;
	size_t noperations;
};

/* Replaces g's operations with a copy of ops[0..n). */
void grant_set_operations(struct grant *g, const char *const *ops, size_t n);

/* "ACTIVE" -> GS_ACTIVE; unknown strings -> GS_UNKNOWN. */
enum grant_status grant_status_parse(const char *s);
/* Static name; "UNKNOWN" for GS_UNKNOWN. */
const char *grant_status_name(enum grant_status st);
/* DELETED and FAILED_WORKFLOW: the grant no longer exists. */
bool grant_status_is_tombstone(enum grant_status st);

/* reason when a grant in status st should show it (SPEC §4.2: every status
 * but ACTIVE and WORKFLOW_COMPLETED), else NULL. Borrowed from reason. */
const char *grant_reason_shown(enum grant_status st, const char *reason);

/* Frees the members, not g itself. */
void grant_clear(struct grant *g);
/* Clears g[0..n) and frees the array. */
void grants_free(struct grant *g, size_t n);
/* Deep copy into *dst. */
void grant_copy(struct grant *dst, const struct grant *src);
/* True when both operation lists hold the same set. */
bool operations_equal(char *const *a, size_t na, const char *const *b, size_t nb);

#endif
