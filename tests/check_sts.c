/*
 * Unit tests of sts's answer decoders: good GetCallerIdentity and
 * AssumeRole answers (with the extras real answers carry), every
 * truncation of them, error documents, wrong roots and namespaces, DTDs,
 * duplicates, markup where text belongs, and that no message quotes a
 * secret; then the calls' query forms and the grantee session cache,
 * against a fake STS on 127.0.0.1 run by this test (nothing leaves the
 * machine; "now" is made up, never read from the clock).
 */
#include <arpa/inet.h>
#include <check.h>

#include "check_main.h"
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sts.h"
#include "util.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSTSSECRET"
#define TOKEN "IQoJb3JpZ2luX2VjSTSTOKEN+/="

static const char IDENTITY[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	"  <GetCallerIdentityResult>\n"
	"    <Arn>arn:aws:sts::111111111111:assumed-role/Ops&amp;Co/lmgrantd</Arn>\n"
	"    <UserId>AROAEXAMPLE:lmgrantd</UserId>\n"
	"    <Account>111111111111</Account>\n"
	"  </GetCallerIdentityResult>\n"
	"  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>\n"
	"</GetCallerIdentityResponse>\n";

static const char ASSUMED[] =
	"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	"<AssumeRoleResult>"
	"<SourceIdentity>ops</SourceIdentity>"
	"<AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:lmgrantd</AssumedRoleId>"
	"<Arn>arn:aws:sts::222222222222:assumed-role/LicenseGrantActivator/lmgrantd</Arn></AssumedRoleUser>"
	"<Credentials>"
	"<AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId>"
	"<SecretAccessKey>" SECRET "</SecretAccessKey>"
	"<SessionToken><![CDATA[" TOKEN "]]></SessionToken>"
	"<Expiration>2100-01-01T00:00:00Z</Expiration>"
	"</Credentials>"
	"<PackedPolicySize>6</PackedPolicySize>"
	"</AssumeRoleResult>"
	"<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>"
	"</AssumeRoleResponse>";

static const char WEB_ASSUMED[] =
	"<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	"<AssumeRoleWithWebIdentityResult>"
	"<SubjectFromWebIdentityToken>system:serviceaccount:lm:lmgrantd</SubjectFromWebIdentityToken>"
	"<Audience>sts.amazonaws.com</Audience>"
	"<AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:ci</AssumedRoleId>"
	"<Arn>arn:aws:sts::111111111111:assumed-role/Web/ci</Arn></AssumedRoleUser>"
	"<Credentials>"
	"<AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId>"
	"<SecretAccessKey>" SECRET "</SecretAccessKey>"
	"<SessionToken>" TOKEN "</SessionToken>"
	"<Expiration>2100-01-01T00:00:00Z</Expiration>"
	"</Credentials>"
	"<Provider>oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE</Provider>"
	"</AssumeRoleWithWebIdentityResult>"
	"<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c8</RequestId></ResponseMetadata>"
	"</AssumeRoleWithWebIdentityResponse>";

static void assert_no_secret(const char *msg)
{
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, SECRET) == NULL && strstr(msg, TOKEN) == NULL, "secret in: %s", msg);
}

START_TEST(caller_identity)
{
	struct sts_identity id;
	char *why = NULL;

	ck_assert_int_eq(sts_parse_caller_identity(IDENTITY, strlen(IDENTITY), &id, &why), 0);
	ck_assert_str_eq(id.account, "111111111111");
	ck_assert_str_eq(id.arn, "arn:aws:sts::111111111111:assumed-role/Ops&Co/lmgrantd");
	ck_assert_str_eq(id.user_id, "AROAEXAMPLE:lmgrantd");
	sts_identity_clear(&id);
}
END_TEST

START_TEST(assume_role)
{
	struct aws_credentials c;
	char *why = NULL;

	ck_assert_int_eq(sts_parse_assume_role(ASSUMED, strlen(ASSUMED), &c, &why), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAEXAMPLE000000001");
	ck_assert_str_eq(c.secret_access_key, SECRET);
	ck_assert_str_eq(c.session_token, TOKEN);
	ck_assert_int_eq(c.expiration, (time_t)4102444800);
	aws_credentials_clear(&c);
}
END_TEST

/* Every proper prefix of a good answer is an error, never a success with
 * partial or empty values. */
START_TEST(every_truncation_is_an_error)
{
	size_t n = strlen(ASSUMED), m = strlen(IDENTITY);

	for (size_t len = 0; len < n; len++) {
		struct aws_credentials c;
		char *why = NULL;

		ck_assert_msg(sts_parse_assume_role(ASSUMED, len, &c, &why) == -1, "accepted %zu of %zu bytes", len, n);
		ck_assert_ptr_null(c.access_key_id);
		assert_no_secret(why);
		free(why);
	}
	/* (IDENTITY without its trailing newline is still whole.) */
	for (size_t len = 0; len < m - 1; len++) {
		struct sts_identity id;
		char *why = NULL;

		ck_assert_msg(sts_parse_caller_identity(IDENTITY, len, &id, &why) == -1, "accepted %zu bytes", len);
		free(why);
	}
}
END_TEST

static void expect_assume_error(const char *xml, const char *want)
{
	struct aws_credentials c;
	char *why = NULL;

	ck_assert_int_eq(sts_parse_assume_role(xml, strlen(xml), &c, &why), -1);
	assert_no_secret(why);
	ck_assert_msg(strstr(why, want) != NULL, "'%s' lacks '%s'", why, want);
	ck_assert_ptr_null(c.access_key_id);
	free(why);
}

/* ASSUMED with the first `from` replaced by `to`. Caller frees. */
static char *variant(const char *from, const char *to)
{
	const char *at = strstr(ASSUMED, from);

	ck_assert_ptr_nonnull(at);
	return xasprintf("%.*s%s%s", (int)(at - ASSUMED), ASSUMED, to, at + strlen(from));
}

static void expect_variant_error(const char *from, const char *to, const char *want)
{
	char *xml = variant(from, to);

	expect_assume_error(xml, want);
	free(xml);
}

START_TEST(errors_and_wrong_documents)
{
	expect_assume_error("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
			    "<Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error>"
			    "<RequestId>x</RequestId></ErrorResponse>",
			    "expected <AssumeRoleResponse>");
	expect_assume_error("", "not well-formed XML");
	expect_assume_error("{\"Credentials\": {}}", "not well-formed XML (line 1");
	expect_variant_error("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"", "xmlns=\"urn:other\"",
			     "in namespace");
	expect_variant_error("<Credentials>", "<Credentials><AccessKeyId>ASIADUP</AccessKeyId>",
			     "<AccessKeyId> appears twice in <Credentials>");
	expect_variant_error("<SessionToken><![CDATA[" TOKEN "]]></SessionToken>", "",
			     "<Credentials> has no <SessionToken>");
	expect_variant_error("<Expiration>2100-01-01T00:00:00Z</Expiration>", "<Expiration>soon</Expiration>",
			     "Expiration is not an ISO 8601 time");
	expect_variant_error("<AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId>", "<AccessKeyId></AccessKeyId>",
			     "<AccessKeyId> is empty");
	expect_variant_error("<AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId>",
			     "<AccessKeyId>ASIA<b>X</b></AccessKeyId>", "<AccessKeyId> holds markup");
	expect_variant_error("<Credentials>", "<Credentials>stray text", "<Credentials> holds text");
	expect_variant_error("<AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId>",
			     "<AccessKeyId>ASIA EXAMPLE</AccessKeyId>", "access key id");
	expect_variant_error("</Credentials>", "</Credential>", "not well-formed XML");
	/* A DTD could define entities; none is accepted. */
	{
		char *xml = xasprintf("<!DOCTYPE AssumeRoleResponse [<!ENTITY e \"x\">]>%s", ASSUMED);

		expect_assume_error(xml, "document type declaration");
		free(xml);
	}
	/* The same member in another namespace does not count. */
	expect_variant_error("<SecretAccessKey>" SECRET "</SecretAccessKey>",
			     "<x:SecretAccessKey xmlns:x=\"urn:x\">" SECRET "</x:SecretAccessKey>",
			     "<Credentials> has no <SecretAccessKey>");
}
END_TEST

START_TEST(identity_errors)
{
	struct sts_identity id;
	char *why = NULL;
	const char *bad = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
			  "<GetCallerIdentityResult><Arn>arn:aws:iam::1:user/x</Arn><UserId>AIDA</UserId>"
			  "<Account>12345</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

	ck_assert_int_eq(sts_parse_caller_identity(bad, strlen(bad), &id, &why), -1);
	ck_assert_str_eq(why, "<Account> is not a 12-digit account id");
	ck_assert_ptr_null(id.account);
	free(why);
	ck_assert_int_eq(sts_parse_caller_identity(ASSUMED, strlen(ASSUMED), &id, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "expected <GetCallerIdentityResponse>"));
	free(why);
}
END_TEST

/* ---- the calls and the session cache, against a fake STS ----
 *
 * A loopback server in a thread of this test answers every request with
 * the status and body the test sets, and keeps the request bodies, so the
 * grantee session cache can be driven through its expiry with a made-up
 * "now" (the credentials it hands out expire in 2100). */

static struct {
	pthread_mutex_t lock;
	int fd;
	int port;
	atomic_int stop; /* read by the server thread */
	int status;
	char *body;
	struct strlist requests;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static void fake_answer(int status, const char *body)
{
	pthread_mutex_lock(&fake.lock);
	fake.status = status;
	free(fake.body);
	fake.body = xstrdup(body);
	pthread_mutex_unlock(&fake.lock);
}

static size_t fake_requests(void)
{
	size_t n;

	pthread_mutex_lock(&fake.lock);
	n = fake.requests.n;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static void fake_serve_one(int c)
{
	struct strbuf in = { 0 };
	char buf[4096], *head_end = NULL, *reply;
	size_t want = 0;
	ssize_t n;

	while ((n = read(c, buf, sizeof(buf))) > 0) {
		sb_append(&in, buf, (size_t)n);
		if (!head_end && (head_end = strstr(in.buf, "\r\n\r\n"))) {
			const char *cl = strcasestr(in.buf, "\r\ncontent-length:");

			want = (size_t)(head_end - in.buf) + 4 + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (head_end && in.len >= want)
			break;
	}
	pthread_mutex_lock(&fake.lock);
	if (head_end)
		strlist_push(&fake.requests, xstrdup(in.buf + (head_end - in.buf) + 4));
	reply = xasprintf("HTTP/1.1 %d X\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n"
			  "x-amzn-RequestId: fake-1\r\nConnection: close\r\n\r\n%s",
			  fake.status, strlen(fake.body), fake.body);
	pthread_mutex_unlock(&fake.lock);
	ck_assert_int_eq(write(c, reply, strlen(reply)), (ssize_t)strlen(reply));
	free(reply);
	sb_free(&in);
}

static void *fake_loop(void *arg)
{
	(void)arg;
	while (!fake.stop) {
		struct pollfd p = { .fd = fake.fd, .events = POLLIN };
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(fake.fd, NULL, NULL);
		if (c < 0)
			continue;
		fake_serve_one(c);
		close(c);
	}
	return NULL;
}

static pthread_t fake_thread;

static void fake_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	fake.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fake.fd, 0);
	ck_assert_int_eq(bind(fake.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fake.fd, 8), 0);
	ck_assert_int_eq(getsockname(fake.fd, (struct sockaddr *)&a, &len), 0);
	fake.port = ntohs(a.sin_port);
	fake.stop = 0;
	fake_answer(200, ASSUMED);
	ck_assert_int_eq(pthread_create(&fake_thread, NULL, fake_loop, NULL), 0);
}

static void fake_stop(void)
{
	fake.stop = 1;
	pthread_join(fake_thread, NULL);
	close(fake.fd);
	free(fake.body);
	fake.body = NULL;
	strlist_free(&fake.requests);
}

/* A client of the fake STS with made-up long-term keys. */
struct fake_client {
	struct aws_service svc;
	struct http_client *http;
	struct cred_source *creds;
	struct aws_client c;
};

static void fake_client_init(struct fake_client *f)
{
	struct aws_credentials keys = { "AKIAFAKEFAKEFAKE", "fakeSecret", NULL, 0 };
	struct http_opts o;

	http_opts_default(&o);
	o.max_tps = -1; /* no client-side limit */
	o.max_attempts = 1;
	memset(&f->svc, 0, sizeof(f->svc));
	f->svc.signing_name = xstrdup("sts");
	f->svc.region = xstrdup("us-east-1");
	f->svc.url = xasprintf("http://127.0.0.1:%d", fake.port);
	f->http = http_client_new(&o);
	f->creds = cred_source_fixed(&keys, "test keys");
	f->c = (struct aws_client){ f->http, f->creds, &f->svc };
}

static void fake_client_free(struct fake_client *f)
{
	http_client_free(f->http);
	cred_source_free(f->creds);
	aws_service_clear(&f->svc);
}

static const char DENIED[] =
	"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
	"<Code>AccessDenied</Code><Message>not authorized</Message></Error>"
	"<RequestId>fake-1</RequestId></ErrorResponse>";

START_TEST(calls_send_the_query_form)
{
	struct fake_client f;
	struct sts_assume_role_in in = { "arn:aws:iam::222222222222:role/Grantee Role", "lmgrantd", "ext/1", 900 };
	struct aws_credentials c;
	struct sts_identity id;
	struct aws_error err = { 0 };

	fake_start();
	fake_client_init(&f);
	ck_assert_int_eq(sts_assume_role(&f.c, &in, &c, &err), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAEXAMPLE000000001");
	aws_credentials_clear(&c);
	ck_assert_str_eq(fake.requests.items[0],
			 "Action=AssumeRole&Version=2011-06-15"
			 "&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2FGrantee%20Role"
			 "&RoleSessionName=lmgrantd&ExternalId=ext%2F1&DurationSeconds=900");
	fake_answer(200, IDENTITY);
	ck_assert_int_eq(sts_get_caller_identity(&f.c, &id, &err), 0);
	ck_assert_str_eq(id.account, "111111111111");
	sts_identity_clear(&id);
	ck_assert_str_eq(fake.requests.items[1], "Action=GetCallerIdentity&Version=2011-06-15");
	/* An answer that is not the document it should be. */
	fake_answer(200, "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">");
	ck_assert_int_eq(sts_assume_role(&f.c, &in, &c, &err), -1);
	ck_assert_str_eq(err.type, "InvalidResponse");
	ck_assert_int_eq(err.kind, AWS_ERR_PROTOCOL);
	aws_error_clear(&err);
	fake_answer(403, DENIED);
	ck_assert_int_eq(sts_assume_role(&f.c, &in, &c, &err), -1);
	ck_assert_str_eq(err.type, "AccessDenied");
	aws_error_clear(&err);
	fake_client_free(&f);
	fake_stop();
}
END_TEST

/* AssumeRoleWithWebIdentity: the token goes in the form (percent-encoded)
 * and the answer's own root element is required. */
START_TEST(web_identity_call_and_answer)
{
	struct fake_client f;
	struct sts_web_identity_in in = { "arn:aws:iam::111111111111:role/Web", "ci", "eyJ.a+b/c=" };
	struct aws_credentials c;
	struct aws_error err = { 0 };
	const char *answer = WEB_ASSUMED;
	char *why = NULL;

	ck_assert_int_eq(sts_parse_assume_role_web_identity(answer, strlen(answer), &c, &why), 0);
	ck_assert_str_eq(c.session_token, TOKEN);
	aws_credentials_clear(&c);
	ck_assert_int_eq(sts_parse_assume_role_web_identity(ASSUMED, strlen(ASSUMED), &c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "expected <AssumeRoleWithWebIdentityResponse>"));
	free(why);
	fake_start();
	fake_client_init(&f);
	fake_answer(200, answer);
	ck_assert_int_eq(sts_assume_role_web_identity(&f.c, &in, &c, &err), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAEXAMPLE000000001");
	aws_credentials_clear(&c);
	ck_assert_str_eq(fake.requests.items[0],
			 "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
			 "&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2FWeb"
			 "&RoleSessionName=ci&WebIdentityToken=eyJ.a%2Bb%2Fc%3D");
	fake_client_free(&f);
	fake_stop();
}
END_TEST

START_TEST(sessions_are_cached_until_near_expiry)
{
	const time_t exp = (time_t)4102444800; /* the fake answer's Expiration */
	struct sts_sessions *s = sts_sessions_new();
	struct cred_source *p1 = NULL, *p2 = NULL, *p3 = NULL;
	struct aws_credentials c = { 0 };
	struct aws_error err = { 0 };
	struct fake_client f;
	char *cerr = NULL;

	fake_start();
	fake_client_init(&f);
	ck_assert_int_eq(sts_sessions_get(s, &f.c, "arn:aws:iam::222222222222:role/R", "lmgrantd", exp - 3600, &p1, &err), 0);
	ck_assert_uint_eq(fake_requests(), 1);
	ck_assert_int_eq(cred_source_get(p1, exp - 3600, &c, &cerr), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAEXAMPLE000000001");
	ck_assert_str_eq(c.session_token, TOKEN);
	aws_credentials_clear(&c);
	/* Another grant of the same account, later: the same session. */
	ck_assert_int_eq(sts_sessions_get(s, &f.c, "arn:aws:iam::222222222222:role/R", "lmgrantd", exp - 301, &p2, &err), 0);
	ck_assert_ptr_eq(p1, p2);
	ck_assert_uint_eq(fake_requests(), 1);
	/* Another account: its own session. */
	ck_assert_int_eq(sts_sessions_get(s, &f.c, "arn:aws:iam::333333333333:role/R", "lmgrantd", exp - 301, &p3, &err), 0);
	ck_assert_ptr_ne(p3, p1);
	ck_assert_uint_eq(fake_requests(), 2);
	/* Within the margin: assumed again. */
	ck_assert_int_eq(sts_sessions_get(s, &f.c, "arn:aws:iam::222222222222:role/R", "lmgrantd", exp - 300, &p2, &err), 0);
	ck_assert_uint_eq(fake_requests(), 3);
	/* A refresh that fails keeps a session that is still valid ... */
	fake_answer(403, DENIED);
	ck_assert_int_eq(sts_sessions_get(s, &f.c, "arn:aws:iam::222222222222:role/R", "lmgrantd", exp - 10, &p1, &err), 0);
	ck_assert_ptr_eq(p1, p2);
	ck_assert_int_eq(err.kind, AWS_ERR_NONE);
	/* ... but not an expired one, and an unknown role fails alone. */
	ck_assert_int_eq(sts_sessions_get(s, &f.c, "arn:aws:iam::222222222222:role/R", "lmgrantd", exp, &p1, &err), -1);
	ck_assert_ptr_null(p1);
	ck_assert_str_eq(err.type, "AccessDenied");
	aws_error_clear(&err);
	ck_assert_int_eq(sts_sessions_get(s, &f.c, "arn:aws:iam::444444444444:role/R", "lmgrantd", exp - 3600, &p1, &err), -1);
	aws_error_clear(&err);
	ck_assert_uint_eq(fake_requests(), 6);
	sts_sessions_free(s);
	sts_sessions_free(NULL);
	fake_client_free(&f);
	fake_stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sts");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, caller_identity);
	tcase_add_test(tc, assume_role);
	tcase_add_test(tc, every_truncation_is_an_error);
	tcase_add_test(tc, errors_and_wrong_documents);
	tcase_add_test(tc, identity_errors);
	tcase_add_test(tc, calls_send_the_query_form);
	tcase_add_test(tc, sessions_are_cached_until_near_expiry);
	tcase_add_test(tc, web_identity_call_and_answer);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
