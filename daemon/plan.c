/*
 * plan: compares the resolved configuration (struct desired) with what
 * License Manager holds (struct observed) and lists, in order, the actions
 * that bring the second to the first (SPEC §4.2-4.3). It decides only:
 * reading is lm's job, executing is apply's, printing is the caller's.
 *
 * Pure: no I/O, no clock, no globals; the same input gives the same plan.
 * Lookups go through sorted indexes and binary search, so a plan over
 * thousands of grants and hundreds of targets stays O(n log n).
 */
#include "plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arn.h"
#include "util.h"

char *const *desired_target_accounts(const struct desired_target *t, size_t *n)
{
	if (t->kind == TARGET_ACCOUNT) {
		*n = t->principal_arn ? 1 : 0;
		return &t->principal_arn;
	}
	*n = t->naccounts;
	return t->accounts;
}

/* An action being built, with the keys that put it in its place. */
struct entry {
	struct action a;
	size_t model_rank; /* position of the model when models are sorted by name */
	size_t target;     /* index of the target in its model; SIZE_MAX after all */
	size_t grant;      /* listing index of the grant; 0 when there is none */
	size_t seq;        /* build order: makes the (unstable) qsort stable */
};

struct builder {
	struct entry *v;
	size_t n;
	size_t cap;
	size_t nerrors;
};

/* One row of a sorted index: a string key and the position it came from.
 * Rows sort by key, then by position, so equal keys stay in input order. */
struct keyed {
	const char *key;
	size_t idx;
};

static int keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static void keyed_sort(struct keyed *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), keyed_cmp);
}

/* First row whose key is >= key (n when none). */
static size_t lower_bound(const struct keyed *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The rows [*lo, return) whose key equals key. */
static size_t equal_range(const struct keyed *v, size_t n, const char *key, size_t *lo)
{
	size_t hi = lower_bound(v, n, key);

	*lo = hi;
	while (hi < n && strcmp(v[hi].key, key) == 0)
		hi++;
	return hi;
}

static bool is_account_arn(const char *arn)
{
	const char *account = NULL;

	return arn_account_of_principal(arn, &account);
}

/* The 12-digit account id of an account principal, borrowed from arn. */
static const char *account_id_of(const char *arn)
{
	const char *account = "????????????";

	arn_account_of_principal(arn, &account);
	return account;
}

static const char *or_unknown(const char *s)
{
	return s ? s : "(unknown)";
}

/*
 * How far a live grant has come. The keeper of duplicates is the most
 * advanced one. UNKNOWN (a status this build does not know) ranks with
 * PENDING_DELETE: something is going on that we must not disturb.
 */
static int status_rank(enum grant_status st)
{
	switch (st) {
	case GS_ACTIVE:
	case GS_WORKFLOW_COMPLETED:
		return 6;
	case GS_DISABLED:
		return 5;
	case GS_PENDING_ACCEPT:
		return 4;
	case GS_PENDING_WORKFLOW:
		return 3;
	case GS_PENDING_DELETE:
	case GS_UNKNOWN:
		return 2;
	case GS_REJECTED:
		return 1;
	case GS_DELETED:
	case GS_FAILED_WORKFLOW:
		break;
	}
	return 0;
}

/* Grants in PENDING_DELETE are already going away, and an UNKNOWN status
 * may be a workflow we do not understand: never delete either. */
static bool status_deletable(enum grant_status st)
{
	return st != GS_PENDING_DELETE && st != GS_UNKNOWN && !grant_status_is_tombstone(st);
}

/* Appends an action; the pointer is valid until the next add. Takes
 * ownership of reason. */
static struct action *add(struct builder *b, enum action_kind kind, size_t model_rank,
			  size_t target, size_t grant, char *reason)
{
	struct entry *e = NULL;

	grow_array((void **)&b->v, &b->cap, b->n + 1, sizeof(*b->v));
	e = &b->v[b->n];
	memset(e, 0, sizeof(*e));
	e->a.kind = kind;
	e->a.status = GS_UNKNOWN;
	e->a.reason = reason;
	e->model_rank = model_rank;
	e->target = target;
	e->grant = grant;
	e->seq = b->n++;
	return &e->a;
}

/* Everything plan_license needs about one managed model and its license. */
struct license_ctx {
	const struct desired *desired;
	const struct desired_model *model;
	size_t rank;
	const struct observed_license *lic;
	struct keyed *by_principal; /* live top-level grants: principal -> grant index */
	size_t nby_principal;
	struct keyed *failed; /* FAILED_WORKFLOW grants: principal -> grant index */
	size_t nfailed;
	struct keyed *by_target; /* declared principal -> target index */
	struct keyed *subs;      /* sub-grants: parent ARN -> subgrant index */
	size_t nsubs;
	struct keyed *declared;  /* accounts some target covers -> target index */
	size_t ndeclared;
	size_t *keeper;          /* per target: its keeper's grant index, SIZE_MAX: none */
	/* Accounts with an ACTIVE grant or sub-grant through a declared
	 * keeper, and through a grant that prune will delete. */
	struct keyed *active_declared, *active_doomed;
	size_t nactive_declared, nactive_doomed;
};

static bool has_key(const struct keyed *v, size_t n, const char *key)
{
	size_t lo = 0;

	return equal_range(v, n, key, &lo) > lo;
}

static void push_key(struct keyed **v, size_t *n, size_t *cap, const char *key, size_t idx)
{
	grow_array((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct keyed){ key, idx };
}

/* A sub-grant listed as a grant of its own (ParentArn another grant, as
 * ListDistributedGrants might list them): never planned by itself. */
static bool is_listed_subgrant(const struct grant *g)
{
	return arn_is_grant(g->parent_arn);
}

/* An action about target ti, filled with what is known about it and, when
 * keeper is not NULL, about its live grant. */
static struct action *add_target(struct builder *b, const struct license_ctx *c, enum action_kind kind,
				 size_t ti, const struct grant *keeper, size_t gi, char *reason)
{
	const struct desired_target *t = &c->model->targets[ti];
	struct action *a = add(b, kind, c->rank, ti, gi, reason);

	a->model = c->model->name;
	a->license_arn = c->model->license_arn;
	a->principal_arn = xstrdup(t->principal_arn);
	a->target_label = t->label;
	a->is_account = is_account_arn(t->principal_arn);
	if (keeper) {
		a->grant_arn = xstrdup(keeper->arn);
		a->version = xstrdup(keeper->version);
		a->status = keeper->status;
		a->status_reason = xstrdup(keeper->status_reason);
	}
	if (kind == ACT_CREATE || kind == ACT_UPDATE) {
		a->operations = c->model->operations;
		a->noperations = c->model->noperations;
	}
	if (kind == ACT_UPDATE && keeper) {
		a->live_operations = xcalloc(keeper->noperations + 1, sizeof(*a->live_operations));
		for (size_t i = 0; i < keeper->noperations; i++)
			a->live_operations[i] = xstrdup(keeper->operations[i]);
		a->nlive_operations = keeper->noperations;
	}
	return a;
}

static struct action *add_delete(struct builder *b, const struct license_ctx *c, size_t ti, size_t gi,
				 enum action_kind kind, char *reason)
{
	const struct grant *g = &c->lic->grants[gi];
	struct action *a = add(b, kind, c->rank, ti, gi, reason);

	a->model = c->model->name;
	a->license_arn = c->model->license_arn;
	a->principal_arn = xstrdup(g->principal_arn);
	a->target_label = ti == SIZE_MAX ? NULL : c->model->targets[ti].label;
	a->grant_arn = xstrdup(g->arn);
	a->version = xstrdup(g->version);
	a->status = g->status;
	a->status_reason = xstrdup(g->status_reason);
	a->is_account = is_account_arn(g->principal_arn);
	return a;
}

static char *ops_differ_reason(const struct grant *g, const struct desired_model *m)
{
	struct strbuf sb = { 0 };

	sb_puts(&sb, "operations differ: live [");
	for (size_t i = 0; i < g->noperations; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", g->operations[i]);
	sb_puts(&sb, "], declared [");
	for (size_t i = 0; i < m->noperations; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", m->operations[i]);
	sb_puts(&sb, "]");
	return sb_steal(&sb);
}

/* lmgrantd activated it (for that account) with override (NULL: the
 * configured one) less than retry_after ago. */
static bool activated_lately(const struct license_ctx *c, const char *grant_arn, const char *account,
			     const char *override)
{
	const struct desired *d = c->desired;
	double at = memory_activated_at(d->memory, grant_arn, account,
					override ? override : d->override);

	return at > 0 && d->now - at < (double)d->retry_after_s;
}

static const char *const SWAP = "ALL_GRANTS_PERMITTED_BY_ISSUER";

/* SPEC 4.3: when an account the activation is for still holds the grant
 * being replaced (which prune will delete), DISTRIBUTED_GRANTS_ONLY would
 * keep the replacement DISABLED for as long as the old one is active, and
 * the old one is deleted only once the replacement is active: AWS's swap
 * breaks that circle. */
static const char *activation_override(const struct license_ctx *c, char *const *accounts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (has_key(c->active_doomed, c->nactive_doomed, accounts[i]))
			return SWAP;
	return NULL;
}

static char **copy_accounts(char *const *v, size_t n)
{
	char **out = xcalloc(n ? n : 1, sizeof(*out));

	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static char *held_reason(const char *status_reason)
{
	return xasprintf("still DISABLED after lmgrantd activated it: %s; not activated again before "
			 "activation.retry_after (another grant of this product is probably active in the "
			 "account: activation.override: ALL_GRANTS_PERMITTED_BY_ISSUER replaces it)",
			 status_reason ? status_reason : "AWS gave no reason");
}

/* "account <id>: <reason>" for an action about one account of an
 * OU/organization target, whose label names the OU; takes reason. */
static char *account_reason(const char *account_arn, char *reason)
{
	char *s = is_account_arn(account_arn)
			  ? xasprintf("account %.12s: %s", account_id_of(account_arn), reason)
			  : xasprintf("%s: %s", account_arn, reason);

	free(reason);
	return s;
}

/* A DISABLED grant: activate it, unless lmgrantd did lately and AWS kept
 * it DISABLED (SPEC 4.2: the one-active rule, most likely). */
static void plan_disabled(struct builder *b, const struct license_ctx *c, size_t ti,
			  const struct grant *k, size_t ki)
{
	size_t naccounts = 0;
	char *const *accounts = desired_target_accounts(&c->model->targets[ti], &naccounts);
	const char *override = activation_override(c, accounts, naccounts);
	struct action *a = NULL;

	if (activated_lately(c, k->arn, NULL, override)) {
		add_target(b, c, ACT_BLOCKED, ti, k, ki, held_reason(k->status_reason))->blocked_by =
			BLOCK_ACTIVATION;
		return;
	}
	a = add_target(b, c, ACT_ACTIVATE, ti, k, ki, xstrdup("grant is DISABLED"));
	a->accounts = copy_accounts(accounts, naccounts);
	a->naccounts = naccounts;
	a->override = override;
}

/* An active OU/organization grant whose DISABLED sub-grants are either new
 * accounts (activate the parent again: that reaches them) or accounts AWS
 * kept DISABLED after lmgrantd's activation (blocked, one per account). */
static void plan_disabled_subs(struct builder *b, const struct license_ctx *c, size_t ti,
			       const struct grant *k, size_t ki)
{
	struct strlist fresh = { 0 };
	size_t lo = 0, hi = equal_range(c->subs, c->nsubs, k->arn, &lo);
	struct action *a = NULL;

	for (size_t i = lo; i < hi; i++) {
		const struct grant *sub = &c->lic->subgrants[c->subs[i].idx];

		if (sub->status != GS_DISABLED || !sub->principal_arn)
			continue;
		if (!activated_lately(c, k->arn, sub->principal_arn,
				      activation_override(c, &sub->principal_arn, 1))) {
			strlist_push(&fresh, xstrdup(sub->principal_arn));
			continue;
		}
		a = add_target(b, c, ACT_BLOCKED, ti, k, ki, NULL);
		a->reason = account_reason(sub->principal_arn, held_reason(sub->status_reason));
		a->blocked_by = BLOCK_ACTIVATION;
		free(a->principal_arn);
		a->principal_arn = xstrdup(sub->principal_arn);
		free(a->status_reason);
		a->status_reason = xstrdup(sub->status_reason);
	}
	if (fresh.n == 0)
		return;
	a = add_target(b, c, ACT_ACTIVATE, ti, k, ki,
		       xasprintf("%zu account(s) with a DISABLED sub-grant, e.g. %s", fresh.n,
				 fresh.items[0]));
	a->override = activation_override(c, fresh.items, fresh.n);
	a->accounts = fresh.items; /* moved */
	a->naccounts = fresh.n;
}

/* Update and activate for a DISABLED, ACTIVE or WORKFLOW_COMPLETED keeper. */
static void plan_present(struct builder *b, const struct license_ctx *c, size_t ti,
			 const struct grant *k, size_t ki)
{
	const struct desired_model *m = c->model;

	if (!operations_equal(k->operations, k->noperations, m->operations, m->noperations))
		add_target(b, c, ACT_UPDATE, ti, k, ki, ops_differ_reason(k, m));
	if (!m->activate)
		return;
	if (k->status == GS_DISABLED)
		plan_disabled(b, c, ti, k, ki);
	else if (k->arn && !is_account_arn(m->targets[ti].principal_arn))
		plan_disabled_subs(b, c, ti, k, ki);
}

/* What the keeper's status asks for (SPEC §4.2). */
static void plan_keeper(struct builder *b, const struct license_ctx *c, size_t ti,
			const struct grant *k, size_t ki)
{
	const char *principal = c->model->targets[ti].principal_arn;

	switch (k->status) {
	case GS_PENDING_DELETE:
		add_target(b, c, ACT_WAITING, ti, k, ki, xstrdup("being deleted; will be recreated after"));
		break;
	case GS_PENDING_WORKFLOW:
	case GS_UNKNOWN:
		add_target(b, c, ACT_WAITING, ti, k, ki,
			   xasprintf("AWS workflow in progress (%s)", grant_status_name(k->status)));
		break;
	case GS_PENDING_ACCEPT:
		if (!is_account_arn(principal))
			add_target(b, c, ACT_WAITING, ti, k, ki,
				   xstrdup("waiting for the grantee to accept the grant"));
		else if (c->desired->can_accept)
			add_target(b, c, ACT_ACCEPT, ti, k, ki,
				   xstrdup("waiting for the account to accept; accepting as grantee"));
		else
			add_target(b, c, ACT_WAITING, ti, k, ki,
				   xasprintf("waiting for account %.12s to accept the grant",
					     account_id_of(principal)));
		break;
	case GS_REJECTED:
		/* A state to report, not a failure of the pass: nerrors stays. */
		add_target(b, c, ACT_BLOCKED, ti, k, ki, xstrdup("rejected by the grantee; not recreated"))
			->blocked_by = BLOCK_REJECTED;
		break;
	case GS_DISABLED:
	case GS_ACTIVE:
	case GS_WORKFLOW_COMPLETED:
		plan_present(b, c, ti, k, ki);
		break;
	case GS_DELETED:
	case GS_FAILED_WORKFLOW:
		break; /* tombstones never become keepers */
	}
}

/*
 * The keeper among a principal's live grants: the most advanced status,
 * then the smaller GrantArn. A total order (the listing's is not one), so
 * two lmgrantd instances always keep the same copy and delete the others.
 * AWS lists no creation time, so "older" cannot be part of it.
 */
static bool keeps_over(const struct grant *a, const struct grant *b)
{
	int ra = status_rank(a->status), rb = status_rank(b->status);

	if (ra != rb)
		return ra > rb;
	return strcmp(a->arn ? a->arn : "", b->arn ? b->arn : "") < 0;
}

static size_t pick_keeper(const struct license_ctx *c, const char *principal)
{
	const struct grant *grants = c->lic->grants;
	size_t lo = 0, hi = equal_range(c->by_principal, c->nby_principal, principal, &lo);
	size_t ki = SIZE_MAX;

	for (size_t i = lo; i < hi; i++) {
		size_t gi = c->by_principal[i].idx;

		if (ki == SIZE_MAX || keeps_over(&grants[gi], &grants[ki]))
			ki = gi;
	}
	return ki;
}

/* The last FAILED_WORKFLOW grant listed for principal, or NULL. */
static const struct grant *failed_grant(const struct license_ctx *c, const char *principal)
{
	size_t lo = 0, hi = equal_range(c->failed, c->nfailed, principal, &lo);

	return lo < hi ? &c->lic->grants[c->failed[hi - 1].idx] : NULL;
}

/* No live grant: create one, unless the last one lmgrantd made for this
 * principal failed its workflow less than failed_retry ago (SPEC 4.2). */
static void plan_missing(struct builder *b, struct license_ctx *c, size_t ti)
{
	const struct desired *d = c->desired;
	const char *principal = c->model->targets[ti].principal_arn;
	const struct grant *f = failed_grant(c, principal);
	double at = f ? memory_created_at(d->memory, c->model->license_arn, principal) : 0;
	struct action *a = NULL;

	if (!f) {
		add_target(b, c, ACT_CREATE, ti, NULL, 0, xstrdup("declared, no live grant"));
		return;
	}
	if (at > 0 && d->now - at < (double)d->failed_retry_s) {
		a = add_target(b, c, ACT_BLOCKED, ti, f, 0,
			       xasprintf("grant FAILED_WORKFLOW: %s; created again at most once per "
					 "failed_retry", f->status_reason ? f->status_reason : "AWS gave no reason"));
		a->blocked_by = BLOCK_FAILED;
		b->nerrors++;
		return;
	}
	a = add_target(b, c, ACT_CREATE, ti, NULL, 0,
		       xasprintf("the last grant FAILED_WORKFLOW (%s); creating it again",
				 f->status_reason ? f->status_reason : "AWS gave no reason"));
	a->status = GS_FAILED_WORKFLOW;
	a->status_reason = xstrdup(f->status_reason);
}

/* One declared target: create, or act on its keeper and its duplicates. */
static void plan_target(struct builder *b, struct license_ctx *c, size_t ti)
{
	const struct grant *grants = c->lic->grants;
	const char *principal = c->model->targets[ti].principal_arn;
	size_t lo = 0, hi = equal_range(c->by_principal, c->nby_principal, principal, &lo);
	size_t ki = c->keeper[ti];

	if (ki == SIZE_MAX) {
		plan_missing(b, c, ti);
		return;
	}
	/* Without prune, duplicates are left alone and not even reported: they
	 * are harmless to the keeper and prune=false means "touch nothing
	 * extra". Deleting one cuts no account off: losses stay 0. */
	for (size_t i = lo; i < hi && c->desired->prune; i++) {
		size_t gi = c->by_principal[i].idx;

		if (gi != ki && status_deletable(grants[gi].status))
			add_delete(b, c, ti, gi, ACT_DELETE,
				   xasprintf("duplicate of %s", or_unknown(grants[ki].arn)));
	}
	plan_keeper(b, c, ti, &grants[ki], ki);
}

/* Accounts with an ACTIVE entitlement through grant g: the account of an
 * ACTIVE account grant, or the accounts of g's ACTIVE sub-grants. */
static void active_accounts_of(const struct license_ctx *c, const struct grant *g, struct keyed **v,
			       size_t *n, size_t *cap)
{
	size_t lo = 0, hi = 0;

	if (is_account_arn(g->principal_arn)) {
		if (g->status == GS_ACTIVE)
			push_key(v, n, cap, g->principal_arn, 0);
		return;
	}
	hi = equal_range(c->subs, c->nsubs, g->arn ? g->arn : "", &lo);
	for (size_t i = lo; i < hi; i++) {
		const struct grant *sub = &c->lic->subgrants[c->subs[i].idx];

		if (sub->status == GS_ACTIVE && sub->principal_arn)
			push_key(v, n, cap, sub->principal_arn, 0);
	}
}

static bool is_declared_principal(const struct license_ctx *c, const char *principal)
{
	return has_key(c->by_target, c->model->ntargets, principal);
}

/* Who is active through what, before anything is planned: the keepers of
 * the declared targets, and the grants prune will delete. */
static void index_access(struct license_ctx *c)
{
	const struct desired_model *m = c->model;
	size_t cap_d = 0, cap_x = 0;

	c->keeper = xcalloc(m->ntargets ? m->ntargets : 1, sizeof(*c->keeper));
	for (size_t ti = 0; ti < m->ntargets; ti++) {
		c->keeper[ti] = pick_keeper(c, m->targets[ti].principal_arn);
		if (c->keeper[ti] != SIZE_MAX)
			active_accounts_of(c, &c->lic->grants[c->keeper[ti]], &c->active_declared,
					   &c->nactive_declared, &cap_d);
	}
	for (size_t i = 0; i < c->nby_principal && c->desired->prune; i++) {
		const struct grant *g = &c->lic->grants[c->by_principal[i].idx];

		if (!is_declared_principal(c, g->principal_arn))
			active_accounts_of(c, g, &c->active_doomed, &c->nactive_doomed, &cap_x);
	}
	keyed_sort(c->active_declared, c->nactive_declared);
	keyed_sort(c->active_doomed, c->nactive_doomed);
}

/*
 * An undeclared grant (SPEC 4.3): deleted only when every account it gives
 * access to that stays declared is active through a declared grant (make
 * before break); the accounts it gives access to that no declared target
 * covers are the ones that lose it, counted for max_deletes.
 */
static void plan_undeclared(struct builder *b, const struct license_ctx *c, size_t gi)
{
	const struct grant *g = &c->lic->grants[gi];
	struct keyed *acc = NULL;
	size_t nacc = 0, cap = 0, waiting = 0, losses = 0;
	const char *example = NULL;

	active_accounts_of(c, g, &acc, &nacc, &cap);
	for (size_t i = 0; i < nacc; i++) {
		if (!has_key(c->declared, c->ndeclared, acc[i].key))
			losses++;
		else if (!has_key(c->active_declared, c->nactive_declared, acc[i].key)) {
			waiting++;
			example = example ? example : acc[i].key;
		}
	}
	if (waiting > 0)
		add_delete(b, c, SIZE_MAX, gi, ACT_WAITING,
			   xasprintf("not declared; replacement not active yet for %zu account(s), e.g. %s",
				     waiting, example));
	else
		add_delete(b, c, SIZE_MAX, gi, ACT_DELETE,
			   losses ? xasprintf("not declared; %zu account(s) lose access", losses)
				  : xstrdup("not declared"))->losses = losses;
	free(acc);
}

static void build_indexes(struct license_ctx *c)
{
	const struct observed_license *lic = c->lic;
	const struct desired_model *m = c->model;
	size_t cap = 0, capf = 0, capd = 0;

	for (size_t i = 0; i < lic->ngrants; i++) {
		const struct grant *g = &lic->grants[i];

		/* lm always fills the principal; a grant without one cannot be
		 * matched or judged, so it is left alone. */
		if (!g->principal_arn || is_listed_subgrant(g))
			continue;
		if (g->status == GS_FAILED_WORKFLOW)
			push_key(&c->failed, &c->nfailed, &capf, g->principal_arn, i);
		else if (!grant_status_is_tombstone(g->status))
			push_key(&c->by_principal, &c->nby_principal, &cap, g->principal_arn, i);
	}
	keyed_sort(c->by_principal, c->nby_principal);
	keyed_sort(c->failed, c->nfailed);

	c->by_target = xcalloc(m->ntargets ? m->ntargets : 1, sizeof(*c->by_target));
	for (size_t i = 0; i < m->ntargets; i++) {
		c->by_target[i] = (struct keyed){ m->targets[i].principal_arn, i };
		size_t n = 0;
		char *const *accounts = desired_target_accounts(&m->targets[i], &n);

		for (size_t k = 0; k < n; k++)
			push_key(&c->declared, &c->ndeclared, &capd, accounts[k], i);
	}
	keyed_sort(c->by_target, m->ntargets);
	keyed_sort(c->declared, c->ndeclared);

	c->subs = xcalloc(lic->nsubgrants ? lic->nsubgrants : 1, sizeof(*c->subs));
	for (size_t i = 0; i < lic->nsubgrants; i++)
		if (lic->subgrants[i].parent_arn)
			c->subs[c->nsubs++] = (struct keyed){ lic->subgrants[i].parent_arn, i };
	keyed_sort(c->subs, c->nsubs);
}

static void license_ctx_free(struct license_ctx *c)
{
	free(c->by_principal);
	free(c->failed);
	free(c->by_target);
	free(c->subs);
	free(c->declared);
	free(c->keeper);
	free(c->active_declared);
	free(c->active_doomed);
}

/* A managed, readable license of a resolved model. */
static void plan_license(struct builder *b, const struct desired *d, const struct desired_model *m,
			 size_t rank, const struct observed_license *lic)
{
	struct license_ctx c = { .desired = d, .model = m, .rank = rank, .lic = lic };

	build_indexes(&c);
	index_access(&c);
	for (size_t ti = 0; ti < m->ntargets; ti++) {
		/* Two targets resolving to one principal (an OU named by path
		 * and by id) are one target: the first one written plans it. */
		size_t first = lower_bound(c.by_target, m->ntargets, m->targets[ti].principal_arn);

		if (c.by_target[first].idx == ti)
			plan_target(b, &c, ti);
	}
	for (size_t i = 0; i < c.nby_principal && d->prune; i++) {
		size_t gi = c.by_principal[i].idx;

		if (status_deletable(lic->grants[gi].status) &&
		    !is_declared_principal(&c, lic->grants[gi].principal_arn))
			plan_undeclared(b, &c, gi);
	}
	license_ctx_free(&c);
}

static bool model_resolved(const struct desired_model *m)
{
	if (m->error || !m->license_arn)
		return false;
	for (size_t i = 0; i < m->ntargets; i++)
		if (!m->targets[i].principal_arn)
			return false;
	return true;
}

static char *unresolved_reason(const struct desired_model *m)
{
	if (m->error)
		return xasprintf("model cannot be resolved: %s", m->error);
	if (!m->license_arn)
		return xstrdup("model cannot be resolved: no license");
	for (size_t i = 0; i < m->ntargets; i++)
		if (!m->targets[i].principal_arn)
			return xasprintf("model cannot be resolved: target %s",
					 or_unknown(m->targets[i].label));
	return xstrdup("model cannot be resolved");
}

/* A model-level BLOCKED action; every one of them fails the pass. */
static void add_model_blocked(struct builder *b, const struct desired_model *m, size_t rank,
			      enum block_cause cause, char *reason)
{
	struct action *a = add(b, ACT_BLOCKED, rank, 0, 0, reason);

	a->blocked_by = cause;
	a->model = m->name;
	a->license_arn = m->license_arn;
	b->nerrors++;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->a.kind != b->a.kind)
		return a->a.kind < b->a.kind ? -1 : 1;
	if (a->model_rank != b->model_rank)
		return a->model_rank < b->model_rank ? -1 : 1;
	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	if (a->grant != b->grant)
		return a->grant < b->grant ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static const char *model_name(const struct desired_model *m)
{
	return m->name ? m->name : "";
}

static void action_clear(struct action *a)
{
	for (size_t i = 0; i < a->nlive_operations; i++)
		free(a->live_operations[i]);
	free(a->live_operations);
	free(a->principal_arn);
	free(a->grant_arn);
	free(a->version);
	free(a->reason);
	free(a->status_reason);
	for (size_t i = 0; i < a->naccounts; i++)
		free(a->accounts[i]);
	free(a->accounts);
}

/* What was added for one model's license. */
struct slot {
	bool seen;        /* a license was added for this model */
	bool read_ok;
	char *read_error; /* owned copy */
	struct builder b; /* the license's actions */
};

struct planner {
	const struct desired *desired;
	size_t *rank;         /* model index -> position when sorted by name */
	struct keyed *claims; /* license ARN -> model index */
	size_t nclaims;
	struct slot *slots;   /* one per model */
	struct builder orphans; /* deletes on licenses no model declares */
};

struct planner *planner_new(const struct desired *desired)
{
	size_t nmodels = desired->nmodels;
	struct planner *p = xcalloc(1, sizeof(*p));
	struct keyed *by_name = xcalloc(nmodels, sizeof(*by_name));

	p->desired = desired;
	p->rank = xcalloc(nmodels, sizeof(*p->rank));
	p->claims = xcalloc(nmodels, sizeof(*p->claims));
	p->slots = xcalloc(nmodels, sizeof(*p->slots));
	for (size_t i = 0; i < nmodels; i++)
		by_name[i] = (struct keyed){ model_name(&desired->models[i]), i };
	keyed_sort(by_name, nmodels);
	for (size_t i = 0; i < nmodels; i++)
		p->rank[by_name[i].idx] = i;
	free(by_name);
	for (size_t i = 0; i < nmodels; i++)
		if (desired->models[i].license_arn)
			p->claims[p->nclaims++] = (struct keyed){ desired->models[i].license_arn, i };
	keyed_sort(p->claims, p->nclaims);
	return p;
}

/* Touches only the slot of the one model that claims lic: that is what
 * makes concurrent calls for distinct licenses safe. */
void planner_add_license(struct planner *p, const struct observed_license *lic)
{
	size_t lo = 0, hi = 0;
	const struct desired_model *m = NULL;
	struct slot *slot = NULL;

	if (!lic->license_arn)
		return;
	/* Unclaimed: not ours. Claimed twice: planner_finish blocks both. */
	hi = equal_range(p->claims, p->nclaims, lic->license_arn, &lo);
	if (hi - lo != 1)
		return;
	m = &p->desired->models[p->claims[lo].idx];
	slot = &p->slots[p->claims[lo].idx];
	if (slot->seen)
		return; /* the first one added counts, as in a listing */
	slot->seen = true;
	slot->read_ok = lic->read_ok;
	slot->read_error = xstrdup(lic->read_error);
	if (lic->read_ok && model_resolved(m))
		plan_license(&slot->b, p->desired, m, p->rank[p->claims[lo].idx], lic);
}

#define GRANT_NAME_PREFIX "lmgrantd:"

/* The grants lmgrantd made carry its GrantName (CreateGrant in apply). */
static bool made_by_lmgrantd(const struct grant *g)
{
	return g->name && strncmp(g->name, GRANT_NAME_PREFIX, strlen(GRANT_NAME_PREFIX)) == 0;
}

/* The model name comes from AWS: bounded, control characters as \xNN. */
static char *orphan_reason(const char *grant_name)
{
	struct strbuf sb = { 0 };
	const char *model = grant_name + strlen(GRANT_NAME_PREFIX);

	sb_puts(&sb, "orphan: made for model ");
	for (size_t i = 0; i < 128 && model[i]; i++) {
		unsigned char c = (unsigned char)model[i];

		if (c < 0x20 || c == 0x7f)
			sb_printf(&sb, "\\x%02X", c);
		else
			sb_append(&sb, &model[i], 1);
	}
	sb_puts(&sb, ", which the configuration no longer declares");
	return sb_steal(&sb);
}

/* The accounts that lose access when orphan g goes (SPEC 4.3 valve): its
 * account if ACTIVE, or the accounts of its ACTIVE sub-grants; each
 * counted once per license (in *seen), as two orphans of one account cut
 * it off once. No model declares the license, so nothing else covers them. */
static size_t orphan_losses(const struct observed_license *lic, const struct grant *g,
			    struct keyed **seen, size_t *nseen, size_t *cap)
{
	size_t n = 0;

	if (is_account_arn(g->principal_arn)) {
		if (g->status == GS_ACTIVE && !has_key(*seen, *nseen, g->principal_arn)) {
			push_key(seen, nseen, cap, g->principal_arn, 0);
			keyed_sort(*seen, *nseen);
			n++;
		}
		return n;
	}
	for (size_t i = 0; i < lic->nsubgrants; i++) {
		const struct grant *sub = &lic->subgrants[i];

		if (sub->status != GS_ACTIVE || !sub->principal_arn || !sub->parent_arn ||
		    strcmp(sub->parent_arn, g->arn) != 0 || has_key(*seen, *nseen, sub->principal_arn))
			continue;
		push_key(seen, nseen, cap, sub->principal_arn, 0);
		keyed_sort(*seen, *nseen);
		n++;
	}
	return n;
}

void planner_add_orphan_license(struct planner *p, const struct observed_license *lic)
{
	struct builder *b = &p->orphans;
	size_t rank = p->desired->nmodels; /* after every declared model */
	struct keyed *seen = NULL;
	size_t nseen = 0, cap = 0;

	if (!lic->read_ok) {
		struct action *a = add(b, ACT_BLOCKED, rank, SIZE_MAX, 0,
				       xasprintf("license no model declares could not be read: %s",
						 or_unknown(lic->read_error)));

		a->blocked_by = BLOCK_UNREADABLE;
		a->license_arn = lic->license_arn;
		b->nerrors++;
		return;
	}
	for (size_t gi = 0; gi < lic->ngrants && p->desired->prune; gi++) {
		const struct grant *g = &lic->grants[gi];
		struct action *a = NULL;

		/* Sub-grants (parent a grant, should AWS list them) go with
		 * their OU/organization grant. */
		if (!made_by_lmgrantd(g) || !g->principal_arn || !g->arn || !status_deletable(g->status) ||
		    is_listed_subgrant(g))
			continue;
		a = add(b, ACT_DELETE, rank, SIZE_MAX, gi, orphan_reason(g->name));
		a->license_arn = lic->license_arn;
		a->principal_arn = xstrdup(g->principal_arn);
		a->grant_arn = xstrdup(g->arn);
		a->version = xstrdup(g->version);
		a->status = g->status;
		a->is_account = is_account_arn(g->principal_arn);
		a->losses = orphan_losses(lic, g, &seen, &nseen, &cap);
	}
	free(seen);
}

/* The model's own actions, or why it gets none. */
static void finish_model(struct planner *p, size_t i, struct builder *all)
{
	const struct desired_model *m = &p->desired->models[i];
	struct slot *slot = &p->slots[i];
	size_t lo = 0, hi = 0;

	if (!model_resolved(m)) {
		if (m->overlap)
			add_model_blocked(all, m, p->rank[i], BLOCK_OVERLAP,
					  xasprintf("targets overlap: %s", m->error));
		else
			add_model_blocked(all, m, p->rank[i], BLOCK_UNRESOLVED, unresolved_reason(m));
		return;
	}
	/* The config forbids two models on one license; should it happen
	 * anyway, neither may prune the other's grants, so neither acts. */
	hi = equal_range(p->claims, p->nclaims, m->license_arn, &lo);
	if (hi - lo > 1) {
		size_t other = p->claims[lo].idx == i ? p->claims[lo + 1].idx : p->claims[lo].idx;

		add_model_blocked(all, m, p->rank[i], BLOCK_SHARED_LICENSE,
				  xasprintf("license also declared by model %s",
					    model_name(&p->desired->models[other])));
		return;
	}
	if (!slot->seen || !slot->read_ok) {
		add_model_blocked(all, m, p->rank[i], BLOCK_UNREADABLE,
				  xasprintf("license state unknown: %s",
					    !slot->seen ? "license not found" : or_unknown(slot->read_error)));
		return;
	}
	/* Moved, not copied: the slot's builder gives up its actions' strings. */
	for (size_t k = 0; k < slot->b.n; k++) {
		grow_array((void **)&all->v, &all->cap, all->n + 1, sizeof(*all->v));
		all->v[all->n++] = slot->b.v[k];
	}
	all->nerrors += slot->b.nerrors;
	slot->b.n = 0;
}

/* Actions of a slot that planner_finish did not take. */
static void slot_clear(struct slot *slot)
{
	for (size_t k = 0; k < slot->b.n; k++)
		action_clear(&slot->b.v[k].a);
	free(slot->b.v);
	free(slot->read_error);
}

void planner_finish(struct planner *p, struct plan *out)
{
	struct builder b = { 0 };
	size_t losses = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < p->desired->nmodels; i++)
		finish_model(p, i, &b);
	/* Moved like a slot's: the orphans count toward the same valve. */
	for (size_t k = 0; k < p->orphans.n; k++) {
		grow_array((void **)&b.v, &b.cap, b.n + 1, sizeof(*b.v));
		b.v[b.n++] = p->orphans.v[k];
	}
	b.nerrors += p->orphans.nerrors;
	free(p->orphans.v);

	/* SPEC 4.3: the valve counts accounts that lose access, not grants. */
	for (size_t i = 0; i < b.n; i++)
		if (b.v[i].a.kind == ACT_DELETE)
			losses += b.v[i].a.losses;
	out->losses = losses;
	if (losses > p->desired->max_deletes) {
		for (size_t i = 0; i < b.n; i++)
			if (b.v[i].a.kind == ACT_DELETE)
				b.v[i].a.withheld = true;
		out->deletes_withheld = true;
		b.nerrors++;
	}

	/* seq restarts in every slot; model_rank already tells slots apart. */
	if (b.n > 1)
		qsort(b.v, b.n, sizeof(*b.v), entry_cmp);
	out->actions = xcalloc(b.n, sizeof(*out->actions));
	for (size_t i = 0; i < b.n; i++) {
		out->actions[i] = b.v[i].a;
		out->counts[b.v[i].a.kind]++;
	}
	out->nactions = b.n;
	out->nerrors = b.nerrors;

	free(b.v);
	for (size_t i = 0; i < p->desired->nmodels; i++)
		slot_clear(&p->slots[i]);
	free(p->slots);
	free(p->claims);
	free(p->rank);
	free(p);
}

void plan_build(const struct desired *desired, const struct observed *observed, struct plan *out)
{
	struct planner *p = planner_new(desired);

	for (size_t i = 0; i < observed->nlicenses; i++)
		planner_add_license(p, &observed->licenses[i]);
	planner_finish(p, out);
}

void observed_license_drop_grants(struct observed_license *l)
{
	grants_free(l->grants, l->ngrants);
	grants_free(l->subgrants, l->nsubgrants);
	l->grants = l->subgrants = NULL;
	l->ngrants = l->nsubgrants = 0;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nactions; i++)
		action_clear(&p->actions[i]);
	free(p->actions);
	memset(p, 0, sizeof(*p));
}

size_t plan_changes(const struct plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nactions; i++) {
		const struct action *a = &p->actions[i];

		if (a->kind <= ACT_DELETE && !a->withheld)
			n++;
	}
	return n;
}

const char *action_kind_name(enum action_kind k)
{
	static const char *const names[] = {
		[ACT_CREATE] = "create",
		[ACT_UPDATE] = "update",
		[ACT_ACCEPT] = "accept",
		[ACT_ACTIVATE] = "activate",
		[ACT_DELETE] = "delete",
		[ACT_BLOCKED] = "blocked",
		[ACT_WAITING] = "waiting",
	};

	if ((size_t)k >= ARRAY_LEN(names))
		return "unknown";
	return names[k];
}
