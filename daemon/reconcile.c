/*
 * reconcile: the read -> resolve -> plan -> apply pipeline of one pass.
 * Reads are per license and all-or-nothing: a license whose grants or
 * sub-grants could not be read completely is marked read_ok = false, and
 * plan gives it no action (SPEC §4.1). Each license is planned as soon as
 * it has been read and its grants are dropped then, so a pass's memory does
 * not grow with the estate. The daemon's engine keeps the organization
 * between passes (org_cache_ttl_s); one-shot commands read it every time.
 */
#include "reconcile.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arn.h"
#include "log.h"
#include "pacer.h"
#include "pool.h"
#include "resolve.h"

/* Four licenses read at once already hide the round trips of reads that
 * page sequentially; more would only raise the peak memory of a pass. */
#define LICENSES_IN_FLIGHT 4

int engine_init(struct engine *e, const struct config *cfg, const struct aws_env *aenv,
		const struct creds_env *cenv, bool (*should_stop)(void), void (*heartbeat)(void),
		char **err)
{
	struct http_opts o;

	memset(e, 0, sizeof(*e));
	if (aws_service_resolve(aenv, AWS_API_LICENSE_MANAGER, cfg->region, &e->lm_svc, err) < 0 ||
	    aws_service_resolve(aenv, AWS_API_ORGANIZATIONS, cfg->region, &e->org_svc, err) < 0 ||
	    aws_service_resolve(aenv, AWS_API_STS, creds_sts_region(cenv, cfg->region), &e->sts_svc,
				err) < 0)
		goto fail;
	http_opts_default(&o);
	o.max_tps = cfg->max_tps > 0 ? cfg->max_tps : HTTP_TPS_AUTO;
	o.max_attempts = cfg->retry_max_attempts;
	o.ca_bundle = aenv->ca_bundle;
	o.should_stop = should_stop;
	o.heartbeat = heartbeat;
	e->http = http_client_new(&o);
	if (!e->http) {
		*err = xstrdup("cannot initialise libcurl");
		goto fail;
	}
	e->creds = creds_provider_chain(cenv);
	creds_provider_set_network(e->creds, &o, &e->sts_svc);
	e->grantee_sessions = sts_sessions_new();
	e->should_stop = should_stop;
	e->workers = pool_workers_for(cfg->max_tps > 0 ? cfg->max_tps : PACER_CEILING);
	e->lm = (struct aws_client){ e->http, creds_provider_source(e->creds), &e->lm_svc };
	e->org = (struct aws_client){ e->http, creds_provider_source(e->creds), &e->org_svc };
	e->sts = (struct aws_client){ e->http, creds_provider_source(e->creds), &e->sts_svc };
	return 0;
fail:
	engine_free(e);
	return -1;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	http_client_free(e->http);
	sts_sessions_free(e->grantee_sessions);
	creds_provider_free(e->creds);
	aws_service_clear(&e->lm_svc);
	aws_service_clear(&e->org_svc);
	aws_service_clear(&e->sts_svc);
	org_tree_clear(&e->org_cache);
	memset(e, 0, sizeof(*e));
}

void engine_forget_org(struct engine *e)
{
	org_tree_clear(&e->org_cache);
	e->org_cache_at = 0;
}

static void observed_free(struct observed *o)
{
	for (size_t i = 0; i < o->nlicenses; i++) {
		struct observed_license *l = &o->licenses[i];

		free(l->license_arn);
		free(l->read_error);
		observed_license_drop_grants(l);
	}
	free(o->licenses);
	memset(o, 0, sizeof(*o));
}

void pass_report_free(struct pass_report *r)
{
	if (!r)
		return;
	lm_licenses_free(r->licenses, r->nlicenses);
	free(r->licenses_error);
	org_tree_clear(&r->org);
	free(r->org_error);
	plan_free(&r->plan);
	desired_free(&r->desired);
	observed_free(&r->observed);
	strlist_free(&r->warnings);
	apply_result_free(&r->result);
	memset(r, 0, sizeof(*r));
}

/* A read cut short by SIGTERM is not a failure: the pass is interrupted. */
static void log_read_failure(const char *what, const struct aws_error *err, unsigned long pass)
{
	char *why = aws_error_describe(err);
	bool cancelled = err->kind == AWS_ERR_CANCELLED;
	struct log_event ev = {
		.message_id = MSGID_READ_FAILED, .priority = cancelled ? LOG_NOTICE : LOG_ERR,
		.action = "pass", .result = cancelled ? "skipped" : "failed",
		.request_id = err->request_id, .error = err->type, .pass = pass,
	};

	if (cancelled)
		log_event(&ev, "reading %s interrupted: stopping", what);
	else
		log_event(&ev, "reading %s failed: %s", what, why);
	free(why);
}

static bool config_needs_org(const struct config *cfg)
{
	return cfg->nmodels > 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A failed read is never cached, and drops what was: the next pass reads. */
static void read_organization(struct engine *e, const struct config *cfg, struct pass_report *r)
{
	struct aws_error err = { 0 };
	double now = now_seconds();

	if (!config_needs_org(cfg))
		return;
	if (e->org_cache_at > 0 && now - e->org_cache_at < e->org_cache_ttl_s) {
		org_tree_copy(&r->org, &e->org_cache);
		r->org_cached = true;
		log_msg(LOG_DEBUG, "organization as read %.0f s ago", now - e->org_cache_at);
		return;
	}
	engine_forget_org(e);
	if (org_describe(&e->org, &r->org, &err) < 0 || org_read_tree(&e->org, &r->org, &err) < 0) {
		r->org_error = aws_error_describe(&err);
		log_read_failure("the organization", &err, r->pass);
	} else if (e->org_cache_ttl_s > 0) {
		org_tree_copy(&e->org_cache, &r->org);
		e->org_cache_at = now;
	}
	aws_error_clear(&err);
}

/* also_disabled: a DISABLED OU/organization grant has sub-grants too;
 * `access` reports them, plan has no use for them. */
static bool needs_subgrants(const struct grant *g, bool also_disabled)
{
	return arn_is_org_principal(g->principal_arn) &&
	       (g->status == GS_WORKFLOW_COMPLETED || g->status == GS_ACTIVE ||
		(also_disabled && g->status == GS_DISABLED));
}

/* Sub-grants of every completed OU/organization grant, appended to l. */
static int read_subgrants(struct engine *e, struct observed_license *l, bool also_disabled,
			  struct aws_error *err)
{
	for (size_t i = 0; i < l->ngrants; i++) {
		struct grant *subs = NULL;
		size_t nsubs = 0;

		if (!needs_subgrants(&l->grants[i], also_disabled))
			continue;
		if (lm_list_org_subgrants(&e->lm, l->license_arn, l->grants[i].arn, &subs, &nsubs, err) < 0)
			return -1;
		l->subgrants = xrealloc(l->subgrants, (l->nsubgrants + nsubs) * sizeof(*subs));
		memcpy(l->subgrants + l->nsubgrants, subs, nsubs * sizeof(*subs));
		l->nsubgrants += nsubs;
		free(subs);
	}
	return 0;
}

static void read_license(struct engine *e, struct observed_license *l, unsigned long pass,
			 bool also_disabled)
{
	struct aws_error err = { 0 };

	if (lm_list_distributed_grants(&e->lm, l->license_arn, &l->grants, &l->ngrants, &err) < 0 ||
	    read_subgrants(e, l, also_disabled, &err) < 0) {
		char *what = xasprintf("the grants of %s", l->license_arn);

		l->read_ok = false;
		l->read_error = aws_error_describe(&err);
		log_read_failure(what, &err, pass);
		free(what);
		observed_license_drop_grants(l);
	} else {
		l->read_ok = true;
	}
	aws_error_clear(&err);
}

/* Keeps the status counts and frees the grants: once planned, a license's
 * grants are not needed, and 10,000 of them would set the pass's memory. */
static void keep_counts_only(struct observed_license *l)
{
	for (size_t i = 0; i < l->ngrants; i++)
		l->status_counts[l->grants[i].status < GRANT_STATUS_COUNT ? l->grants[i].status
									    : GS_UNKNOWN]++;
	observed_license_drop_grants(l);
}

struct read_job {
	struct engine *e;
	struct observed *o;
	struct planner *planner;
	unsigned long pass;
	_Atomic size_t read; /* licenses read so far, for e->license_read */
};

static void read_one(void *arg, size_t i)
{
	struct read_job *job = arg;
	struct observed_license *l = &job->o->licenses[i];

	read_license(job->e, l, job->pass, false);
	planner_add_license(job->planner, l);
	keep_counts_only(l);
	if (job->e->license_read)
		job->e->license_read(job->e->license_read_ctx, atomic_fetch_add(&job->read, 1) + 1,
				     job->o->nlicenses);
}

static void read_one_kept(void *arg, size_t i)
{
	struct read_job *job = arg;

	read_license(job->e, &job->o->licenses[i], job->pass, true);
}

/* One observed license per model whose license resolved, in model order. */
static void observe_models(const struct desired *d, struct observed *o)
{
	o->licenses = xcalloc(d->nmodels ? d->nmodels : 1, sizeof(*o->licenses));
	for (size_t i = 0; i < d->nmodels; i++) {
		const struct desired_model *m = &d->models[i];

		if (m->error || !m->license_arn)
			continue;
		o->licenses[o->nlicenses++].license_arn = xstrdup(m->license_arn);
	}
}

/* A received license that no model names, by ARN or by product: one
 * whose grants may only be orphans. Decided from the config, not from
 * what resolved, so a model that failed to resolve this pass never has its
 * license taken for an orphan. */
static bool declared_by_config(const struct config *cfg, const struct lm_license *l)
{
	for (size_t i = 0; i < cfg->nmodels; i++) {
		const struct config_model *m = &cfg->models[i];

		if ((m->license_arn && strcmp(m->license_arn, l->arn) == 0) ||
		    (m->product && l->product_sku && strcmp(m->product, l->product_sku) == 0))
			return true;
	}
	return false;
}

/* SPEC §4.3 orphans: with prune, the grants lmgrantd made on licenses no
 * model declares any more. Read one license at a time: there are few. A
 * pass that could not read the organization deletes no orphan: what an
 * OU or organization grant covers is then unknown, and revoking can wait
 * for a pass that sees the whole picture. */
static void plan_orphans(struct engine *e, const struct config *cfg, struct pass_report *r,
			 struct planner *p)
{
	if (!cfg->prune || r->licenses_error || r->org_error)
		return;
	for (size_t i = 0; i < r->nlicenses; i++) {
		/* license_arn is borrowed from r->licenses, which outlives the plan's use. */
		struct observed_license l = { .license_arn = r->licenses[i].arn };

		/* lmgrantd makes its grants in `region`, and AWS only in the
		 * license's home region: a license homed elsewhere has none. */
		if (!l.license_arn || declared_by_config(cfg, &r->licenses[i]) ||
		    (r->licenses[i].home_region && strcmp(r->licenses[i].home_region, cfg->region) != 0))
			continue;
		read_license(e, &l, r->pass, false);
		/* Logged as a read failure; it costs the orphans of that license
		 * this pass, not the declared models: a warning, not an error. */
		if (l.read_ok)
			planner_add_orphan_license(p, &l);
		else
			strlist_push(&r->warnings, xasprintf("orphans on license %s (no model declares it) "
							     "not checked: %s", l.license_arn,
							     l.read_error ? l.read_error : "read failed"));
		observed_license_drop_grants(&l);
		free(l.read_error);
	}
}

/* Licenses are read in parallel (each one's pages in order), so a large
 * estate is not bounded by round trips; each is planned as soon as it has
 * been read, then its grants are dropped. So at most LICENSES_IN_FLIGHT
 * licenses' grants (each at most 2,000, AWS's limit) are ever in memory,
 * however many licenses the config names. */
static void read_and_plan(struct engine *e, const struct config *cfg, struct pass_report *r)
{
	const struct desired *d = &r->desired;
	struct observed *o = &r->observed;
	struct read_job job = { e, o, planner_new(d), r->pass, 0 };

	observe_models(d, o);
	pool_run(o->nlicenses, e->workers < LICENSES_IN_FLIGHT ? e->workers : LICENSES_IN_FLIGHT,
		 read_one, &job);
	plan_orphans(e, cfg, r, job.planner);
	planner_finish(job.planner, &r->plan);
}

static bool has_unresolved_target(const struct desired *d)
{
	for (size_t i = 0; i < d->nmodels; i++)
		for (size_t j = 0; j < d->models[i].ntargets; j++)
			if (!d->models[i].targets[j].principal_arn)
				return true;
	return false;
}

/* A target that does not resolve against a cached organization (an
 * unknown OU path or account) may be waiting for a change made there since
 * it was read: the organization is read afresh and resolved again. */
static void resolve(struct engine *e, const struct config *cfg, struct pass_report *r)
{
	struct resolve_input in = {
		cfg, &r->org, r->org_error, r->licenses, r->nlicenses, r->licenses_error,
	};

	resolve_desired(&in, &r->desired, &r->warnings);
	if (!r->org_cached || !has_unresolved_target(&r->desired))
		return;
	desired_free(&r->desired);
	strlist_free(&r->warnings);
	org_tree_clear(&r->org);
	r->org_cached = false;
	engine_forget_org(e);
	read_organization(e, cfg, r);
	in.org_error = r->org_error;
	resolve_desired(&in, &r->desired, &r->warnings);
}

/* One model-level or target-level entry of log_blocked. */
static void log_one_blocked(const struct pass_report *r, const struct action *a)
{
	struct log_event ev = {
		.message_id = MSGID_MODEL_BLOCKED, .priority = LOG_ERR, .action = "pass",
		.result = "failed", .model = a->model, .license_arn = a->license_arn,
		.principal_arn = a->principal_arn, .grant_arn = a->grant_arn,
		.target = a->target_label, .pass = r->pass,
		.status_reason = grant_reason_shown(a->status, a->status_reason),
	};
	const char *target = a->target_label ? a->target_label : a->principal_arn;

	switch (a->blocked_by) {
	case BLOCK_REJECTED:
		ev.message_id = MSGID_ACTION_BLOCKED;
		ev.priority = LOG_WARNING;
		ev.action = "create";
		ev.result = "skipped";
		log_event(&ev, "%s: create for %s skipped: %s", a->model, target, a->reason);
		break;
	case BLOCK_ACTIVATION:
		ev.message_id = MSGID_ACTION_BLOCKED;
		ev.priority = LOG_WARNING;
		ev.action = "activate";
		ev.result = "skipped";
		log_event(&ev, "%s: activate for %s (%s) skipped: %s", a->model, target,
			  a->principal_arn, a->reason);
		break;
	case BLOCK_FAILED:
		ev.action = "create";
		ev.result = "skipped";
		log_event(&ev, "%s: %s: %s", a->model, target, a->reason);
		break;
	case BLOCK_SHARED_LICENSE:
	case BLOCK_OVERLAP:
		log_event(&ev, "%s: %s", a->model, a->reason);
		break;
	case BLOCK_UNRESOLVED:
		if (!r->org_error && !r->licenses_error)
			log_event(&ev, "%s: %s", a->model, a->reason);
		break;
	default:
		break;
	}
}

/* What no other entry explains: models that do not resolve (unless the
 * organization or license read failed, which its own entry reports),
 * licenses claimed twice, overlapping targets, failed workflows (also when
 * the grant is being made again), grants their grantee rejected and
 * activations AWS keeps DISABLED. Logged every pass they persist: each is
 * a failure or a skipped action of that pass. */
static void log_blocked(const struct pass_report *r)
{
	for (size_t i = 0; i < r->plan.nactions; i++) {
		const struct action *a = &r->plan.actions[i];

		if (a->kind == ACT_BLOCKED) {
			log_one_blocked(r, a);
		} else if (a->kind == ACT_CREATE && a->status == GS_FAILED_WORKFLOW) {
			struct log_event ev = {
				.message_id = MSGID_MODEL_BLOCKED, .priority = LOG_ERR, .action = "create",
				.result = "failed", .model = a->model, .license_arn = a->license_arn,
				.principal_arn = a->principal_arn, .target = a->target_label,
				.pass = r->pass, .status_reason = a->status_reason,
			};

			log_event(&ev, "%s: the grant for %s FAILED_WORKFLOW: %s", a->model,
				  a->target_label ? a->target_label : a->principal_arn,
				  a->status_reason ? a->status_reason : "AWS gave no reason");
		}
	}
}

/* SPEC §5: an apply held back by observe or suspend journals each change
 * it would have made, so the journal shows what enforcing would do. */
static void log_planned(const struct pass_report *r)
{
	for (size_t i = 0; i < r->plan.nactions; i++) {
		const struct action *a = &r->plan.actions[i];
		struct log_event ev = {
			.message_id = MSGID_ACTION_PLANNED, .priority = LOG_NOTICE,
			.action = action_kind_name(a->kind), .result = "planned", .model = a->model,
			.license_arn = a->license_arn, .principal_arn = a->principal_arn,
			.grant_arn = a->grant_arn, .target = a->target_label, .pass = r->pass,
		};

		if (a->kind > ACT_DELETE || a->withheld)
			continue;
		log_event(&ev, "%s: %s for %s planned, not made (%s): %s", a->model ? a->model : "-",
			  action_kind_name(a->kind), a->target_label ? a->target_label : a->principal_arn,
			  r->observe ? "mode: observe" : "suspended", a->reason);
	}
}

void reconcile_pass(struct engine *e, const struct config *cfg, bool apply, unsigned long pass,
		    struct pass_report *r)
{
	struct aws_error err = { 0 };
	double start = now_seconds();

	memset(r, 0, sizeof(*r));
	r->pass = pass;
	r->config_sha256 = cfg->sha256;
	r->config_revision = cfg->revision;
	r->observe = cfg->observe;
	r->suspended = e->suspended;
	if (lm_list_received_licenses(&e->lm, &r->licenses, &r->nlicenses, &err) < 0) {
		r->licenses_error = aws_error_describe(&err);
		log_read_failure("the received licenses", &err, pass);
	}
	aws_error_clear(&err);
	if (!r->licenses_error)
		read_organization(e, cfg, r);
	resolve(e, cfg, r);
	r->desired.memory = e->memory;
	r->desired.now = (double)time(NULL);
	read_and_plan(e, cfg, r);
	if (apply && (r->observe || r->suspended)) {
		log_blocked(r);
		log_planned(r);
		r->held = true;
	} else if (apply) {
		struct apply_ctx ctx = {
			.lm = &e->lm, .home_region = cfg->region, .override = cfg->activation_override,
			.pass = pass, .should_stop = e->should_stop, .workers = e->workers,
			.sts = &e->sts, .grantee_role = cfg->grantee_role,
			.grantee_sessions = e->grantee_sessions, .memory = e->memory,
		};

		log_blocked(r);
		apply_plan(&ctx, &r->plan, &r->result);
		r->applied = true;
	}
	r->interrupted = e->should_stop && e->should_stop();
	r->seconds = now_seconds() - start;
}

void reconcile_read_access(struct engine *e, const struct config *cfg, struct pass_report *r)
{
	struct aws_error err = { 0 };
	struct read_job job = { e, &r->observed, NULL, 0, 0 };

	memset(r, 0, sizeof(*r));
	if (lm_list_received_licenses(&e->lm, &r->licenses, &r->nlicenses, &err) < 0) {
		r->licenses_error = aws_error_describe(&err);
		log_read_failure("the received licenses", &err, 0);
	}
	aws_error_clear(&err);
	if (!r->licenses_error)
		read_organization(e, cfg, r);
	resolve(e, cfg, r);
	observe_models(&r->desired, &r->observed);
	pool_run(r->observed.nlicenses,
		 e->workers < LICENSES_IN_FLIGHT ? e->workers : LICENSES_IN_FLIGHT, read_one_kept, &job);
}

int pass_exit_code(const struct pass_report *r)
{
	/* A failed Organizations read is an API failure even when the
	 * account-only models could go ahead without it. An interrupted
	 * pass did not do its work: 1 too, though it is not reported as
	 * failed (pass_result_name). */
	if (r->interrupted || r->plan.nerrors > 0 || r->result.nfailed > 0 || r->org_error || r->licenses_error)
		return 1;
	if (!r->applied && !r->held && plan_changes(&r->plan) > 0)
		return 2;
	return 0;
}

const char *pass_result_name(const struct pass_report *r)
{
	if (r->interrupted)
		return "interrupted";
	if (pass_exit_code(r) == 1)
		return "failed";
	if (plan_changes(&r->plan) == 0)
		return "in_sync";
	if (r->applied)
		return "changed";
	return r->held ? "planned" : "changes_pending";
}

const char *pass_read_error(const struct pass_report *r)
{
	return r->licenses_error ? r->licenses_error : r->org_error;
}

size_t pass_live_grants(const struct pass_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->observed.nlicenses; i++)
		for (int st = 0; st < GRANT_STATUS_COUNT; st++)
			if (!grant_status_is_tombstone(st))
				n += r->observed.licenses[i].status_counts[st];
	return n;
}

/* Writes that succeeded: failed and skipped actions are not changes. */
static size_t pass_changes_made(const struct pass_report *r)
{
	size_t n = 0;

	for (int k = 0; k <= ACT_DELETE; k++)
		n += r->result.ok[k];
	return n;
}

/* An interrupted pass is a notice (SPEC §5): a restart is not a failure. */
void pass_log_summary(const struct pass_report *r)
{
	int code = pass_exit_code(r);
	const char *done = r->interrupted ? "interrupted" : code == 1 ? "failed" : "done";
	struct log_event ev = {
		.message_id = MSGID_PASS_SUMMARY,
		.priority = r->interrupted ? LOG_NOTICE : code == 1 ? LOG_ERR : LOG_INFO,
		.action = "pass",
		.result = r->interrupted ? "interrupted" : code == 1 ? "failed" : r->held ? "planned" : "ok",
		.pass = r->pass,
	};

	if (r->held && code != 1) {
		log_event(&ev, "pass %lu: %s; %zu changes planned, none made, %zu blocked, %zu waiting, %zu live grants, %.1f s",
			  r->pass, r->observe ? "mode: observe" : "suspended", plan_changes(&r->plan),
			  r->plan.counts[ACT_BLOCKED], r->plan.counts[ACT_WAITING], pass_live_grants(r),
			  r->seconds);
		return;
	}
	log_event(&ev, "pass %lu: %s; %zu changes made, %zu failed, %zu blocked, %zu waiting, %zu live grants, %.1f s",
		  r->pass, done, pass_changes_made(r),
		  r->result.nfailed, r->plan.counts[ACT_BLOCKED], r->plan.counts[ACT_WAITING],
		  pass_live_grants(r), r->seconds);
}
