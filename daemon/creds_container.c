/*
 * creds_container: one GET to the container credentials endpoint
 * (creds_container.h), through http_plain_request. The URL is taken apart
 * by libcurl's URL parser, the same one that will connect to it.
 */
#include "creds_container.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "creds_token.h"
#include "util.h"

/* Hosts a full URI may name (besides loopback), as the AWS SDKs allow. */
static const char *const agent_hosts[] = { "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]" };

static bool allowed_host(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	if (strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") == strlen(host))
		return true;
	for (size_t i = 0; i < ARRAY_LEN(agent_hosts); i++)
		if (strcasecmp(host, agent_hosts[i]) == 0)
			return true;
	return false;
}

/* 0 when url is plain http to an allowed host. */
static int check_full_uri(const char *url, char **err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = -1;

	if (!u)
		abort(); /* only on out-of-memory */
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		*err = xstrdup("container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL");
		goto fail;
	}
	if (strcasecmp(scheme, "http") != 0 || !allowed_host(host)) {
		*err = xstrdup("container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be http:// to a loopback address, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]");
		goto fail;
	}
	rc = 0;
fail:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

char *creds_container_url(const struct creds_container *cc, char **err)
{
	if (cc->relative_uri) {
		if (cc->relative_uri[0] != '/' || strpbrk(cc->relative_uri, " \t\r\n@")) {
			*err = xstrdup("container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with /");
			return NULL;
		}
		return xasprintf("%s%s", CREDS_CONTAINER_HOST, cc->relative_uri);
	}
	if (!cc->full_uri) {
		*err = xstrdup("container credentials: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set");
		return NULL;
	}
	if (check_full_uri(cc->full_uri, err) < 0)
		return NULL;
	return xstrdup(cc->full_uri);
}

int creds_container_parse(const char *json, time_t now, struct aws_credentials *out, char **err)
{
	json_t *doc = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	struct credentials_doc d = { 0 };
	char *why = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* The one decoder of credentials documents (credentials.h). */
	if (credentials_doc_from_json(doc, "Token", &d, &why) < 0 ||
	    credentials_decode(&d, CREDS_DOC_TEMPORARY, now, out, &why) < 0) {
		*err = xasprintf("container credentials: %s", why);
		free(why);
		goto fail;
	}
	rc = 0;
fail:
	creds_wipe_json(doc, "SecretAccessKey", "Token");
	json_decref(doc);
	return rc;
}

/* "Authorization: <token>" from the token file or variable; NULL (and rc
 * 0) when neither is set. Caller frees with free_secret. */
static int auth_header(const struct creds_container *cc, char **hdr, char **err)
{
	char *token = NULL;

	*hdr = NULL;
	if (cc->token_file) {
		if (creds_read_token_file(cc->token_file, "container authorization token",
					  CREDS_CONTAINER_MAX_TOKEN, &token, err) < 0)
			return -1;
	} else if (cc->token) {
		if (strpbrk(cc->token, "\r\n")) {
			*err = xstrdup("container credentials: AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line break");
			return -1;
		}
		token = xstrdup(cc->token);
	} else {
		return 0;
	}
	*hdr = xasprintf("Authorization: %s", token);
	free_secret(token);
	return 0;
}

int creds_container_get(struct http_client *http, const struct creds_container *cc, time_t now,
			struct aws_credentials *out, char **err)
{
	char *url = creds_container_url(cc, err), *hdr = NULL, *body = NULL;
	const char *headers[2] = { NULL, NULL };
	long status;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!url || auth_header(cc, &hdr, err) < 0)
		goto fail;
	headers[0] = hdr;
	status = http_plain_request(http, "GET", url, headers, &body, CREDS_CONTAINER_TIMEOUT_MS);
	if (status != 200 || !body) {
		if (status < 0)
			*err = xasprintf("container credentials: no answer from %s within %d ms", url,
					 CREDS_CONTAINER_TIMEOUT_MS);
		else
			*err = xasprintf("container credentials: %s answered HTTP %ld", url, status);
		goto fail;
	}
	rc = creds_container_parse(body, now, out, err);
fail:
	free(url);
	free_secret(hdr);
	free_secret(body);
	return rc;
}
