/*
 * resolve: config + organization + received licenses -> struct desired.
 * A model with anything unresolvable gets an error and no principals the
 * plan could act on, so a typo in an OU path can never turn into deletes.
 */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

#include "arn.h"

char *principal_account_arn(const char *partition, const char *account_id)
{
	return arn_account_principal(partition, account_id);
}

char *principal_ou_arn(const char *partition, const char *mgmt, const char *org_id, const char *ou_id)
{
	return arn_ou_principal(partition, mgmt, org_id, ou_id);
}

char *principal_org_arn(const char *partition, const char *mgmt, const char *org_id)
{
	return arn_org_principal(partition, mgmt, org_id);
}

/* Principals live in the partition of the license granted on (SPEC 3). */
static const char *model_partition(const struct desired_model *m)
{
	const char *p = m->license_arn ? arn_partition_of(m->license_arn) : NULL;

	return p ? p : ARN_DEFAULT_PARTITION;
}

void desired_free(struct desired *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nmodels; i++) {
		struct desired_model *m = &d->models[i];

		free(m->license_arn);
		free(m->error);
		for (size_t j = 0; j < m->ntargets; j++) {
			free(m->targets[j].principal_arn);
			for (size_t k = 0; k < m->targets[j].naccounts; k++)
				free(m->targets[j].accounts[k]);
			free(m->targets[j].accounts);
		}
		free(m->targets);
	}
	free(d->models);
	memset(d, 0, sizeof(*d));
}

/* Appends one problem to the model's error text. */
static void model_error(struct desired_model *m, const struct config_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void model_error(struct desired_model *m, const struct config_pos *pos, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (m->error)
		sb_printf(&sb, "%s; ", m->error);
	if (pos && pos->file)
		sb_printf(&sb, "%s:%u:%u: ", pos->file, pos->line, pos->column);
	sb_puts(&sb, msg);
	free(msg);
	free(m->error);
	m->error = sb_steal(&sb);
}

static bool is_available(const struct lm_license *l)
{
	return l->status && strcmp(l->status, "AVAILABLE") == 0;
}

/* The received licenses the model names (by ARN or product), AVAILABLE
 * ones first; the count through *n. Borrowed from in. */
static const struct lm_license *pick_license(const struct resolve_input *in,
					     const struct config_model *cm, size_t *nfound,
					     size_t *navailable)
{
	const struct lm_license *found = NULL;

	*nfound = *navailable = 0;
	for (size_t i = 0; i < in->nlicenses; i++) {
		const struct lm_license *l = &in->licenses[i];

		if (cm->license_arn ? strcmp(l->arn, cm->license_arn) != 0
				    : (!l->product_sku || strcmp(l->product_sku, cm->product) != 0))
			continue;
		(*nfound)++;
		if (is_available(l))
			(*navailable)++;
		if (!found || (is_available(l) && !is_available(found)))
			found = l;
	}
	return found;
}

/* What makes a found license unusable for the model (SPEC 4.1), or NULL:
 * not AVAILABLE, another home region, or operations the issuer does not
 * allow. Caller frees. */
static char *license_unusable(const struct lm_license *l, const struct config_model *cm,
			      const char *region)
{
	struct strbuf missing = { 0 };

	if (!is_available(l))
		return xasprintf("license %s is %s, not AVAILABLE (renew or re-subscribe in AWS "
				 "Marketplace)", l->arn, l->status ? l->status : "of unknown status");
	if (!l->home_region || strcmp(l->home_region, region) != 0)
		return xasprintf("license %s has home region %s, but region is %s: grants can only be "
				 "created in the license's home region (set region: %s)",
				 l->arn, l->home_region ? l->home_region : "(unknown)", region,
				 l->home_region ? l->home_region : "<its home region>");
	if (!l->allowed_listed)
		return xasprintf("license %s lists no allowed operations (ReceivedMetadata); "
				 "lmgrantd cannot tell whether it may grant it", l->arn);
	if (!strlist_contains(&l->allowed_operations, "CreateGrant"))
		sb_puts(&missing, "CreateGrant");
	for (size_t i = 0; i < cm->noperations; i++)
		if (!strlist_contains(&l->allowed_operations, cm->operations[i]))
			sb_printf(&missing, "%s%s", missing.len ? ", " : "", cm->operations[i]);
	if (missing.len) {
		char *why = xasprintf("license %s does not allow %s (its allowed operations come from "
				      "the issuer; remove them from operations, or ask the issuer)",
				      l->arn, missing.buf);

		sb_free(&missing);
		return why;
	}
	return NULL;
}

/* Returns the license resolved (borrowed from in), or NULL with the
 * model's error set. */
static const struct lm_license *resolve_license(const struct resolve_input *in,
						const struct config_model *cm, struct desired_model *m)
{
	size_t nfound = 0, available = 0;
	const struct lm_license *found = NULL;
	char *unusable = NULL;

	if (in->licenses_error) {
		model_error(m, &cm->pos, "received licenses unknown: %s", in->licenses_error);
		return NULL;
	}
	found = pick_license(in, cm, &nfound, &available);
	if (!found) {
		if (cm->license_arn)
			model_error(m, &cm->pos, "license %s is not among this account's received licenses",
				    cm->license_arn);
		else
			model_error(m, &cm->pos,
				    "no received license for product %s%s (subscribe to it in AWS Marketplace, or name the license with 'license:')",
				    cm->product, cm->product_from_table ? " (from the built-in Bedrock table)" : "");
		return NULL;
	}
	if (!cm->license_arn && available > 1) {
		model_error(m, &cm->pos, "%zu available licenses for product %s: name one with 'license:'",
			    available, cm->product);
		return NULL;
	}
	unusable = license_unusable(found, cm, in->cfg->region);
	if (unusable) {
		model_error(m, &cm->pos, "%s", unusable);
		free(unusable);
		return NULL;
	}
	m->license_arn = xstrdup(found->arn);
	return found;
}

static bool org_known(const struct resolve_input *in, struct desired_model *m,
		      const struct config_target *ct)
{
	if (in->org->org_id && in->org->management_account)
		return true;
	model_error(m, &ct->pos, "%s: the organization could not be read%s%s", ct->label,
		    in->org_error ? ": " : "", in->org_error ? in->org_error : "");
	return false;
}

static char *resolve_ou(const struct resolve_input *in, struct desired_model *m,
			const struct config_target *ct)
{
	const struct org_tree *t = in->org;
	const struct org_ou *ou;

	if (!org_known(in, m, ct))
		return NULL;
	if (!t->have_tree) {
		model_error(m, &ct->pos, "%s: the OU tree could not be read", ct->label);
		return NULL;
	}
	ou = ct->is_ou_path ? org_find_ou_path(t, ct->value) : org_find_ou(t, ct->value);
	if (!ou) {
		model_error(m, &ct->pos, "unknown OU %s '%s' in organization %s",
			    ct->is_ou_path ? "path" : "id", ct->value, t->org_id);
		return NULL;
	}
	return principal_ou_arn(model_partition(m), t->management_account, t->org_id, ou->id);
}

static char *resolve_target(const struct resolve_input *in, struct desired_model *m,
			    const struct config_target *ct)
{
	switch (ct->kind) {
	case TARGET_ORGANIZATION:
		if (!org_known(in, m, ct))
			return NULL;
		/* Without the tree, the accounts it covers are unknown, and
		 * make-before-break could not protect them. */
		if (!in->org->have_tree) {
			model_error(m, &ct->pos, "%s: the accounts of the organization could not be read",
				    ct->label);
			return NULL;
		}
		return principal_org_arn(model_partition(m), in->org->management_account, in->org->org_id);
	case TARGET_OU:
		return resolve_ou(in, m, ct);
	case TARGET_ACCOUNT:
		if (in->org->have_tree && !org_find_account(in->org, ct->value)) {
			model_error(m, &ct->pos, "account %s is not in organization %s", ct->value,
				    in->org->org_id);
			return NULL;
		}
		return principal_account_arn(model_partition(m), ct->value);
	}
	return NULL;
}

static int strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const struct org_ou *target_ou(const struct org_tree *t, const struct config_target *ct)
{
	if (ct->kind != TARGET_OU)
		return NULL;
	return ct->is_ou_path ? org_find_ou_path(t, ct->value) : org_find_ou(t, ct->value);
}

/* Fills t->accounts: the member accounts the resolved target covers now
 * (the management account holds the license itself and gets no grant). */
static void cover_accounts(const struct org_tree *org, const char *partition,
			   const struct config_target *ct, struct desired_target *t)
{
	const struct org_ou *ou = target_ou(org, ct);

	if (!t->principal_arn || ct->kind == TARGET_ACCOUNT)
		return; /* an account covers itself: desired_target_accounts */
	t->accounts = xcalloc(org->naccounts ? org->naccounts : 1, sizeof(*t->accounts));
	for (size_t i = 0; i < org->naccounts; i++) {
		const struct org_account *a = &org->accounts[i];

		if (org->management_account && strcmp(a->id, org->management_account) == 0)
			continue;
		if (ct->kind == TARGET_ORGANIZATION || (ou && org_is_below(org, a->parent_id, ou->id)))
			t->accounts[t->naccounts++] = principal_account_arn(partition, a->id);
	}
	if (t->naccounts > 1)
		qsort(t->accounts, t->naccounts, sizeof(*t->accounts), strptr_cmp);
}

/*
 * Overlaps (SPEC 2): AWS activates one grant per product in an account, so
 * two declared targets that reach one account, within a model or across
 * models whose licenses are of one product, would fight over it. Found
 * with one sorted list of (product, account) claims, so a model with
 * thousands of targets costs O(n log n), not a comparison of every pair.
 */
struct claim {
	const char *product; /* borrowed from the received licenses */
	const char *key;     /* an account ARN, or an OU id for nesting */
	size_t model, target;
};

static int claim_cmp(const void *pa, const void *pb)
{
	const struct claim *a = pa, *b = pb;
	int c = strcmp(a->product, b->product);

	if (!c)
		c = strcmp(a->key, b->key);
	if (!c)
		c = (a->model > b->model) - (a->model < b->model);
	if (!c)
		c = (a->target > b->target) - (a->target < b->target);
	return c;
}

struct overlap_ctx {
	const struct config *cfg;
	struct desired *d;
	size_t *nreported; /* per model: overlaps reported, to bound the text */
};

#define OVERLAPS_REPORTED 3

static void report_overlap(struct overlap_ctx *o, size_t mi, size_t ti, size_t mj, size_t tj,
			   const char *what)
{
	const struct config_model *cm = &o->cfg->models[mi];
	struct desired_model *m = &o->d->models[mi];

	m->overlap = true;
	if (o->nreported[mi]++ >= OVERLAPS_REPORTED)
		return;
	if (mi == mj)
		model_error(m, &cm->targets[ti].pos, "%s and %s %s (only one grant per product can be "
			    "active in an account; remove one)", cm->targets[ti].label,
			    cm->targets[tj].label, what);
	else
		model_error(m, &cm->targets[ti].pos, "%s and %s of model %s %s, a license of the same "
			    "product (only one grant per product can be active in an account; remove "
			    "one)", cm->targets[ti].label, o->cfg->models[mj].targets[tj].label,
			    o->cfg->models[mj].name, what);
}

static void claims_overlap(struct overlap_ctx *o, struct claim *v, size_t n)
{
	if (n < 2)
		return;
	qsort(v, n, sizeof(*v), claim_cmp);
	for (size_t i = 1; i < n; i++) {
		const struct claim *a = &v[i - 1], *b = &v[i];
		char *what = NULL;

		if (strcmp(a->product, b->product) != 0 || strcmp(a->key, b->key) != 0)
			continue;
		if (a->model == b->model && a->target == b->target)
			continue;
		what = xasprintf("both cover %s", b->key);
		report_overlap(o, a->model, a->target, b->model, b->target, what);
		if (b->model != a->model)
			report_overlap(o, b->model, b->target, a->model, a->target, what);
		free(what);
	}
}

/* An OU target below another declared OU of the same product, accounts or
 * not: the inner one would fight the outer one for every account that
 * ever joins it. */
static void nested_ous(struct overlap_ctx *o, const struct org_tree *t, struct claim *ous, size_t n)
{
	if (n < 2)
		return;
	qsort(ous, n, sizeof(*ous), claim_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct org_ou *ou = org_find_ou(t, ous[i].key);
		const char *up = ou ? ou->parent_id : NULL;

		for (size_t hops = 0; up && hops <= t->nous; hops++) {
			struct claim probe = { ous[i].product, up, 0, 0 };
			struct claim *hit = NULL;
			size_t lo = 0, hi = n;
			const struct org_ou *p = NULL;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				int c = strcmp(ous[mid].product, probe.product);

				if (!c)
					c = strcmp(ous[mid].key, probe.key);
				if (c < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			hit = lo < n && strcmp(ous[lo].product, probe.product) == 0 &&
			      strcmp(ous[lo].key, up) == 0 ? &ous[lo] : NULL;
			if (hit) {
				report_overlap(o, ous[i].model, ous[i].target, hit->model, hit->target,
					       "are nested");
				if (hit->model != ous[i].model)
					report_overlap(o, hit->model, hit->target, ous[i].model,
						       ous[i].target, "are nested");
				break;
			}
			p = org_find_ou(t, up);
			up = p ? p->parent_id : NULL;
		}
	}
}

static void find_overlaps(const struct resolve_input *in, struct desired *d,
			  const char *const *products)
{
	struct overlap_ctx o = { in->cfg, d, xcalloc(d->nmodels, sizeof(size_t)) };
	struct claim *accts = NULL, *ous = NULL;
	size_t nacc = 0, capacc = 0, nous = 0, capous = 0;

	for (size_t mi = 0; mi < d->nmodels; mi++) {
		const struct config_model *cm = &in->cfg->models[mi];
		const struct desired_model *m = &d->models[mi];

		if (!products[mi] || m->error)
			continue;
		for (size_t ti = 0; ti < m->ntargets; ti++) {
			const struct org_ou *ou = in->org->have_tree ? target_ou(in->org, &cm->targets[ti]) : NULL;

			size_t n = 0;
			char *const *accounts = desired_target_accounts(&m->targets[ti], &n);

			for (size_t k = 0; k < n; k++) {
				grow_array((void **)&accts, &capacc, nacc + 1, sizeof(*accts));
				accts[nacc++] = (struct claim){ products[mi], accounts[k], mi, ti };
			}
			if (ou) {
				grow_array((void **)&ous, &capous, nous + 1, sizeof(*ous));
				ous[nous++] = (struct claim){ products[mi], ou->id, mi, ti };
			}
		}
	}
	claims_overlap(&o, accts, nacc);
	nested_ous(&o, in->org, ous, nous);
	for (size_t mi = 0; mi < d->nmodels; mi++)
		if (o.nreported[mi] > OVERLAPS_REPORTED)
			model_error(&d->models[mi], NULL, "and %zu more overlaps",
				    o.nreported[mi] - OVERLAPS_REPORTED);
	free(accts);
	free(ous);
	free(o.nreported);
}

void resolve_desired(const struct resolve_input *in, struct desired *out, struct strlist *warnings)
{
	const struct config *cfg = in->cfg;
	/* Each model's product, borrowed from the received licenses. */
	const char **products = xcalloc(cfg->nmodels ? cfg->nmodels : 1, sizeof(*products));

	(void)warnings;
	memset(out, 0, sizeof(*out));
	out->prune = cfg->prune;
	out->max_deletes = cfg->max_deletes;
	out->can_accept = cfg->grantee_role != NULL;
	out->retry_after_s = cfg->activation_retry_after_s;
	out->override = cfg->activation_override;
	out->failed_retry_s = cfg->failed_retry_s;
	out->nmodels = cfg->nmodels;
	out->models = xcalloc(cfg->nmodels, sizeof(*out->models));
	for (size_t i = 0; i < cfg->nmodels; i++) {
		const struct config_model *cm = &cfg->models[i];
		struct desired_model *m = &out->models[i];
		const struct lm_license *lic = NULL;

		m->name = cm->name;
		m->operations = (const char *const *)cm->operations;
		m->noperations = cm->noperations;
		m->activate = cm->activate;
		lic = resolve_license(in, cm, m);
		products[i] = lic && lic->product_sku ? lic->product_sku : (lic ? lic->arn : NULL);
		m->ntargets = cm->ntargets;
		m->targets = xcalloc(cm->ntargets, sizeof(*m->targets));
		for (size_t j = 0; j < cm->ntargets; j++) {
			m->targets[j].kind = cm->targets[j].kind;
			m->targets[j].label = cm->targets[j].label;
			m->targets[j].principal_arn = resolve_target(in, m, &cm->targets[j]);
			cover_accounts(in->org, model_partition(m), &cm->targets[j], &m->targets[j]);
		}
	}
	find_overlaps(in, out, products);
	free(products);
}
