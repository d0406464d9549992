/*
 * output: renders a pass report. Text: a symbol per kind ("+ create",
 * "~ update", "^ activate", "- delete", "! blocked", "… waiting"), the
 * model, the target as written and the reason; apply adds the result.
 * JSON: {"format_version", "result", "error", "config_sha256", ...,
 * "actions": [...], "counts": {...}, "warnings": [...]} (README "JSON
 * output"). Markdown: a summary line, the config's revision, a table of
 * the changes, then the blocked and waiting items.
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
	else if (strcmp(s, "markdown") == 0)
		*out = OUTPUT_MARKDOWN;
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
	if (r->held)
		fprintf(f, "%s: nothing was changed.\n",
			r->observe ? "mode: observe" : "Suspended");
	text_counts(f, r);
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
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

	if (a->operations)
		json_object_set_new(j, "operations",
				    string_array((const char *const *)a->operations, a->noperations));
	if (a->kind == ACT_UPDATE && a->live_operations) {
		json_object_set_new(j, "before", json_pack("{s:o}", "operations",
			string_array((const char *const *)a->live_operations, a->nlive_operations)));
		json_object_set_new(j, "after", json_pack("{s:o}", "operations",
			string_array(a->operations, a->noperations)));
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
	json_object_set_new(doc, "format_version", json_integer(OUTPUT_FORMAT_VERSION));
	json_object_set_new(doc, "result", json_string(pass_result_name(r)));
	json_object_set_new(doc, "error", opt_string(pass_read_error(r)));
	json_object_set_new(doc, "config_sha256", opt_string(r->config_sha256));
	json_object_set_new(doc, "config_revision", opt_string(r->config_revision));
	json_object_set_new(doc, "mode", json_string(r->observe ? "observe" : "enforce"));
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

/* Markdown renders inline HTML and its own punctuation: every string
 * from AWS or the config is escaped, control characters as \xNN. */
static void md_puts(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02X", *p);
		else if (*p == '<')
			fputs("&lt;", f);
		else if (*p == '>')
			fputs("&gt;", f);
		else if (*p == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_|[]~#", *p))
			fprintf(f, "\\%c", *p);
		else
			fputc(*p, f);
	}
}

static void md_summary(FILE *f, const struct pass_report *r)
{
	const size_t *c = r->plan.counts;

	fprintf(f, "### lmgrantd plan: %zu to create, %zu to update, %zu to accept, %zu to activate, "
		"%zu to delete; %zu blocked, %zu waiting\n\n",
		c[ACT_CREATE], c[ACT_UPDATE], c[ACT_ACCEPT], c[ACT_ACTIVATE], c[ACT_DELETE],
		c[ACT_BLOCKED], c[ACT_WAITING]);
	fprintf(f, "Result: **%s**. Configuration sha256 `%s`, revision `%s`%s.\n\n",
		pass_result_name(r), r->config_sha256 ? r->config_sha256 : "-",
		r->config_revision ? r->config_revision : "none",
		r->observe ? " (mode: observe: the daemon will change nothing)" : "");
	if (pass_read_error(r)) {
		fputs("**Error:** the live state could not be read: ", f);
		md_puts(f, pass_read_error(r));
		fputs("\n\n", f);
	}
	if (r->plan.deletes_withheld)
		fprintf(f, "**Safety valve:** %zu deletes planned, more than `max_deletes` allows; "
			"no delete will be made.\n\n", c[ACT_DELETE]);
}

static void md_row(FILE *f, const struct action *a)
{
	fprintf(f, "| %s | ", action_kind_name(a->kind));
	md_puts(f, a->model ? a->model : "-");
	fputs(" | ", f);
	md_puts(f, target_text(a));
	fputs(" | ", f);
	md_puts(f, a->grant_arn ? a->grant_arn : "-");
	fputs(" | ", f);
	md_puts(f, a->reason);
	fputs(a->withheld ? " (withheld) |\n" : " |\n", f);
}

static void md_items(FILE *f, const struct pass_report *r, enum action_kind kind, const char *title)
{
	if (!r->plan.counts[kind])
		return;
	fprintf(f, "\n**%s**\n\n", title);
	for (size_t i = 0; i < r->plan.nactions; i++) {
		const struct action *a = &r->plan.actions[i];

		if (a->kind != kind)
			continue;
		fputs("- ", f);
		md_puts(f, a->model ? a->model : "-");
		fputs(" ", f);
		md_puts(f, target_text(a));
		fputs(": ", f);
		md_puts(f, a->reason);
		fputc('\n', f);
	}
}

static void output_markdown(FILE *f, const struct pass_report *r)
{
	size_t nchanges = 0;

	md_summary(f, r);
	for (size_t i = 0; i < r->plan.nactions; i++)
		nchanges += r->plan.actions[i].kind <= ACT_DELETE;
	if (nchanges == 0) {
		fprintf(f, "No changes: %zu live grants on %zu managed licenses match the configuration.\n",
			pass_live_grants(r), r->observed.nlicenses);
	} else {
		fputs("| action | model | target | grant | reason |\n|---|---|---|---|---|\n", f);
		for (size_t i = 0; i < r->plan.nactions; i++)
			if (r->plan.actions[i].kind <= ACT_DELETE)
				md_row(f, &r->plan.actions[i]);
	}
	md_items(f, r, ACT_BLOCKED, "Blocked (needs a human)");
	md_items(f, r, ACT_WAITING, "Waiting (AWS or the grantee is still working)");
	for (size_t i = 0; i < r->warnings.n; i++) {
		fputs(i ? "- " : "\n**Warnings**\n\n- ", f);
		md_puts(f, r->warnings.items[i]);
		fputc('\n', f);
	}
}

void output_pass(FILE *f, enum output_format fmt, const struct pass_report *r)
{
	if (fmt == OUTPUT_JSON)
		output_json(f, r);
	else if (fmt == OUTPUT_MARKDOWN)
		output_markdown(f, r);
	else
		output_text(f, r);
	fflush(f);
}
