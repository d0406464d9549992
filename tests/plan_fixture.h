/*
 * plan_fixture: builds a struct desired and a struct observed by hand for
 * tests of plan (and of anything that consumes plans). Everything the
 * fixture allocates is freed by fx_free, so tests stay clean under
 * valgrind. Pointers returned by fx_grant/fx_subgrant are valid until the
 * next grant is added to the same license.
 */
#ifndef LMGRANTD_PLAN_FIXTURE_H
#define LMGRANTD_PLAN_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "grant.h"
#include "plan.h"
#include "util.h"

static const char *const FX_OPS[] = {
	"CheckoutLicense",
	"CheckInLicense",
	"ExtendConsumptionLicense",
	"ListPurchasedLicenses",
};

struct fx {
	struct desired d;
	struct observed o;
	struct plan p;
	struct strlist strs; /* strings the desired side borrows */
};

static inline void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->d.prune = true;
	f->d.max_deletes = 10;
}

/* An owned copy of a formatted string, freed by fx_free. */
static inline const char *fx_str(struct fx *f, char *s)
{
	strlist_push(&f->strs, s);
	return s;
}

static inline const char *fx_acct(struct fx *f, unsigned n)
{
	return fx_str(f, xasprintf("arn:aws:iam::%012u:root", n));
}

static inline const char *fx_ou(struct fx *f, const char *ou_id)
{
	return fx_str(f, xasprintf("arn:aws:organizations::111111111111:ou/o-exampleorg1/%s", ou_id));
}

static inline const char *fx_org(struct fx *f)
{
	return fx_str(f, xstrdup("arn:aws:organizations::111111111111:organization/o-exampleorg1"));
}

static inline const char *fx_lic(struct fx *f, unsigned n)
{
	return fx_str(f, xasprintf("arn:aws:license-manager::294406891311:license:l-%032x", n));
}

static inline const char *fx_garn(struct fx *f, unsigned n)
{
	return fx_str(f, xasprintf("arn:aws:license-manager::111111111111:grant:g-%032x", n));
}

/* A model with the default operations, activate on. Returns its index. */
static inline size_t fx_model(struct fx *f, const char *name, const char *license_arn)
{
	struct desired_model *m = NULL;

	f->d.models = xrealloc(f->d.models, (f->d.nmodels + 1) * sizeof(*f->d.models));
	m = &f->d.models[f->d.nmodels];
	memset(m, 0, sizeof(*m));
	m->name = fx_str(f, xstrdup(name));
	m->license_arn = xstrdup(license_arn);
	m->operations = FX_OPS;
	m->noperations = ARRAY_LEN(FX_OPS);
	m->activate = true;
	return f->d.nmodels++;
}

static inline void fx_target(struct fx *f, size_t mi, enum target_kind kind, const char *label,
			     const char *principal_arn)
{
	struct desired_model *m = &f->d.models[mi];
	struct desired_target *t = NULL;

	m->targets = xrealloc(m->targets, (m->ntargets + 1) * sizeof(*m->targets));
	t = &m->targets[m->ntargets++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->label = fx_str(f, xstrdup(label));
	t->principal_arn = xstrdup(principal_arn);
}

/* The last target of model mi covers account_arn too (kept sorted, as
 * resolve leaves it). */
static inline void fx_cover(struct fx *f, size_t mi, const char *account_arn)
{
	struct desired_target *t = &f->d.models[mi].targets[f->d.models[mi].ntargets - 1];
	size_t at = 0;

	while (at < t->naccounts && strcmp(t->accounts[at], account_arn) < 0)
		at++;
	t->accounts = xrealloc(t->accounts, (t->naccounts + 1) * sizeof(*t->accounts));
	memmove(t->accounts + at + 1, t->accounts + at, (t->naccounts - at) * sizeof(*t->accounts));
	t->accounts[at] = xstrdup(account_arn);
	t->naccounts++;
}

/* An account target labelled "account <id>". */
static inline void fx_target_acct(struct fx *f, size_t mi, unsigned n)
{
	char *label = xasprintf("account %012u", n);

	fx_target(f, mi, TARGET_ACCOUNT, label, fx_acct(f, n));
	free(label);
}

/* A license read completely (read_ok). Returns its index. */
static inline size_t fx_license(struct fx *f, const char *license_arn)
{
	struct observed_license *l = NULL;

	f->o.licenses = xrealloc(f->o.licenses, (f->o.nlicenses + 1) * sizeof(*f->o.licenses));
	l = &f->o.licenses[f->o.nlicenses];
	memset(l, 0, sizeof(*l));
	l->license_arn = xstrdup(license_arn);
	l->read_ok = true;
	return f->o.nlicenses++;
}

static inline void fx_fill_grant(struct grant *g, const char *license_arn, const char *arn,
				 const char *principal_arn, enum grant_status st)
{
	memset(g, 0, sizeof(*g));
	g->arn = xstrdup(arn);
	g->name = xstrdup("lmgrantd:test");
	g->license_arn = xstrdup(license_arn);
	g->principal_arn = xstrdup(principal_arn);
	g->home_region = xstrdup("us-east-1");
	g->status = st;
	g->version = xstrdup("1");
	grant_set_operations(g, FX_OPS, ARRAY_LEN(FX_OPS));
}

/* A distributed grant with the default operations, version "1", appended
 * in listing order (later = newer). */
static inline struct grant *fx_grant(struct fx *f, size_t li, const char *arn, const char *principal_arn,
				     enum grant_status st)
{
	struct observed_license *l = &f->o.licenses[li];

	l->grants = xrealloc(l->grants, (l->ngrants + 1) * sizeof(*l->grants));
	fx_fill_grant(&l->grants[l->ngrants], l->license_arn, arn, principal_arn, st);
	return &l->grants[l->ngrants++];
}

static inline struct grant *fx_subgrant(struct fx *f, size_t li, const char *arn, const char *parent_arn,
					const char *principal_arn, enum grant_status st)
{
	struct observed_license *l = &f->o.licenses[li];
	struct grant *g = NULL;

	l->subgrants = xrealloc(l->subgrants, (l->nsubgrants + 1) * sizeof(*l->subgrants));
	g = &l->subgrants[l->nsubgrants++];
	fx_fill_grant(g, l->license_arn, arn, principal_arn, st);
	g->parent_arn = xstrdup(parent_arn);
	return g;
}

/* Replaces g's operations with a copy of ops. */
static inline void fx_grant_ops(struct grant *g, const char *const *ops, size_t n)
{
	grant_set_operations(g, ops, n);
}

static inline void fx_grant_version(struct grant *g, const char *version)
{
	free(g->version);
	g->version = xstrdup(version);
}

/* (Re)builds f->p from f->d and f->o. */
static inline const struct plan *fx_plan(struct fx *f)
{
	plan_free(&f->p);
	plan_build(&f->d, &f->o, &f->p);
	return &f->p;
}

static inline void fx_free(struct fx *f)
{
	plan_free(&f->p);
	for (size_t i = 0; i < f->d.nmodels; i++) {
		struct desired_model *m = &f->d.models[i];

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
	free(f->d.models);
	for (size_t i = 0; i < f->o.nlicenses; i++) {
		struct observed_license *l = &f->o.licenses[i];

		free(l->license_arn);
		free(l->read_error);
		observed_license_drop_grants(l);
	}
	free(f->o.licenses);
	strlist_free(&f->strs);
	memset(f, 0, sizeof(*f));
}

#endif
