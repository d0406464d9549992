/*
 * creds_webid: token file -> AssumeRoleWithWebIdentity (creds_webid.h).
 */
#include "creds_webid.h"

#include <stdlib.h>

#include "creds_token.h"
#include "sts.h"
#include "util.h"

int creds_webid_get(const struct aws_client *sts, const struct creds_webid *w,
		    struct aws_credentials *out, char **err)
{
	struct aws_error ae = { 0 };
	char *token = NULL, *why = NULL;
	struct sts_web_identity_in in = {
		w->role_arn, w->session_name ? w->session_name : CREDS_WEBID_DEFAULT_SESSION, NULL,
	};
	int rc = -1;

	if (creds_read_token_file(w->token_file, "web identity token", CREDS_WEBID_MAX_TOKEN, &token,
				  err) < 0)
		return -1;
	in.token = token;
	if (sts_assume_role_web_identity(sts, &in, out, &ae) < 0) {
		why = aws_error_describe(&ae);
		*err = xasprintf("web identity: assuming %s failed: %s", w->role_arn, why);
		goto fail;
	}
	rc = 0;
fail:
	free(why);
	aws_error_clear(&ae);
	free_secret(token);
	return rc;
}
