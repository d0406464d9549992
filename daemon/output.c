/*
 * output: renders a pass report. Text: a symbol per kind ("+ create",
 * "~ update", "^ activate", "- delete", "! blocked", "… waiting"), the
 * model, the target as written and the reason; apply adds the result.
 * JSON: {"result", "actions": [...], "counts": {...}, "warnings": [...]}.
 */
#include "output.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int output_format_parse(const char *s, enum output_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = OUTPUT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = OUTPUT_JSON;
	else
		return -1;
	return 0;
}

static const char *symbol(enum action_kind k)
{
	static const char *const s[] = {
		[ACT_CREATE] = "+", [ACT_UPDATE] = "~", [ACT_ACCEPT] = ">", [ACT_ACTIVATE] = "^",
		[ACT_DELETE] = "-", [ACT_BLOCKED] = "!", [ACT_WAITING] = "\u2026",
	};

	return k < ACT_KIND_COUNT ? s[k] : "?";
}

static const char *target_text(const struct action *a)
{
	if (a->target_label)
		return a->target_label;
	return a->principal_arn ? a->principal_arn : "-";
}

/* One-word verdict of the pass for people and scripts. */
static const char *pass_result(const struct pass_report *r)
{
	int code = pass_exit_code(r);

	if (code == 1)
		return "error";
	if (r->applied)
		return plan_changes(&r->plan) ? "changed" : "in_sync";
	return code == 2 ? "changes_pending" : "in_sync";
}

/* Model names, targets, ARNs, reasons and errors hold text from AWS and
 * the config: escaped and bounded (util's sb_escape), so a forged error
 * message cannot print a line of its own or drive the terminal. */
static void text_action(FILE *f, const struct pass_report *r, size_t i)
{
	const struct action *a = &r->plan.actions[i];
	struct strbuf sb = { 0 };

	sb_printf(&sb, "%s %-8s ", symbol(a->kind), action_kind_name(a->kind));
	sb_escape(&sb, a->model ? a->model : "-", ESCAPE_FIELD_MAX);
	sb_puts(&sb, "  ");
	sb_escape(&sb, target_text(a), ESCAPE_FIELD_MAX);
	sb_puts(&sb, "  (");
	sb_escape(&sb, a->reason, ESCAPE_FIELD_MAX);
	sb_puts(&sb, ")");
	if (a->withheld)
		sb_puts(&sb, " [withheld: the deletes would cut more accounts off than max_deletes]");
	if (r->applied && r->result.results[i]) {
		sb_printf(&sb, " -> %s", action_result_name(r->result.results[i]));
		if (r->result.errors[i] && r->result.results[i] == AR_FAILED) {
			sb_puts(&sb, ": ");
			sb_escape(&sb, r->result.errors[i], ESCAPE_FIELD_MAX);
		}
	}
	sb_puts(&sb, "\n");
	fputs(sb.buf, f);
	sb_free(&sb);
}

static void text_counts(FILE *f, const struct pass_report *r)
{
	const size_t *c = r->plan.counts;

	if (r->applied) {
		const struct apply_result *a = &r->result;

		fprintf(f, "Apply: %zu created, %zu updated, %zu accepted, %zu activated, %zu deleted; %zu failed",
			a->ok[ACT_CREATE], a->ok[ACT_UPDATE], a->ok[ACT_ACCEPT], a->ok[ACT_ACTIVATE],
			a->ok[ACT_DELETE], a->nfailed);
	} else {
		fprintf(f, "Plan: %zu to create, %zu to update, %zu to accept, %zu to activate, %zu to delete",
			c[ACT_CREATE], c[ACT_UPDATE], c[ACT_ACCEPT], c[ACT_ACTIVATE], c[ACT_DELETE]);
	}
	fprintf(f, "; %zu blocked, %zu waiting.\n", c[ACT_BLOCKED], c[ACT_WAITING]);
}

static void output_text(FILE *f, const struct pass_report *r)
{
	size_t changes = plan_changes(&r->plan);

	for (size_t i = 0; i < r->warnings.n; i++) {
		char *w = text_escape(r->warnings.items[i], ESCAPE_LINE_MAX);

		fprintf(stderr, "lmgrantd: warning: %s\n", w);
		free(w);
	}
	if (r->plan.nactions == 0 && r->plan.nerrors == 0) {
		fprintf(f, "In sync: %zu live grants on %zu managed licenses match the configuration.\n",
			pass_live_grants(r), r->observed.nlicenses);
		return;
	}
	for (size_t i = 0; i < r->plan.nactions; i++)
		text_action(f, r, i);
	if (r->plan.deletes_withheld)
		fprintf(f, "Safety valve: %zu deletes planned would cut %zu account(s) off, more than "
			"max_deletes allows; no delete will be made.\n",
			r->plan.counts[ACT_DELETE], r->plan.losses);
	if (changes == 0 && !r->applied && r->plan.nerrors == 0)
		fputs("No changes to make.\n", f);
	text_counts(f, r);
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_action(const struct pass_report *r, size_t i)
{
	const struct action *a = &r->plan.actions[i];
	json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:b}",
			      "action", action_kind_name(a->kind), "model", opt_string(a->model),
			      "target", opt_string(a->target_label), "principal_arn",
			      opt_string(a->principal_arn), "license_arn", opt_string(a->license_arn),
			      "grant_arn", opt_string(a->grant_arn), "status",
			      a->grant_arn ? grant_status_name(a->status) : "", "reason", a->reason,
			      "withheld", a->withheld);

	if (a->operations) {
		json_t *ops = json_array();

		for (size_t k = 0; k < a->noperations; k++)
			json_array_append_new(ops, json_string(a->operations[k]));
		json_object_set_new(j, "operations", ops);
	}
	json_object_set_new(j, "status_reason", opt_string(a->status_reason));
	if (a->kind == ACT_ACTIVATE)
		json_object_set_new(j, "override", opt_string(a->override));
	if (a->kind == ACT_DELETE)
		json_object_set_new(j, "accounts_losing_access", json_integer((json_int_t)a->losses));
	if (r->applied && r->result.results[i]) {
		json_object_set_new(j, "result", json_string(action_result_name(r->result.results[i])));
		json_object_set_new(j, "error", opt_string(r->result.errors[i]));
	}
	return j;
}

static void output_json(FILE *f, const struct pass_report *r)
{
	json_t *doc = json_object(), *actions = json_array(), *counts = json_object(),
	       *warnings = json_array();
	char *text;

	for (size_t i = 0; i < r->plan.nactions; i++)
		json_array_append_new(actions, json_action(r, i));
	for (int k = 0; k < ACT_KIND_COUNT; k++)
		json_object_set_new(counts, action_kind_name((enum action_kind)k),
				    json_integer((json_int_t)r->plan.counts[k]));
	for (size_t i = 0; i < r->warnings.n; i++)
		json_array_append_new(warnings, json_string(r->warnings.items[i]));
	json_object_set_new(doc, "result", json_string(pass_result(r)));
	json_object_set_new(doc, "applied", json_boolean(r->applied));
	json_object_set_new(doc, "changes", json_integer((json_int_t)plan_changes(&r->plan)));
	json_object_set_new(doc, "errors", json_integer((json_int_t)r->plan.nerrors));
	json_object_set_new(doc, "failed", json_integer((json_int_t)r->result.nfailed));
	json_object_set_new(doc, "deletes_withheld", json_boolean(r->plan.deletes_withheld));
	json_object_set_new(doc, "accounts_losing_access", json_integer((json_int_t)r->plan.losses));
	json_object_set_new(doc, "live_grants", json_integer((json_int_t)pass_live_grants(r)));
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "actions", actions);
	json_object_set_new(doc, "warnings", warnings);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fprintf(f, "%s\n", text);
	free(text);
	json_decref(doc);
}

void output_pass(FILE *f, enum output_format fmt, const struct pass_report *r)
{
	if (fmt == OUTPUT_JSON)
		output_json(f, r);
	else
		output_text(f, r);
	fflush(f);
}
