/*
 * reconcile: one pass, start to end. Reads the live state (received
 * licenses, organization, grants and sub-grants of every managed license),
 * resolves the config against it, builds the plan and, for apply, executes
 * it. The engine holds what outlives a pass: the HTTP client (and its
 * connections), the credentials and the endpoints.
 */
#ifndef LMGRANTD_RECONCILE_H
#define LMGRANTD_RECONCILE_H

#include <stdbool.h>

#include "apply.h"
#include "config.h"
#include "creds.h"
#include "aws.h"
#include "lm.h"
#include "memory.h"
#include "org.h"
#include "plan.h"
#include "sts.h"
#include "util.h"

struct engine {
	struct http_client *http;
	struct creds_provider *creds;
	struct aws_service lm_svc, org_svc, sts_svc;
	struct aws_client lm, org, sts;
	struct sts_sessions *grantee_sessions; /* assumed grantee roles (SPEC §4.4) */
	bool (*should_stop)(void);
	unsigned workers; /* requests kept in flight */
	/* The last organization read, reused by passes for org_cache_ttl_s
	 * seconds after it (0, as engine_init leaves it: every pass reads).
	 * Reading a large organization costs two calls per OU, and OUs,
	 * paths and accounts change rarely. */
	double org_cache_ttl_s;
	struct org_tree org_cache;
	double org_cache_at; /* CLOCK_MONOTONIC seconds; 0: nothing cached */
	/* Called from the reading threads each time a license has been read
	 * (done of total), for a progress line; NULL: not called. */
	void (*license_read)(void *ctx, size_t done, size_t total);
	void *license_read_ctx; /* borrowed */
	/* SPEC §5: while set (the reason, borrowed; "" for none given), passes
	 * plan and journal but change nothing. The daemon sets it before each
	 * pass from <state dir>/suspended. */
	const char *suspended;
	/* What earlier passes did (SPEC 4.2), read by plan and noted by apply;
	 * borrowed from the caller, who loads and saves it. NULL: none. */
	struct memory *memory;
};

/* Builds the engine for cfg (endpoints, rate limit, retries). Returns -1
 * with *err (caller frees) on a bad endpoint. Free with engine_free. */
/* should_stop and heartbeat (NULL: none) go to the HTTP clients, see
 * struct http_opts. */
int engine_init(struct engine *e, const struct config *cfg, const struct aws_env *aenv,
		const struct creds_env *cenv, bool (*should_stop)(void), void (*heartbeat)(void),
		char **err);
void engine_free(struct engine *e);
/* The next pass reads the organization again, cached or not. */
void engine_forget_org(struct engine *e);

/* Everything one pass read, decided and did; owned. */
struct pass_report {
	unsigned long pass;
	struct lm_license *licenses;
	size_t nlicenses;
	char *licenses_error;
	struct org_tree org;
	bool org_cached; /* org is the engine's cached copy, not read this pass */
	char *org_error;
	struct desired desired;
	struct observed observed;
	struct plan plan;
	struct strlist warnings;
	bool applied;
	/* apply was asked for, but mode: observe or a suspension held it back:
	 * the plan was journaled as planned and nothing was changed. */
	bool held;
	struct apply_result result;
	double seconds;
	/* SIGTERM cut the pass short (SPEC §5): what it read or did is
	 * partial; it is reported as interrupted (notice), not as failed. */
	bool interrupted;
	/* What the pass ran under (SPEC §6, §7); borrowed from the config and
	 * the engine, valid while they are. */
	const char *config_sha256;
	const char *config_revision; /* NULL: the config is in no git checkout */
	bool observe;                /* mode: observe */
	const char *suspended;       /* the reason while suspended, else NULL */
};
void pass_report_free(struct pass_report *r);

void reconcile_pass(struct engine *e, const struct config *cfg, bool apply, unsigned long pass,
		    struct pass_report *r);

/* What `access` needs (SPEC §9): the reads of a pass without planning;
 * r->observed keeps every license's grants and sub-grants (of DISABLED
 * OU/organization grants too), one license per model whose license
 * resolved, in model order. Free with pass_report_free. */
void reconcile_read_access(struct engine *e, const struct config *cfg, struct pass_report *r);

/* SPEC §1 exit codes: 0 in sync / done, 1 error, 2 (plan only) changes pending. */
int pass_exit_code(const struct pass_report *r);

/* The one result vocabulary of plan/apply JSON, status.json and the
 * metrics: "interrupted" (SIGTERM cut the pass short; not a failure),
 * "failed", "changed" (apply made changes), "planned" (changes
 * held back by observe or suspend), "changes_pending" (plan), "in_sync". */
const char *pass_result_name(const struct pass_report *r);

/* The first error that kept the pass from reading what it needed (the
 * received licenses, the organization), or NULL; borrowed from r. */
const char *pass_read_error(const struct pass_report *r);

/* Logs the pass summary entry (MSGID_PASS_SUMMARY) every pass ends with. */
void pass_log_summary(const struct pass_report *r);

/* Number of live (non-tombstone) grants on managed licenses. */
size_t pass_live_grants(const struct pass_report *r);

#endif
