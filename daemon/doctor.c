/*
 * doctor: the checks of SPEC §8 from facts already read, and their output.
 * Pure: no I/O but the FILE the formatter is given. Each check says what
 * it saw (detail) and, when it fails, the command or console step that
 * fixes it, written for the account and organization at hand.
 */
#include "doctor.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void doctor_report_free(struct doctor_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->checks[i].name);
		free(r->checks[i].detail);
		free(r->checks[i].fix);
	}
	free(r->checks);
	memset(r, 0, sizeof(*r));
}

void doctor_facts_free(struct doctor_facts *f)
{
	if (!f)
		return;
	free(f->creds_source);
	free(f->creds_error);
	sts_identity_clear(&f->id);
	org_tree_clear(&f->org);
	free(f->org_error);
	free(f->tree_error);
	free(f->role_error);
	strlist_free(&f->service_access);
	free(f->service_access_error);
	lm_licenses_free(f->licenses, f->nlicenses);
	free(f->licenses_error);
	memset(f, 0, sizeof(*f));
}

int doctor_exit_code(const struct doctor_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->checks[i].result == DOCTOR_FAIL)
			return 1;
	return 0;
}

/* Appends a check; fix is taken over (may be NULL), detail is formatted. */
static void add(struct doctor_report *r, const char *name, enum doctor_result res, char *fix,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add(struct doctor_report *r, const char *name, enum doctor_result res, char *fix,
		const char *fmt, ...)
{
	struct doctor_check *c;
	va_list ap;

	grow_array((void **)&r->checks, &r->cap, r->n + 1, sizeof(*r->checks));
	c = &r->checks[r->n++];
	c->name = xstrdup(name);
	c->result = res;
	c->fix = fix;
	va_start(ap, fmt);
	c->detail = xvasprintf(fmt, ap);
	va_end(ap);
}

/* ---- the organization-wide checks ---- */

static void check_credentials(const struct doctor_facts *f, struct doctor_report *r)
{
	if (f->creds_error) {
		add(r, "credentials", DOCTOR_FAIL,
		    xstrdup("give lmgrantd credentials of the management account or License Manager's delegated administrator: environment, a profile (--profile), web identity, container or instance metadata (README, 'Endpoints and credentials'); `lmgrantd whoami` shows which are used"),
		    "%s", f->creds_error);
		return;
	}
	add(r, "credentials", DOCTOR_OK, NULL, "%s (account %s) from %s", f->id.arn, f->id.account,
	    f->creds_source ? f->creds_source : "?");
}

static void check_caller(const struct doctor_facts *f, struct doctor_report *r)
{
	const char *me = f->id.account, *mgmt = f->org.management_account;

	if (f->creds_error) {
		add(r, "caller", DOCTOR_WARN, NULL, "cannot be checked without credentials");
	} else if (f->not_in_organization) {
		add(r, "caller", DOCTOR_FAIL,
		    xstrdup("run lmgrantd with credentials of an AWS organization's management account (or create one: `aws organizations create-organization --feature-set ALL`)"),
		    "account %s is not in an organization", me);
	} else if (f->org_error) {
		add(r, "caller", DOCTOR_WARN, NULL, "cannot be checked: %s", f->org_error);
	} else if (f->role == ORG_ROLE_MANAGEMENT) {
		add(r, "caller", DOCTOR_OK, NULL, "account %s is the management account of %s", me,
		    f->org.org_id);
	} else if (f->role == ORG_ROLE_DELEGATED_ADMIN) {
		add(r, "caller", DOCTOR_OK, NULL,
		    "account %s is License Manager's delegated administrator of %s (management account %s)",
		    me, f->org.org_id, mgmt);
	} else if (f->role == ORG_ROLE_NEITHER || f->role_denied) {
		add(r, "caller", DOCTOR_FAIL,
		    xasprintf("run lmgrantd with credentials of the management account %s, or register account %s as License Manager's delegated administrator from it: `aws organizations register-delegated-administrator --account-id %s --service-principal license-manager.amazonaws.com`",
			      mgmt, me, me),
		    "account %s is neither the management account (%s) nor License Manager's delegated administrator%s%s%s",
		    me, mgmt, f->role_denied ? " (it may not list them: " : "",
		    f->role_denied ? f->role_error : "", f->role_denied ? ")" : "");
	} else {
		add(r, "caller", DOCTOR_WARN, NULL, "cannot be checked: %s",
		    f->role_error ? f->role_error : "unknown");
	}
}

static void check_all_features(const struct doctor_facts *f, struct doctor_report *r)
{
	const char *name = "organization-all-features";

	if (f->creds_error || f->not_in_organization || f->org_error) {
		add(r, name, DOCTOR_WARN, NULL, "cannot be checked: %s",
		    f->org_error ? f->org_error : f->creds_error ? "no credentials" : "no organization");
	} else if (!f->org.feature_set) {
		add(r, name, DOCTOR_WARN, NULL, "DescribeOrganization did not say the feature set");
	} else if (strcmp(f->org.feature_set, "ALL") == 0) {
		add(r, name, DOCTOR_OK, NULL, "organization %s has all features enabled", f->org.org_id);
	} else {
		add(r, name, DOCTOR_FAIL,
		    xstrdup("enable all features from the management account: `aws organizations enable-all-features` (or the AWS Organizations console, Settings), then have every member account approve"),
		    "organization %s has feature set %s, not ALL: grants to OUs and the organization need all features",
		    f->org.org_id, f->org.feature_set);
	}
}

static void check_trusted_access(const struct doctor_facts *f, struct doctor_report *r,
				 const char *name, const char *principal, const char *also)
{
	if (f->creds_error || f->not_in_organization || f->org_error || f->service_access_error) {
		add(r, name, DOCTOR_WARN, NULL, "cannot be checked: %s",
		    f->service_access_error ? f->service_access_error
		    : f->org_error	    ? f->org_error
		    : f->creds_error	    ? "no credentials"
					    : "no organization");
	} else if (strlist_contains(&f->service_access, principal)) {
		add(r, name, DOCTOR_OK, NULL, "trusted access for %s is enabled", principal);
	} else {
		add(r, name, DOCTOR_FAIL,
		    xasprintf("from the management account: `aws organizations enable-aws-service-access --service-principal %s`%s",
			      principal, also),
		    "trusted access for %s is not enabled in AWS Organizations", principal);
	}
}

/* ---- per model ---- */

/* The license a model names: by ARN, else the AVAILABLE one of its
 * product (or any, to report its status). */
static const struct lm_license *model_license(const struct doctor_facts *f,
					      const struct config_model *m)
{
	const struct lm_license *found = NULL;

	for (size_t i = 0; i < f->nlicenses; i++) {
		const struct lm_license *l = &f->licenses[i];

		if (m->license_arn ? strcmp(l->arn, m->license_arn) != 0
				   : (!l->product_sku || strcmp(l->product_sku, m->product) != 0))
			continue;
		if (!found || (l->status && strcmp(l->status, "AVAILABLE") == 0))
			found = l;
	}
	return found;
}

/* The model's operations the license does not allow, ", "-separated;
 * NULL when none is missing. Caller frees. */
static char *missing_operations(const struct lm_license *l, const struct config_model *m)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < m->noperations; i++)
		if (!strlist_contains(&l->allowed_operations, m->operations[i]))
			sb_printf(&sb, "%s%s", sb.len ? ", " : "", m->operations[i]);
	return sb.len ? sb_steal(&sb) : NULL;
}

static void check_license(const struct doctor_facts *f, const struct config *cfg,
			  const struct config_model *m, struct doctor_report *r)
{
	char *name = xasprintf("license:%s", m->name), *missing = NULL;
	const struct lm_license *l = model_license(f, m);
	const char *what = m->license_arn ? m->license_arn : m->product;

	if (f->creds_error || f->licenses_error) {
		add(r, name, DOCTOR_WARN, NULL, "cannot be checked: %s",
		    f->licenses_error ? f->licenses_error : "no credentials");
	} else if (!l) {
		add(r, name, DOCTOR_FAIL,
		    xasprintf("subscribe to the model in AWS Marketplace (Amazon Bedrock console, Model catalog) with account %s: the account that runs lmgrantd must hold the subscription itself",
			      f->id.account),
		    "account %s has received no license for %s", f->id.account, what);
	} else if (!l->status || strcmp(l->status, "AVAILABLE") != 0) {
		add(r, name, DOCTOR_FAIL,
		    xstrdup("renew or re-subscribe in AWS Marketplace (AWS Marketplace console, Manage subscriptions): only an AVAILABLE license can be granted"),
		    "license %s is %s, not AVAILABLE", l->arn, l->status ? l->status : "of unknown status");
	} else if (!l->home_region || strcmp(l->home_region, cfg->region) != 0) {
		add(r, name, DOCTOR_FAIL,
		    l->home_region ? xasprintf("set `region: %s` in the configuration", l->home_region) : NULL,
		    "license %s has home region %s; the configuration says region: %s", l->arn,
		    l->home_region ? l->home_region : "(not sent)", cfg->region);
	} else if (!l->allowed_listed) {
		add(r, name, DOCTOR_WARN, NULL,
		    "license %s lists no allowed operations (ReceivedMetadata): whether it may be granted cannot be told",
		    l->arn);
	} else if (!strlist_contains(&l->allowed_operations, "CreateGrant")) {
		add(r, name, DOCTOR_FAIL,
		    xstrdup("run lmgrantd in the account that holds the Marketplace subscription (a license received through a grant cannot be granted on)"),
		    "account %s may not grant license %s: CreateGrant is not among its allowed operations",
		    f->id.account, l->arn);
	} else if ((missing = missing_operations(l, m)) != NULL) {
		add(r, name, DOCTOR_FAIL,
		    xasprintf("remove %s from the operations of model %s", missing, m->name),
		    "license %s does not allow %s", l->arn, missing);
	} else {
		add(r, name, DOCTOR_OK, NULL,
		    "license %s: AVAILABLE, home region %s, allows CreateGrant and the model's %zu operations",
		    l->arn, l->home_region, m->noperations);
	}
	free(missing);
	free(name);
}

/* The parent id of an OU or account target, NULL when it does not exist. */
static const char *target_parent(const struct org_tree *t, const struct config_target *ct)
{
	const struct org_ou *ou;
	const struct org_account *a;

	if (ct->kind == TARGET_OU) {
		ou = ct->is_ou_path ? org_find_ou_path(t, ct->value) : org_find_ou(t, ct->value);
		return ou ? ou->parent_id : NULL;
	}
	if (ct->kind == TARGET_ACCOUNT) {
		a = org_find_account(t, ct->value);
		return a ? a->parent_id : NULL;
	}
	return NULL;
}

static const char *ou_id_of(const struct org_tree *t, const struct config_target *ct)
{
	const struct org_ou *ou = ct->is_ou_path ? org_find_ou_path(t, ct->value) : org_find_ou(t, ct->value);

	return ou ? ou->id : NULL;
}

/* Unknown targets and overlaps (the organization and anything else, an
 * OU or account inside another declared OU), "; "-separated. */
static void target_problems(const struct org_tree *t, const struct config_model *m,
			    struct strbuf *unknown, struct strbuf *overlap)
{
	bool whole_org = false;

	for (size_t i = 0; i < m->ntargets; i++)
		whole_org |= m->targets[i].kind == TARGET_ORGANIZATION;
	for (size_t i = 0; i < m->ntargets; i++) {
		const struct config_target *a = &m->targets[i];
		const char *parent = target_parent(t, a);

		if (a->kind == TARGET_ORGANIZATION)
			continue;
		if (!parent) {
			sb_printf(unknown, "%s%s does not exist in organization %s", unknown->len ? "; " : "",
				  a->label, t->org_id);
			continue;
		}
		if (whole_org)
			sb_printf(overlap, "%s%s overlaps with organization", overlap->len ? "; " : "", a->label);
		for (size_t k = 0; k < m->ntargets && !whole_org; k++) {
			const char *ou = m->targets[k].kind == TARGET_OU && k != i ? ou_id_of(t, &m->targets[k]) : NULL;

			if (ou && org_is_below(t, parent, ou))
				sb_printf(overlap, "%s%s lies inside %s", overlap->len ? "; " : "", a->label,
					  m->targets[k].label);
		}
	}
}

static void check_targets(const struct doctor_facts *f, const struct config_model *m,
			  struct doctor_report *r)
{
	char *name = xasprintf("targets:%s", m->name);
	struct strbuf unknown = { 0 }, overlap = { 0 };
	const char *why = f->creds_error ? "no credentials" : f->org_error ? f->org_error : f->tree_error;

	if (why || f->not_in_organization) {
		add(r, name, DOCTOR_WARN, NULL, "cannot be checked: %s", why ? why : "no organization");
		goto out;
	}
	target_problems(&f->org, m, &unknown, &overlap);
	if (unknown.len)
		add(r, name, DOCTOR_FAIL,
		    xstrdup("correct the target in the configuration: `aws organizations list-organizational-units-for-parent --parent-id <id>` lists OUs, `aws organizations list-accounts` the accounts"),
		    "%s", unknown.buf);
	else if (overlap.len)
		add(r, name, DOCTOR_FAIL,
		    xstrdup("remove one of the overlapping targets from the configuration: only one grant per product can be active in an account"),
		    "%s", overlap.buf);
	else
		add(r, name, DOCTOR_OK, NULL, "%zu target%s, all in organization %s, no overlap",
		    m->ntargets, m->ntargets == 1 ? "" : "s", f->org.org_id);
out:
	sb_free(&unknown);
	sb_free(&overlap);
	free(name);
}

void doctor_evaluate(const struct doctor_facts *f, const struct config *cfg,
		     struct doctor_report *out)
{
	check_credentials(f, out);
	check_caller(f, out);
	check_all_features(f, out);
	check_trusted_access(f, out, "trusted-access-license-manager", ORG_LICENSE_MANAGER_PRINCIPAL,
			     " (the License Manager console's 'Link AWS Organizations accounts' setting alone is not enough)");
	check_trusted_access(f, out, "trusted-access-marketplace", ORG_MARKETPLACE_PRINCIPAL,
			     " (or AWS Marketplace console, Settings, AWS Organizations integration)");
	for (size_t i = 0; i < cfg->nmodels; i++) {
		check_license(f, cfg, &cfg->models[i], out);
		check_targets(f, &cfg->models[i], out);
	}
}

/* ---- output ---- */

static const char *result_word(enum doctor_result res, bool json)
{
	switch (res) {
	case DOCTOR_OK:
		return "ok";
	case DOCTOR_WARN:
		return "warn";
	case DOCTOR_FAIL:
		break;
	}
	return json ? "fail" : "FAIL";
}

/* Through util's escaper: AWS and the config are untrusted. */
static void put_escaped(FILE *f, const char *s)
{
	char *safe = text_escape(s, ESCAPE_LINE_MAX);

	fputs(safe, f);
	free(safe);
}

void doctor_print(FILE *f, enum output_format fmt, const struct doctor_report *r)
{
	if (fmt == OUTPUT_JSON) {
		json_t *checks = json_array(), *doc;

		for (size_t i = 0; i < r->n; i++) {
			const struct doctor_check *c = &r->checks[i];

			json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:o}", "name", c->name,
								"result", result_word(c->result, true),
								"detail", c->detail, "fix",
								c->fix ? json_string(c->fix) : json_null()));
		}
		doc = json_pack("{s:o}", "checks", checks);
		json_dumpf(doc, f, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		fputc('\n', f);
		json_decref(doc);
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];

		fprintf(f, "%-4s ", result_word(c->result, false));
		put_escaped(f, c->name);
		fputs("  ", f);
		put_escaped(f, c->detail);
		fputc('\n', f);
		if (c->fix) {
			fputs("     fix: ", f);
			put_escaped(f, c->fix);
			fputc('\n', f);
		}
	}
}
