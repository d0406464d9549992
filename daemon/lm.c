/*
 * lm: License Manager over JSON 1.1. Every answer is validated field by
 * field before it becomes a struct grant or lm_license; a page that does
 * not decode fails the whole list, so a caller never mistakes a broken
 * answer for an empty one.
 */
#include "lm.h"

#include <stdlib.h>
#include <string.h>

#include "arn.h"
#include "util.h"

#define LM_PAGE_SIZE 100
/* AWS allows 2,000 grants per license; a listing of more than twice that
 * contradicts itself (SPEC 4.1). Pages are bounded as well, since a
 * service that sends empty pages with fresh tokens would never reach the
 * item bound: a page may be short, so the page bound is generous, yet it
 * stops an endless listing after minutes, not after gigabytes. */
#define LM_MAX_GRANTS 4000
#define LM_MAX_PAGES (LM_MAX_GRANTS + 100)
/* Received licenses: one per Marketplace subscription. */
#define LM_MAX_LICENSES 10000

void lm_license_clear(struct lm_license *l)
{
	free(l->arn);
	free(l->product_sku);
	free(l->product_name);
	free(l->status);
	free(l->home_region);
	strlist_free(&l->allowed_operations);
	memset(l, 0, sizeof(*l));
}

void lm_licenses_free(struct lm_license *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lm_license_clear(&l[i]);
	free(l);
}

void lm_write_result_clear(struct lm_write_result *r)
{
	free(r->grant_arn);
	free(r->version);
	free(r->request_id);
	memset(r, 0, sizeof(*r));
}

/* ---- decoding ---- */

/* A string member: required ones must be present and non-empty. */
static int get_string(json_t *obj, const char *key, bool required, char **out, char **why)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		*why = xasprintf("missing %s", key);
		return -1;
	}
	if (!json_is_string(v) || (required && json_string_length(v) == 0)) {
		*why = xasprintf("%s is not a non-empty string", key);
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int get_operations(json_t *obj, struct grant *g, char **why)
{
	json_t *ops = json_object_get(obj, "GrantedOperations"), *v;
	const char **names = NULL;
	size_t i;
	int rc = -1;

	if (!json_is_array(ops)) {
		*why = xstrdup("GrantedOperations is not a list");
		return -1;
	}
	names = xcalloc(json_array_size(ops), sizeof(*names));
	json_array_foreach(ops, i, v) {
		if (!json_is_string(v)) {
			*why = xstrdup("GrantedOperations holds a non-string");
			goto fail;
		}
		names[i] = json_string_value(v);
	}
	grant_set_operations(g, names, json_array_size(ops));
	rc = 0;
fail:
	free(names);
	return rc;
}

int lm_decode_grant(json_t *j, struct grant *out, char **why)
{
	char *status = NULL;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		*why = xstrdup("grant is not an object");
		return -1;
	}
	if (get_string(j, "GrantArn", true, &out->arn, why) < 0 ||
	    get_string(j, "LicenseArn", true, &out->license_arn, why) < 0 ||
	    get_string(j, "GranteePrincipalArn", true, &out->principal_arn, why) < 0 ||
	    get_string(j, "Version", true, &out->version, why) < 0 ||
	    get_string(j, "GrantStatus", true, &status, why) < 0 ||
	    get_string(j, "GrantName", false, &out->name, why) < 0 ||
	    get_string(j, "ParentArn", false, &out->parent_arn, why) < 0 ||
	    get_string(j, "HomeRegion", false, &out->home_region, why) < 0 ||
	    get_string(j, "StatusReason", false, &out->status_reason, why) < 0 ||
	    get_operations(j, out, why) < 0)
		goto fail;
	out->status = grant_status_parse(status);
	free(status);
	return 0;
fail:
	free(status);
	grant_clear(out);
	return -1;
}

/* ReceivedMetadata.AllowedOperations, when listed: a list of strings. */
static int get_allowed_operations(json_t *j, struct lm_license *out, char **why)
{
	json_t *meta = json_object_get(j, "ReceivedMetadata"), *ops = NULL, *v = NULL;
	size_t i = 0;

	if (!meta || json_is_null(meta))
		return 0;
	if (!json_is_object(meta)) {
		*why = xstrdup("ReceivedMetadata is not an object");
		return -1;
	}
	ops = json_object_get(meta, "AllowedOperations");
	if (!ops || json_is_null(ops))
		return 0;
	if (!json_is_array(ops)) {
		*why = xstrdup("ReceivedMetadata.AllowedOperations is not a list");
		return -1;
	}
	json_array_foreach(ops, i, v) {
		if (!json_is_string(v)) {
			*why = xstrdup("ReceivedMetadata.AllowedOperations holds a non-string");
			return -1;
		}
		strlist_push(&out->allowed_operations, xstrdup(json_string_value(v)));
	}
	out->allowed_listed = true;
	return 0;
}

int lm_decode_license(json_t *j, struct lm_license *out, char **why)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		*why = xstrdup("license is not an object");
		return -1;
	}
	if (get_string(j, "LicenseArn", true, &out->arn, why) < 0 ||
	    get_string(j, "ProductSKU", false, &out->product_sku, why) < 0 ||
	    get_string(j, "ProductName", false, &out->product_name, why) < 0 ||
	    get_string(j, "Status", false, &out->status, why) < 0 ||
	    get_string(j, "HomeRegion", false, &out->home_region, why) < 0 ||
	    get_allowed_operations(j, out, why) < 0) {
		lm_license_clear(out);
		return -1;
	}
	return 0;
}

/* ---- pagination ---- */

struct list_spec {
	const char *operation;
	const char *items_key;
	json_t *request;          /* borrowed; NextToken/MaxResults are set here */
	size_t item_size;
	int (*decode)(const struct list_spec *s, json_t *j, void *item, char **why);
	void (*clear)(void *item);
	size_t max_items;         /* more is an InvalidResponse */
	/* When set, every item must belong to this license (its LicenseArn):
	 * an item of another license must never be judged as one of ours. */
	const char *license_arn;
	/* When set, every item's ParentArn must be this grant. */
	const char *parent_arn;
};

/* An item of another license, or of another parent, than the one listed:
 * the listing contradicts itself and none of it can be trusted. */
static int check_belongs(const struct list_spec *s, const struct grant *g, char **why)
{
	if (s->license_arn && (!g->license_arn || strcmp(g->license_arn, s->license_arn) != 0)) {
		*why = xasprintf("grant %s belongs to license %s, not to %s", g->arn,
				 g->license_arn ? g->license_arn : "(none)", s->license_arn);
		return -1;
	}
	if (s->parent_arn && (!g->parent_arn || strcmp(g->parent_arn, s->parent_arn) != 0)) {
		*why = xasprintf("grant %s has parent %s, not %s", g->arn,
				 g->parent_arn ? g->parent_arn : "(none)", s->parent_arn);
		return -1;
	}
	return 0;
}

/* Listed grants are kept while their license is planned, 2,000 of them
 * per license: only what plan needs stays (the license is known from the
 * request, the parent only matters for sub-grants, the name tells the
 * grants lmgrantd made, SPEC §4.3 orphans). */
static int decode_grant_item(const struct list_spec *s, json_t *j, void *item, char **why)
{
	struct grant *g = item;

	if (lm_decode_grant(j, g, why) < 0)
		return -1;
	if (check_belongs(s, g, why) < 0) {
		grant_clear(g);
		return -1;
	}
	free(g->home_region);
	free(g->license_arn);
	g->home_region = g->license_arn = NULL;
	return 0;
}

/* Per-account sub-grants (ParentArn a grant, not the license), should
 * ListDistributedGrants list them, keep their parent: plan must never
 * take them for grants of their own (SPEC 4.1). For the others the parent
 * is the license, known already. */
static int decode_distributed_item(const struct list_spec *s, json_t *j, void *item, char **why)
{
	struct grant *g = item;

	if (decode_grant_item(s, j, g, why) < 0)
		return -1;
	if (!arn_is_grant(g->parent_arn)) {
		free(g->parent_arn);
		g->parent_arn = NULL;
	}
	return 0;
}

static void clear_grant_item(void *item)
{
	grant_clear(item);
}

static int decode_license_item(const struct list_spec *s, json_t *j, void *item, char **why)
{
	(void)s;
	return lm_decode_license(j, item, why);
}

static void clear_license_item(void *item)
{
	lm_license_clear(item);
}

/* The array list_all fills, page by page. */
struct list_state {
	const struct list_spec *s;
	char *items;
	size_t n, cap;
};

/* Decodes one page's items onto the array. */
static int take_page(json_t *page, void *ctx, struct aws_error *err)
{
	struct list_state *st = ctx;
	const struct list_spec *s = st->s;
	json_t *arr = json_object_get(page, s->items_key), *v;
	char *why = NULL;
	size_t i;

	/* AWS always sends the list, empty or not: a page without it is broken,
	 * and must not read as "no grants" (that would create duplicates). */
	if (!json_is_array(arr)) {
		aws_error_protocol(err, s->operation,
			       xasprintf("%s %s", s->items_key, arr ? "is not a list" : "is missing"));
		return -1;
	}
	json_array_foreach(arr, i, v) {
		if (st->n >= s->max_items) {
			aws_error_protocol(err, s->operation,
				       xasprintf("more than %zu items listed", s->max_items));
			return -1;
		}
		grow_array((void **)&st->items, &st->cap, st->n + 1, s->item_size);
		if (s->decode(s, v, st->items + st->n * s->item_size, &why) < 0) {
			aws_error_protocol(err, s->operation, xasprintf("item %zu: %s", i, why));
			free(why);
			return -1;
		}
		st->n++;
	}
	return 0;
}

static int list_all(const struct aws_client *c, const struct list_spec *s, void **out,
		    size_t *nout, struct aws_error *err)
{
	struct list_state st = { .s = s };

	if (aws_paginate(c, s->operation, s->request, LM_PAGE_SIZE, LM_MAX_PAGES, take_page, &st,
			 err) < 0) {
		for (size_t i = 0; i < st.n; i++)
			s->clear(st.items + i * s->item_size);
		free(st.items);
		return -1;
	}
	*out = st.items;
	*nout = st.n;
	return 0;
}

static json_t *filter(const char *name, const char *value)
{
	return json_pack("{s:s, s:[s]}", "Name", name, "Values", value);
}

int lm_list_received_licenses(const struct aws_client *c, struct lm_license **out, size_t *n,
			      struct aws_error *err)
{
	json_t *req = json_object();
	struct list_spec s = {
		"ListReceivedLicenses", "Licenses", req, sizeof(struct lm_license),
		decode_license_item, clear_license_item, LM_MAX_LICENSES, NULL, NULL,
	};
	int rc = list_all(c, &s, (void **)out, n, err);

	json_decref(req);
	return rc;
}

int lm_list_distributed_grants(const struct aws_client *c, const char *license_arn,
			       struct grant **out, size_t *n, struct aws_error *err)
{
	json_t *req = json_pack("{s:[o]}", "Filters", filter("LicenseArn", license_arn));
	struct list_spec s = {
		"ListDistributedGrants", "Grants", req, sizeof(struct grant),
		decode_distributed_item, clear_grant_item, LM_MAX_GRANTS, license_arn, NULL,
	};
	int rc = list_all(c, &s, (void **)out, n, err);

	json_decref(req);
	return rc;
}

int lm_list_org_subgrants(const struct aws_client *c, const char *license_arn,
			  const char *parent_arn, struct grant **out, size_t *n,
			  struct aws_error *err)
{
	/* Note the filter's spelling: "ParentArn" here, where
	 * ListDistributedGrants spells principals "GranteePrincipalARN". */
	json_t *req = json_pack("{s:s, s:[o]}", "LicenseArn", license_arn, "Filters",
				filter("ParentArn", parent_arn));
	struct list_spec s = {
		"ListReceivedGrantsForOrganization", "Grants", req, sizeof(struct grant),
		decode_grant_item, clear_grant_item, LM_MAX_GRANTS, license_arn, parent_arn,
	};
	int rc = list_all(c, &s, (void **)out, n, err);

	json_decref(req);
	return rc;
}

int lm_get_grant(const struct aws_client *c, const char *grant_arn, struct grant *out,
		 struct aws_error *err)
{
	json_t *req = json_pack("{s:s}", "GrantArn", grant_arn), *resp = NULL;
	char *why = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (aws_json_call(c->http, c->svc, c->creds, "GetGrant", req, &resp, err) < 0)
		goto fail;
	if (lm_decode_grant(json_object_get(resp, "Grant"), out, &why) < 0) {
		aws_error_protocol(err, "GetGrant", why);
		goto fail;
	}
	rc = 0;
fail:
	json_decref(req);
	json_decref(resp);
	return rc;
}

/* ---- writes ---- */

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static int write_call(const struct aws_client *c, const char *op, json_t *req,
		      struct lm_write_result *res, struct aws_error *err)
{
	json_t *resp = NULL;
	char *why = NULL, *status = NULL;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (aws_json_call_id(c->http, c->svc, c->creds, op, req, &resp, &res->request_id, err) < 0)
		goto fail;
	if (get_string(resp, "GrantArn", true, &res->grant_arn, &why) < 0 ||
	    get_string(resp, "Version", true, &res->version, &why) < 0 ||
	    get_string(resp, "Status", false, &status, &why) < 0) {
		/* The write may have been made: its request id is what
		 * matches it to CloudTrail. */
		aws_error_protocol(err, op, why);
		err->request_id = res->request_id;
		res->request_id = NULL;
		lm_write_result_clear(res);
		goto fail;
	}
	res->status = grant_status_parse(status);
	rc = 0;
fail:
	free(status);
	json_decref(resp);
	return rc;
}

int lm_create_grant(const struct aws_client *c, const struct lm_create_grant *in,
		    struct lm_write_result *res, struct aws_error *err)
{
	json_t *req = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:o, s:[{s:s, s:s}]}",
				"ClientToken", in->client_token, "GrantName", in->name,
				"LicenseArn", in->license_arn, "Principals", in->principal_arn,
				"HomeRegion", in->home_region, "AllowedOperations",
				string_array(in->operations, in->noperations), "Tags", "Key",
				"managed-by", "Value", "lmgrantd");
	int rc = write_call(c, "CreateGrant", req, res, err);

	json_decref(req);
	return rc;
}

int lm_create_grant_version(const struct aws_client *c, const struct lm_grant_version *in,
			    struct lm_write_result *res, struct aws_error *err)
{
	json_t *req = json_pack("{s:s, s:s, s:s}", "ClientToken", in->client_token, "GrantArn",
				in->grant_arn, "SourceVersion", in->source_version);
	int rc;

	if (in->operations)
		json_object_set_new(req, "AllowedOperations",
				    string_array(in->operations, in->noperations));
	if (in->status)
		json_object_set_new(req, "Status", json_string(in->status));
	if (in->override)
		json_object_set_new(req, "Options", json_pack("{s:s}", "ActivationOverrideBehavior",
							      in->override));
	rc = write_call(c, "CreateGrantVersion", req, res, err);
	json_decref(req);
	return rc;
}

int lm_delete_grant(const struct aws_client *c, const char *grant_arn, const char *version,
		    struct lm_write_result *res, struct aws_error *err)
{
	json_t *req = json_pack("{s:s, s:s}", "GrantArn", grant_arn, "Version", version);
	int rc = write_call(c, "DeleteGrant", req, res, err);

	json_decref(req);
	return rc;
}

int lm_accept_grant(const struct aws_client *c, const char *grant_arn,
		    struct lm_write_result *res, struct aws_error *err)
{
	json_t *req = json_pack("{s:s}", "GrantArn", grant_arn);
	int rc = write_call(c, "AcceptGrant", req, res, err);

	json_decref(req);
	return rc;
}
