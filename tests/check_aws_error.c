/*
 * Unit tests of aws_error's table, row by row: every row is looked up by
 * the key it is written for and must come back with its kind, remedy and
 * hint; the expectations below list every row, so a row added without a
 * test fails the count. Then the lookups that are not a row's own key
 * (an unknown type, a 5xx with an unknown type, the operation column) and
 * the describe line. No decision reads the message: the same type with
 * any message gets the same row.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aws_error.h"
#include "check_main.h"
#include "util.h"

/* One expectation per row of the table, in table order. */
static const struct {
	const char *type;      /* NULL: an answer without a type */
	const char *operation;
	long status;
	enum aws_err_kind kind;
	enum aws_remedy remedy;
	const char *hint_part; /* NULL: no hint */
} rows[] = {
	{ "ThrottlingException", "ListDistributedGrants", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RateLimitExceededException", "CreateGrant", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "TooManyRequestsException", "ListRoots", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "ThrottledException", "ListRoots", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RequestLimitExceeded", "ListRoots", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RequestThrottled", "ListRoots", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RequestThrottledException", "ListRoots", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "SlowDown", "ListRoots", 503, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "ProvisionedThroughputExceededException", "ListRoots", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "PriorRequestNotComplete", "ListRoots", 400, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ NULL, "ListRoots", 429, AWS_ERR_THROTTLED, AWS_REMEDY_NONE, NULL },
	{ "RequestTimeout", "CreateGrant", 400, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	{ "RequestTimeoutException", "CreateGrant", 400, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	{ NULL, "CreateGrant", 408, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	{ NULL, "CreateGrant", 502, AWS_ERR_SERVER, AWS_REMEDY_NONE, NULL },
	{ "ExpiredToken", "GetCallerIdentity", 403, AWS_ERR_API, AWS_REMEDY_RENEW_CREDENTIALS, "have expired" },
	{ "ExpiredTokenException", "ListReceivedLicenses", 400, AWS_ERR_API, AWS_REMEDY_RENEW_CREDENTIALS, "have expired" },
	{ "UnrecognizedClientException", "ListRoots", 400, AWS_ERR_API, AWS_REMEDY_NONE, "does not know this access key" },
	{ "InvalidClientTokenId", "GetCallerIdentity", 403, AWS_ERR_API, AWS_REMEDY_NONE, "does not know this access key" },
	{ "InvalidSignatureException", "ListRoots", 400, AWS_ERR_API, AWS_REMEDY_NONE, "clock is off (ahead or behind)" },
	{ "SignatureDoesNotMatch", "AssumeRole", 403, AWS_ERR_API, AWS_REMEDY_NONE, "secret access key" },
	{ "AccessDeniedException", "CreateGrant", 400, AWS_ERR_API, AWS_REMEDY_NONE, "does not allow this action" },
	{ "AccessDenied", "AssumeRole", 403, AWS_ERR_API, AWS_REMEDY_NONE, "does not allow this action" },
	{ "AWSOrganizationsNotInUseException", "DescribeOrganization", 400, AWS_ERR_API, AWS_REMEDY_NO_ORGANIZATION, "management account" },
	{ "ValidationException", "CreateGrant", 400, AWS_ERR_API, AWS_REMEDY_NONE, "enable trusted access for AWS License Manager" },
	{ "ValidationException", "CreateGrantVersion", 400, AWS_ERR_API, AWS_REMEDY_REREAD, NULL },
	{ "ValidationException", "DeleteGrant", 400, AWS_ERR_API, AWS_REMEDY_REREAD, NULL },
	{ NULL, "ListRoots", 400, AWS_ERR_PROTOCOL, AWS_REMEDY_NONE, NULL },
	{ "ResourceNotFoundException", "GetGrant", 400, AWS_ERR_API, AWS_REMEDY_NONE, NULL },
};

START_TEST(every_row_has_its_test)
{
	size_t n = 0;

	aws_error_rules(&n);
	ck_assert_uint_eq(n, ARRAY_LEN(rows));
}
END_TEST

/* Row _i: its own key finds it, with what it says. */
START_TEST(row)
{
	size_t n = 0;
	const struct aws_error_rule *table = aws_error_rules(&n);
	const struct aws_error_rule *r = aws_error_rule_for(rows[_i].type, rows[_i].operation, rows[_i].status);

	ck_assert_msg(r == &table[_i], "row %d (%s/%s/%ld) found row %td", _i, rows[_i].type,
		      rows[_i].operation, rows[_i].status, r - table);
	ck_assert_int_eq(r->kind, rows[_i].kind);
	ck_assert_int_eq(r->remedy, rows[_i].remedy);
	if (rows[_i].hint_part) {
		ck_assert_ptr_nonnull(r->hint);
		ck_assert_ptr_nonnull(strstr(r->hint, rows[_i].hint_part));
		ck_assert_ptr_null(strchr(r->hint, '\n'));
	} else {
		ck_assert_ptr_null(r->hint);
	}
}
END_TEST

START_TEST(lookups_between_rows)
{
	size_t n = 0;
	const struct aws_error_rule *table = aws_error_rules(&n), *last = &table[n - 1];

	/* The operation column: ValidationException elsewhere is plain final. */
	ck_assert_ptr_eq(aws_error_rule_for("ValidationException", "ListDistributedGrants", 400), last);
	ck_assert_ptr_eq(aws_error_rule_for("ValidationException", NULL, 400), last);
	/* A prefix row: any Throttling type. */
	ck_assert_int_eq(aws_error_rule_for("Throttling", "X", 400)->kind, AWS_ERR_THROTTLED);
	ck_assert_int_eq(aws_error_rule_for("XThrottling", "X", 400)->kind, AWS_ERR_API);
	/* An unknown type with a 5xx is a server error; with a 4xx, final. */
	ck_assert_int_eq(aws_error_rule_for("InternalFailure", "X", 500)->kind, AWS_ERR_SERVER);
	ck_assert_int_eq(aws_error_rule_for("ServiceUnavailableException", "X", 503)->kind, AWS_ERR_SERVER);
	ck_assert_ptr_eq(aws_error_rule_for("InternalFailure", "X", 400), last);
	/* Known types keep their row whatever the status. */
	ck_assert_int_eq(aws_error_rule_for("ThrottlingException", "X", 500)->kind, AWS_ERR_THROTTLED);
	/* No type: by status. */
	ck_assert_int_eq(aws_error_rule_for(NULL, "X", 599)->kind, AWS_ERR_SERVER);
	ck_assert_int_eq(aws_error_rule_for(NULL, "X", 404)->kind, AWS_ERR_PROTOCOL);
}
END_TEST

static struct aws_error api_error(const char *op, const char *type, const char *message)
{
	struct aws_error e = { 0 };

	aws_error_set(&e, AWS_ERR_API, op, type, message);
	e.request_id = xstrdup("0f3c-1");
	e.attempts = 1;
	e.http_status = 400;
	return e;
}

/* The hint comes from type and operation; the message is only shown. */
START_TEST(hints_ignore_the_message)
{
	static const char *const messages[] = {
		"License Manager cannot access your organization. Enable Trusted Access.",
		"1 validation error detected: principal", NULL,
	};

	for (size_t i = 0; i < ARRAY_LEN(messages); i++) {
		struct aws_error e = api_error("CreateGrant", "ValidationException", messages[i]);
		char *line = aws_error_describe(&e);

		ck_assert_ptr_nonnull(strstr(aws_error_hint(&e), "trusted access"));
		ck_assert_ptr_nonnull(strstr(line, "[request id 0f3c-1]; hint: enable trusted access"));
		ck_assert_ptr_nonnull(strstr(line, "license-management.marketplace.amazonaws.com"));
		if (messages[i])
			ck_assert_ptr_nonnull(strstr(line, messages[i]));
		ck_assert_ptr_null(strchr(line, '\n'));
		free(line);
		aws_error_clear(&e);
	}
}
END_TEST

START_TEST(only_api_errors_get_hints)
{
	struct aws_error e = api_error("CreateGrant", "ValidationException", "x");
	struct aws_error copy = { 0 };

	e.kind = AWS_ERR_PROTOCOL; /* a body that merely says so is not AWS's answer */
	ck_assert_ptr_null(aws_error_hint(&e));
	e.kind = AWS_ERR_API;
	e.remedy = AWS_REMEDY_REREAD;
	aws_error_copy(&copy, &e);
	ck_assert_int_eq(copy.remedy, AWS_REMEDY_REREAD);
	ck_assert_str_eq(copy.request_id, "0f3c-1");
	free(e.type);
	e.type = NULL;
	ck_assert_ptr_null(aws_error_hint(&e));
	ck_assert_ptr_null(aws_error_hint(NULL));
	aws_error_clear(&e);
	aws_error_clear(&copy);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aws_error");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, every_row_has_its_test);
	tcase_add_loop_test(tc, row, 0, (int)ARRAY_LEN(rows));
	tcase_add_test(tc, lookups_between_rows);
	tcase_add_test(tc, hints_ignore_the_message);
	tcase_add_test(tc, only_api_errors_get_hints);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
