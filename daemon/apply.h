/*
 * apply: executes a plan against License Manager, one action at a time in
 * plan order, and logs each change or failure as a journal event. A
 * version mismatch is answered by re-reading the grant and trying once
 * more; the first other failure on a license skips that license's
 * remaining actions, and the other licenses go on.
 */
#ifndef LMGRANTD_APPLY_H
#define LMGRANTD_APPLY_H

#include <stdbool.h>

#include "memory.h"
#include "plan.h"
#include "sts.h"

enum action_result { AR_NONE = 0, AR_OK, AR_FAILED, AR_SKIPPED };

struct apply_ctx {
	const struct aws_client *lm;  /* borrowed */
	const char *home_region;
	const char *override;         /* activation.override */
	unsigned long pass;
	bool (*should_stop)(void);
	unsigned workers;             /* writes kept in flight */
	/* Accepting as the grantee (SPEC §4.4); all borrowed. */
	const struct aws_client *sts; /* STS with the daemon's own credentials */
	const char *grantee_role;     /* activation.grantee_role; NULL: accept nothing */
	struct sts_sessions *grantee_sessions; /* assumed roles, per account */
	/* Where activations and creates are noted (SPEC 4.2); borrowed, may be
	 * NULL. */
	struct memory *memory;
};

struct apply_result {
	size_t nresults;
	enum action_result *results;  /* one per plan action; owned */
	char **errors;                /* one per plan action, NULL when none; owned */
	size_t ok[ACT_KIND_COUNT];
	size_t failed[ACT_KIND_COUNT];
	size_t skipped[ACT_KIND_COUNT];
	size_t nfailed;
};
void apply_result_free(struct apply_result *r);

void apply_plan(const struct apply_ctx *ctx, const struct plan *p, struct apply_result *out);

const char *action_result_name(enum action_result r);

#endif
