/*
 * doctor: `lmgrantd doctor` (SPEC §8), every prerequisite of the live
 * organization checked, each failure with the command or console step that
 * fixes it. doctor_read (doctor_read.c) makes the calls and gathers what
 * they said into struct doctor_facts; doctor_evaluate turns facts and
 * config into checks and is pure (no I/O, no clock), as is the formatter,
 * so both are unit-tested without AWS. doctor makes no write.
 *
 * Checks, in order: credentials, caller, organization-all-features,
 * trusted-access-license-manager, trusted-access-marketplace, then per
 * model license:<model> and targets:<model>. A check whose facts could not
 * be read (access denied, throttled, ...) is warn with the reason.
 */
#ifndef LMGRANTD_DOCTOR_H
#define LMGRANTD_DOCTOR_H

#include <stdio.h>

#include "config.h"
#include "lm.h"
#include "org.h"
#include "output.h"
#include "reconcile.h"
#include "sts.h"
#include "util.h"

enum doctor_result { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL };

/* Everything owned. */
struct doctor_check {
	char *name;
	enum doctor_result result;
	char *detail;
	char *fix; /* NULL unless result is DOCTOR_FAIL */
};

struct doctor_report {
	struct doctor_check *checks;
	size_t n, cap;
};
void doctor_report_free(struct doctor_report *r);
/* SPEC §1: 1 when any check failed, else 0. */
int doctor_exit_code(const struct doctor_report *r);

/* What the reads found. Everything owned; each *_error is NULL when that
 * read worked, else why not (AWS's error, described). */
struct doctor_facts {
	char *creds_source;
	char *creds_error;
	struct sts_identity id;
	struct org_tree org;        /* DescribeOrganization, then the OU tree */
	bool not_in_organization;   /* AWSOrganizationsNotInUseException */
	char *org_error;
	char *tree_error;
	enum org_role role;
	char *role_error;
	/* ListDelegatedAdministrators was refused (AccessDenied): AWS lets
	 * License Manager's delegated administrator call it, so the caller
	 * is not one (or its policy lacks the action, which role_error says). */
	bool role_denied;
	struct strlist service_access; /* enabled service principals */
	char *service_access_error;
	struct lm_license *licenses;
	size_t nlicenses;
	char *licenses_error;
};
void doctor_facts_free(struct doctor_facts *f);

/* Reads every fact doctor needs, through the engine's clients; nothing
 * depends on the order of failures: each read that fails leaves its
 * *_error and the rest go on where they can. */
void doctor_read(struct engine *e, struct doctor_facts *out);

/* Pure: the checks of SPEC §8, appended to *out. */
void doctor_evaluate(const struct doctor_facts *f, const struct config *cfg,
		     struct doctor_report *out);

/* Text: one line per check ("ok   name  detail"; a FAIL adds "fix: ...");
 * JSON: {"checks": [{"name", "result", "detail", "fix"}]}. Strings from
 * AWS or the config are escaped for a terminal. */
void doctor_print(FILE *f, enum output_format fmt, const struct doctor_report *r);

#endif
