/*
 * imds: the three IMDSv2 requests, through http_plain_request (plain http
 * to the link-local or loopback endpoint, nothing signed). The session
 * token is a credential too: it is wiped and never logged.
 */
#include "imds.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "util.h"

/* Drops trailing slashes so that paths can be appended. Caller frees. */
static char *base_url(const char *endpoint)
{
	char *b = xstrdup(endpoint && *endpoint ? endpoint : IMDS_DEFAULT_ENDPOINT);
	size_t n = strlen(b);

	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	return b;
}

int imds_parse_credentials(const char *json, time_t now, struct aws_credentials *out, char **err)
{
	json_t *doc = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	const char *code = json_string_value(json_object_get(doc, "Code"));
	struct credentials_doc d = { 0 };
	char *why = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc)) {
		*err = xstrdup("instance metadata: the credentials are not a JSON object");
		goto out;
	}
	if (!code || strcmp(code, "Success") != 0) {
		*err = xasprintf("instance metadata: credentials Code is %s, not Success",
				 code && strlen(code) <= 32 ? code : "missing or odd");
		goto out;
	}
	if (credentials_doc_from_json(doc, "Token", &d, &why) < 0 ||
	    credentials_decode(&d, CREDS_DOC_TEMPORARY, now, out, &why) < 0) {
		*err = xasprintf("instance metadata: %s", why);
		free(why);
		goto out;
	}
	rc = 0;
out:
	creds_wipe_json(doc, "SecretAccessKey", "Token");
	json_decref(doc);
	return rc;
}

/* One request; 0 with *body (caller frees) on HTTP 200, else -1 with *err. */
static int request(struct http_client *http, const char *method, const char *url,
		   const char *const *headers, long timeout_ms, const char *what, char **body,
		   char **err)
{
	long status = http_plain_request(http, method, url, headers, body, timeout_ms);

	if (status == 200 && *body)
		return 0;
	free_secret(*body);
	*body = NULL;
	if (status < 0)
		*err = xasprintf("instance metadata: no answer to the %s request within %ld ms", what,
				 timeout_ms);
	else
		*err = xasprintf("instance metadata: the %s request was answered HTTP %ld", what, status);
	return -1;
}

int imds_get_credentials(struct http_client *http, const char *endpoint, long timeout_ms,
			 time_t now, struct aws_credentials *out, char **role, char **err)
{
	char *base = base_url(endpoint), *url = NULL, *token = NULL, *list = NULL, *doc = NULL;
	char *token_hdr = NULL, *name = NULL;
	const char *put_hdrs[] = { "X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL, NULL };
	const char *get_hdrs[2] = { NULL, NULL };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*role = NULL;
	url = xasprintf("%s/latest/api/token", base);
	if (request(http, "PUT", url, put_hdrs, timeout_ms, "token", &token, err) < 0)
		goto out;
	if (!*token || strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-.") !=
	    strlen(token)) {
		*err = xstrdup("instance metadata: the session token has unexpected characters");
		goto out;
	}
	token_hdr = xasprintf("X-aws-ec2-metadata-token: %s", token);
	get_hdrs[0] = token_hdr;
	free(url);
	url = xasprintf("%s/latest/meta-data/iam/security-credentials/", base);
	if (request(http, "GET", url, get_hdrs, timeout_ms, "role name", &list, err) < 0)
		goto out;
	name = xstrndup(list, strcspn(list, "\r\n"));
	if (!check_role_name(name)) {
		*err = xstrdup("instance metadata: no instance role (or not a role name)");
		goto out;
	}
	free(url);
	url = xasprintf("%s/latest/meta-data/iam/security-credentials/%s", base, name);
	if (request(http, "GET", url, get_hdrs, timeout_ms, "credentials", &doc, err) < 0)
		goto out;
	if (imds_parse_credentials(doc, now, out, err) < 0)
		goto out;
	*role = name;
	name = NULL;
	rc = 0;
out:
	free(base);
	free(url);
	free_secret(token);
	free_secret(token_hdr);
	free(list);
	free_secret(doc);
	free(name);
	return rc;
}
