/*
 * org: reads the AWS Organizations facts lmgrantd needs: the organization
 * id and management account (for OU/organization principal ARNs), and the
 * OU tree with account placement (for OU paths and overlap warnings).
 */
#ifndef LMGRANTD_ORG_H
#define LMGRANTD_ORG_H

#include <stdbool.h>
#include <stddef.h>

#include "aws.h"
#include "util.h"

struct org_ou {
	char *id;
	char *name;
	char *parent_id; /* root id or OU id */
	char *path;      /* "Workloads/Prod": names from below the root */
};

struct org_account {
	char *id;
	char *parent_id;
	char *name; /* as Organizations lists it; may be NULL */
};

/* Everything owned; clear with org_tree_clear. Once read, ous and
 * accounts are sorted by id (org_tree_index), for the lookups below. */
struct org_tree {
	char *org_id;
	char *management_account;
	char *feature_set; /* "ALL" or "CONSOLIDATED_BILLING"; NULL when not sent */
	char *root_id;
	bool have_tree; /* ous/accounts were read */
	struct org_ou *ous;
	size_t nous;
	struct org_account *accounts;
	size_t naccounts;
};
void org_tree_clear(struct org_tree *t);
/* *dst (not cleared first) becomes a deep copy of *src. */
void org_tree_copy(struct org_tree *dst, const struct org_tree *src);

/* DescribeOrganization: fills org_id and management_account. */
int org_describe(const struct aws_client *c, struct org_tree *t, struct aws_error *err);
/* ListRoots, then the OU tree breadth first (ListOrganizationalUnitsForParent)
 * and each parent's accounts (ListAccountsForParent). */
int org_read_tree(const struct aws_client *c, struct org_tree *t, struct aws_error *err);

/* ListDelegatedAdministrators for one service principal: the account ids
 * appended to *out. */
int org_list_delegated_admins(const struct aws_client *c, const char *service_principal,
			      struct strlist *out, struct aws_error *err);
/* ListAWSServiceAccessForOrganization: the service principals with trusted
 * access, appended to *out. */
int org_list_service_access(const struct aws_client *c, struct strlist *out, struct aws_error *err);

#define ORG_LICENSE_MANAGER_PRINCIPAL "license-manager.amazonaws.com"
#define ORG_MARKETPLACE_PRINCIPAL "license-management.marketplace.amazonaws.com"

/* Who the caller is to the organization (SPEC §1, §3). */
enum org_role {
	ORG_ROLE_UNKNOWN,         /* could not be told (the reason is in err) */
	ORG_ROLE_MANAGEMENT,      /* the management account */
	ORG_ROLE_DELEGATED_ADMIN, /* License Manager's registered delegated administrator */
	ORG_ROLE_NEITHER,
	ORG_ROLE_NO_ORGANIZATION, /* the account is in no organization */
};
/* "management account", "delegated administrator", ...; static. */
const char *org_role_name(enum org_role r);
/* The role of account in the organization t (org_describe'd; NULL or
 * empty when DescribeOrganization said AWSOrganizationsNotInUse): the
 * management account needs no call, anyone else is looked up with
 * ListDelegatedAdministrators for License Manager. -1 and *err (role
 * UNKNOWN) when that list cannot be read. */
int org_caller_role(const struct aws_client *c, const char *account, const struct org_tree *t,
		    enum org_role *out, struct aws_error *err);

/* Sorts ous and accounts by id: org_read_tree does it; a tree built by
 * other means must be indexed before the lookups below. */
void org_tree_index(struct org_tree *t);
/* Lookups on a read (indexed) tree; borrowed results, NULL when absent.
 * By id in O(log n); by path in O(n), for the few OU paths a config names. */
const struct org_ou *org_find_ou(const struct org_tree *t, const char *id);
const struct org_ou *org_find_ou_path(const struct org_tree *t, const char *path);
const struct org_account *org_find_account(const struct org_tree *t, const char *id);
/* True when node (an OU or account's parent chain) lies below ancestor_ou. */
bool org_is_below(const struct org_tree *t, const char *parent_id, const char *ancestor_ou);

#endif
