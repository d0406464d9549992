/*
 * Unit tests of the credential chain (creds.c, creds_profile.c,
 * creds_process.c, imds.c's decoder): profile resolution (files, sections,
 * precedence, role chains, loops, depth), credential_process (splitting,
 * good answers, expired answers, bad JSON, failures, huge output,
 * timeouts), the chain's order and its refresh margin, and that no error
 * message ever holds a secret. Files and helper scripts go into a
 * per-test mkdtemp directory; "now" is always passed in, never read from
 * the clock; nothing uses the network.
 */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "creds_container.h"
#include "creds_process.h"
#include "creds_profile.h"
#include "creds_token.h"
#include "imds.h"
#include "util.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
#define TOKEN "IQoJb3JpZ2luX2VjSESSIONTOKEN"
/* 2100-01-01T00:00:00Z: far enough that nothing here depends on the clock. */
#define T2100 ((time_t)4102444800)

static char tmpdir[64];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/check_creds.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* Writes text to tmpdir/name with mode; returns the path (caller frees). */
static char *write_mode(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static char *write_file(const char *name, const char *text)
{
	return write_mode(name, text, 0600);
}

/* A shell script helper (the test's own, so /bin/sh is fine here). */
static char *write_script(const char *name, const char *body)
{
	char *text = xasprintf("#!/bin/sh\n%s\n", body);
	char *path = write_mode(name, text, 0700);

	free(text);
	return path;
}

static void assert_no_secret(const char *msg)
{
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, SECRET) == NULL, "secret in message: %s", msg);
	ck_assert_msg(strstr(msg, TOKEN) == NULL, "token in message: %s", msg);
}

/* Resolves profile from the two files (either may be NULL text). */
static int resolve(const char *cred_text, const char *conf_text, const char *profile,
		   struct creds_recipe *r, char **err)
{
	char *cred = cred_text ? write_file("credentials", cred_text) : NULL;
	char *conf = conf_text ? write_file("config", conf_text) : NULL;
	struct creds_files files = { cred, conf };
	int rc;

	*err = NULL;
	rc = creds_profile_resolve(&files, profile, r, err);
	if (*err)
		assert_no_secret(*err);
	free(cred);
	free(conf);
	return rc;
}

/* Expects -1 with an error containing want. */
static void expect_error(const char *cred, const char *conf, const char *profile, const char *want)
{
	struct creds_recipe r;
	char *err = NULL;

	ck_assert_int_eq(resolve(cred, conf, profile, &r, &err), -1);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
	free(err);
}

/* ---- profiles ---- */

START_TEST(static_keys_from_the_credentials_file)
{
	struct creds_recipe r;
	char *err = NULL;

	ck_assert_int_eq(resolve("# comment\n; another\n[default]\naws_access_key_id = AKIADEFAULT\n"
				 "aws_secret_access_key = " SECRET "\n\n[ops]\n"
				 "AWS_Access_Key_Id: AKIAOPS\naws_secret_access_key=" SECRET "\n"
				 "aws_session_token = " TOKEN "\n",
				 NULL, "ops", &r, &err), 0);
	ck_assert_int_eq(r.base, CREDS_BASE_STATIC);
	ck_assert_str_eq(r.keys.access_key_id, "AKIAOPS");
	ck_assert_str_eq(r.keys.secret_access_key, SECRET);
	ck_assert_str_eq(r.keys.session_token, TOKEN);
	ck_assert_str_eq(r.base_profile, "ops");
	ck_assert_uint_eq(r.nroles, 0);
	ck_assert_ptr_nonnull(strstr(r.base_file, "/credentials"));
	creds_recipe_clear(&r);
}
END_TEST

START_TEST(config_file_needs_the_profile_prefix)
{
	struct creds_recipe r;
	char *err = NULL;
	const char *conf = "[ops]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = " SECRET "\n"
			   "[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = " SECRET "\n"
			   "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = " SECRET "\n";

	/* "[ops]" in the config file is no profile. */
	ck_assert_int_eq(resolve(NULL, conf, "ops", &r, &err), 1);
	ck_assert_int_eq(resolve(NULL, conf, "dev", &r, &err), 0);
	ck_assert_str_eq(r.keys.access_key_id, "AKIADEV");
	creds_recipe_clear(&r);
	ck_assert_int_eq(resolve(NULL, conf, "default", &r, &err), 0);
	ck_assert_str_eq(r.keys.access_key_id, "AKIADEF");
	creds_recipe_clear(&r);
	/* "[profile default]" names default too. */
	ck_assert_int_eq(resolve(NULL, "[profile default]\naws_access_key_id = AKIAPD\n"
				 "aws_secret_access_key = " SECRET "\n", "default", &r, &err), 0);
	ck_assert_str_eq(r.keys.access_key_id, "AKIAPD");
	creds_recipe_clear(&r);
	/* And in the credentials file "[profile dev]" is a profile named so. */
	ck_assert_int_eq(resolve("[profile dev]\naws_access_key_id = AKIAX\naws_secret_access_key = "
				 SECRET "\n", NULL, "dev", &r, &err), 1);
}
END_TEST

START_TEST(credentials_file_wins_over_config)
{
	struct creds_recipe r;
	char *err = NULL;

	ck_assert_int_eq(resolve("[ops]\naws_access_key_id = AKIAFROMCREDS\naws_secret_access_key = " SECRET "\n",
				 "[profile ops]\naws_access_key_id = AKIAFROMCONFIG\nregion = eu-west-1\n",
				 "ops", &r, &err), 0);
	ck_assert_str_eq(r.keys.access_key_id, "AKIAFROMCREDS");
	creds_recipe_clear(&r);
	/* Keys split over both files still make one profile. */
	ck_assert_int_eq(resolve("[ops]\naws_secret_access_key = " SECRET "\n",
				 "[profile ops]\naws_access_key_id = AKIAFROMCONFIG\n", "ops", &r, &err), 0);
	ck_assert_str_eq(r.keys.access_key_id, "AKIAFROMCONFIG");
	creds_recipe_clear(&r);
}
END_TEST

START_TEST(role_arn_first_then_static_then_process)
{
	struct creds_recipe r;
	char *err = NULL;

	ck_assert_int_eq(resolve("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = " SECRET "\n",
				 "[profile ops]\nrole_arn = arn:aws:iam::111111111111:role/Ops\n"
				 "source_profile = base\naws_access_key_id = AKIAOPS\n"
				 "aws_secret_access_key = " SECRET "\ncredential_process = /bin/false\n",
				 "ops", &r, &err), 0);
	ck_assert_uint_eq(r.nroles, 1);
	ck_assert_str_eq(r.keys.access_key_id, "AKIABASE");
	creds_recipe_clear(&r);
	ck_assert_int_eq(resolve(NULL, "[profile ops]\naws_access_key_id = AKIAOPS\n"
				 "aws_secret_access_key = " SECRET "\ncredential_process = /bin/false\n",
				 "ops", &r, &err), 0);
	ck_assert_int_eq(r.base, CREDS_BASE_STATIC);
	creds_recipe_clear(&r);
	ck_assert_int_eq(resolve(NULL, "[profile ops]\ncredential_process = vault-aws --role \"ops admin\"\n"
				 "  --quiet\n", "ops", &r, &err), 0);
	ck_assert_int_eq(r.base, CREDS_BASE_PROCESS);
	/* The indented line continues the value, as configparser has it. */
	ck_assert_str_eq(r.process, "vault-aws --role \"ops admin\"\n--quiet");
	creds_recipe_clear(&r);
}
END_TEST

START_TEST(role_chain_in_order_with_its_settings)
{
	struct creds_recipe r;
	char *err = NULL;
	const char *conf =
		"[profile top]\nrole_arn = arn:aws:iam::111111111111:role/Top\nsource_profile = mid\n"
		"role_session_name = ops-session\nexternal_id = ext-123\nduration_seconds = 900\n"
		"[profile mid]\nrole_arn = arn:aws:iam::222222222222:role/Mid\nsource_profile = base\n";

	ck_assert_int_eq(resolve("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = " SECRET "\n",
				 conf, "top", &r, &err), 0);
	ck_assert_int_eq(r.base, CREDS_BASE_STATIC);
	ck_assert_str_eq(r.base_profile, "base");
	ck_assert_uint_eq(r.nroles, 2);
	/* Assumed bottom-up: Mid with base's keys, then Top with Mid's. */
	ck_assert_str_eq(r.roles[0].role_arn, "arn:aws:iam::222222222222:role/Mid");
	ck_assert_str_eq(r.roles[0].session_name, "lmgrantd");
	ck_assert_ptr_null(r.roles[0].external_id);
	ck_assert_int_eq(r.roles[0].duration_s, 0);
	ck_assert_str_eq(r.roles[1].role_arn, "arn:aws:iam::111111111111:role/Top");
	ck_assert_str_eq(r.roles[1].profile, "top");
	ck_assert_str_eq(r.roles[1].session_name, "ops-session");
	ck_assert_str_eq(r.roles[1].external_id, "ext-123");
	ck_assert_int_eq(r.roles[1].duration_s, 900);
	ck_assert_str_eq(r.profile, "top");
	creds_recipe_clear(&r);
}
END_TEST

/* A chain of n role profiles p1 -> ... -> pn -> base. */
static char *chain_config(int n)
{
	struct strbuf sb = { 0 };

	for (int i = 1; i <= n; i++) {
		sb_printf(&sb, "[profile p%d]\nrole_arn = arn:aws:iam::111111111111:role/R%d\n", i, i);
		if (i < n)
			sb_printf(&sb, "source_profile = p%d\n", i + 1);
		else
			sb_puts(&sb, "source_profile = base\n");
	}
	sb_puts(&sb, "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = " SECRET "\n");
	return sb_steal(&sb);
}

START_TEST(five_roles_deep_is_fine_six_is_refused)
{
	struct creds_recipe r;
	char *err = NULL, *five = chain_config(5), *six = chain_config(6);

	ck_assert_int_eq(resolve(NULL, five, "p1", &r, &err), 0);
	ck_assert_uint_eq(r.nroles, 5);
	ck_assert_str_eq(r.roles[0].role_arn, "arn:aws:iam::111111111111:role/R5");
	ck_assert_str_eq(r.roles[4].role_arn, "arn:aws:iam::111111111111:role/R1");
	creds_recipe_clear(&r);
	expect_error(NULL, six, "p1", "more than 5 roles in a chain (p1 -> p2 -> p3 -> p4 -> p5 -> p6)");
	free(five);
	free(six);
}
END_TEST

START_TEST(loops_are_refused_self_with_keys_is_not)
{
	struct creds_recipe r;
	char *err = NULL;

	expect_error(NULL,
		     "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\n"
		     "[profile b]\nrole_arn = arn:aws:iam::111111111111:role/B\nsource_profile = a\n",
		     "a", "source_profile loop (a -> b -> a)");
	expect_error(NULL,
		     "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = a\n",
		     "a", "names the profile itself, which has no static keys");
	/* The AWS CLI idiom: a profile assuming a role with its own keys. */
	ck_assert_int_eq(resolve(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\n"
				 "source_profile = a\naws_access_key_id = AKIASELF\n"
				 "aws_secret_access_key = " SECRET "\n", "a", &r, &err), 0);
	ck_assert_uint_eq(r.nroles, 1);
	ck_assert_str_eq(r.keys.access_key_id, "AKIASELF");
	creds_recipe_clear(&r);
}
END_TEST

START_TEST(credential_source)
{
	struct creds_recipe r;
	char *err = NULL;

	ck_assert_int_eq(resolve(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\n"
				 "credential_source = Ec2InstanceMetadata\n", "a", &r, &err), 0);
	ck_assert_int_eq(r.base, CREDS_BASE_IMDS);
	ck_assert_uint_eq(r.nroles, 1);
	creds_recipe_clear(&r);
	ck_assert_int_eq(resolve(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\n"
				 "credential_source = Environment\n", "a", &r, &err), 0);
	ck_assert_int_eq(r.base, CREDS_BASE_ENVIRONMENT);
	creds_recipe_clear(&r);
	expect_error(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\n"
		     "credential_source = EcsContainer\n", "a", "EcsContainer is not supported");
	expect_error(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\n"
		     "credential_source = Environment\nsource_profile = b\n", "a",
		     "only one of source_profile and credential_source");
	expect_error(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\n", "a",
		     "needs one of source_profile and credential_source");
}
END_TEST

START_TEST(broken_files_and_profiles)
{
	struct creds_recipe r;
	char *err = NULL, *path;

	expect_error(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = nope\n",
		     "a", "source_profile nope does not exist");
	expect_error("[a]\naws_access_key_id = AKIA1\naws_access_key_id = AKIA2\n", NULL, "a",
		     "credentials:3: aws_access_key_id appears twice in profile a");
	expect_error("[a]\naws_access_key_id = AKIA1\n[a]\n", NULL, "a", "credentials:3: profile a appears twice");
	expect_error("aws_secret_access_key = " SECRET "\n[a]\n", NULL, "a", "credentials:1: a key before the first");
	expect_error("[a]\n" SECRET "\n", NULL, "a", "credentials:2: expected \"key = value\"");
	expect_error("[a\n", NULL, "a", "credentials:1: a section header");
	expect_error("[a]\naws_access_key_id = AKIA1\n", NULL, "a", "needs both aws_access_key_id and");
	expect_error("[a]\nregion = us-east-1\n", NULL, "a", "profile a has no credentials");
	expect_error("[a]\nsso_session = corp\n", NULL, "a", "uses sso_session, which lmgrantd does not support");
	expect_error(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\ncredential_source = Environment\n"
		     "duration_seconds = 60\n", "a", "config:4: profile a: duration_seconds must be");
	expect_error(NULL, "[profile a]\nrole_arn = nope\ncredential_source = Environment\n", "a",
		     "role_arn is not a role ARN");
	expect_error(NULL, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\ncredential_source = Environment\n"
		     "role_session_name = has space\n", "a", "role_session_name must be");
	/* A world-writable file could make lmgrantd run any command. */
	path = write_mode("open", "[a]\ncredential_process = /tmp/evil\n", 0666);
	{
		struct creds_files files = { path, NULL };

		ck_assert_int_eq(creds_profile_resolve(&files, "a", &r, &err), -1);
		ck_assert_ptr_nonnull(strstr(err, "world-writable"));
		free(err);
	}
	free(path);
	/* Missing files are no error: there is just no profile. */
	{
		struct creds_files files = { "/nonexistent/credentials", "/nonexistent/config" };

		err = NULL;
		ck_assert_int_eq(creds_profile_resolve(&files, "default", &r, &err), 1);
		ck_assert_ptr_null(err);
	}
}
END_TEST

/* ---- credential_process ---- */

START_TEST(commands_split_like_the_aws_cli)
{
	struct strlist argv = { 0 };
	const char *why = NULL;

	ck_assert_int_eq(creds_split_command("  vault  'a b'  \"c \\\"d\\\" \\x\" e\\ f '' g'h'i\n", &argv, &why), 0);
	ck_assert_uint_eq(argv.n, 6);
	ck_assert_str_eq(argv.items[0], "vault");
	ck_assert_str_eq(argv.items[1], "a b");
	ck_assert_str_eq(argv.items[2], "c \"d\" \\x");
	ck_assert_str_eq(argv.items[3], "e f");
	ck_assert_str_eq(argv.items[4], "");
	ck_assert_str_eq(argv.items[5], "ghi");
	strlist_free(&argv);
	/* No shell: $, ;, | and globs are plain characters. */
	ck_assert_int_eq(creds_split_command("echo $HOME; ls | *", &argv, &why), 0);
	ck_assert_uint_eq(argv.n, 5);
	ck_assert_str_eq(argv.items[1], "$HOME;");
	strlist_free(&argv);
	ck_assert_int_eq(creds_split_command("a 'b", &argv, &why), -1);
	ck_assert_str_eq(why, "an unclosed ' quote");
	ck_assert_int_eq(creds_split_command("a \"b", &argv, &why), -1);
	ck_assert_int_eq(creds_split_command("a\\", &argv, &why), -1);
	ck_assert_int_eq(creds_split_command("   ", &argv, &why), -1);
	ck_assert_uint_eq(argv.n, 0);
	strlist_free(&argv);
}
END_TEST

static const char GOOD_JSON[] =
	"{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS000001\", \"SecretAccessKey\": \"" SECRET "\","
	" \"SessionToken\": \"" TOKEN "\", \"Expiration\": \"2100-01-01T00:00:00Z\"}";

static const char LONG_TERM_JSON[] =
	"{\"Version\": 1, \"AccessKeyId\": \"AKIAX\", \"SecretAccessKey\": \"" SECRET "\"}";

START_TEST(process_good_answer)
{
	char *json = write_file("answer.json", GOOD_JSON);
	char *body = xasprintf("echo 'progress on stderr' >&2; cat '%s'", json);
	char *script = write_script("helper", body);
	char *cmd = xasprintf("'%s' --flag 'two words'", script);
	struct aws_credentials c;
	char *err = NULL;

	ck_assert_int_eq(creds_process_run(cmd, "vault", 5000, 65536, T2100 - 3600, &c, &err), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAPROCESS000001");
	ck_assert_str_eq(c.secret_access_key, SECRET);
	ck_assert_str_eq(c.session_token, TOKEN);
	ck_assert_int_eq(c.expiration, T2100);
	aws_credentials_clear(&c);
	/* Without Expiration and SessionToken: long-term keys. */
	ck_assert_int_eq(creds_process_parse(LONG_TERM_JSON, strlen(LONG_TERM_JSON), "vault", T2100, &c, &err), 0);
	ck_assert_ptr_null(c.session_token);
	ck_assert_int_eq(c.expiration, 0);
	aws_credentials_clear(&c);
	free(json);
	free(body);
	free(script);
	free(cmd);
}
END_TEST

static void expect_process_error(const char *script_body, long timeout_ms, size_t cap, time_t now,
				 const char *want)
{
	char *script = write_script("helper", script_body);
	struct aws_credentials c;
	char *err = NULL;

	ck_assert_int_eq(creds_process_run(script, "vault", timeout_ms, cap, now, &c, &err), -1);
	assert_no_secret(err);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
	ck_assert_ptr_nonnull(strstr(err, "profile vault"));
	ck_assert_ptr_null(c.access_key_id);
	free(err);
	free(script);
}

START_TEST(process_expired_answer)
{
	char *json = write_file("answer.json", GOOD_JSON);
	char *body = xasprintf("cat '%s'", json);

	expect_process_error(body, 5000, 65536, T2100, ": the credentials expired at 2100-01-01T00:00:00Z");
	free(json);
	free(body);
}
END_TEST

START_TEST(process_bad_answers)
{
	expect_process_error("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"" SECRET "\"'",
			     5000, 65536, 0, "the output is not JSON (line");
	expect_process_error("echo '" SECRET "'", 5000, 65536, 0, "the output is not JSON");
	expect_process_error("echo '{\"Version\": 2, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"" SECRET "\"}'",
			     5000, 65536, 0, "\"Version\": 1 is missing");
	expect_process_error("echo '{\"Version\": 1, \"SecretAccessKey\": \"" SECRET "\"}'", 5000, 65536, 0,
			     "AccessKeyId is missing");
	expect_process_error("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": 5}'", 5000,
			     65536, 0, "SecretAccessKey is not a non-empty string");
	expect_process_error("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"" SECRET "\","
			     " \"Expiration\": \"tomorrow\"}'", 5000, 65536, 0, "Expiration is not an ISO 8601 time");
	expect_process_error("echo '{\"Version\": 1, \"AccessKeyId\": \"AK IA\", \"SecretAccessKey\": \"" SECRET "\"}'",
			     5000, 65536, 0, "access key id");
	expect_process_error("echo '[]'", 5000, 65536, 0, "not a JSON object");
}
END_TEST

START_TEST(process_failures)
{
	/* The output holds the secret; the error must not repeat it. */
	expect_process_error("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"" SECRET "\"}'; exit 3",
			     5000, 65536, 0, "exited with status 3");
	expect_process_error("kill -9 $$", 5000, 65536, 0, "killed by signal 9");
	expect_process_error("head -c 200000 /dev/zero | tr '\\0' 'a'", 5000, 65536, 0, "wrote more than 65536 bytes");
	expect_process_error("exec sleep 10", 300, 65536, 0, "did not finish within 300 ms");
	{
		struct aws_credentials c;
		char *err = NULL;

		ck_assert_int_eq(creds_process_run("/nonexistent/helper", "vault", 1000, 100, 0, &c, &err), -1);
		/* posix_spawnp reports it, or (under valgrind) the child exits 127. */
		ck_assert_msg(strstr(err, "cannot run /nonexistent/helper") || strstr(err, "status 127"), "%s", err);
		free(err);
		ck_assert_int_eq(creds_process_run("helper 'unclosed", "vault", 1000, 100, 0, &c, &err), -1);
		ck_assert_ptr_nonnull(strstr(err, "unclosed"));
		free(err);
	}
}
END_TEST

/* ---- small pieces ---- */

START_TEST(iso8601_times)
{
	time_t t = 0;

	ck_assert_int_eq(creds_parse_time("2100-01-01T00:00:00Z", &t), 0);
	ck_assert_int_eq(t, T2100);
	ck_assert_int_eq(creds_parse_time("2100-01-01T00:00:00.123456Z", &t), 0);
	ck_assert_int_eq(t, T2100);
	ck_assert_int_eq(creds_parse_time("2100-01-01T01:30:00+01:30", &t), 0);
	ck_assert_int_eq(t, T2100);
	ck_assert_int_eq(creds_parse_time("2099-12-31T23:00:00-0100", &t), 0);
	ck_assert_int_eq(t, T2100);
	ck_assert_int_eq(creds_parse_time("2100-01-01T00:00:00", &t), -1);
	ck_assert_int_eq(creds_parse_time("2100-02-30T00:00:00Z", &t), -1);
	ck_assert_int_eq(creds_parse_time("2100-01-01 00:00:00Z", &t), -1);
	ck_assert_int_eq(creds_parse_time("2100-01-01T00:00:00Zjunk", &t), -1);
	ck_assert_int_eq(creds_parse_time("", &t), -1);
}
END_TEST

START_TEST(credentials_check)
{
	struct aws_credentials c = { "AKIA_OK", SECRET, NULL, 0 };
	const char *why = NULL;

	ck_assert_int_eq(aws_credentials_check(&c, &why), 0);
	c.access_key_id = "AKIA:BAD";
	ck_assert_int_eq(aws_credentials_check(&c, &why), -1);
	c.access_key_id = "AKIA";
	c.secret_access_key = "secret\r\nX-Injected: 1";
	ck_assert_int_eq(aws_credentials_check(&c, &why), -1);
	c.secret_access_key = SECRET;
	c.session_token = "";
	ck_assert_int_eq(aws_credentials_check(&c, &why), -1);
}
END_TEST

START_TEST(sts_region_rules)
{
	struct creds_env env = { 0 };

	ck_assert_str_eq(creds_sts_region(&env, "us-east-1"), "us-east-1");
	env.region = "eu-central-1";
	ck_assert_str_eq(creds_sts_region(&env, "us-east-1"), "eu-central-1");
	env.region = "bogus:region";
	ck_assert_str_eq(creds_sts_region(&env, "us-east-1"), "us-east-1");
}
END_TEST

START_TEST(imds_document)
{
	struct aws_credentials c;
	char *err = NULL;
	const char *good = "{\"Code\": \"Success\", \"LastUpdated\": \"2099-12-31T23:00:00Z\", \"Type\": \"AWS-HMAC\","
			   " \"AccessKeyId\": \"ASIAIMDS00000001\", \"SecretAccessKey\": \"" SECRET "\","
			   " \"Token\": \"" TOKEN "\", \"Expiration\": \"2100-01-01T00:00:00Z\"}";

	ck_assert_int_eq(imds_parse_credentials(good, T2100 - 60, &c, &err), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAIMDS00000001");
	ck_assert_str_eq(c.session_token, TOKEN);
	ck_assert_int_eq(c.expiration, T2100);
	aws_credentials_clear(&c);
	ck_assert_int_eq(imds_parse_credentials(good, T2100, &c, &err), -1);
	assert_no_secret(err);
	free(err);
	ck_assert_int_eq(imds_parse_credentials("{\"Code\": \"Failure\"}", 0, &c, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "Failure"));
	free(err);
	ck_assert_int_eq(imds_parse_credentials("{\"Code\": \"Success\", \"AccessKeyId\": \"A\"}", 0, &c, &err), -1);
	free(err);
	ck_assert_int_eq(imds_parse_credentials("not json " SECRET, 0, &c, &err), -1);
	assert_no_secret(err);
	free(err);
}
END_TEST

/* ---- the chain ---- */

static struct creds_env quiet_env(void)
{
	struct creds_env env = { 0 };

	env.home = tmpdir; /* no ~/.aws here */
	env.imds_disabled = true;
	return env;
}

static char *chain_source(const struct creds_env *env, time_t now, const char **key, char **err)
{
	struct creds_provider *p = creds_provider_chain(env);
	const struct aws_credentials *c = NULL;
	char *source = NULL;

	*err = NULL;
	if (creds_get(p, now, &c, err) == 0) {
		source = xstrdup(creds_source(p));
		*key = c->access_key_id[4] == 'E' ? "env" : c->access_key_id[4] == 'S' ? "systemd" : "profile";
	}
	creds_provider_free(p);
	return source;
}

START_TEST(chain_order)
{
	struct creds_env env = quiet_env();
	char *cred = write_file("credentials", "[default]\naws_access_key_id = AKIAPROFILE\n"
				"aws_secret_access_key = " SECRET "\n[other]\naws_access_key_id = AKIAPROFILE\n"
				"aws_secret_access_key = " SECRET "\n");
	char *sysdir = xasprintf("%s/sd", tmpdir), *sysfile = NULL, *src, *err = NULL;
	const char *key = NULL;

	ck_assert_int_eq(mkdir(sysdir, 0700), 0);
	sysfile = write_file("sd/aws", "[default]\naws_access_key_id = AKIASYSTEMD\n"
			     "aws_secret_access_key = " SECRET "\n");
	env.shared_credentials_file = cred;
	env.config_file = "/nonexistent";
	env.credentials_directory = sysdir;
	env.access_key_id = "AKIAENV";
	env.secret_access_key = SECRET;

	src = chain_source(&env, 0, &key, &err);
	ck_assert_str_eq(src, "environment");
	ck_assert_str_eq(key, "env");
	free(src);

	env.access_key_id = env.secret_access_key = NULL;
	src = chain_source(&env, 0, &key, &err);
	ck_assert_str_eq(key, "systemd");
	ck_assert_ptr_nonnull(strstr(src, "systemd credential, profile default ("));
	free(src);

	/* The systemd file has no profile "other": the profile files are next. */
	env.profile = "other";
	src = chain_source(&env, 0, &key, &err);
	ck_assert_str_eq(key, "profile");
	ck_assert_ptr_nonnull(strstr(src, "profile other ("));
	free(src);

	/* An AWS_PROFILE that exists nowhere is an error, not "try IMDS". */
	env.profile = "missing";
	ck_assert_ptr_null(chain_source(&env, 0, &key, &err));
	ck_assert_ptr_nonnull(strstr(err, "AWS_PROFILE names a profile that does not exist"));
	free(err);

	/* Half of the environment keys is an error too. */
	env.profile = NULL;
	env.access_key_id = "AKIAENV";
	ck_assert_ptr_null(chain_source(&env, 0, &key, &err));
	ck_assert_ptr_nonnull(strstr(err, "only one of AWS_ACCESS_KEY_ID"));
	free(err);

	/* Nothing at all, instance metadata disabled. */
	env.access_key_id = NULL;
	env.credentials_directory = NULL;
	env.shared_credentials_file = "/nonexistent";
	ck_assert_ptr_null(chain_source(&env, 0, &key, &err));
	ck_assert_ptr_nonnull(strstr(err, "disabled by AWS_EC2_METADATA_DISABLED"));
	assert_no_secret(err);
	free(err);
	free(cred);
	free(sysdir);
	free(sysfile);
}
END_TEST

START_TEST(role_profiles_need_the_network)
{
	struct creds_env env = quiet_env();
	char *conf = write_file("config", "[default]\nrole_arn = arn:aws:iam::111111111111:role/A\n"
				"credential_source = Ec2InstanceMetadata\n");
	const char *key = NULL;
	char *err = NULL;

	env.config_file = conf;
	ck_assert_ptr_null(chain_source(&env, 0, &key, &err));
	ck_assert_ptr_nonnull(strstr(err, "needs the network"));
	free(err);
	free(conf);
}
END_TEST

/*
 * The refresh margin: a credential_process answer expiring at T2100 is
 * used until T2100 - 300 s, then the chain is resolved again. The helper
 * counts its runs and hands out a different key each time.
 */
static char *counting_helper(const char *fail_from)
{
	char *body = xasprintf(
		"n=$(cat '%1$s/count' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '%1$s/count'\n"
		"[ $n -ge %2$s ] && exit 1\n"
		"printf '{\"Version\": 1, \"AccessKeyId\": \"AKIARUN%%d\", \"SecretAccessKey\": \"%3$s\","
		" \"Expiration\": \"2100-01-01T00:00:00Z\"}' $n",
		tmpdir, fail_from, SECRET);
	char *script = write_script("counting", body);
	char *conf = xasprintf("[default]\ncredential_process = %s\n", script);
	char *path = write_file("config", conf);

	free(body);
	free(script);
	free(conf);
	return path;
}

static int runs(void)
{
	char *path = xasprintf("%s/count", tmpdir);
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f) {
		ck_assert_int_eq(fscanf(f, "%d", &n), 1);
		fclose(f);
	}
	free(path);
	return n;
}

START_TEST(refresh_margin)
{
	struct creds_env env = quiet_env();
	char *conf = counting_helper("99");
	struct creds_provider *p;
	const struct aws_credentials *c = NULL;
	char *err = NULL;

	env.config_file = conf;
	p = creds_provider_chain(&env);
	ck_assert_str_eq(creds_source(p), "");
	ck_assert_int_eq(creds_get(p, T2100 - 3600, &c, &err), 0);
	ck_assert_str_eq(c->access_key_id, "AKIARUN1");
	ck_assert_str_eq(creds_source(p), "profile default (credential_process)");
	ck_assert_int_eq(creds_get(p, T2100 - CREDS_REFRESH_MARGIN_S - 1, &c, &err), 0);
	ck_assert_str_eq(c->access_key_id, "AKIARUN1");
	ck_assert_int_eq(runs(), 1);
	ck_assert_int_eq(creds_get(p, T2100 - CREDS_REFRESH_MARGIN_S, &c, &err), 0);
	ck_assert_str_eq(c->access_key_id, "AKIARUN2");
	ck_assert_int_eq(runs(), 2);
	creds_provider_free(p);
	free(conf);
}
END_TEST

START_TEST(failed_refresh_keeps_valid_credentials)
{
	struct creds_env env = quiet_env();
	char *conf = counting_helper("2"); /* the second run fails */
	struct creds_provider *p;
	const struct aws_credentials *c = NULL;
	char *err = NULL;

	env.config_file = conf;
	p = creds_provider_chain(&env);
	ck_assert_int_eq(creds_get(p, T2100 - 3600, &c, &err), 0);
	/* Due for refresh, the helper fails: the current ones are still valid. */
	ck_assert_int_eq(creds_get(p, T2100 - 100, &c, &err), 0);
	ck_assert_str_eq(c->access_key_id, "AKIARUN1");
	ck_assert_int_eq(runs(), 2);
	/* Not asked again within 30 s ... */
	ck_assert_int_eq(creds_get(p, T2100 - 80, &c, &err), 0);
	ck_assert_int_eq(runs(), 2);
	/* ... and once they have expired, the failure is an error. */
	ck_assert_int_eq(creds_get(p, T2100, &c, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "exited with status 1"));
	assert_no_secret(err);
	free(err);
	creds_provider_free(p);
	free(conf);
}
END_TEST

START_TEST(static_provider_expires)
{
	struct aws_credentials in = { "ASIASTATIC", SECRET, TOKEN, T2100 }, c = { 0 };
	struct cred_source *p = cred_source_fixed(&in, "assumed role x");
	char *err = NULL;

	ck_assert_int_eq(cred_source_get(p, T2100 - 1, &c, &err), 0);
	ck_assert_str_eq(c.session_token, TOKEN);
	aws_credentials_clear(&c);
	ck_assert(!cred_source_renew(p, "ASIASTATIC", T2100 - 1));
	ck_assert_int_eq(cred_source_get(p, T2100, &c, &err), -1);
	ck_assert_ptr_null(c.access_key_id);
	ck_assert_ptr_nonnull(strstr(err, "credentials from assumed role x expired"));
	assert_no_secret(err);
	free(err);
	cred_source_free(p);
	cred_source_free(NULL);
}
END_TEST

/* Issue 13: role_arn + web_identity_token_file is a base of its own. */
START_TEST(profile_web_identity)
{
	struct creds_recipe r;
	char *err = NULL;

	ck_assert_int_eq(resolve(NULL, "[profile web]\nrole_arn = arn:aws:iam::111111111111:role/Web\n"
				 "web_identity_token_file = /var/run/token\nrole_session_name = ci\n"
				 "[profile top]\nrole_arn = arn:aws:iam::111111111111:role/Top\nsource_profile = web\n",
				 "top", &r, &err), 0);
	ck_assert_int_eq(r.base, CREDS_BASE_WEB_IDENTITY);
	ck_assert_str_eq(r.web_token_file, "/var/run/token");
	ck_assert_str_eq(r.web_role.role_arn, "arn:aws:iam::111111111111:role/Web");
	ck_assert_str_eq(r.web_role.session_name, "ci");
	ck_assert_uint_eq(r.nroles, 1);
	ck_assert_str_eq(r.roles[0].role_arn, "arn:aws:iam::111111111111:role/Top");
	creds_recipe_clear(&r);
	expect_error(NULL, "[profile w]\nweb_identity_token_file = /t\n", "w", "web_identity_token_file needs role_arn");
	expect_error(NULL, "[profile s]\nsso_start_url = https://x\n", "s", "export-credentials --profile s --format process");
}
END_TEST

START_TEST(token_files)
{
	char *good = write_file("token", "eyJhbGci.payload.sig\n"), *tok = NULL, *err = NULL;
	char *ww = write_mode("ww", "eyJ\n", 0666), *blank = write_file("blank", "\n"), *big = NULL;
	char *spaced = write_file("spaced", "a b\n");
	char *text = calloc(1, 200);

	ck_assert_int_eq(creds_read_token_file(good, "web identity token", 100, &tok, &err), 0);
	ck_assert_str_eq(tok, "eyJhbGci.payload.sig");
	free_secret(tok);
	ck_assert_int_eq(creds_read_token_file(ww, "web identity token", 100, &tok, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "world-writable"));
	free(err);
	chmod(good, 0620); /* safefile's rules: group-writable is refused too */
	ck_assert_int_eq(creds_read_token_file(good, "web identity token", 100, &tok, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is group-writable"));
	free(err);
	ck_assert_int_eq(creds_read_token_file(blank, "t", 100, &tok, &err), -1);
	free(err);
	ck_assert_int_eq(creds_read_token_file(spaced, "t", 100, &tok, &err), -1);
	ck_assert_ptr_null(strstr(err, "a b"));
	free(err);
	memset(text, 'x', 150);
	big = write_file("big", text);
	ck_assert_int_eq(creds_read_token_file(big, "t", 100, &tok, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "larger than 100 bytes"));
	free(err);
	ck_assert_int_eq(creds_read_token_file(tmpdir, "t", 100, &tok, &err), -1);
	free(err);
	free(good), free(ww), free(blank), free(big), free(spaced), free(text);
}
END_TEST

START_TEST(container_urls_and_answers)
{
	struct creds_container cc = { 0 };
	struct aws_credentials c;
	char *err = NULL, *url;
	static const char *const refused[] = {
		"https://127.0.0.1/creds", "http://169.254.169.254/creds", "http://127.0.0.1.example.com/x",
		"http://example.com/creds", "not a url",
	};

	cc.relative_uri = "/v2/credentials/abc";
	cc.full_uri = "http://example.com/ignored";
	url = creds_container_url(&cc, &err);
	ck_assert_str_eq(url, "http://169.254.170.2/v2/credentials/abc");
	free(url);
	cc.relative_uri = "v2@evil";
	ck_assert_ptr_null(creds_container_url(&cc, &err));
	free(err);
	cc.relative_uri = NULL;
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		cc.full_uri = refused[i];
		ck_assert_msg(creds_container_url(&cc, &err) == NULL, "%s accepted", refused[i]);
		free(err);
	}
	cc.full_uri = "http://169.254.170.23/v1/credentials";
	url = creds_container_url(&cc, &err);
	ck_assert_str_eq(url, cc.full_uri);
	free(url);
	cc.full_uri = "http://localhost:8080/c";
	url = creds_container_url(&cc, &err);
	ck_assert_ptr_nonnull(url);
	free(url);
	ck_assert_int_eq(creds_container_parse("{\"AccessKeyId\": \"ASIAX\", \"SecretAccessKey\": \"" SECRET "\", "
					       "\"Token\": \"" TOKEN "\", \"Expiration\": \"2100-01-01T00:00:00Z\", "
					       "\"RoleArn\": \"arn:aws:iam::1:role/task\"}", 0, &c, &err), 0);
	ck_assert_int_eq(c.expiration, T2100);
	aws_credentials_clear(&c);
	ck_assert_int_eq(creds_container_parse("{\"AccessKeyId\": \"ASIAX\", \"SecretAccessKey\": \"" SECRET "\", "
					       "\"Token\": \"" TOKEN "\", \"Expiration\": \"2000-01-01T00:00:00Z\"}",
					       T2100, &c, &err), -1);
	assert_no_secret(err);
	ck_assert_ptr_nonnull(strstr(err, "expired"));
	free(err);
	ck_assert_int_eq(creds_container_parse("{\"AccessKeyId\": \"ASIAX\"}", 0, &c, &err), -1);
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("creds");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, static_keys_from_the_credentials_file);
	tcase_add_test(tc, config_file_needs_the_profile_prefix);
	tcase_add_test(tc, credentials_file_wins_over_config);
	tcase_add_test(tc, role_arn_first_then_static_then_process);
	tcase_add_test(tc, role_chain_in_order_with_its_settings);
	tcase_add_test(tc, five_roles_deep_is_fine_six_is_refused);
	tcase_add_test(tc, loops_are_refused_self_with_keys_is_not);
	tcase_add_test(tc, credential_source);
	tcase_add_test(tc, broken_files_and_profiles);
	tcase_add_test(tc, commands_split_like_the_aws_cli);
	tcase_add_test(tc, process_good_answer);
	tcase_add_test(tc, process_expired_answer);
	tcase_add_test(tc, process_bad_answers);
	tcase_add_test(tc, process_failures);
	tcase_add_test(tc, iso8601_times);
	tcase_add_test(tc, credentials_check);
	tcase_add_test(tc, sts_region_rules);
	tcase_add_test(tc, imds_document);
	tcase_add_test(tc, chain_order);
	tcase_add_test(tc, role_profiles_need_the_network);
	tcase_add_test(tc, refresh_margin);
	tcase_add_test(tc, failed_refresh_keeps_valid_credentials);
	tcase_add_test(tc, static_provider_expires);
	tcase_add_test(tc, profile_web_identity);
	tcase_add_test(tc, token_files);
	tcase_add_test(tc, container_urls_and_answers);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
