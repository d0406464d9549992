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
		for (size_t j = 0; j < m->ntargets; j++)
			free(m->targets[j].principal_arn);
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

static void resolve_license(const struct resolve_input *in, const struct config_model *cm,
			    struct desired_model *m)
{
	const struct lm_license *found = NULL;
	size_t available = 0;

	if (in->licenses_error) {
		model_error(m, &cm->pos, "received licenses unknown: %s", in->licenses_error);
		return;
	}
	for (size_t i = 0; i < in->nlicenses; i++) {
		const struct lm_license *l = &in->licenses[i];

		if (cm->license_arn ? strcmp(l->arn, cm->license_arn) != 0
				    : (!l->product_sku || strcmp(l->product_sku, cm->product) != 0))
			continue;
		if (!found || (l->status && strcmp(l->status, "AVAILABLE") == 0)) {
			found = l;
		}
		if (l->status && strcmp(l->status, "AVAILABLE") == 0)
			available++;
	}
	if (!found) {
		if (cm->license_arn)
			model_error(m, &cm->pos, "license %s is not among this account's received licenses",
				    cm->license_arn);
		else
			model_error(m, &cm->pos,
				    "no received license for product %s%s (subscribe to it in AWS Marketplace, or name the license with 'license:')",
				    cm->product, cm->product_from_table ? " (from the built-in Bedrock table)" : "");
		return;
	}
	if (!cm->license_arn && available > 1) {
		model_error(m, &cm->pos, "%zu available licenses for product %s: name one with 'license:'",
			    available, cm->product);
		return;
	}
	m->license_arn = xstrdup(found->arn);
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

/* The OU (or root) that holds a target: for overlap checks. */
static const char *target_ou_id(const struct org_tree *t, const struct config_target *ct)
{
	const struct org_ou *ou;

	if (ct->kind != TARGET_OU)
		return NULL;
	ou = ct->is_ou_path ? org_find_ou_path(t, ct->value) : org_find_ou(t, ct->value);
	return ou ? ou->id : NULL;
}

static const char *target_parent_id(const struct org_tree *t, const struct config_target *ct)
{
	const struct org_ou *ou;
	const struct org_account *a;

	if (ct->kind == TARGET_ACCOUNT) {
		a = org_find_account(t, ct->value);
		return a ? a->parent_id : NULL;
	}
	ou = ct->is_ou_path ? org_find_ou_path(t, ct->value) : org_find_ou(t, ct->value);
	return ou ? ou->parent_id : NULL;
}

/* The targets of cm that are OUs found in the tree, with their ids
 * (borrowed from t): the only targets others can lie inside. */
static size_t ou_targets(const struct org_tree *t, const struct config_model *cm,
			 const char **ids, size_t *idx)
{
	size_t n = 0;

	for (size_t j = 0; j < cm->ntargets; j++) {
		const char *ou = target_ou_id(t, &cm->targets[j]);

		if (ou) {
			ids[n] = ou;
			idx[n++] = j;
		}
	}
	return n;
}

/* Only one Marketplace grant per product can be active in an account, so
 * a model that reaches an account twice is worth a warning. */
static void overlap_warnings(const struct org_tree *t, const struct config_model *cm,
			     struct strlist *warnings)
{
	const struct config_target *org = NULL;
	const char **ou_ids = xcalloc(cm->ntargets, sizeof(*ou_ids));
	size_t *ou_idx = xcalloc(cm->ntargets, sizeof(*ou_idx));
	size_t nous = t->have_tree ? ou_targets(t, cm, ou_ids, ou_idx) : 0;

	for (size_t i = 0; i < cm->ntargets; i++)
		if (cm->targets[i].kind == TARGET_ORGANIZATION)
			org = &cm->targets[i];
	for (size_t i = 0; i < cm->ntargets; i++) {
		const struct config_target *a = &cm->targets[i];
		const char *parent;

		if (a->kind == TARGET_ORGANIZATION)
			continue;
		if (org) {
			strlist_push(warnings, xasprintf("model %s: %s overlaps with organization", cm->name, a->label));
			continue;
		}
		if (nous == 0 || !(parent = target_parent_id(t, a)))
			continue;
		for (size_t k = 0; k < nous; k++)
			if (ou_idx[k] != i && org_is_below(t, parent, ou_ids[k]))
				strlist_push(warnings, xasprintf("model %s: %s lies inside %s", cm->name,
								 a->label, cm->targets[ou_idx[k]].label));
	}
	free(ou_ids);
	free(ou_idx);
}

void resolve_desired(const struct resolve_input *in, struct desired *out, struct strlist *warnings)
{
	const struct config *cfg = in->cfg;

	memset(out, 0, sizeof(*out));
	out->prune = cfg->prune;
	out->max_deletes = cfg->max_deletes;
	out->can_accept = cfg->grantee_role != NULL;
	out->nmodels = cfg->nmodels;
	out->models = xcalloc(cfg->nmodels, sizeof(*out->models));
	for (size_t i = 0; i < cfg->nmodels; i++) {
		const struct config_model *cm = &cfg->models[i];
		struct desired_model *m = &out->models[i];

		m->name = cm->name;
		m->operations = (const char *const *)cm->operations;
		m->noperations = cm->noperations;
		m->activate = cm->activate;
		resolve_license(in, cm, m);
		m->ntargets = cm->ntargets;
		m->targets = xcalloc(cm->ntargets, sizeof(*m->targets));
		for (size_t j = 0; j < cm->ntargets; j++) {
			m->targets[j].kind = cm->targets[j].kind;
			m->targets[j].label = cm->targets[j].label;
			m->targets[j].principal_arn = resolve_target(in, m, &cm->targets[j]);
		}
		overlap_warnings(in->org, cm, warnings);
	}
}
