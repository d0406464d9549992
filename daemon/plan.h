/*
 * plan: the diff between what the configuration declares (struct desired,
 * already resolved to principal and license ARNs) and what License Manager
 * holds (struct observed), as an ordered list of actions (SPEC §4.2-4.3).
 *
 * plan_build is a pure function: no I/O, no clock, no globals. Everything
 * it needs arrives in its arguments; everything it decides is in the plan.
 */
#ifndef LMGRANTD_PLAN_H
#define LMGRANTD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "grant.h"
#include "memory.h"

/* One declared principal of a model. */
struct desired_target {
	enum target_kind kind;
	const char *label;  /* as written, e.g. "ou Workloads/Prod"; borrowed */
	char *principal_arn; /* NULL when it could not be resolved */
	/* OU/organization targets: the member accounts below the OU / in the
	 * organization today, as account principal ARNs, sorted (strcmp);
	 * owned. An account target covers itself and keeps no list (10,000
	 * of them are common): read both through desired_target_accounts. */
	char **accounts;
	size_t naccounts;
};

/* The accounts t covers (borrowed from t), sorted; *n of them.
 * Make-before-break and the max_deletes valve compare grants by them. */
char *const *desired_target_accounts(const struct desired_target *t, size_t *n);

/* One model of the config, resolved. */
struct desired_model {
	const char *name;        /* borrowed from config */
	char *license_arn;       /* NULL when the license could not be resolved */
	/* Non-NULL when anything about this model failed to resolve (unknown OU
	 * path, unknown product, ...): the model's license then gets no action
	 * at all, not even a delete, and the plan reports it as an error. */
	char *error;
	/* The error is an overlap with another target (SPEC 2): one active
	 * grant per product per account makes overlapping grants fight. */
	bool overlap;
	struct desired_target *targets;
	size_t ntargets;
	const char *const *operations; /* borrowed from config */
	size_t noperations;
	bool activate;
};

struct desired {
	struct desired_model *models;
	size_t nmodels;
	bool prune;
	unsigned max_deletes;
	bool can_accept; /* activation.grantee_role is set */
	/* What lmgrantd did before (borrowed; NULL: nothing remembered) and
	 * the wall-clock time to judge it by: plan reads no clock itself. */
	struct memory *memory;
	double now;
	unsigned retry_after_s;  /* activation.retry_after */
	const char *override;    /* activation.override; borrowed */
	unsigned failed_retry_s; /* failed_retry */
};

/* What was read from License Manager for one license. */
struct observed_license {
	char *license_arn;
	/* False when any read for this license failed or was incomplete: the
	 * license then gets no action (its state is unknown). */
	bool read_ok;
	char *read_error; /* why read_ok is false; may be NULL */
	struct grant *grants;     /* ListDistributedGrants, in listing order */
	size_t ngrants;
	/* ListReceivedGrantsForOrganization answers for the OU/org grants of
	 * this license: per-account sub-grants, parent_arn = the OU/org grant. */
	struct grant *subgrants;
	size_t nsubgrants;
	/* The listed grants by status: what a pass still reports (live grants,
	 * status.json) after it has planned the license and freed its grants.
	 * plan does not read it. */
	size_t status_counts[GRANT_STATUS_COUNT];
};

/* Frees l's grants and sub-grants and leaves it with none; its ARN, read
 * outcome and status counts stay. */
void observed_license_drop_grants(struct observed_license *l);

struct observed {
	struct observed_license *licenses;
	size_t nlicenses;
};

enum action_kind {
	ACT_CREATE,   /* CreateGrant */
	ACT_UPDATE,   /* CreateGrantVersion AllowedOperations */
	ACT_ACCEPT,   /* AcceptGrant as the grantee, then activate as the grantee */
	ACT_ACTIVATE, /* CreateGrantVersion Status=ACTIVE */
	ACT_DELETE,   /* DeleteGrant */
	ACT_BLOCKED,  /* not a change: needs a human (REJECTED, resolve error, read error) */
	ACT_WAITING,  /* not a change: AWS or the grantee is still working */
	ACT_KIND_COUNT,
};

/* Why an ACT_BLOCKED action is blocked; BLOCK_NONE for every other kind. */
enum block_cause {
	BLOCK_NONE = 0,
	BLOCK_UNRESOLVED,     /* the model's license or a target does not resolve */
	BLOCK_SHARED_LICENSE, /* another model declares the same license */
	BLOCK_UNREADABLE,     /* the license's grants could not be read */
	BLOCK_REJECTED,       /* the grantee rejected the grant */
	BLOCK_OVERLAP,        /* the model's targets overlap (SPEC 2) */
	BLOCK_FAILED,         /* the grant's workflow failed (FAILED_WORKFLOW) */
	BLOCK_ACTIVATION,     /* still DISABLED after lmgrantd activated it */
};

struct action {
	enum action_kind kind;
	enum block_cause blocked_by;
	const char *model;         /* borrowed from desired; NULL for an undeclared principal */
	const char *license_arn;   /* borrowed from desired/observed */
	/* The three below are owned copies, so a plan outlives the grants it
	 * was built from (a pass frees each license's grants once planned). */
	char *principal_arn;       /* NULL when unresolved */
	const char *target_label;  /* borrowed; NULL for an undeclared principal */
	char *grant_arn;           /* NULL for create */
	char *version;             /* NULL for create */
	enum grant_status status;  /* live status; GS_UNKNOWN for create */
	bool is_account;           /* the principal is an account (not OU/org) */
	const char *const *operations; /* create/update: the declared list; borrowed */
	size_t noperations;
	/* update: the grant's operations as read (the "before"); owned. */
	char **live_operations;
	size_t nlive_operations;
	/* True for deletes withheld because the plan holds more than
	 * max_deletes of them; apply makes none of them. */
	bool withheld;
	char *reason; /* owned: one readable phrase, e.g. "declared, no live grant" */
	char *status_reason; /* owned: AWS's StatusReason of the grant, or NULL */
	/* activate: ActivationOverrideBehavior for this action (static
	 * string), NULL for activation.override. */
	const char *override;
	/* activate: the accounts the activation is for (the account, or the
	 * OU/organization grant's accounts), noted in memory; owned. */
	char **accounts;
	size_t naccounts;
	/* delete: accounts that lose access by it, for max_deletes. */
	size_t losses;
};

struct plan {
	struct action *actions; /* ordered: create, update, accept, activate, delete, blocked, waiting */
	size_t nactions;
	size_t counts[ACT_KIND_COUNT];
	/* The deletes would cut more accounts than max_deletes: every delete
	 * is withheld and the pass must fail. */
	bool deletes_withheld;
	size_t losses; /* accounts the planned deletes cut off */
	/* Number of models with a resolve error or licenses with a read error:
	 * a pass with errors fails even when nothing else is wrong. */
	size_t nerrors;
};

/* Builds *out (caller frees with plan_free). Never fails except on OOM,
 * which is fatal. Borrowed pointers in the plan stay valid as long as
 * desired does; nothing in it points into observed. */
void plan_build(const struct desired *desired, const struct observed *observed, struct plan *out);
void plan_free(struct plan *p);

/*
 * The same plan, built one license at a time, so a pass never needs every
 * license's grants in memory at once: planner_new, then
 * planner_add_license for each license as soon as it has been read (the
 * license may be freed right after: the planner keeps copies), then
 * planner_finish. plan_build is exactly these three over a whole observed.
 * Concurrent planner_add_license calls are safe for distinct licenses.
 */
struct planner;
/* desired is borrowed and must outlive the planner and the plan. */
struct planner *planner_new(const struct desired *desired);
void planner_add_license(struct planner *p, const struct observed_license *lic);
/*
 * SPEC §4.3 orphans: lic is a received license that no model of the
 * configuration declares (by license or product). With prune, the grants
 * on it that lmgrantd made (GrantName "lmgrantd:<model>") are planned as
 * deletes, under the same max_deletes valve; grants it did not make are
 * never touched. A license that could not be read is reported blocked.
 * lic->license_arn is borrowed by the plan: it must outlive it. Not safe
 * concurrently with planner_add_license.
 */
void planner_add_orphan_license(struct planner *p, const struct observed_license *lic);
/* Builds *out as plan_build does, and frees p. */
void planner_finish(struct planner *p, struct plan *out);

/* Number of actions that change something (create..delete, not withheld). */
size_t plan_changes(const struct plan *p);
/* "create", "update", "accept", "activate", "delete", "blocked", "waiting". */
const char *action_kind_name(enum action_kind k);

#endif
