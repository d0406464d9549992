/*
 * endpoint: where each AWS API lmgrantd uses is reached, per SPEC 3: the
 * AWS_ENDPOINT_URL* overrides, FIPS endpoints, the signing name and
 * region. Plain http is accepted only to a loopback host (tests).
 * No I/O: the environment is read once by main (aws_env_from_environ).
 */
#ifndef LMGRANTD_ENDPOINT_H
#define LMGRANTD_ENDPOINT_H

#include <stdbool.h>

/* One AWS API endpoint. Strings owned. */
struct aws_service {
	char *signing_name; /* "license-manager", "organizations", "sts" */
	char *region;       /* signing region */
	char *url;          /* "https://license-manager.us-east-1.amazonaws.com" */
	char *target_prefix; /* "AWSLicenseManager"; NULL for the query protocol */
};
void aws_service_clear(struct aws_service *s);

/* Process environment the endpoint rules read, gathered once by main. */
struct aws_env {
	const char *endpoint_url;       /* AWS_ENDPOINT_URL */
	const char *endpoint_lm;        /* AWS_ENDPOINT_URL_LICENSE_MANAGER */
	const char *endpoint_org;       /* AWS_ENDPOINT_URL_ORGANIZATIONS */
	const char *endpoint_sts;       /* AWS_ENDPOINT_URL_STS */
	bool use_fips;                  /* AWS_USE_FIPS_ENDPOINT=true */
	const char *ca_bundle;          /* AWS_CA_BUNDLE */
};
void aws_env_from_environ(struct aws_env *env);

/* SPEC 3's loopback rule for plain http: host as in a URL ("127.0.0.1",
 * "[::1]", "localhost"; a name such as "127.0.0.1.nip.io" is not), and ip
 * as curl reports the address it connected to ("127.0.0.1", "::1"). */
bool endpoint_host_is_loopback(const char *host);
bool endpoint_ip_is_loopback(const char *ip);

enum aws_api { AWS_API_LICENSE_MANAGER, AWS_API_ORGANIZATIONS, AWS_API_STS };
/* Fills *out for api in region per SPEC §3. Returns -1 with *err (caller
 * frees) for an endpoint that is not https and not loopback http. */
int aws_service_resolve(const struct aws_env *env, enum aws_api api, const char *region,
			struct aws_service *out, char **err);

#endif
