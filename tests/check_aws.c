/*
 * Unit tests of aws over the real transport, against a loopback server in
 * a thread of this test that answers from a script (status, body; the last
 * answer repeats):
 * - credentials are asked for without the HTTP client's lock: a source
 *   that itself calls through the same client does not deadlock, and a
 *   source that takes its time does not stall another thread's request;
 * - answers are classified by the table: throttling is retried, an
 *   expired token renews the credentials once, a final error is not;
 * - the one paginator follows NextToken, and refuses a token that repeats
 *   or is not a string, and too many pages.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aws.h"
#include "check_main.h"
#include "util.h"

#define MAX_SCRIPT 16

static struct {
	pthread_mutex_t lock;
	int fd, port;
	atomic_int stop;
	struct { int status; const char *body; } script[MAX_SCRIPT];
	size_t nscript, next;
	size_t requests;
	pthread_t thread;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static void fake_script(size_t n, const int *status, const char *const *body)
{
	pthread_mutex_lock(&fake.lock);
	for (size_t i = 0; i < n; i++) {
		fake.script[i].status = status[i];
		fake.script[i].body = body[i];
	}
	fake.nscript = n;
	fake.next = 0;
	pthread_mutex_unlock(&fake.lock);
}

static size_t fake_requests(void)
{
	size_t n;

	pthread_mutex_lock(&fake.lock);
	n = fake.requests;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static void fake_serve_one(int c)
{
	struct strbuf in = { 0 };
	char buf[4096], *head_end = NULL, *reply = NULL;
	size_t want = 0, k;
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
	fake.requests++;
	k = fake.next < fake.nscript ? fake.next++ : fake.nscript - 1;
	reply = xasprintf("HTTP/1.1 %d X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n%s",
			  fake.script[k].status, strlen(fake.script[k].body), fake.script[k].body);
	pthread_mutex_unlock(&fake.lock);
	ck_assert_int_eq(write(c, reply, strlen(reply)), (ssize_t)strlen(reply));
	free(reply);
	sb_free(&in);
}

static void *fake_loop(void *arg)
{
	(void)arg;
	while (!atomic_load(&fake.stop)) {
		struct pollfd p = { .fd = fake.fd, .events = POLLIN };
		int c;

		if (poll(&p, 1, 20) <= 0)
			continue;
		c = accept(fake.fd, NULL, NULL);
		if (c < 0)
			continue;
		fake_serve_one(c);
		close(c);
	}
	return NULL;
}

/* The fake, an HTTP client for it and a service on it. */
struct fixture {
	struct aws_service svc;
	struct http_client *http;
	struct cred_source *keys;
};

static void setup(struct fixture *f, unsigned max_attempts)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct aws_credentials keys = { "AKIAFAKEFAKEFAKE", "fakeSecret", NULL, 0 };
	socklen_t len = sizeof(a);
	struct http_opts o;
	const int ok[] = { 200 };
	const char *const empty[] = { "{}" };

	fake.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fake.fd, 0);
	ck_assert_int_eq(bind(fake.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fake.fd, 16), 0);
	ck_assert_int_eq(getsockname(fake.fd, (struct sockaddr *)&a, &len), 0);
	fake.port = ntohs(a.sin_port);
	atomic_store(&fake.stop, 0);
	fake.requests = 0;
	fake_script(1, ok, empty);
	ck_assert_int_eq(pthread_create(&fake.thread, NULL, fake_loop, NULL), 0);
	http_opts_default(&o);
	o.max_tps = -1; /* no client-side limit (0 is auto) */
	o.max_attempts = max_attempts;
	o.backoff_base_ms = 1;
	o.backoff_cap_ms = 2;
	memset(f, 0, sizeof(*f));
	f->svc.signing_name = xstrdup("license-manager");
	f->svc.region = xstrdup("us-east-1");
	f->svc.url = xasprintf("http://127.0.0.1:%d", fake.port);
	f->svc.target_prefix = xstrdup("AWSLicenseManager");
	f->http = http_client_new(&o);
	f->keys = cred_source_fixed(&keys, "test keys");
}

static void teardown(struct fixture *f)
{
	atomic_store(&fake.stop, 1);
	pthread_join(fake.thread, NULL);
	close(fake.fd);
	http_client_free(f->http);
	cred_source_free(f->keys);
	aws_service_clear(&f->svc);
}

static int call(struct fixture *f, struct cred_source *cs, struct aws_error *err)
{
	json_t *req = json_object(), *out = NULL;
	int rc = aws_json_call(f->http, &f->svc, cs, "ListLicenses", req, &out, err);

	json_decref(req);
	json_decref(out);
	return rc;
}

/* ---- credentials and the client's lock ---- */

/* A source that, to get its credentials, calls through the same client
 * (as a provider sharing the daemon's client would). */
struct nested_source {
	struct cred_source base;
	struct fixture *f;
	int inner_rc;
};

static int nested_get(struct cred_source *s, time_t now, struct aws_credentials *out, char **err)
{
	struct nested_source *n = (struct nested_source *)s;
	struct aws_error e = { 0 };

	n->inner_rc = call(n->f, n->f->keys, &e);
	aws_error_clear(&e);
	return cred_source_get(n->f->keys, now, out, err);
}

static bool no_renew(struct cred_source *s, const char *key, time_t now)
{
	(void)s, (void)key, (void)now;
	return false;
}

static void no_free(struct cred_source *s)
{
	(void)s;
}

START_TEST(a_source_may_use_the_same_client)
{
	static const struct cred_source_ops ops = { nested_get, no_renew, no_free };
	struct fixture f;
	struct nested_source n = { { &ops }, &f, -1 };
	struct aws_error err = { 0 };

	setup(&f, 1);
	ck_assert_int_eq(call(&f, &n.base, &err), 0);
	ck_assert_int_eq(n.inner_rc, 0);
	ck_assert_uint_eq(fake_requests(), 2);
	teardown(&f);
}
END_TEST

/* A source that blocks until released, like a 30 s credential_process. */
struct slow_source {
	struct cred_source base;
	struct cred_source *keys;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool entered, released;
};

static int slow_get(struct cred_source *s, time_t now, struct aws_credentials *out, char **err)
{
	struct slow_source *w = (struct slow_source *)s;

	pthread_mutex_lock(&w->lock);
	w->entered = true;
	pthread_cond_broadcast(&w->cond);
	while (!w->released)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return cred_source_get(w->keys, now, out, err);
}

struct slow_call {
	struct fixture *f;
	struct slow_source *src;
	int rc;
};

static void *slow_thread(void *arg)
{
	struct slow_call *sc = arg;
	struct aws_error err = { 0 };

	sc->rc = call(sc->f, &sc->src->base, &err);
	aws_error_clear(&err);
	return NULL;
}

START_TEST(a_slow_source_stalls_no_other_request)
{
	static const struct cred_source_ops ops = { slow_get, no_renew, no_free };
	struct fixture f;
	struct slow_source w = { .base = { &ops } };
	struct slow_call sc = { &f, &w, -1 };
	struct aws_error err = { 0 };
	struct http_stats st;
	pthread_t t;

	setup(&f, 1);
	w.keys = f.keys;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	ck_assert_int_eq(pthread_create(&t, NULL, slow_thread, &sc), 0);
	pthread_mutex_lock(&w.lock);
	while (!w.entered)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	/* The other thread waits for its credentials; this one goes on. */
	ck_assert_int_eq(call(&f, f.keys, &err), 0);
	http_client_stats(f.http, &st);
	ck_assert_uint_eq(st.requests, 1);
	pthread_mutex_lock(&w.lock);
	w.released = true;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(t, NULL);
	ck_assert_int_eq(sc.rc, 0);
	ck_assert_uint_eq(fake_requests(), 2);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	teardown(&f);
}
END_TEST

/* ---- classification through the transport ---- */

struct renewing_source {
	struct cred_source base;
	struct cred_source *keys;
	int renewals;
};

static int renewing_get(struct cred_source *s, time_t now, struct aws_credentials *out, char **err)
{
	return cred_source_get(((struct renewing_source *)s)->keys, now, out, err);
}

static bool renewing_renew(struct cred_source *s, const char *key, time_t now)
{
	(void)key, (void)now;
	((struct renewing_source *)s)->renewals++;
	return true;
}

START_TEST(answers_are_classified_by_the_table)
{
	static const struct cred_source_ops ops = { renewing_get, renewing_renew, no_free };
	const int throttled_then_ok[] = { 400, 429, 200 };
	const char *const b1[] = { "{\"__type\": \"com.amazon#ThrottlingException\", \"message\": \"slow\"}", "", "{}" };
	const int expired_twice[] = { 400 };
	const char *const b2[] = { "{\"__type\": \"ExpiredTokenException\", \"message\": \"x\"}" };
	const int final[] = { 400 };
	const char *const b3[] = { "{\"__type\": \"ValidationException\", \"message\": \"Trusted Access\"}" };
	struct fixture f;
	struct renewing_source r = { .base = { &ops } };
	struct aws_error err = { 0 };
	struct http_stats st;

	setup(&f, 4);
	r.keys = f.keys;
	fake_script(3, throttled_then_ok, b1);
	ck_assert_int_eq(call(&f, f.keys, &err), 0);
	http_client_stats(f.http, &st);
	ck_assert_uint_eq(st.retries, 2);
	ck_assert_uint_eq(st.throttled, 2);
	/* Renewed once, then final. */
	fake_script(1, expired_twice, b2);
	ck_assert_int_eq(call(&f, &r.base, &err), -1);
	ck_assert_int_eq(r.renewals, 1);
	ck_assert_int_eq(err.kind, AWS_ERR_API);
	ck_assert_int_eq(err.remedy, AWS_REMEDY_RENEW_CREDENTIALS);
	ck_assert_uint_eq(fake_requests(), 5);
	aws_error_clear(&err);
	/* Final at once, whatever the message says. */
	fake_script(1, final, b3);
	ck_assert_int_eq(call(&f, f.keys, &err), -1);
	ck_assert_uint_eq(err.attempts, 1);
	ck_assert_str_eq(err.type, "ValidationException");
	ck_assert_int_eq(err.remedy, AWS_REMEDY_NONE);
	aws_error_clear(&err);
	teardown(&f);
}
END_TEST

/* ---- the paginator ---- */

static int count_pages(json_t *page, void *ctx, struct aws_error *err)
{
	(void)page, (void)err;
	(*(int *)ctx)++;
	return 0;
}

static int paginate(struct fixture *f, size_t max_pages, int *pages, struct aws_error *err)
{
	struct aws_client c = { f->http, f->keys, &f->svc };
	json_t *req = json_object();
	int rc = aws_paginate(&c, "ListLicenses", req, 100, max_pages, count_pages, pages, err);

	json_decref(req);
	return rc;
}

START_TEST(paginator_follows_next_token)
{
	const int ok3[] = { 200, 200, 200 };
	const char *const three[] = { "{\"NextToken\": \"a\"}", "{\"NextToken\": \"b\"}", "{\"NextToken\": null}" };
	const char *const repeats[] = { "{\"NextToken\": \"a\"}", "{\"NextToken\": \"a\"}", "{}" };
	const char *const not_string[] = { "{\"NextToken\": 5}", "{}", "{}" };
	const char *const endless[] = { "{\"NextToken\": \"a\"}", "{\"NextToken\": \"b\"}", "{\"NextToken\": \"c\"}" };
	struct fixture f;
	struct aws_error err = { 0 };
	int pages = 0;

	setup(&f, 1);
	fake_script(3, ok3, three);
	ck_assert_int_eq(paginate(&f, 10, &pages, &err), 0);
	ck_assert_int_eq(pages, 3);
	fake_script(3, ok3, repeats);
	ck_assert_int_eq(paginate(&f, 10, &pages, &err), -1);
	ck_assert_str_eq(err.message, "NextToken repeats");
	aws_error_clear(&err);
	fake_script(3, ok3, not_string);
	ck_assert_int_eq(paginate(&f, 10, &pages, &err), -1);
	ck_assert_str_eq(err.message, "NextToken is not a string");
	aws_error_clear(&err);
	fake_script(3, ok3, endless);
	ck_assert_int_eq(paginate(&f, 2, &pages, &err), -1);
	ck_assert_str_eq(err.message, "too many pages");
	aws_error_clear(&err);
	teardown(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aws");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, a_source_may_use_the_same_client);
	tcase_add_test(tc, a_slow_source_stalls_no_other_request);
	tcase_add_test(tc, answers_are_classified_by_the_table);
	tcase_add_test(tc, paginator_follows_next_token);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
