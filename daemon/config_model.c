/*
 * config_model: the models mapping of one file (SPEC §2): names, license
 * (product, license ARN or the built-in table), targets, operations. Part
 * of config_schema, split out to keep each file short; it shares the
 * loader and the typed-value helpers of config_schema.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_check.h"
#include "config_schema.h"
#include "util.h"

/* A model's keys as they are read; finish_model turns them into the draft. */
struct model_build {
	struct draft *d;                 /* borrowed from L->drafts */
	const char *qname;               /* the name, quoted for messages; borrowed */
	const struct ynode *product_key; /* NULL when absent */
	const struct ynode *license_key;
	bool organization;
	struct config_pos org_pos;
	/* Targets by kind, owned until finish_model moves them, so that the
	 * model's list reads organization, OUs, accounts whatever the key order. */
	struct config_target *ous;
	size_t nous;
	size_t cap_ous;
	struct config_target *accounts;
	size_t naccounts;
	size_t cap_accounts;
	bool targets_tried; /* a target key was given, valid or not */
	bool ops_given;
};

static void target_clear(struct config_target *t)
{
	free(t->label); /* value points into it */
}

static void push_target(struct config_target **v, size_t *n, size_t *cap, enum target_kind kind,
			const char *value, bool is_path, struct config_pos pos)
{
	const char *prefix = kind == TARGET_OU ? "ou " : "account ";
	char *label = xasprintf("%s%s", prefix, value);

	grow_array((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct config_target){
		.kind = kind,
		.value = label + strlen(prefix),
		.is_ou_path = is_path,
		.label = label,
		.pos = pos,
	};
}

/* Reports and drops the second and later of equal targets in v[0..*n). */
static void drop_repeated_targets(struct loader *L, struct config_target *v, size_t *n)
{
	const char **texts = xcalloc(*n, sizeof(*texts));
	size_t *first = xcalloc(*n, sizeof(*first));
	struct config_target *kept = xcalloc(*n, sizeof(*kept));
	size_t nkept = 0;

	for (size_t i = 0; i < *n; i++)
		texts[i] = v[i].value;
	find_repeats(texts, *n, first);
	for (size_t i = 0; i < *n; i++) {
		struct yquote q = { 0 };

		if (first[i] == SIZE_MAX) {
			kept[nkept++] = v[i];
			continue;
		}
		diag_add(&L->diags, L->file_no, L->file, v[i].pos.line, v[i].pos.column,
			 "duplicate target '%s' (first at %u:%u)", yquote(&q, v[i].label),
			 v[first[i]].pos.line, v[first[i]].pos.column);
		target_clear(&v[i]);
	}
	for (size_t i = 0; i < nkept; i++)
		v[i] = kept[i];
	*n = nkept;
	free(kept);
	free(first);
	free(texts);
}

static void set_product(struct loader *L, const struct ynode *key, const struct ynode *val,
			void *obj)
{
	struct model_build *mb = obj;
	const char *s = NULL;
	struct yquote q = { 0 };

	mb->product_key = key;
	if (!schema_get_str(L, val, "product", &s))
		return;
	if (!check_product(s)) {
		schema_err(L, val, "product '%s' is not a Marketplace product id: it must match "
			   "prod-[a-z0-9]{8,32}, prodview-[a-z0-9]{8,32} or a UUID", yquote(&q, s));
		return;
	}
	free(mb->d->m.product);
	mb->d->m.product = xstrdup(s);
	mb->d->src_pos = schema_pos(L, val);
}

static void set_license(struct loader *L, const struct ynode *key, const struct ynode *val,
			void *obj)
{
	struct model_build *mb = obj;
	const char *s = NULL;
	struct yquote q = { 0 };

	mb->license_key = key;
	if (!schema_get_str(L, val, "license", &s))
		return;
	if (!check_license_arn(s)) {
		schema_err(L, val, "license '%s' is not a License Manager license ARN (arn:aws:"
			   "license-manager::<12-digit account>:license:l-<32 hex digits>)",
			   yquote(&q, s));
		return;
	}
	free(mb->d->m.license_arn);
	mb->d->m.license_arn = xstrdup(s);
	mb->d->src_pos = schema_pos(L, val);
}

static void set_organization(struct loader *L, const struct ynode *key, const struct ynode *val,
			     void *obj)
{
	struct model_build *mb = obj;
	bool v = false;

	if (!schema_get_bool(L, val, "organization", &v)) {
		mb->targets_tried = true;
		return;
	}
	mb->organization = v;
	mb->org_pos = schema_pos(L, key);
}

/* An OU id, or a path of OU names from the root. */
static void read_ou(struct loader *L, struct model_build *mb, const struct ynode *item)
{
	const char *s = NULL;
	const char *why = NULL;
	struct yquote q = { 0 };

	if (!schema_get_str(L, item, "ous", &s))
		return;
	/* An OU named "ou-..." at the root would be ambiguous with an id; a
	 * typo in an id is far likelier, so it is never read as a path. */
	if (strncmp(s, "ou-", 3) == 0) {
		if (!check_ou_id(s))
			schema_err(L, item,
				   "'%s' starts with ou- but is not an OU id (ou-, 4 to 32 "
				   "lowercase letters or digits, '-', 8 to 32 more)",
				   yquote(&q, s));
		else
			push_target(&mb->ous, &mb->nous, &mb->cap_ous, TARGET_OU, s, false,
				    schema_pos(L, item));
		return;
	}
	if (!check_ou_path(s, &why))
		schema_err(L, item, "OU path '%s' is not valid: %s", yquote(&q, s), why);
	else
		push_target(&mb->ous, &mb->nous, &mb->cap_ous, TARGET_OU, s, true,
			    schema_pos(L, item));
}

/* The list of a target key; false (reported) when val is not a list. */
static bool target_list(struct loader *L, struct model_build *mb, const struct ynode *val,
			const char *what)
{
	if (val->bad || val->kind != YN_SEQ || val->nkids)
		mb->targets_tried = true;
	if (val->bad)
		return false;
	if (val->kind != YN_SEQ) {
		schema_err(L, val, "%s: expected a list, found %s%s", what, ynode_describe(val),
			   val->kind == YN_SCALAR ? " (write it in brackets: [ ... ])" : "");
		return false;
	}
	return true;
}

static void set_ous(struct loader *L, const struct ynode *key, const struct ynode *val, void *obj)
{
	struct model_build *mb = obj;

	(void)key;
	if (!target_list(L, mb, val, "ous"))
		return;
	for (size_t i = 0; i < val->nkids; i++)
		read_ou(L, mb, val->kids[i]);
	drop_repeated_targets(L, mb->ous, &mb->nous);
}

/* A 12-digit id, quoted or not. The text is used as written: a plain
 * 011111111111 keeps its leading zero (a YAML 1.1 reader would even take
 * it for octal). */
static void read_account(struct loader *L, struct model_build *mb, const struct ynode *item)
{
	const char *s = item->text;
	size_t ndigits = 0;
	struct yquote q = { 0 };

	if (item->bad)
		return;
	if (!ynode_is(item, YS_INT) && !ynode_is(item, YS_STR)) {
		schema_err(L, item, "accounts: expected a 12-digit account id, found %s",
			   ynode_describe(item));
		return;
	}
	if (!check_account_id(s)) {
		ndigits = strspn(s, "0123456789");
		if (ndigits && s[ndigits] == '\0')
			schema_err(L, item, "account id '%s' must be exactly 12 digits, not %zu",
				   yquote(&q, s), ndigits);
		else
			schema_err(L, item, "account id '%s' must be exactly 12 digits",
				   yquote(&q, s));
		return;
	}
	push_target(&mb->accounts, &mb->naccounts, &mb->cap_accounts, TARGET_ACCOUNT, s, false,
		    schema_pos(L, item));
}

static void set_accounts(struct loader *L, const struct ynode *key, const struct ynode *val,
			 void *obj)
{
	struct model_build *mb = obj;

	(void)key;
	if (!target_list(L, mb, val, "accounts"))
		return;
	for (size_t i = 0; i < val->nkids; i++)
		read_account(L, mb, val->kids[i]);
	drop_repeated_targets(L, mb->accounts, &mb->naccounts);
}

static bool read_operation(struct loader *L, const struct ynode *item)
{
	size_t nknown = 0;
	const char *const *known = config_known_operations(&nknown);
	const char *s = NULL;
	const char *hint = NULL;
	struct strbuf all = { 0 };
	struct yquote q = { 0 };

	if (!schema_get_str(L, item, "operations", &s))
		return false;
	if (strcmp(s, "CreateGrant") == 0) {
		schema_err(L, item,
			   "operation CreateGrant is not allowed: a grantee must never grant "
			   "the license on");
		return false;
	}
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(s, known[i]) == 0)
			return true;
	hint = closest_match(s, known, nknown);
	if (hint) {
		schema_err(L, item, "unknown operation '%s'; did you mean '%s'?", yquote(&q, s),
			   hint);
		return false;
	}
	for (size_t i = 0; i < nknown; i++)
		sb_printf(&all, "%s%s", i ? ", " : "", known[i]);
	schema_err(L, item, "unknown operation '%s' (known: %s)", yquote(&q, s), all.buf);
	sb_free(&all);
	return false;
}

static void set_operations(struct loader *L, const struct ynode *key, const struct ynode *val,
			   void *obj)
{
	struct model_build *mb = obj;
	struct config_model *m = &mb->d->m;
	const struct ynode **ok = NULL;
	const char **texts = NULL;
	size_t *first = NULL;
	size_t nok = 0;

	(void)key;
	mb->ops_given = true;
	if (val->bad)
		return;
	if (val->kind != YN_SEQ || val->nkids == 0) {
		schema_err(L, val,
			   "operations: expected a list of at least one operation, found %s "
			   "(leave the key out for the default list)",
			   val->kind == YN_SEQ ? "an empty list" : ynode_describe(val));
		return;
	}
	ok = xcalloc(val->nkids, sizeof(*ok));
	texts = xcalloc(val->nkids, sizeof(*texts));
	first = xcalloc(val->nkids, sizeof(*first));
	for (size_t i = 0; i < val->nkids; i++) {
		if (!read_operation(L, val->kids[i]))
			continue;
		ok[nok] = val->kids[i];
		texts[nok++] = val->kids[i]->text;
	}
	find_repeats(texts, nok, first);
	m->operations = xcalloc(nok, sizeof(*m->operations));
	for (size_t i = 0; i < nok; i++) {
		if (first[i] == SIZE_MAX)
			m->operations[m->noperations++] = xstrdup(texts[i]);
		else
			schema_err(L, ok[i], "duplicate operation '%s' (first at %u:%u)", texts[i],
				   ok[first[i]]->line, ok[first[i]]->column);
	}
	free(first);
	free(texts);
	free(ok);
}

static void set_activate(struct loader *L, const struct ynode *key, const struct ynode *val,
			 void *obj)
{
	(void)key;
	schema_get_bool(L, val, "activate", &((struct model_build *)obj)->d->m.activate);
}

static const struct field model_fields[] = {
	{ "product", SET_NONE, set_product },
	{ "license", SET_NONE, set_license },
	{ "organization", SET_NONE, set_organization },
	{ "ous", SET_NONE, set_ous },
	{ "accounts", SET_NONE, set_accounts },
	{ "operations", SET_NONE, set_operations },
	{ "activate", SET_NONE, set_activate },
};

static bool before(const struct ynode *a, const struct ynode *b)
{
	return a->line < b->line || (a->line == b->line && a->column < b->column);
}

/* Exactly one of product and license, or the built-in table (SPEC §2). */
static void pick_license(struct loader *L, struct model_build *mb, const struct ynode *key)
{
	struct config_model *m = &mb->d->m;
	const char *p = NULL;

	if (mb->product_key && mb->license_key) {
		const struct ynode *later = before(mb->product_key, mb->license_key)
						    ? mb->license_key
						    : mb->product_key;

		schema_err(L, later, "model '%s' sets both product and license: keep one",
			   mb->qname);
		return;
	}
	if (mb->product_key || mb->license_key)
		return;
	p = config_bedrock_product(m->name);
	if (!p) {
		schema_err(L, key,
			   "model '%s' names no license: add product: or license: (no model "
			   "id of the built-in Bedrock table is a prefix of its name)",
			   mb->qname);
		return;
	}
	m->product = xstrdup(p);
	m->product_from_table = true;
	mb->d->src_pos = m->pos;
}

/* AWS activates one grant per product in an account, so the organization
 * and any other target of the same model would compete (SPEC 2). */
static void organization_overlaps(struct loader *L, const struct model_build *mb)
{
	const struct config_model *m = &mb->d->m;
	struct yquote q = { 0 };

	if (!mb->organization)
		return;
	for (size_t i = 1; i < m->ntargets; i++)
		diag_add(&L->diags, L->file_no, L->file, m->targets[i].pos.line,
			 m->targets[i].pos.column,
			 "%s overlaps organization: true (%u:%u) in model '%s': only one grant per "
			 "product can be active in an account; remove one of them",
			 m->targets[i].label, mb->org_pos.line, mb->org_pos.column,
			 yquote(&q, m->name));
}

static void finish_model(struct loader *L, struct model_build *mb, const struct ynode *key)
{
	struct config_model *m = &mb->d->m;
	size_t n = (mb->organization ? 1 : 0) + mb->nous + mb->naccounts;
	size_t ndef = 0;
	const char *const *def = NULL;

	pick_license(L, mb, key);
	if (n == 0 && !mb->targets_tried)
		schema_err(L, key,
			   "model '%s' has no target: set organization: true, ous or accounts",
			   mb->qname);
	m->targets = xcalloc(n, sizeof(*m->targets));
	if (mb->organization)
		m->targets[m->ntargets++] = (struct config_target){
			.kind = TARGET_ORGANIZATION,
			.label = xstrdup("organization"),
			.pos = mb->org_pos,
		};
	for (size_t i = 0; i < mb->nous; i++)
		m->targets[m->ntargets++] = mb->ous[i];
	for (size_t i = 0; i < mb->naccounts; i++)
		m->targets[m->ntargets++] = mb->accounts[i];
	mb->nous = mb->naccounts = 0; /* moved */
	organization_overlaps(L, mb);
	if (mb->ops_given)
		return;
	def = config_default_operations(&ndef);
	m->operations = xcalloc(ndef, sizeof(*m->operations));
	for (size_t i = 0; i < ndef; i++)
		m->operations[m->noperations++] = xstrdup(def[i]);
}

static void model_build_free(struct model_build *mb)
{
	for (size_t i = 0; i < mb->nous; i++)
		target_clear(&mb->ous[i]);
	for (size_t i = 0; i < mb->naccounts; i++)
		target_clear(&mb->accounts[i]);
	free(mb->ous);
	free(mb->accounts);
}

static struct draft *new_draft(struct loader *L, const struct ynode *key)
{
	struct draft *d = NULL;

	grow_array((void **)&L->drafts, &L->cap_drafts, L->ndrafts + 1, sizeof(*L->drafts));
	d = &L->drafts[L->ndrafts++];
	*d = (struct draft){ 0 };
	d->m.name = xstrdup(key->text);
	d->m.pos = schema_pos(L, key);
	d->m.activate = true;
	return d;
}

static void read_model(struct loader *L, const struct ynode *key, const struct ynode *val)
{
	struct model_build mb = { 0 };
	struct yquote q = { 0 };
	char *what = NULL;
	char *where = NULL;

	if (L->ndrafts == CONFIG_MAX_MODELS) {
		if (!L->too_many_models)
			schema_err(L, key,
				   "more than %d models: lmgrantd manages at most that many",
				   CONFIG_MAX_MODELS);
		L->too_many_models = true;
		return;
	}
	mb.d = new_draft(L, key);
	mb.qname = yquote(&q, key->text);
	if (!check_model_name(key->text))
		schema_err(L, key,
			   "model name '%s' is not valid: use 1 to 128 of A-Z a-z 0-9 . _ : -",
			   mb.qname);
	if (val->bad)
		return;
	if (ynode_is(val, YS_NULL)) {
		schema_err(L, key,
			   "model '%s' is empty: it needs a target (organization, ous or accounts)",
			   mb.qname);
		return;
	}
	what = xasprintf("model '%s'", mb.qname);
	where = xasprintf("in model '%s'", mb.qname);
	schema_walk_map(L, val, what, where, model_fields, ARRAY_LEN(model_fields), &mb);
	if (val->kind == YN_MAP)
		finish_model(L, &mb, key);
	model_build_free(&mb);
	free(where);
	free(what);
}

void schema_set_models(struct loader *L, const struct ynode *key, const struct ynode *val,
		       void *obj)
{
	(void)obj;
	if (!L->models_at.file)
		L->models_at = schema_pos(L, key);
	if (val->bad || val->kind != YN_MAP) {
		L->models_invalid = true;
		if (!val->bad)
			schema_err(L, val,
				   "models: expected a mapping of model names to models, found %s",
				   ynode_describe(val));
		return;
	}
	for (size_t i = 0; i + 1 < val->nkids; i += 2) {
		const struct ynode *k = val->kids[i];

		if (!k->bad && !k->dup)
			read_model(L, k, val->kids[i + 1]);
	}
}

void config_model_clear(struct config_model *m)
{
	free(m->name);
	free(m->product);
	free(m->license_arn);
	for (size_t i = 0; i < m->ntargets; i++)
		target_clear(&m->targets[i]);
	free(m->targets);
	for (size_t i = 0; i < m->noperations; i++)
		free(m->operations[i]);
	free(m->operations);
	memset(m, 0, sizeof(*m));
}
