/*
 * org: AWS Organizations reads. The OU tree is walked breadth first from
 * the root; paths are built from OU names, so "Workloads/Prod" in the config
 * can be matched without another call. Every list follows NextToken.
 */
#include "org.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ORG_PAGE_SIZE 20
#define ORG_MAX_PAGES 10000
#define ORG_MAX_OUS 20000

void org_tree_clear(struct org_tree *t)
{
	if (!t)
		return;
	free(t->org_id);
	free(t->management_account);
	free(t->feature_set);
	free(t->root_id);
	for (size_t i = 0; i < t->nous; i++) {
		free(t->ous[i].id);
		free(t->ous[i].name);
		free(t->ous[i].parent_id);
		free(t->ous[i].path);
	}
	free(t->ous);
	for (size_t i = 0; i < t->naccounts; i++) {
		free(t->accounts[i].id);
		free(t->accounts[i].parent_id);
		free(t->accounts[i].name);
	}
	free(t->accounts);
	memset(t, 0, sizeof(*t));
}

void org_tree_copy(struct org_tree *dst, const struct org_tree *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->org_id = xstrdup(src->org_id);
	dst->management_account = xstrdup(src->management_account);
	dst->feature_set = xstrdup(src->feature_set);
	dst->root_id = xstrdup(src->root_id);
	dst->have_tree = src->have_tree;
	dst->ous = xcalloc(src->nous, sizeof(*dst->ous));
	for (size_t i = 0; i < src->nous; i++)
		dst->ous[i] = (struct org_ou){
			xstrdup(src->ous[i].id), xstrdup(src->ous[i].name),
			xstrdup(src->ous[i].parent_id), xstrdup(src->ous[i].path),
		};
	dst->nous = src->nous;
	dst->accounts = xcalloc(src->naccounts, sizeof(*dst->accounts));
	for (size_t i = 0; i < src->naccounts; i++)
		dst->accounts[i] = (struct org_account){
			xstrdup(src->accounts[i].id), xstrdup(src->accounts[i].parent_id),
			xstrdup(src->accounts[i].name),
		};
	dst->naccounts = src->naccounts;
}

static const char *member_string(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && *s ? s : NULL;
}

int org_describe(const struct aws_client *c, struct org_tree *t, struct aws_error *err)
{
	json_t *req = json_object(), *resp = NULL, *org;
	const char *id, *mgmt;
	int rc = -1;

	if (aws_json_call(c->http, c->svc, c->creds, "DescribeOrganization", req, &resp, err) < 0)
		goto fail;
	org = json_object_get(resp, "Organization");
	id = member_string(org, "Id");
	mgmt = member_string(org, "MasterAccountId");
	if (!id || !mgmt) {
		aws_error_protocol(err, "DescribeOrganization", xstrdup("missing Organization.Id or MasterAccountId"));
		goto fail;
	}
	free(t->org_id);
	free(t->management_account);
	free(t->feature_set);
	t->org_id = xstrdup(id);
	t->management_account = xstrdup(mgmt);
	t->feature_set = xstrdup(member_string(org, "FeatureSet"));
	rc = 0;
fail:
	json_decref(req);
	json_decref(resp);
	return rc;
}

/* One org_list: what each page's items go to. */
struct org_list_state {
	const char *op;
	const char *items_key;
	int (*on_item)(json_t *item, void *ctx);
	void *ctx;
};

static int take_items(json_t *page, void *ctx, struct aws_error *err)
{
	const struct org_list_state *st = ctx;
	json_t *items = json_object_get(page, st->items_key), *item;
	size_t i;

	if (!json_is_array(items)) {
		aws_error_protocol(err, st->op, xasprintf("%s %s", st->items_key,
							  items ? "is not a list" : "is missing"));
		return -1;
	}
	json_array_foreach(items, i, item) {
		if (st->on_item(item, st->ctx) < 0) {
			aws_error_protocol(err, st->op, xasprintf("%s[%zu] is malformed", st->items_key, i));
			return -1;
		}
	}
	return 0;
}

/* Calls op with request for every page; on_item gets each element of
 * items_key. Returns -1 with *err on any failure. */
static int org_list(const struct aws_client *c, const char *op, json_t *request,
		    const char *items_key, int (*on_item)(json_t *item, void *ctx), void *ctx,
		    struct aws_error *err)
{
	struct org_list_state st = { op, items_key, on_item, ctx };

	return aws_paginate(c, op, request, ORG_PAGE_SIZE, ORG_MAX_PAGES, take_items, &st, err);
}

static int take_root(json_t *item, void *ctx)
{
	struct org_tree *t = ctx;
	const char *id = member_string(item, "Id");

	if (!id)
		return -1;
	if (!t->root_id)
		t->root_id = xstrdup(id);
	return 0;
}

struct ou_ctx {
	struct org_tree *t;
	size_t cap;
	const char *parent_id;
	const char *parent_path; /* NULL for the root */
};

static int take_ou(json_t *item, void *ctx)
{
	struct ou_ctx *o = ctx;
	struct org_tree *t = o->t;
	const char *id = member_string(item, "Id"), *name = member_string(item, "Name");
	struct org_ou *ou;

	if (!id || !name || t->nous >= ORG_MAX_OUS)
		return -1;
	grow_array((void **)&t->ous, &o->cap, t->nous + 1, sizeof(*t->ous));
	ou = &t->ous[t->nous++];
	ou->id = xstrdup(id);
	ou->name = xstrdup(name);
	ou->parent_id = xstrdup(o->parent_id);
	ou->path = o->parent_path ? xasprintf("%s/%s", o->parent_path, name) : xstrdup(name);
	return 0;
}

struct account_ctx {
	struct org_tree *t;
	size_t cap;
	const char *parent_id;
};

static int take_account(json_t *item, void *ctx)
{
	struct account_ctx *a = ctx;
	struct org_tree *t = a->t;
	const char *id = member_string(item, "Id");

	if (!id)
		return -1;
	grow_array((void **)&t->accounts, &a->cap, t->naccounts + 1, sizeof(*t->accounts));
	t->accounts[t->naccounts].id = xstrdup(id);
	t->accounts[t->naccounts].parent_id = xstrdup(a->parent_id);
	t->accounts[t->naccounts].name = xstrdup(member_string(item, "Name"));
	t->naccounts++;
	return 0;
}

/* Children (OUs and accounts) of one parent. The parent's id and path are
 * copied first: take_ou may move t->ous. */
static int read_children(const struct aws_client *c, struct org_tree *t, struct ou_ctx *oc,
			 struct account_ctx *ac, const char *parent_id, const char *parent_path,
			 struct aws_error *err)
{
	char *pid = xstrdup(parent_id), *ppath = xstrdup(parent_path);
	json_t *req = json_pack("{s:s}", "ParentId", pid);
	int rc = -1;

	oc->parent_id = pid;
	oc->parent_path = ppath;
	if (org_list(c, "ListOrganizationalUnitsForParent", req, "OrganizationalUnits", take_ou, oc, err) < 0)
		goto fail;
	json_decref(req);
	req = json_pack("{s:s}", "ParentId", pid);
	ac->parent_id = pid;
	if (org_list(c, "ListAccountsForParent", req, "Accounts", take_account, ac, err) < 0)
		goto fail;
	rc = 0;
fail:
	(void)t;
	json_decref(req);
	free(pid);
	free(ppath);
	return rc;
}

int org_read_tree(const struct aws_client *c, struct org_tree *t, struct aws_error *err)
{
	json_t *req = json_object();
	struct ou_ctx oc = { .t = t };
	struct account_ctx ac = { .t = t };
	int rc = -1;

	if (org_list(c, "ListRoots", req, "Roots", take_root, t, err) < 0)
		goto fail;
	if (!t->root_id) {
		aws_error_protocol(err, "ListRoots", xstrdup("no root"));
		goto fail;
	}
	if (read_children(c, t, &oc, &ac, t->root_id, NULL, err) < 0)
		goto fail;
	/* Breadth first: t->ous grows while we walk it. */
	for (size_t i = 0; i < t->nous; i++)
		if (read_children(c, t, &oc, &ac, t->ous[i].id, t->ous[i].path, err) < 0)
			goto fail;
	org_tree_index(t);
	t->have_tree = true;
	rc = 0;
fail:
	json_decref(req);
	return rc;
}

static int ou_cmp(const void *a, const void *b)
{
	return strcmp(((const struct org_ou *)a)->id, ((const struct org_ou *)b)->id);
}

static int account_cmp(const void *a, const void *b)
{
	return strcmp(((const struct org_account *)a)->id, ((const struct org_account *)b)->id);
}

void org_tree_index(struct org_tree *t)
{
	if (t->nous > 1)
		qsort(t->ous, t->nous, sizeof(*t->ous), ou_cmp);
	if (t->naccounts > 1)
		qsort(t->accounts, t->naccounts, sizeof(*t->accounts), account_cmp);
}

const struct org_ou *org_find_ou(const struct org_tree *t, const char *id)
{
	struct org_ou key = { .id = (char *)id };

	return t->nous ? bsearch(&key, t->ous, t->nous, sizeof(*t->ous), ou_cmp) : NULL;
}

const struct org_ou *org_find_ou_path(const struct org_tree *t, const char *path)
{
	for (size_t i = 0; i < t->nous; i++)
		if (strcmp(t->ous[i].path, path) == 0)
			return &t->ous[i];
	return NULL;
}

const struct org_account *org_find_account(const struct org_tree *t, const char *id)
{
	struct org_account key = { .id = (char *)id };

	return t->naccounts ? bsearch(&key, t->accounts, t->naccounts, sizeof(*t->accounts), account_cmp)
			    : NULL;
}

bool org_is_below(const struct org_tree *t, const char *parent_id, const char *ancestor_ou)
{
	/* Bounded by the OU count, in case the tree were ever cyclic. */
	for (size_t hops = 0; parent_id && hops <= t->nous; hops++) {
		const struct org_ou *ou;

		if (strcmp(parent_id, ancestor_ou) == 0)
			return true;
		ou = org_find_ou(t, parent_id);
		parent_id = ou ? ou->parent_id : NULL;
	}
	return false;
}

/* ---- delegated administrators, trusted access, the caller's role ---- */

struct string_item {
	const char *key;
	struct strlist *out;
};

static int take_string_item(json_t *item, void *ctx)
{
	struct string_item *si = ctx;
	const char *v = member_string(item, si->key);

	if (!v)
		return -1;
	strlist_push(si->out, xstrdup(v));
	return 0;
}

int org_list_delegated_admins(const struct aws_client *c, const char *service_principal,
			      struct strlist *out, struct aws_error *err)
{
	json_t *req = json_pack("{s:s}", "ServicePrincipal", service_principal);
	struct string_item si = { "Id", out };
	int rc = org_list(c, "ListDelegatedAdministrators", req, "DelegatedAdministrators",
			  take_string_item, &si, err);

	json_decref(req);
	return rc;
}

int org_list_service_access(const struct aws_client *c, struct strlist *out, struct aws_error *err)
{
	json_t *req = json_object();
	struct string_item si = { "ServicePrincipal", out };
	int rc = org_list(c, "ListAWSServiceAccessForOrganization", req, "EnabledServicePrincipals",
			  take_string_item, &si, err);

	json_decref(req);
	return rc;
}

const char *org_role_name(enum org_role r)
{
	switch (r) {
	case ORG_ROLE_MANAGEMENT:
		return "management account";
	case ORG_ROLE_DELEGATED_ADMIN:
		return "delegated administrator for License Manager";
	case ORG_ROLE_NEITHER:
		return "neither management account nor delegated administrator";
	case ORG_ROLE_NO_ORGANIZATION:
		return "not in an organization";
	case ORG_ROLE_UNKNOWN:
		break;
	}
	return "unknown";
}

int org_caller_role(const struct aws_client *c, const char *account, const struct org_tree *t,
		    enum org_role *out, struct aws_error *err)
{
	struct strlist admins = { 0 };

	*out = ORG_ROLE_UNKNOWN;
	if (!t->management_account) {
		*out = ORG_ROLE_NO_ORGANIZATION;
		return 0;
	}
	if (strcmp(t->management_account, account) == 0) {
		*out = ORG_ROLE_MANAGEMENT;
		return 0;
	}
	if (org_list_delegated_admins(c, ORG_LICENSE_MANAGER_PRINCIPAL, &admins, err) < 0)
		return -1;
	*out = strlist_contains(&admins, account) ? ORG_ROLE_DELEGATED_ADMIN : ORG_ROLE_NEITHER;
	strlist_free(&admins);
	return 0;
}
