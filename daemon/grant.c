/*
 * grant: status names and small helpers on struct grant. Parsing grants out
 * of JSON is lm's job; deciding about them is plan's.
 */
#include "grant.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const status_names[] = {
	[GS_UNKNOWN] = "UNKNOWN",
	[GS_PENDING_WORKFLOW] = "PENDING_WORKFLOW",
	[GS_PENDING_ACCEPT] = "PENDING_ACCEPT",
	[GS_REJECTED] = "REJECTED",
	[GS_ACTIVE] = "ACTIVE",
	[GS_FAILED_WORKFLOW] = "FAILED_WORKFLOW",
	[GS_DELETED] = "DELETED",
	[GS_PENDING_DELETE] = "PENDING_DELETE",
	[GS_DISABLED] = "DISABLED",
	[GS_WORKFLOW_COMPLETED] = "WORKFLOW_COMPLETED",
};

enum grant_status grant_status_parse(const char *s)
{
	if (!s)
		return GS_UNKNOWN;
	for (size_t i = 1; i < ARRAY_LEN(status_names); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum grant_status)i;
	return GS_UNKNOWN;
}

const char *grant_status_name(enum grant_status st)
{
	if ((size_t)st >= ARRAY_LEN(status_names))
		return status_names[GS_UNKNOWN];
	return status_names[st];
}

bool grant_status_is_tombstone(enum grant_status st)
{
	return st == GS_DELETED || st == GS_FAILED_WORKFLOW;
}

void grant_clear(struct grant *g)
{
	if (!g)
		return;
	free(g->arn);
	free(g->name);
	free(g->parent_arn);
	free(g->license_arn);
	free(g->principal_arn);
	free(g->home_region);
	free(g->version);
	free(g->status_reason);
	free(g->operations);
	memset(g, 0, sizeof(*g));
}

void grants_free(struct grant *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		grant_clear(&g[i]);
	free(g);
}

void grant_copy(struct grant *dst, const struct grant *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->arn = xstrdup(src->arn);
	dst->name = xstrdup(src->name);
	dst->parent_arn = xstrdup(src->parent_arn);
	dst->license_arn = xstrdup(src->license_arn);
	dst->principal_arn = xstrdup(src->principal_arn);
	dst->home_region = xstrdup(src->home_region);
	dst->status = src->status;
	dst->version = xstrdup(src->version);
	dst->status_reason = xstrdup(src->status_reason);
	grant_set_operations(dst, (const char *const *)src->operations, src->noperations);
}

void grant_set_operations(struct grant *g, const char *const *ops, size_t n)
{
	size_t bytes = n * sizeof(char *);
	char *text;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(ops[i]) + 1;
	free(g->operations);
	g->operations = xmalloc(bytes ? bytes : 1);
	g->noperations = n;
	text = (char *)(g->operations + n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(ops[i]) + 1;

		memcpy(text, ops[i], len);
		g->operations[i] = text;
		text += len;
	}
}

static bool contains(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

bool operations_equal(char *const *a, size_t na, const char *const *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (!contains(b, nb, a[i]))
			return false;
	for (size_t i = 0; i < nb; i++)
		if (!contains((const char *const *)a, na, b[i]))
			return false;
	return true;
}

const char *grant_reason_shown(enum grant_status st, const char *reason)
{
	return st == GS_ACTIVE || st == GS_WORKFLOW_COMPLETED || !reason || !*reason ? NULL : reason;
}
