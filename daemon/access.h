/*
 * access: who can use which model now (SPEC §9). From the organization's
 * accounts, the resolved config and every live grant and sub-grant of each
 * model's license, works out each account's effective state per model and
 * the grant that gives it, and prints that as a text matrix, JSON or CSV.
 *
 * Pure: no I/O but the FILE it prints to. Reading the grants is
 * reconcile's job (reconcile_read_access).
 */
#ifndef LMGRANTD_ACCESS_H
#define LMGRANTD_ACCESS_H

#include <stdio.h>

#include "grant.h"
#include "org.h"
#include "plan.h"

/* Ordered: when several grants cover an account, the highest wins. */
enum access_state {
	ACCESS_NONE = 0,
	ACCESS_REJECTED,
	ACCESS_FAILED,
	ACCESS_PENDING,
	ACCESS_DISABLED,
	ACCESS_ACTIVE,
};
/* "none", "rejected", "failed", "pending", "disabled", "active". */
const char *access_state_name(enum access_state s);

/* What was read for one model's license. grants and subgrants are
 * borrowed; read_error non-NULL when they could not be read completely. */
struct access_license {
	const struct desired_model *model;
	const struct grant *grants;
	size_t ngrants;
	const struct grant *subgrants; /* of the OU/organization grants */
	size_t nsubgrants;
	const char *read_error;
};

/* One account's access to one model; every pointer borrowed from the
 * inputs of access_build. */
struct access_cell {
	enum access_state state;
	const char *via;       /* principal ARN of the grant that gives it; NULL for none */
	const char *grant_arn; /* that grant (the OU/organization grant, not its sub-grant) */
	const char *target;    /* the config label of via, when declared */
	const char *reason;    /* StatusReason when not active */
};

struct access_row {
	const struct desired_model *model;
	const char *error;          /* the model or its license could not be read */
	struct access_cell *cells;  /* one per account of the report; owned */
};

struct access_report {
	const struct org_account **accounts; /* member accounts by id; owned array */
	size_t naccounts;
	struct access_row *rows; /* one per model, config order */
	size_t nrows;
};

/* Builds *out for every member account of org (the management account is
 * not listed) and every license; only_account, when not NULL, keeps that
 * account alone. Free with access_report_free. */
void access_build(const struct org_tree *org, const struct access_license *lics, size_t n,
		  const char *only_account, struct access_report *out);
void access_report_free(struct access_report *r);

enum access_format { ACCESS_TEXT, ACCESS_JSON, ACCESS_CSV };
void access_print(FILE *f, enum access_format fmt, const struct access_report *r);

#endif
