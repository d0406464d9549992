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

struct org_ou {
	char *id;
	char *name;
	char *parent_id; /* root id or OU id */
	char *path;      /* "Workloads/Prod": names from below the root */
};

struct org_account {
	char *id;
	char *parent_id;
};

/* Everything owned; clear with org_tree_clear. Once read, ous and
 * accounts are sorted by id (org_tree_index), for the lookups below. */
struct org_tree {
	char *org_id;
	char *management_account;
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
