/*
 * apply: turns plan actions into License Manager writes.
 *
 * Each write gets its own ClientToken, reused by http's retries of that
 * same request, so a write whose answer was lost is not done twice. The
 * version each grant has after our own writes is remembered, so an update
 * followed by an activation of the same grant uses the right SourceVersion.
 */
#include "apply.h"

#include <stdlib.h>
#include <string.h>

#include "lm.h"
#include "log.h"
#include "util.h"

/* Grant ARN -> the version our last write left it at. A pass touches few
 * grants, so a list is enough. */
struct versions {
	struct strlist arns;
	struct strlist values;
};

static const char *version_of(const struct versions *v, const struct action *a)
{
	for (size_t i = v->arns.n; i-- > 0;)
		if (strcmp(v->arns.items[i], a->grant_arn) == 0)
			return v->values.items[i];
	return a->version;
}

static void remember_version(struct versions *v, const char *arn, const char *version)
{
	strlist_push(&v->arns, xstrdup(arn));
	strlist_push(&v->values, xstrdup(version));
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

static bool is_version_mismatch(const struct aws_error *e)
{
	return e->kind == AWS_ERR_API && e->type && strcmp(e->type, "ValidationException") == 0 &&
	       e->message && strstr(e->message, "version") != NULL;
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
			.status = "ACTIVE", .override = ctx->override,
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
 * After "version doesn't match": read the grant again. A delete whose
 * grant is already gone is done (perhaps by our own earlier attempt whose
 * answer was lost); otherwise try once more with the fresh version.
 */
static int retry_after_reread(const struct apply_ctx *ctx, const struct action *a,
			      struct lm_write_result *res, struct aws_error *err)
{
	struct grant g = { 0 };
	struct aws_error gerr = { 0 };
	int rc = -1;

	if (lm_get_grant(ctx->lm, a->grant_arn, &g, &gerr) < 0) {
		aws_error_copy(err, &gerr);
		goto out;
	}
	if (a->kind == ACT_DELETE && grant_status_is_tombstone(g.status)) {
		memset(res, 0, sizeof(*res));
		res->grant_arn = xstrdup(g.arn);
		res->version = xstrdup(g.version);
		res->status = g.status;
		aws_error_clear(err);
		rc = 0;
		goto out;
	}
	log_msg(LOG_INFO, "%s: version %s is stale, retrying with version %s", a->grant_arn,
		a->version, g.version);
	aws_error_clear(err);
	rc = do_write(ctx, a, g.version, res, err);
out:
	grant_clear(&g);
	aws_error_clear(&gerr);
	return rc;
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
		.pass = ctx->pass,
	};
	char *why = NULL;

	if (r == AR_OK) {
		ev.message_id = action_msgid(a->kind);
		ev.priority = LOG_NOTICE;
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

	rc = do_write(ctx, a, a->grant_arn ? version_of(vers, a) : NULL, &res, &err);
	if (rc < 0 && a->grant_arn && is_version_mismatch(&err))
		rc = retry_after_reread(ctx, a, &res, &err);
	if (rc == 0) {
		r = AR_OK;
		if (res.grant_arn && res.version)
			remember_version(vers, res.grant_arn, res.version);
	} else {
		*error = aws_error_describe(&err);
	}
	log_outcome(ctx, a, r, &res, &err);
	lm_write_result_clear(&res);
	aws_error_clear(&err);
	return r;
}

void apply_plan(const struct apply_ctx *ctx, const struct plan *p, struct apply_result *out)
{
	struct versions vers = { 0 };
	struct strlist failed_licenses = { 0 };
	bool valve_logged = false;

	memset(out, 0, sizeof(*out));
	out->nresults = p->nactions;
	out->results = xcalloc(p->nactions, sizeof(*out->results));
	out->errors = xcalloc(p->nactions, sizeof(*out->errors));
	for (size_t i = 0; i < p->nactions; i++) {
		const struct action *a = &p->actions[i];
		char *error = NULL;

		if (a->kind >= ACT_BLOCKED)
			continue;
		if (a->withheld) {
			if (!valve_logged) {
				struct log_event ev = {
					.message_id = MSGID_SAFETY_VALVE, .priority = LOG_ERR,
					.action = "delete", .result = "skipped", .pass = ctx->pass,
				};

				log_event(&ev, "safety valve: %zu deletes planned, more than max_deletes; none made",
					  p->counts[ACT_DELETE]);
				valve_logged = true;
			}
			record(out, i, a, AR_SKIPPED, xstrdup("withheld by max_deletes"));
			continue;
		}
		if (license_failed(&failed_licenses, a) || (ctx->should_stop && ctx->should_stop())) {
			record(out, i, a, AR_SKIPPED, xstrdup("skipped after an earlier failure"));
			log_outcome(ctx, a, AR_SKIPPED, NULL, NULL);
			continue;
		}
		if (a->kind == ACT_ACCEPT) {
			record(out, i, a, AR_SKIPPED, xstrdup("accepting as the grantee is not supported by this build"));
			continue;
		}
		record(out, i, a, run_one(ctx, &vers, a, &error), error);
		if (out->results[i] == AR_FAILED && a->license_arn)
			strlist_push(&failed_licenses, xstrdup(a->license_arn));
	}
	strlist_free(&vers.arns);
	strlist_free(&vers.values);
	strlist_free(&failed_licenses);
}
