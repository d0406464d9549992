/* Unit tests of endpoint's loopback rule (issue 16): plain http only to a
 * numeric loopback address or localhost, decided from the URL's text, and
 * the address curl connected to checked again. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "endpoint.h"

/* Issue 16 item 1: plain http only to a loopback address, decided from
 * the URL's text alone (no DNS), then checked again on the connection. */
START_TEST(loopback_hosts_are_numeric_or_localhost)
{
	ck_assert(endpoint_host_is_loopback("127.0.0.1"));
	ck_assert(endpoint_host_is_loopback("127.255.3.4"));
	ck_assert(endpoint_host_is_loopback("localhost"));
	ck_assert(endpoint_host_is_loopback("[::1]"));
	ck_assert(endpoint_host_is_loopback("[0:0:0:0:0:0:0:1]"));
}
END_TEST

START_TEST(names_that_start_with_127_are_not_loopback)
{
	ck_assert(!endpoint_host_is_loopback("127.0.0.1.nip.io"));
	ck_assert(!endpoint_host_is_loopback("127.0.0.1.example.invalid"));
	ck_assert(!endpoint_host_is_loopback("127.attacker.example"));
	ck_assert(!endpoint_host_is_loopback("localhost.example.com"));
	ck_assert(!endpoint_host_is_loopback("128.0.0.1"));
	ck_assert(!endpoint_host_is_loopback("10.0.0.1"));
	ck_assert(!endpoint_host_is_loopback("[::2]"));
	ck_assert(!endpoint_host_is_loopback("[::ffff:10.0.0.1]"));
	ck_assert(!endpoint_host_is_loopback("::1")); /* a URL host has brackets */
	ck_assert(!endpoint_host_is_loopback(""));
}
END_TEST

START_TEST(connected_address_must_be_loopback)
{
	ck_assert(endpoint_ip_is_loopback("127.0.0.1"));
	ck_assert(endpoint_ip_is_loopback("::1"));
	ck_assert(!endpoint_ip_is_loopback("10.1.2.3"));
	ck_assert(!endpoint_ip_is_loopback("192.0.2.7"));
	ck_assert(!endpoint_ip_is_loopback("2001:db8::1"));
	ck_assert(!endpoint_ip_is_loopback("localhost"));
	ck_assert(!endpoint_ip_is_loopback(""));
}
END_TEST

START_TEST(http_endpoint_to_a_127_name_is_refused)
{
	struct aws_env env = { 0 };
	struct aws_service svc = { 0 };
	char *err = NULL;

	env.endpoint_url = "http://127.0.0.1.nip.io:8080";
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &svc, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "plain http is accepted only for loopback hosts"));
	free(err);
	err = NULL;
	env.endpoint_url = "http://127.0.0.1:8080";
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &svc, &err), 0);
	aws_service_clear(&svc);
	env.endpoint_url = "https://127.0.0.1.nip.io";
	ck_assert_int_eq(aws_service_resolve(&env, AWS_API_LICENSE_MANAGER, "us-east-1", &svc, &err), 0);
	aws_service_clear(&svc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("endpoint");
	TCase *tl = tcase_create("loopback");

	tcase_add_test(tl, loopback_hosts_are_numeric_or_localhost);
	tcase_add_test(tl, names_that_start_with_127_are_not_loopback);
	tcase_add_test(tl, connected_address_must_be_loopback);
	tcase_add_test(tl, http_endpoint_to_a_127_name_is_refused);
	suite_add_tcase(s, tl);
	return run_suite(s);
}
