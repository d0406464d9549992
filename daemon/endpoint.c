/*
 * endpoint: the endpoint rules. URLs are taken apart with libcurl's URL
 * parser (curl_url), the same one the transport uses, so both agree on
 * what the host is.
 */
#include "endpoint.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

void aws_service_clear(struct aws_service *s)
{
	if (!s)
		return;
	free(s->signing_name);
	free(s->region);
	free(s->url);
	free(s->target_prefix);
	memset(s, 0, sizeof(*s));
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void aws_env_from_environ(struct aws_env *env)
{
	const char *fips = nonempty_env("AWS_USE_FIPS_ENDPOINT");

	memset(env, 0, sizeof(*env));
	env->endpoint_url = nonempty_env("AWS_ENDPOINT_URL");
	env->endpoint_lm = nonempty_env("AWS_ENDPOINT_URL_LICENSE_MANAGER");
	env->endpoint_org = nonempty_env("AWS_ENDPOINT_URL_ORGANIZATIONS");
	env->endpoint_sts = nonempty_env("AWS_ENDPOINT_URL_STS");
	env->use_fips = fips && strcasecmp(fips, "true") == 0;
	env->ca_bundle = nonempty_env("AWS_CA_BUNDLE");
}

/* Host part of an http(s) URL, for the loopback rule; caller frees. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *copy = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		copy = xstrdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return copy;
}

/* An address as curl reports it (CURLINFO_PRIMARY_IP style): numeric
 * IPv4 in 127.0.0.0/8, or ::1. Never a name. */
bool endpoint_ip_is_loopback(const char *ip)
{
	struct in_addr a4 = { 0 };
	struct in6_addr a6 = { 0 };

	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, ip, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* SPEC 3: a numeric 127.0.0.0/8 address, [::1] or localhost (which curl
 * resolves itself, without DNS). A name that merely starts with "127."
 * (127.0.0.1.nip.io) is a DNS name like any other and is refused here,
 * before anything is looked up. */
bool endpoint_host_is_loopback(const char *host)
{
	char inner[INET6_ADDRSTRLEN + 1] = { 0 };
	size_t len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (len > 2 && len - 2 < sizeof(inner) && host[0] == '[' && host[len - 1] == ']') {
		memcpy(inner, host + 1, len - 2);
		return strchr(inner, '.') == NULL && endpoint_ip_is_loopback(inner);
	}
	return strchr(host, ':') == NULL && endpoint_ip_is_loopback(host);
}

/* Plain http would send signed requests and answers in clear text, so it
 * is only accepted where nothing leaves the machine. */
static int check_endpoint_url(const char *url, char **err)
{
	char *host = NULL;
	int rc = -1;

	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
		*err = xasprintf("endpoint %s: only https:// (or http:// to a loopback host) is accepted", url);
		return -1;
	}
	host = url_host(url);
	if (!host) {
		*err = xasprintf("endpoint %s: not a valid URL", url);
		goto fail;
	}
	if (strncmp(url, "http://", 7) == 0 && !endpoint_host_is_loopback(host)) {
		*err = xasprintf("endpoint %s: plain http is accepted only for loopback hosts", url);
		goto fail;
	}
	rc = 0;
fail:
	free(host);
	return rc;
}

int aws_service_resolve(const struct aws_env *env, enum aws_api api, const char *region,
			struct aws_service *out, char **err)
{
	const char *override = NULL;
	char *url = NULL;

	memset(out, 0, sizeof(*out));
	switch (api) {
	case AWS_API_LICENSE_MANAGER:
		override = env->endpoint_lm ? env->endpoint_lm : env->endpoint_url;
		out->signing_name = xstrdup("license-manager");
		out->region = xstrdup(region);
		out->target_prefix = xstrdup("AWSLicenseManager");
		url = xasprintf("https://license-manager%s.%s.amazonaws.com",
				env->use_fips ? "-fips" : "", region);
		break;
	case AWS_API_ORGANIZATIONS:
		/* Organizations is a global service signed for us-east-1. */
		override = env->endpoint_org ? env->endpoint_org : env->endpoint_url;
		out->signing_name = xstrdup("organizations");
		out->region = xstrdup("us-east-1");
		out->target_prefix = xstrdup("AWSOrganizationsV20161128");
		url = xstrdup("https://organizations.us-east-1.amazonaws.com");
		break;
	case AWS_API_STS:
		override = env->endpoint_sts ? env->endpoint_sts : env->endpoint_url;
		out->signing_name = xstrdup("sts");
		out->region = xstrdup(region);
		url = xasprintf("https://sts.%s.amazonaws.com", region);
		break;
	}
	if (override) {
		free(url);
		url = xstrdup(override);
	}
	out->url = url;
	if (check_endpoint_url(url, err) < 0) {
		aws_service_clear(out);
		return -1;
	}
	return 0;
}
