/*
 * access: the effective-access matrix. An account's state for a model
 * comes from its own account grant, or from the per-account sub-grant of
 * an OU or organization grant covering it; of several, the most advanced
 * wins (active, disabled, pending, failed, rejected), the most specific
 * grant first at equal state. Tombstones (DELETED) give nothing.
 */
#include "access.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Text matrix: fits 100 columns for 3 models with 16-character account
 * names (SPEC §9). */
#define ACCOUNT_NAME_COLS 16
#define MODEL_COLS_MIN 14
#define MODEL_COLS_MAX 20

const char *access_state_name(enum access_state s)
{
	static const char *const names[] = {
		[ACCESS_NONE] = "none", [ACCESS_REJECTED] = "rejected", [ACCESS_FAILED] = "failed",
		[ACCESS_PENDING] = "pending", [ACCESS_DISABLED] = "disabled", [ACCESS_ACTIVE] = "active",
	};

	return s <= ACCESS_ACTIVE ? names[s] : "none";
}

/* The 12-digit id in "arn:<partition>:iam::<id>:root", else NULL. */
static const char *principal_account(const char *arn, size_t *len)
{
	const char *p;

	if (!arn || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	p = strchr(arn + 4, ':');
	if (!p || strncmp(p, ":iam::", 6) != 0)
		return NULL;
	p += 6;
	if (strspn(p, "0123456789") != 12 || strcmp(p + 12, ":root") != 0)
		return NULL;
	*len = 12;
	return p;
}

static bool is_org_principal(const char *arn)
{
	const char *p = arn ? strstr(arn, ":organization/") : NULL;

	return p && strncmp(arn, "arn:", 4) == 0 && !strchr(p + 14, '/');
}

/* The OU id of "arn:<partition>:organizations::<mgmt>:ou/<org>/<ou>". */
static const char *principal_ou(const char *arn)
{
	const char *p = arn ? strstr(arn, ":ou/") : NULL;

	return p && strncmp(arn, "arn:", 4) == 0 ? strrchr(p, '/') + 1 : NULL;
}

static bool principal_is(const char *arn, const char *account)
{
	size_t len = 0;
	const char *id = principal_account(arn, &len);

	return id && strncmp(id, account, len) == 0 && account[len] == '\0';
}

static enum access_state state_of(enum grant_status st)
{
	switch (st) {
	case GS_ACTIVE:
	case GS_WORKFLOW_COMPLETED:
		return ACCESS_ACTIVE;
	case GS_DISABLED:
		return ACCESS_DISABLED;
	case GS_FAILED_WORKFLOW:
		return ACCESS_FAILED;
	case GS_REJECTED:
		return ACCESS_REJECTED;
	case GS_DELETED:
		return ACCESS_NONE;
	default: /* PENDING_WORKFLOW, PENDING_ACCEPT, PENDING_DELETE, unknown */
		return ACCESS_PENDING;
	}
}

static const char *target_label(const struct desired_model *m, const char *principal)
{
	for (size_t i = 0; m && i < m->ntargets; i++)
		if (m->targets[i].principal_arn && strcmp(m->targets[i].principal_arn, principal) == 0)
			return m->targets[i].label;
	return NULL;
}

/* The state an OU/organization grant g gives account: its sub-grant's,
 * once the grant has distributed them; otherwise the grant's own. */
static const struct grant *subgrant_for(const struct access_license *l, const struct grant *g,
					const char *account)
{
	for (size_t i = 0; i < l->nsubgrants; i++) {
		const struct grant *s = &l->subgrants[i];

		if (s->parent_arn && strcmp(s->parent_arn, g->arn) == 0 &&
		    principal_is(s->principal_arn, account) && s->status != GS_DELETED)
			return s;
	}
	return NULL;
}

static bool covers(const struct org_tree *org, const struct grant *g, const struct org_account *a)
{
	const char *ou;

	if (is_org_principal(g->principal_arn))
		return true;
	ou = principal_ou(g->principal_arn);
	return ou && org_is_below(org, a->parent_id, ou);
}

/* Offers grant g (state st, reason) for the cell; keeps the better. */
static void offer(struct access_cell *c, const struct access_license *l, const struct grant *g,
		  enum grant_status st, const char *reason)
{
	enum access_state s = state_of(st);

	if (s == ACCESS_NONE || s <= c->state)
		return;
	c->state = s;
	c->via = g->principal_arn;
	c->grant_arn = g->arn;
	c->target = target_label(l->model, g->principal_arn);
	c->reason = grant_reason_shown(st, reason);
}

/* Offers the OU (ou true) or organization grants of l that cover a. */
static void offer_covering(const struct org_tree *org, const struct access_license *l,
			   const struct org_account *a, bool ou, struct access_cell *c)
{
	for (size_t i = 0; i < l->ngrants; i++) {
		const struct grant *g = &l->grants[i], *sub = NULL;

		if ((principal_ou(g->principal_arn) != NULL) != ou || !covers(org, g, a))
			continue;
		if (g->status == GS_WORKFLOW_COMPLETED || g->status == GS_ACTIVE || g->status == GS_DISABLED)
			sub = subgrant_for(l, g, a->id);
		if (sub)
			offer(c, l, g, sub->status, sub->status_reason);
		else if (g->status == GS_WORKFLOW_COMPLETED) /* not distributed to a yet */
			offer(c, l, g, GS_PENDING_WORKFLOW, g->status_reason);
		else
			offer(c, l, g, g->status, g->status_reason);
	}
}

/* Account grants first, then OU, then organization grants: at equal
 * state the most specific grant is the one shown. */
static void fill_cell(const struct org_tree *org, const struct access_license *l,
		      const struct org_account *a, struct access_cell *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < l->ngrants; i++)
		if (principal_is(l->grants[i].principal_arn, a->id))
			offer(c, l, &l->grants[i], l->grants[i].status, l->grants[i].status_reason);
	offer_covering(org, l, a, true, c);
	offer_covering(org, l, a, false, c);
}

void access_build(const struct org_tree *org, const struct access_license *lics, size_t n,
		  const char *only_account, struct access_report *out)
{
	memset(out, 0, sizeof(*out));
	out->accounts = xcalloc(org->naccounts ? org->naccounts : 1, sizeof(*out->accounts));
	for (size_t i = 0; i < org->naccounts; i++) {
		const struct org_account *a = &org->accounts[i];

		if ((org->management_account && strcmp(a->id, org->management_account) == 0) ||
		    (only_account && strcmp(a->id, only_account) != 0))
			continue;
		out->accounts[out->naccounts++] = a;
	}
	out->rows = xcalloc(n ? n : 1, sizeof(*out->rows));
	for (size_t m = 0; m < n; m++) {
		struct access_row *row = &out->rows[out->nrows++];

		row->model = lics[m].model;
		row->error = lics[m].model->error ? lics[m].model->error : lics[m].read_error;
		row->cells = xcalloc(out->naccounts ? out->naccounts : 1, sizeof(*row->cells));
		if (row->error)
			continue;
		for (size_t i = 0; i < out->naccounts; i++)
			fill_cell(org, &lics[m], out->accounts[i], &row->cells[i]);
	}
}

void access_report_free(struct access_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrows; i++)
		free(r->rows[i].cells);
	free(r->rows);
	free(r->accounts);
	memset(r, 0, sizeof(*r));
}

/* ---- printing ---- */

/* s for a terminal, escaped by text_escape (SPEC §6), at most cols
 * columns (a UTF-8 character counts one), cut with "~"; padded to cols
 * when pad. */
static void put_text(FILE *f, const char *s, size_t cols, bool pad)
{
	char *e = text_escape(s, ESCAPE_FIELD_MAX);
	size_t width = 0, used = 0;

	for (const char *p = e; *p; p++)
		width += ((unsigned char)*p & 0xC0) != 0x80;
	for (const char *p = e; *p; p++) {
		bool starts = ((unsigned char)*p & 0xC0) != 0x80;

		if (starts && width > cols && used + 2 > cols) {
			fputc('~', f);
			used++;
			break;
		}
		fputc(*p, f);
		used += starts;
	}
	while (pad && used++ < cols)
		fputc(' ', f);
	free(e);
}

static const char *via_kind(const struct access_cell *c)
{
	if (!c->via || principal_ou(c->via) == NULL) {
		size_t len = 0;

		if (c->via && principal_account(c->via, &len) == NULL)
			return " (org)";
		return "";
	}
	return " (ou)";
}

static size_t model_cols(const struct access_row *row)
{
	size_t n = strlen(row->model->name);

	return n < MODEL_COLS_MIN ? MODEL_COLS_MIN : n > MODEL_COLS_MAX ? MODEL_COLS_MAX : n;
}

static void print_text(FILE *f, const struct access_report *r)
{
	size_t name_cols = 4;

	for (size_t i = 0; i < r->naccounts; i++) {
		size_t n = r->accounts[i]->name ? strlen(r->accounts[i]->name) : 0;

		if (n > name_cols)
			name_cols = n > ACCOUNT_NAME_COLS ? ACCOUNT_NAME_COLS : n;
	}
	fprintf(f, "%-12s  ", "ACCOUNT");
	put_text(f, "NAME", name_cols, true);
	for (size_t m = 0; m < r->nrows; m++) {
		fputs("  ", f);
		put_text(f, r->rows[m].model->name, model_cols(&r->rows[m]), m + 1 < r->nrows);
	}
	fputc('\n', f);
	for (size_t i = 0; i < r->naccounts; i++) {
		fprintf(f, "%-12s  ", r->accounts[i]->id);
		put_text(f, r->accounts[i]->name ? r->accounts[i]->name : "-", name_cols, true);
		for (size_t m = 0; m < r->nrows; m++) {
			const struct access_cell *c = &r->rows[m].cells[i];
			char *cell = r->rows[m].error ? xstrdup("unknown")
						      : xasprintf("%s%s", access_state_name(c->state), via_kind(c));

			fputs("  ", f);
			put_text(f, cell, model_cols(&r->rows[m]), m + 1 < r->nrows);
			free(cell);
		}
		fputc('\n', f);
	}
	/* What the matrix cannot hold: full model names, errors, reasons. */
	for (size_t m = 0; m < r->nrows; m++) {
		const struct access_row *row = &r->rows[m];

		if (strlen(row->model->name) > MODEL_COLS_MAX || row->error) {
			fputs("\nmodel ", f);
			put_text(f, row->model->name, SIZE_MAX, false);
			if (row->error) {
				fputs(": ", f);
				put_text(f, row->error, SIZE_MAX, false);
			}
		}
		for (size_t i = 0; i < r->naccounts; i++) {
			const struct access_cell *c = &row->cells[i];

			if (c->state == ACCESS_NONE || c->state == ACCESS_ACTIVE)
				continue;
			fprintf(f, "\n%s ", r->accounts[i]->id);
			put_text(f, row->model->name, SIZE_MAX, false);
			fprintf(f, ": %s via ", access_state_name(c->state));
			put_text(f, c->target ? c->target : c->via, SIZE_MAX, false);
			if (c->reason) {
				fputs(": ", f);
				put_text(f, c->reason, SIZE_MAX, false);
			}
		}
	}
	fputc('\n', f);
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *cell_json(const struct access_report *r, const struct access_row *row, size_t i)
{
	const struct access_cell *c = &row->cells[i];

	return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o}", "account", r->accounts[i]->id,
			 "name", opt_string(r->accounts[i]->name), "state",
			 row->error ? "unknown" : access_state_name(c->state), "via", opt_string(c->via),
			 "target", opt_string(c->target), "grant_arn", opt_string(c->grant_arn),
			 "reason", opt_string(row->error ? row->error : c->reason));
}

static void print_json(FILE *f, const struct access_report *r)
{
	json_t *models = json_array(), *doc;
	char *text;

	for (size_t m = 0; m < r->nrows; m++) {
		const struct access_row *row = &r->rows[m];
		json_t *accounts = json_array();

		for (size_t i = 0; i < r->naccounts; i++)
			json_array_append_new(accounts, cell_json(r, row, i));
		json_array_append_new(models, json_pack("{s:s, s:o, s:o, s:o}", "model", row->model->name,
							"license_arn", opt_string(row->model->license_arn),
							"error", opt_string(row->error), "accounts", accounts));
	}
	doc = json_pack("{s:o}", "models", models);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fprintf(f, "%s\n", text);
	free(text);
	json_decref(doc);
}

/* RFC 4180 quoting; a cell a spreadsheet would take for a formula gets a
 * leading quote, since names come from AWS. */
static void csv_cell(FILE *f, const char *s, bool last)
{
	if (s && *s) {
		bool formula = strchr("=+-@\t\r", s[0]) != NULL;

		fputc('"', f);
		if (formula)
			fputc('\'', f);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputs(last ? "\r\n" : ",", f);
}

static void print_csv(FILE *f, const struct access_report *r)
{
	fputs("model,license_arn,account,name,state,via,target,grant_arn,reason\r\n", f);
	for (size_t m = 0; m < r->nrows; m++) {
		const struct access_row *row = &r->rows[m];

		for (size_t i = 0; i < r->naccounts; i++) {
			const struct access_cell *c = &row->cells[i];

			csv_cell(f, row->model->name, false);
			csv_cell(f, row->model->license_arn, false);
			csv_cell(f, r->accounts[i]->id, false);
			csv_cell(f, r->accounts[i]->name, false);
			csv_cell(f, row->error ? "unknown" : access_state_name(c->state), false);
			csv_cell(f, c->via, false);
			csv_cell(f, c->target, false);
			csv_cell(f, c->grant_arn, false);
			csv_cell(f, row->error ? row->error : c->reason, true);
		}
	}
}

void access_print(FILE *f, enum access_format fmt, const struct access_report *r)
{
	if (fmt == ACCESS_JSON)
		print_json(f, r);
	else if (fmt == ACCESS_CSV)
		print_csv(f, r);
	else
		print_text(f, r);
	fflush(f);
}
