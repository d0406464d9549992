/*
 * doctor_read: the reads `lmgrantd doctor` makes (all of them reads; the
 * caller's identity first, since without credentials nothing else can be
 * asked). Each failure is kept as text for the check it belongs to.
 */
#include "doctor.h"

#include <string.h>

static char *describe(struct aws_error *err)
{
	char *why = aws_error_describe(err);

	aws_error_clear(err);
	return why;
}

static void read_organization(struct engine *e, struct doctor_facts *f)
{
	struct aws_error err = { 0 };

	if (org_describe(&e->org, &f->org, &err) < 0) {
		f->not_in_organization =
			err.type && strcmp(err.type, "AWSOrganizationsNotInUseException") == 0;
		f->org_error = f->not_in_organization ? NULL : describe(&err);
		aws_error_clear(&err);
		return;
	}
	if (org_read_tree(&e->org, &f->org, &err) < 0)
		f->tree_error = describe(&err);
	if (org_caller_role(&e->org, f->id.account, &f->org, &f->role, &err) < 0) {
		f->role_denied = err.type && strcmp(err.type, "AccessDeniedException") == 0;
		f->role_error = describe(&err);
	}
	if (org_list_service_access(&e->org, &f->service_access, &err) < 0)
		f->service_access_error = describe(&err);
}

void doctor_read(struct engine *e, struct doctor_facts *f)
{
	struct aws_error err = { 0 };

	memset(f, 0, sizeof(*f));
	if (sts_get_caller_identity(&e->sts, &f->id, &err) < 0) {
		f->creds_error = describe(&err);
		return;
	}
	f->creds_source = xstrdup(creds_source(e->creds));
	read_organization(e, f);
	if (lm_list_received_licenses(&e->lm, &f->licenses, &f->nlicenses, &err) < 0)
		f->licenses_error = describe(&err);
}
