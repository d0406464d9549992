/*
 * apply: turns plan actions into License Manager writes.
 *
 * Each write gets its own ClientToken, reused by http's retries of that
 * same request, so a write whose answer was lost is not done twice. The
 * version each grant has after our own writes is remembered, so an update
 * followed by an activation of the same grant uses the right SourceVersion.
 */
#include "apply.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arn.h"
#include "lm.h"
#include "log.h"
#include "pool.h"
#include "util.h"

/* Grant ARN -> the version our last write left it at. A pass touches few
 * grants, so a list is enough; workers share it, hence the lock. */
struct versions {
	pthread_mutex_t lock;
	struct strlist arns;
	struct strlist values;
};

/* Returns a copy (caller frees): the entry may be replaced meanwhile. */
static char *version_of(struct versions *v, const struct action *a)
{
	char *found = NULL;

	pthread_mutex_lock(&v->lock);
	for (size_t i = v->arns.n; i-- > 0 && !found;)
		if (strcmp(v->arns.items[i], a->grant_arn) == 0)
			found = xstrdup(v->values.items[i]);
	pthread_mutex_unlock(&v->lock);
	return found ? found : xstrdup(a->version);
}

static void remember_version(struct versions *v, const char *arn, const char *version)
{
	pthread_mutex_lock(&v->lock);
	strlist_push(&v->arns, xstrdup(arn));
	strlist_push(&v->values, xstrdup(version));
	pthread_mutex_unlock(&v->lock);
}

const char *action_result_name(enum action_result r)
{
	switch (r) {
	case AR_OK:
		return "ok";
	case AR_FAILED:
		return "failed";
	case AR_SKIPPED:
		return "skipped";
	default:
		return "none";
	}
}

void apply_result_free(struct apply_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nresults; i++)
		free(r->errors[i]);
	free(r->errors);
	free(r->results);
	memset(r, 0, sizeof(*r));
}

/* One write for action a with source version ver. */
static int do_write(const struct apply_ctx *ctx, const struct action *a, const char *ver,
		    struct lm_write_result *res, struct aws_error *err)
{
	char *token = aws_new_client_token();
	int rc = -1;

	switch (a->kind) {
	case ACT_CREATE: {
		char *name = xasprintf("lmgrantd:%s", a->model);
		struct lm_create_grant in = {
			token, name, a->license_arn, a->principal_arn, ctx->home_region,
			a->operations, a->noperations,
		};

		rc = lm_create_grant(ctx->lm, &in, res, err);
		free(name);
		break;
	}
	case ACT_UPDATE: {
		struct lm_grant_version in = {
			.client_token = token, .grant_arn = a->grant_arn, .source_version = ver,
			.operations = a->operations, .noperations = a->noperations,
		};

		rc = lm_create_grant_version(ctx->lm, &in, res, err);
		break;
	}
	case ACT_ACTIVATE: {
		struct lm_grant_version in = {
			.client_token = token, .grant_arn = a->grant_arn, .source_version = ver,
			.status = "ACTIVE", .override = a->override ? a->override : ctx->override,
		};

		rc = lm_create_grant_version(ctx->lm, &in, res, err);
		break;
	}
	case ACT_DELETE:
		rc = lm_delete_grant(ctx->lm, a->grant_arn, ver, res, err);
		break;
	default:
		break;
	}
	free(token);
	return rc;
}

/*
 * SPEC 4.3: a write refused with a ValidationException may have met a
 * version that moved (AWS bumps it at every workflow step), whatever the
 * message says: read the grant again. A delete whose grant is already gone
 * is done (perhaps by our own earlier attempt whose answer was lost); a
 * version that moved gets the write once more; otherwise the refusal
 * stands.
 */
static int retry_after_reread(const struct apply_ctx *ctx, const struct action *a, const char *tried,
			      struct lm_write_result *res, struct aws_error *err)
{
	struct grant g = { 0 };
	struct aws_error gerr = { 0 };
	int rc = -1;

	if (lm_get_grant(ctx->lm, a->grant_arn, &g, &gerr) < 0)
		goto out; /* the write's own error says more than the read's */
	if (a->kind == ACT_DELETE && grant_status_is_tombstone(g.status)) {
		memset(res, 0, sizeof(*res));
		res->grant_arn = xstrdup(g.arn);
		res->version = xstrdup(g.version);
		res->status = g.status;
		/* The delete AWS refused as already made: its request id is
		 * the one this entry can be matched by. */
		res->request_id = xstrdup(err->request_id);
		aws_error_clear(err);
		rc = 0;
		goto out;
	}
	if (!g.version || (tried && strcmp(g.version, tried) == 0))
		goto out;
	log_msg(LOG_INFO, "%s: version %s is stale, retrying with version %s", a->grant_arn,
		tried ? tried : "(none)", g.version);
	aws_error_clear(err);
	rc = do_write(ctx, a, g.version, res, err);
out:
	grant_clear(&g);
	aws_error_clear(&gerr);
	return rc;
}

/* What the memory must know of a write that succeeded (SPEC 4.2). */
static void note_done(const struct apply_ctx *ctx, const struct action *a, const char *grant_arn)
{
	double now = (double)time(NULL);
	const char *override = NULL;

	if (!ctx->memory)
		return;
	if (a->kind == ACT_CREATE)
		memory_note_create(ctx->memory, a->license_arn, a->principal_arn, now);
	if (a->kind != ACT_ACTIVATE && a->kind != ACT_ACCEPT)
		return;
	override = a->override ? a->override : ctx->override;
	memory_note_activation(ctx->memory, grant_arn, NULL, override, now);
	for (size_t i = 0; i < a->naccounts; i++)
		memory_note_activation(ctx->memory, grant_arn, a->accounts[i], override, now);
}

static const char *action_msgid(enum action_kind k)
{
	switch (k) {
	case ACT_CREATE:
		return MSGID_GRANT_CREATED;
	case ACT_UPDATE:
		return MSGID_GRANT_UPDATED;
	case ACT_ACTIVATE:
		return MSGID_GRANT_ACTIVATED;
	case ACT_ACCEPT:
		return MSGID_GRANT_ACCEPTED;
	default:
		return MSGID_GRANT_DELETED;
	}
}

static const char *past_tense(enum action_kind k)
{
	static const char *const words[] = {
		[ACT_CREATE] = "created", [ACT_UPDATE] = "updated", [ACT_ACCEPT] = "accepted",
		[ACT_ACTIVATE] = "activated", [ACT_DELETE] = "deleted",
	};

	return k <= ACT_DELETE ? words[k] : "done";
}

static const char *target_of(const struct action *a)
{
	return a->target_label ? a->target_label : a->principal_arn;
}

static void log_outcome(const struct apply_ctx *ctx, const struct action *a, enum action_result r,
			const struct lm_write_result *res, const struct aws_error *err)
{
	struct log_event ev = {
		.action = action_kind_name(a->kind), .result = action_result_name(r),
		.model = a->model, .license_arn = a->license_arn,
		.grant_arn = res && res->grant_arn ? res->grant_arn : a->grant_arn,
		.principal_arn = a->principal_arn, .target = a->target_label,
		.status_reason = grant_reason_shown(a->status, a->status_reason),
		.pass = ctx->pass,
	};
	char *why = NULL;

	if (r == AR_OK) {
		ev.message_id = action_msgid(a->kind);
		ev.priority = LOG_NOTICE;
		ev.request_id = res ? res->request_id : NULL;
		log_event(&ev, "%s: grant %s for %s (%s)", a->model ? a->model : "-", past_tense(a->kind),
			  target_of(a), a->reason);
		return;
	}
	ev.message_id = r == AR_FAILED ? MSGID_ACTION_FAILED : MSGID_ACTION_BLOCKED;
	ev.priority = r == AR_FAILED ? LOG_ERR : LOG_WARNING;
	if (err && err->kind) {
		ev.request_id = err->request_id;
		ev.error = err->type;
		why = aws_error_describe(err);
	}
	/* Cut short by SIGTERM: no failure of the action, a notice. */
	if (err && err->kind == AWS_ERR_CANCELLED) {
		ev.priority = LOG_NOTICE;
		free(why);
		why = xstrdup("interrupted by a stop request");
	}
	log_event(&ev, "%s: %s for %s %s: %s", a->model ? a->model : "-", action_kind_name(a->kind),
		  target_of(a), r == AR_FAILED ? "failed" : "skipped", why ? why : "see earlier entries");
	free(why);
}

static void record(struct apply_result *out, size_t i, const struct action *a,
		   enum action_result r, char *error)
{
	out->results[i] = r;
	out->errors[i] = error;
	if (r == AR_OK)
		out->ok[a->kind]++;
	else if (r == AR_FAILED)
		out->failed[a->kind]++, out->nfailed++;
	else if (r == AR_SKIPPED)
		out->skipped[a->kind]++;
}

static bool license_failed(const struct strlist *failed, const struct action *a)
{
	return a->license_arn && strlist_contains(failed, a->license_arn);
}

static enum action_result run_one(const struct apply_ctx *ctx, struct versions *vers,
				  const struct action *a, char **error)
{
	struct lm_write_result res = { 0 };
	struct aws_error err = { 0 };
	enum action_result r = AR_FAILED;
	int rc;

	char *version = a->grant_arn ? version_of(vers, a) : NULL;

	rc = do_write(ctx, a, version, &res, &err);
	/* A stale version, or a delete whose first answer was lost meeting
	 * "already deleted" on its retry: settled by a re-read (aws_error's
	 * table says which errors). */
	if (rc < 0 && a->grant_arn && err.remedy == AWS_REMEDY_REREAD)
		rc = retry_after_reread(ctx, a, version, &res, &err);
	free(version);
	if (rc == 0) {
		r = AR_OK;
		note_done(ctx, a, res.grant_arn ? res.grant_arn : a->grant_arn);
		if (res.grant_arn && res.version)
			remember_version(vers, res.grant_arn, res.version);
	} else {
		/* Cut short by SIGTERM: not made, not failed; the next pass
		 * reads what AWS holds (the ClientToken covers a write that was). */
		if (err.kind == AWS_ERR_CANCELLED)
			r = AR_SKIPPED;
		*error = aws_error_describe(&err);
	}
	log_outcome(ctx, a, r, &res, &err);
	lm_write_result_clear(&res);
	aws_error_clear(&err);
	return r;
}

/* arn:<partition>:iam::<account>:role/<role> for the principal
 * arn:<partition>:iam::<account>:root; NULL when it is no account. */
static char *grantee_role_arn(const char *principal, const char *role)
{
	const char *acct = NULL;
	char id[13];

	if (!principal || !arn_account_of_principal(principal, &acct))
		return NULL;
	memcpy(id, acct, 12);
	id[12] = '\0';
	return arn_role(arn_partition_of(principal), id, role);
}

/*
 * ACT_ACCEPT (SPEC §4.4): the grant waits for its grantee account. Assume
 * the account's grantee_role (session "lmgrantd", cached per role until
 * near expiry), AcceptGrant with those credentials, then activate as the
 * grantee: CreateGrantVersion Status=ACTIVE with the configured override
 * and the version AcceptGrant left. A failure, a role that cannot be
 * assumed included, concerns that account only.
 */
static enum action_result run_accept(const struct apply_ctx *ctx, struct versions *vers,
				     const struct action *a, char **error)
{
	struct lm_write_result res = { 0 };
	struct aws_error err = { 0 };
	struct cred_source *grantee = NULL;
	char *role_arn = grantee_role_arn(a->principal_arn, ctx->grantee_role ? ctx->grantee_role : "");
	char *token = NULL, *accepted_version = NULL;
	enum action_result r = AR_FAILED;

	if (!ctx->grantee_role || !ctx->sts || !ctx->grantee_sessions || !role_arn) {
		*error = xstrdup(role_arn ? "activation.grantee_role is not set"
				 : "the principal is not an account");
		r = AR_SKIPPED;
		goto out;
	}
	if (sts_sessions_get(ctx->grantee_sessions, ctx->sts, role_arn, "lmgrantd", time(NULL),
			     &grantee, &err) == 0) {
		struct aws_client as_grantee = { ctx->lm->http, grantee, ctx->lm->svc };

		if (lm_accept_grant(&as_grantee, a->grant_arn, &res, &err) == 0) {
			struct lm_grant_version in = {
				.grant_arn = a->grant_arn, .status = "ACTIVE", .override = ctx->override,
			};

			accepted_version = res.version ? xstrdup(res.version) : version_of(vers, a);
			lm_write_result_clear(&res);
			token = aws_new_client_token();
			in.client_token = token;
			in.source_version = accepted_version;
			if (lm_create_grant_version(&as_grantee, &in, &res, &err) == 0)
				r = AR_OK;
		}
	}
	if (r == AR_OK)
		note_done(ctx, a, a->grant_arn);
	if (r == AR_OK && res.grant_arn && res.version)
		remember_version(vers, res.grant_arn, res.version);
	else if (r != AR_OK)
		*error = aws_error_describe(&err);
	if (r == AR_FAILED && err.kind == AWS_ERR_CANCELLED)
		r = AR_SKIPPED;
out:
	log_outcome(ctx, a, r, &res, &err);
	lm_write_result_clear(&res);
	aws_error_clear(&err);
	free(role_arn);
	free(token);
	free(accepted_version);
	return r;
}

/* Shared by the workers of one apply: lock guards vers, failed_licenses
 * and the counters in out (each result slot is written by one worker). */
struct apply_run {
	const struct apply_ctx *ctx;
	const struct plan *p;
	struct apply_result *out;
	pthread_mutex_t lock;
	struct versions vers;         /* has its own lock */
	struct strlist failed_licenses;
	size_t phase_start;
};

static void record_locked(struct apply_run *run, size_t i, enum action_result r, char *error)
{
	const struct action *a = &run->p->actions[i];

	pthread_mutex_lock(&run->lock);
	record(run->out, i, a, r, error);
	if (r == AR_FAILED && a->kind != ACT_ACCEPT && a->license_arn)
		strlist_push(&run->failed_licenses, xstrdup(a->license_arn));
	pthread_mutex_unlock(&run->lock);
}

static bool should_skip(struct apply_run *run, const struct action *a)
{
	bool skip;

	pthread_mutex_lock(&run->lock);
	skip = license_failed(&run->failed_licenses, a);
	pthread_mutex_unlock(&run->lock);
	return skip;
}

/* One action; runs on a pool worker. */
static void apply_one(void *arg, size_t k)
{
	struct apply_run *run = arg;
	size_t i = run->phase_start + k;
	const struct action *a = &run->p->actions[i];
	char *error = NULL;
	enum action_result r;

	if (a->withheld) {
		record_locked(run, i, AR_SKIPPED, xstrdup("withheld by max_deletes"));
		return;
	}
	/* Stopping: what has not started is left to the next pass, and the
	 * pass summary says so (one entry, not one per action). */
	if (run->ctx->should_stop && run->ctx->should_stop()) {
		record_locked(run, i, AR_SKIPPED, xstrdup("interrupted by a stop request"));
		return;
	}
	if (should_skip(run, a)) {
		record_locked(run, i, AR_SKIPPED, xstrdup("skipped after an earlier failure"));
		log_outcome(run->ctx, a, AR_SKIPPED, NULL, NULL);
		return;
	}
	/* The grantee's own grant: a failure concerns that account, not the
	 * license's other principals (record_locked knows). */
	r = a->kind == ACT_ACCEPT ? run_accept(run->ctx, &run->vers, a, &error)
				  : run_one(run->ctx, &run->vers, a, &error);
	record_locked(run, i, r, error);
}

static void log_safety_valve(const struct apply_ctx *ctx, const struct plan *p)
{
	struct log_event ev = {
		.message_id = MSGID_SAFETY_VALVE, .priority = LOG_ERR,
		.action = "delete", .result = "skipped", .pass = ctx->pass,
	};

	log_event(&ev, "safety valve: %zu deletes planned would cut %zu account(s) off, more than "
		  "max_deletes; none made", p->counts[ACT_DELETE], p->losses);
}

/*
 * The plan is ordered by kind (create, update, accept, activate, delete):
 * each kind is a phase whose actions run in parallel, and a phase starts
 * only when the one before it has ended, so make-before-break and "update,
 * then activate the same grant" keep their order.
 */
void apply_plan(const struct apply_ctx *ctx, const struct plan *p, struct apply_result *out)
{
	struct apply_run run = { .ctx = ctx, .p = p, .out = out };
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->nresults = p->nactions;
	out->results = xcalloc(p->nactions, sizeof(*out->results));
	out->errors = xcalloc(p->nactions, sizeof(*out->errors));
	pthread_mutex_init(&run.lock, NULL);
	pthread_mutex_init(&run.vers.lock, NULL);
	if (p->deletes_withheld)
		log_safety_valve(ctx, p);
	while (i < p->nactions && p->actions[i].kind < ACT_BLOCKED) {
		enum action_kind kind = p->actions[i].kind;
		size_t end = i;
		/* Assumed-role sessions are cached per account: accept one by one. */
		unsigned workers = kind == ACT_ACCEPT ? 1 : ctx->workers;

		while (end < p->nactions && p->actions[end].kind == kind)
			end++;
		run.phase_start = i;
		pool_run(end - i, workers, apply_one, &run);
		i = end;
	}
	pthread_mutex_destroy(&run.lock);
	pthread_mutex_destroy(&run.vers.lock);
	strlist_free(&run.vers.arns);
	strlist_free(&run.vers.values);
	strlist_free(&run.failed_licenses);
}
