/*
 * creds_token: reads a token file a credential source names (the web
 * identity token of EKS/IRSA or a CI's OIDC, the ECS container
 * authorization token). The token is a secret: the buffer is wiped when
 * freed and never quoted in a message. The file must pass safefile's rules
 * (another local user who could write it could choose the identity
 * lmgrantd takes) and hold at most max bytes; trailing whitespace (a final newline) is
 * dropped, and what is left must be printable ASCII without spaces, as it
 * goes into a request.
 */
#ifndef LMGRANTD_CREDS_TOKEN_H
#define LMGRANTD_CREDS_TOKEN_H

#include <stddef.h>

/* what names the token in messages ("web identity token"). Returns 0 and
 * *out (caller frees with free_secret), or -1 and *err (caller frees). */
int creds_read_token_file(const char *path, const char *what, size_t max, char **out, char **err);

#endif
