/*
 * names: the syntax of the AWS names and ids that more than one module
 * checks - region, account id, IAM role name. Pure functions on strings,
 * in a module of their own so that credentials code (creds, imds) and the
 * configuration (config_check) can share them without depending on each
 * other.
 */
#ifndef LMGRANTD_NAMES_H
#define LMGRANTD_NAMES_H

#include <stdbool.h>

bool check_region(const char *s);     /* ^[a-z]{2}(-[a-z]+)+-[0-9]+$ */
bool check_account_id(const char *s); /* exactly 12 ASCII digits */
bool check_role_name(const char *s);  /* [A-Za-z0-9_+=,.@-]{1,64} */

#endif
