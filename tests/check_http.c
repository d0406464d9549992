/* Unit tests of http's error descriptions: known set-up errors (trusted
 * access disabled, expired credentials, clock skew, ...) get a one-line
 * hint, everything else is described as AWS sent it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "http.h"

static struct aws_error api_error(const char *op, const char *type, const char *message)
{
	struct aws_error e = { 0 };

	e.kind = AWS_ERR_API;
	e.operation = strdup(op);
	e.type = strdup(type);
	e.message = message ? strdup(message) : NULL;
	e.request_id = strdup("0f3c-1");
	e.attempts = 1;
	return e;
}

/* The text AWS sends when License Manager may not read the organization. */
static const char trusted_access_text[] =
	"License Manager cannot access your organization. Enable trusted access for AWS License "
	"Manager in AWS Organizations (Trusted Access) and try again.";

START_TEST(trusted_access_gets_a_hint)
{
	struct aws_error e = api_error("CreateGrant", "ValidationException", trusted_access_text);
	const char *hint = aws_error_hint(&e);
	char *line;

	ck_assert_ptr_nonnull(hint);
	ck_assert_ptr_nonnull(strstr(hint, "trusted access for AWS License Manager"));
	ck_assert_ptr_nonnull(strstr(hint, "aws organizations enable-aws-service-access --service-principal license-manager.amazonaws.com"));
	ck_assert_ptr_nonnull(strstr(hint, "--service-principal license-management.marketplace.amazonaws.com"));
	ck_assert_ptr_null(strstr(hint, "Link AWS Organizations accounts"));
	ck_assert_ptr_null(strchr(hint, '\n'));
	line = aws_error_describe(&e);
	ck_assert_ptr_nonnull(strstr(line, "CreateGrant: ValidationException: License Manager cannot"));
	ck_assert_ptr_nonnull(strstr(line, "[request id 0f3c-1]; hint: enable trusted access"));
	ck_assert_ptr_null(strchr(line, '\n'));
	free(line);
	aws_error_clear(&e);
}
END_TEST

START_TEST(other_validation_errors_get_none)
{
	struct aws_error e = api_error("DeleteGrant", "ValidationException",
				       "A grant cannot be deleted since the version provided doesn't match");
	char *line;

	ck_assert_ptr_null(aws_error_hint(&e));
	line = aws_error_describe(&e);
	ck_assert_ptr_null(strstr(line, "hint"));
	free(line);
	aws_error_clear(&e);
}
END_TEST

START_TEST(credential_and_clock_hints)
{
	struct aws_error e = api_error("ListReceivedLicenses", "ExpiredTokenException",
				       "The security token included in the request is expired");

	ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "expired"));
	aws_error_clear(&e);
	e = api_error("GetCallerIdentity", "ExpiredToken", NULL); /* STS spelling */
	ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "expired"));
	aws_error_clear(&e);
	e = api_error("ListRoots", "InvalidSignatureException",
		      "Signature expired: 20250101T000000Z is now earlier than 20250101T000500Z");
	ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "clock"));
	aws_error_clear(&e);
	e = api_error("ListRoots", "InvalidSignatureException", "The request signature we calculated does not match");
	ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "secret access key"));
	aws_error_clear(&e);
	e = api_error("DescribeOrganization", "AWSOrganizationsNotInUseException",
		      "Your account is not a member of an organization.");
	ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "management account"));
	aws_error_clear(&e);
}
END_TEST

/* Issue 13: a clock ahead is not a wrong secret key. */
START_TEST(clock_ahead_gets_the_clock_hint)
{
	struct aws_error e = api_error("ListRoots", "InvalidSignatureException",
				       "Signature not yet current: 20250101T002000Z is still later than 20250101T000500Z (20250101T000000Z + 15 min.)");

	ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "clock is ahead"));
	ck_assert_ptr_null(strstr(aws_error_hint(&e), "secret"));
	aws_error_clear(&e);
	e = api_error("GetCallerIdentity", "SignatureDoesNotMatch", "Signature not yet current: x");
	ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "clock is ahead"));
	aws_error_clear(&e);
}
END_TEST

/* Issue 13: AccessDenied names the action AWS denied, which is not always
 * the operation (CreateGrant with tags needs TagResource), and does not
 * send a delegated administrator to the management account. */
START_TEST(access_denied_names_the_action)
{
	struct aws_error e = api_error("CreateGrant", "AccessDeniedException",
				       "User: arn:aws:iam::666666666666:user/x is not authorized to perform: license-manager:TagResource because no identity-based policy allows it");
	char *line = aws_error_describe(&e);

	ck_assert_ptr_nonnull(strstr(line, "; hint: license-manager:TagResource is denied: the IAM policy"));
	ck_assert_ptr_null(strstr(line, "management account"));
	free(line);
	aws_error_clear(&e);
	e = api_error("ListRoots", "AccessDeniedException", "You don't have permissions to access this resource.");
	line = aws_error_describe(&e);
	ck_assert_ptr_nonnull(strstr(line, "; hint: the IAM policy"));
	free(line);
	aws_error_clear(&e);
	e = api_error("AssumeRole", "AccessDenied", "User: u is not authorized to perform: sts:AssumeRole on resource: r");
	line = aws_error_describe(&e);
	ck_assert_ptr_nonnull(strstr(line, "hint: sts:AssumeRole is denied"));
	free(line);
	aws_error_clear(&e);
}
END_TEST

START_TEST(only_api_errors_get_hints)
{
	struct aws_error e = api_error("CreateGrant", "ValidationException", trusted_access_text);

	e.kind = AWS_ERR_PROTOCOL; /* a body that merely says so is not AWS's answer */
	ck_assert_ptr_null(aws_error_hint(&e));
	e.kind = AWS_ERR_API;
	free(e.type);
	e.type = NULL;
	ck_assert_ptr_null(aws_error_hint(&e));
	ck_assert_ptr_null(aws_error_hint(NULL));
	aws_error_clear(&e);
}
END_TEST

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
	Suite *s = suite_create("http");
	TCase *tl = tcase_create("loopback");
	TCase *tc = tcase_create("errors");

	tcase_add_test(tc, trusted_access_gets_a_hint);
	tcase_add_test(tc, other_validation_errors_get_none);
	tcase_add_test(tc, credential_and_clock_hints);
	tcase_add_test(tc, clock_ahead_gets_the_clock_hint);
	tcase_add_test(tc, access_denied_names_the_action);
	tcase_add_test(tc, only_api_errors_get_hints);
	suite_add_tcase(s, tc);
	tcase_add_test(tl, loopback_hosts_are_numeric_or_localhost);
	tcase_add_test(tl, names_that_start_with_127_are_not_loopback);
	tcase_add_test(tl, connected_address_must_be_loopback);
	tcase_add_test(tl, http_endpoint_to_a_127_name_is_refused);
	suite_add_tcase(s, tl);
	return run_suite(s);
}
