/*
 * Unit tests of config (config.c, config_yaml.c, config_schema.c,
 * config_model.c, config_check.c): good configs read into every field,
 * defaults, directories, the built-in table, every kind of error at its
 * exact position, and the corpus of tests/configs/{bad,good}. Every test
 * writes its files into its own mkdtemp directory; nothing needs the
 * network or the clock.
 */
#include <check.h>
#include <openssl/sha.h>

#include "check_main.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_check.h"
#include "util.h"

/* The per-test scratch directory (set up and removed by the fixture). */
static char tmpdir[64];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/check_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_rf(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static void teardown(void)
{
	rm_rf(tmpdir);
}

/* Writes text to tmpdir/name (0644); returns the path (caller frees). */
static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	return path;
}

/* All error lines as one string, one per line (caller frees). */
static char *joined(const struct config_errors *errs)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < errs->n; i++)
		sb_printf(&sb, "%s\n", errs->lines[i]);
	return sb_steal(&sb);
}

/* Loads text as tmpdir/c.yaml; expects success. Caller frees. */
static struct config *load_ok(const char *text)
{
	char *path = write_file("c.yaml", text);
	struct config *cfg = NULL;
	struct config_errors errs = { 0 };
	char *all = NULL;

	if (config_load(path, &cfg, &errs) != 0) {
		all = joined(&errs);
		ck_abort_msg("unexpected errors:\n%s", all);
	}
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_nonnull(cfg);
	free(path);
	return cfg;
}

/* Loads path; expects failure; returns the joined errors (caller frees). */
static char *load_path_fails(const char *path)
{
	struct config *cfg = NULL;
	struct config_errors errs = { 0 };
	char *all = NULL;

	ck_assert_int_eq(config_load(path, &cfg, &errs), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_ge(errs.n, 1);
	all = joined(&errs);
	config_errors_free(&errs);
	return all;
}

static char *load_fails(const char *text)
{
	char *path = write_file("c.yaml", text);
	char *all = load_path_fails(path);

	free(path);
	return all;
}

/* Asserts that text fails with an error line "PATH:pos message..." that
 * contains msg. pos is "LINE:COLUMN: ". */
static void expect_error(const char *text, const char *pos, const char *msg)
{
	char *all = load_fails(text);
	char *prefix = xasprintf("%s/c.yaml:%s", tmpdir, pos);
	bool found = false;

	for (const char *l = all; *l && !found;) {
		const char *end = strchr(l, '\n');
		char *line = xstrndup(l, (size_t)(end - l));

		found = strncmp(line, prefix, strlen(prefix)) == 0 && strstr(line, msg);
		free(line);
		l = end + 1;
	}
	ck_assert_msg(found, "for:\n%s\nwanted %s...%s, got:\n%s", text, prefix, msg, all);
	free(prefix);
	free(all);
}

#define V1 "version: 1\n"
#define ORG_MODEL "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"

START_TEST(test_full_config)
{
	struct config *cfg = load_ok(
		"version: 1\n"
		"region: eu-west-1\n"
		"interval: 1h30m\n"
		"prune: false\n"
		"max_deletes: 3\n"
		"max_tps: 2.5\n"
		"retry:\n"
		"  max_attempts: 4\n"
		"activation:\n"
		"  override: ALL_GRANTS_PERMITTED_BY_ISSUER\n"
		"  grantee_role: LicenseGrantActivator\n"
		"models:\n"
		"  zeta:\n"
		"    license: arn:aws:license-manager::294406891311:license:"
		"l-0123456789abcdef0123456789abcdef\n"
		"    accounts: [\"222222222222\"]\n"
		"    ous: [ou-ab12-dev00001]\n"
		"    organization: false\n"
		"    operations: [CheckoutLicense, CreateToken]\n"
		"    activate: false\n"
		"  alpha:\n"
		"    product: prod-4pmewlybdftbs\n"
		"    ous: [Workloads/Prod]\n");
	const struct config_model *a = &cfg->models[0], *z = &cfg->models[1];

	ck_assert_str_eq(cfg->region, "eu-west-1");
	ck_assert_uint_eq(cfg->interval_s, 5400);
	ck_assert(!cfg->prune);
	ck_assert_uint_eq(cfg->max_deletes, 3);
	ck_assert(cfg->max_tps == 2.5);
	ck_assert_uint_eq(cfg->retry_max_attempts, 4);
	ck_assert_str_eq(cfg->activation_override, "ALL_GRANTS_PERMITTED_BY_ISSUER");
	ck_assert_str_eq(cfg->grantee_role, "LicenseGrantActivator");
	ck_assert_uint_eq(cfg->nfiles, 1);
	ck_assert_uint_eq(cfg->nmodels, 2);

	/* Sorted by name. */
	ck_assert_str_eq(a->name, "alpha");
	ck_assert_str_eq(a->product, "prod-4pmewlybdftbs");
	ck_assert_ptr_null(a->license_arn);
	ck_assert(!a->product_from_table);
	ck_assert(a->activate);
	ck_assert_uint_eq(a->pos.line, 20);
	ck_assert_uint_eq(a->pos.column, 3);
	ck_assert_str_eq(a->pos.file, cfg->files[0]);
	ck_assert_uint_eq(a->ntargets, 1);
	ck_assert_int_eq(a->targets[0].kind, TARGET_OU);
	ck_assert(a->targets[0].is_ou_path);
	ck_assert_str_eq(a->targets[0].label, "ou Workloads/Prod");
	ck_assert_uint_eq(a->noperations, 5);

	ck_assert_str_eq(z->name, "zeta");
	ck_assert_ptr_null(z->product);
	ck_assert_str_eq(z->license_arn, "arn:aws:license-manager::294406891311:license:"
					 "l-0123456789abcdef0123456789abcdef");
	ck_assert(!z->activate);
	/* OUs, then accounts, whatever the key order. */
	ck_assert_uint_eq(z->ntargets, 2);
	ck_assert_int_eq(z->targets[0].kind, TARGET_OU);
	ck_assert(!z->targets[0].is_ou_path);
	ck_assert_str_eq(z->targets[0].value, "ou-ab12-dev00001");
	ck_assert_str_eq(z->targets[0].label, "ou ou-ab12-dev00001");
	ck_assert_uint_eq(z->targets[0].pos.line, 16);
	ck_assert_uint_eq(z->targets[0].pos.column, 11);
	ck_assert_int_eq(z->targets[1].kind, TARGET_ACCOUNT);
	ck_assert_str_eq(z->targets[1].value, "222222222222");
	ck_assert_str_eq(z->targets[1].label, "account 222222222222");
	ck_assert_uint_eq(z->noperations, 2);
	ck_assert_str_eq(z->operations[0], "CheckoutLicense");
	ck_assert_str_eq(z->operations[1], "CreateToken");
	config_free(cfg);
}
END_TEST

START_TEST(test_defaults)
{
	struct config *cfg = load_ok(V1 ORG_MODEL);
	size_t ndef = 0;
	const char *const *def = config_default_operations(&ndef);

	ck_assert_str_eq(cfg->region, "us-east-1");
	ck_assert_uint_eq(cfg->interval_s, 300);
	ck_assert(cfg->prune);
	ck_assert_uint_eq(cfg->max_deletes, 10);
	ck_assert(cfg->max_tps == 5);
	ck_assert_uint_eq(cfg->retry_max_attempts, 8);
	ck_assert_str_eq(cfg->activation_override, "DISTRIBUTED_GRANTS_ONLY");
	ck_assert_ptr_null(cfg->grantee_role);
	ck_assert_uint_eq(cfg->activation_retry_after_s, 24 * 3600);
	ck_assert_uint_eq(cfg->failed_retry_s, 3600);
	ck_assert_int_eq(cfg->models[0].targets[0].kind, TARGET_ORGANIZATION);
	ck_assert(cfg->models[0].activate);
	ck_assert_uint_eq(ndef, 5);
	ck_assert_uint_eq(cfg->models[0].noperations, ndef);
	for (size_t i = 0; i < ndef; i++)
		ck_assert_str_eq(cfg->models[0].operations[i], def[i]);
	ck_assert_str_eq(def[0], "CheckoutLicense");
	ck_assert_str_eq(def[4], "CreateToken");
	config_free(cfg);
}
END_TEST

/* SPEC §5 mode, and SPEC §6: the digest is sha256 of the bytes read. */
START_TEST(test_mode_and_digest)
{
	static const char text[] = V1 "mode: observe\n" ORG_MODEL;
	struct config *cfg = load_ok(text);
	unsigned char md[32];
	char hex[65];

	ck_assert(cfg->observe);
	SHA256((const unsigned char *)text, strlen(text), md);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ck_assert_str_eq(cfg->sha256, hex);
	config_free(cfg);
	cfg = load_ok(V1 "mode: enforce\n" ORG_MODEL);
	ck_assert(!cfg->observe);
	config_free(cfg);
}
END_TEST

START_TEST(test_retry_periods)
{
	struct config *cfg = load_ok(V1 "failed_retry: 90s\nactivation:\n  retry_after: 2h\n" ORG_MODEL);

	ck_assert_uint_eq(cfg->failed_retry_s, 90);
	ck_assert_uint_eq(cfg->activation_retry_after_s, 7200);
	config_free(cfg);
	expect_error(V1 "failed_retry: soon\n" ORG_MODEL, "2:15: ", "failed_retry 'soon' is not a duration");
	expect_error(V1 "activation:\n  retry_after: 0s\n" ORG_MODEL, "3:16: ",
		     "activation.retry_after must be at least 1s");
}
END_TEST

/* SPEC 2: the organization and any other target of one model overlap. */
START_TEST(test_organization_overlap_is_error)
{
	expect_error(V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
		     "    ous: [Workloads]\n    accounts: [\"222222222222\"]\n",
		     "6:11: ", "ou Workloads overlaps organization: true (5:5) in model 'm'");
	expect_error(V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
		     "    ous: [Workloads]\n    accounts: [\"222222222222\"]\n",
		     "7:16: ", "account 222222222222 overlaps organization: true");
	/* organization: false is no target. */
	config_free(load_ok(V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n"
			    "    organization: false\n    ous: [Workloads]\n"));
}
END_TEST

START_TEST(test_interval_forms)
{
	static const struct {
		const char *text;
		unsigned secs;
	} cases[] = {
		{ "90s", 90 }, { "5m", 300 }, { "1h", 3600 }, { "300", 300 }, { "\"300\"", 300 },
		{ "1h30m", 5400 }, { "1d", 86400 }, { "7d", 604800 }, { "1s", 1 }, { "2m30s", 150 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *text = xasprintf(V1 "interval: %s\n" ORG_MODEL, cases[i].text);
		struct config *cfg = load_ok(text);

		ck_assert_msg(cfg->interval_s == cases[i].secs, "%s: %u", cases[i].text,
			      cfg->interval_s);
		config_free(cfg);
		free(text);
	}
}
END_TEST

START_TEST(test_builtin_table)
{
	struct config *cfg = load_ok(V1 "models:\n"
				     "  anthropic.claude-sonnet-4-20250514-v1:0:\n"
				     "    organization: true\n");
	const struct config_model *m = &cfg->models[0];

	ck_assert_str_eq(m->product, "prod-4pmewlybdftbs");
	ck_assert(m->product_from_table);
	ck_assert_ptr_null(m->license_arn);
	config_free(cfg);

	ck_assert_str_eq(config_bedrock_product("anthropic.claude-3-5-sonnet-20241022-v2:0"),
			 "prod-cx7ovbu5wex7g");
	ck_assert_str_eq(config_bedrock_product("anthropic.claude-3-haiku-20240307-v1:0"),
			 "prod-ozonys2hmmpeu");
	ck_assert_ptr_null(config_bedrock_product("meta.llama3-70b-instruct-v1:0"));
	ck_assert_ptr_null(config_bedrock_product(""));
	/* An explicit product wins over the table. */
	cfg = load_ok(V1 "models:\n  anthropic.claude-3-haiku-x:\n"
		      "    product: prod-aaaaaaaaaaaa\n    organization: true\n");
	ck_assert_str_eq(cfg->models[0].product, "prod-aaaaaaaaaaaa");
	ck_assert(!cfg->models[0].product_from_table);
	config_free(cfg);
}
END_TEST

START_TEST(test_longest_prefix_wins)
{
	static const struct bedrock_entry t1[] = {
		{ "vendor.model", "prod-short0000" },
		{ "vendor.model-large", "prod-large0000" },
	};
	static const struct bedrock_entry t2[] = {
		{ "vendor.model-large", "prod-large0000" },
		{ "vendor.model", "prod-short0000" },
	};

	ck_assert_str_eq(bedrock_lookup(t1, 2, "vendor.model-large-v2"), "prod-large0000");
	ck_assert_str_eq(bedrock_lookup(t2, 2, "vendor.model-large-v2"), "prod-large0000");
	ck_assert_str_eq(bedrock_lookup(t1, 2, "vendor.model-v3"), "prod-short0000");
	/* Only at a boundary: "-small" is another model, not a version. */
	ck_assert_ptr_null(bedrock_lookup(t1, 2, "vendor.model-small"));
	ck_assert_ptr_null(bedrock_lookup(t1, 2, "vendor.modelx"));
	ck_assert_str_eq(bedrock_lookup(t1, 2, "vendor.model:0"), "prod-short0000");
	ck_assert_str_eq(bedrock_lookup(t1, 2, "vendor.model.2"), "prod-short0000");
	ck_assert_str_eq(bedrock_lookup(t2, 2, "vendor.model"), "prod-short0000");
	ck_assert_ptr_null(bedrock_lookup(t1, 2, "vendor.mode"));
}
END_TEST

/* Every row of the compiled-in table would pass the config's own checks. */
START_TEST(test_table_rows_valid)
{
	size_t n = 0;
	const struct bedrock_entry *t = config_bedrock_table(&n);

	ck_assert_uint_ge(n, 10);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(check_product(t[i].product), "%s", t[i].product);
		ck_assert_msg(check_model_name(t[i].prefix), "%s", t[i].prefix);
		ck_assert_str_eq(config_bedrock_product(t[i].prefix), t[i].product);
	}
}
END_TEST

/* No row's prefix claims the model ids of another row: each row's own ids
 * (its prefix, then a version or a date) resolve to that row. */
START_TEST(test_table_rows_do_not_shadow)
{
	static const char *const tails[] = { "", "-v1:0", ":0", "-20250101-v1:0", "-v2:0:200k" };
	size_t n = 0;
	const struct bedrock_entry *t = config_bedrock_table(&n);

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ARRAY_LEN(tails); k++) {
			char *id = xasprintf("%s%s", t[i].prefix, tails[k]);

			ck_assert_msg(strcmp(config_bedrock_product(id), t[i].product) == 0,
				      "%s resolves to %s, not %s", id, config_bedrock_product(id),
				      t[i].product);
			free(id);
		}
	/* Command R+ is its own product, not Command R's. */
	ck_assert_str_eq(config_bedrock_product("cohere.command-r-plus-v1:0"), "prod-nb4wqmplze2pm");
	ck_assert_str_eq(config_bedrock_product("cohere.command-r-v1:0"), "prod-tukx4z3hrewle");
}
END_TEST

START_TEST(test_product_id_shapes)
{
	ck_assert(check_product("prod-4pmewlybdftbs"));
	ck_assert(check_product("prodview-abcdefgh12"));
	ck_assert(check_product("a61c46fe-1747-41aa-9af0-2e0ae8a9ce05"));
	ck_assert(check_product("A61C46FE-1747-41AA-9AF0-2E0AE8A9CE05"));
	ck_assert(!check_product("prodview-"));
	ck_assert(!check_product("prodview-abc"));
	ck_assert(!check_product("a61c46fe-1747-41aa-9af0-2e0ae8a9ce0"));
	ck_assert(!check_product("a61c46fe-1747-41aa-9af0-2e0ae8a9ce05-"));
	ck_assert(!check_product("a61c46fe17474-1aa-9af0-2e0ae8a9ce05"));
	ck_assert(!check_product("view-abcdefgh12"));
}
END_TEST

START_TEST(test_accounts_forms)
{
	struct config *cfg =
		load_ok(V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n"
			   "    accounts: [011111111111, 222222222222, \"033333333333\",\n"
			   "               '444444444444']\n");
	const struct config_model *m = &cfg->models[0];

	ck_assert_uint_eq(m->ntargets, 4);
	/* The leading zero survives: the scalar's text, never a number. */
	ck_assert_str_eq(m->targets[0].value, "011111111111");
	ck_assert_str_eq(m->targets[1].value, "222222222222");
	ck_assert_str_eq(m->targets[2].value, "033333333333");
	ck_assert_str_eq(m->targets[3].value, "444444444444");
	ck_assert_str_eq(m->targets[0].label, "account 011111111111");
	ck_assert_uint_eq(m->targets[3].pos.line, 6);
	ck_assert_uint_eq(m->targets[3].pos.column, 16);
	config_free(cfg);
}
END_TEST

START_TEST(test_ou_forms)
{
	struct config *cfg = load_ok(V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n"
				     "    ous:\n"
				     "      - Root OU\n"
				     "      - \"Workloads/Prod/Team A\"\n"
				     "      - ou-abcd-12345678\n"
				     "      - ou-0123456789abcdefghijklmnopqrstuv-abcdefgh\n");
	const struct config_model *m = &cfg->models[0];

	ck_assert_uint_eq(m->ntargets, 4);
	ck_assert(m->targets[0].is_ou_path);
	ck_assert_str_eq(m->targets[1].value, "Workloads/Prod/Team A");
	ck_assert_str_eq(m->targets[1].label, "ou Workloads/Prod/Team A");
	ck_assert(!m->targets[2].is_ou_path);
	ck_assert(!m->targets[3].is_ou_path);
	config_free(cfg);
}
END_TEST

/* One line per case: the YAML, the position and a piece of the message. */
static const struct {
	const char *text;
	const char *pos;
	const char *msg;
} error_cases[] = {
	{ "version: 1\nmodels: [\n", "3:1: ", "YAML syntax error" },
	{ "version: 1\nmodels:\n  m:\n\torganization: true\n", "4:1: ", "tabs are not allowed" },
	{ "version: 1\nmodels:\n  a: *x\n", "3:6: ", "aliases are not supported (*x)" },
	{ "version: 1\nx: &x 1\nmodels:\n  a: *x\n", "4:6: ", "aliases are not supported (*x)" },
	{ "version: 1\nregion: !custom us-east-1\n" ORG_MODEL, "2:9: ", "unsupported tag !custom" },
	{ "version: 1\nmodels: !!set {a}\n", "2:9: ", "unsupported tag !!set" },
	{ "version: 1\nmax_deletes: !!int abc\n" ORG_MODEL,
	  "2:14: ", "the value does not fit its tag !!int" },
	{ "version: 1\nversion: 1\n" ORG_MODEL, "2:1: ", "duplicate key 'version' (first at 1:1)" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    product: prod-4pmewlybdftbs\n",
	  "5:5: ", "duplicate key 'product' (first at 4:5)" },
	{ V1 "Region: us-east-1\n" ORG_MODEL, "2:1: ", "did you mean 'region'?" },
	{ V1 "max-tps: 5\n" ORG_MODEL, "2:1: ", "did you mean 'max_tps'?" },
	{ V1 "regoin: us-east-1\n" ORG_MODEL, "2:1: ", "did you mean 'region'?" },
	{ V1 "mode: obsreve\n" ORG_MODEL, "2:7: ", "mode 'obsreve' is not valid; did you mean 'observe'?" },
	{ V1 "mode: true\n" ORG_MODEL, "2:7: ", "mode: expected a string, found a boolean" },
	{ V1 "activation:\n  overide: ALL_GRANTS_PERMITTED_BY_ISSUER\n" ORG_MODEL,
	  "3:3: ", "unknown key 'overide' in activation; did you mean 'override'?" },
	{ V1 "activation:\n  override: DISTRIBUTED_GRANT_ONLY\n" ORG_MODEL,
	  "3:13: ", "did you mean 'DISTRIBUTED_GRANTS_ONLY'?" },
	{ V1 "models:\n  m:\n    licence: x\n    organization: true\n",
	  "4:5: ", "unknown key 'licence' in model 'm'; did you mean 'license'?" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organisation: true\n",
	  "5:5: ", "did you mean 'organization'?" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    op: []\n",
	  "5:5: ", "unknown key 'op' in model 'm' (expected one of: product, license" },
	{ V1 "region: 12\n" ORG_MODEL, "2:9: ", "region: expected a string, found an integer" },
	{ V1 "region: true\n" ORG_MODEL, "2:9: ", "region: expected a string, found a boolean" },
	{ V1 "region: [us-east-1]\n" ORG_MODEL,
	  "2:9: ", "region: expected a string, found a list" },
	{ V1 "region: us_east_1\n" ORG_MODEL, "2:9: ", "does not look like an AWS region" },
	{ V1 "region: us-east\n" ORG_MODEL, "2:9: ", "does not look like an AWS region" },
	{ V1 "interval: 0\n" ORG_MODEL, "2:11: ", "interval must be at least 1s" },
	{ V1 "interval: 5 m\n" ORG_MODEL, "2:11: ", "is not a duration" },
	{ V1 "interval: 1m1h\n" ORG_MODEL, "2:11: ", "is not a duration" },
	{ V1 "interval: 500ms\n" ORG_MODEL, "2:11: ", "is not a duration" },
	{ V1 "interval: 1.5h\n" ORG_MODEL, "2:11: ", "is not a duration" },
	{ V1 "interval: 1.5\n" ORG_MODEL, "2:11: ", "found a number" },
	{ V1 "interval:\n" ORG_MODEL, "2:10: ", "found nothing" },
	{ V1 "interval: 604801\n" ORG_MODEL, "2:11: ", "at most 7d" },
	{ V1 "interval: 99999999999999999999s\n" ORG_MODEL, "2:11: ", "at most 7d" },
	{ V1 "prune: no\n" ORG_MODEL, "2:8: ", "yes/no/on/off are not accepted" },
	{ V1 "prune: FALSE\n" ORG_MODEL, "2:8: ", "write it in lowercase" },
	{ V1 "prune: 0\n" ORG_MODEL, "2:8: ", "prune: expected true or false, found an integer" },
	{ V1 "prune: \"false\"\n" ORG_MODEL, "2:8: ", "expected true or false, found a string" },
	{ V1 "max_deletes: 1.5\n" ORG_MODEL, "2:14: ", "expected an integer, found a number" },
	{ V1 "max_deletes: 0x10\n" ORG_MODEL, "2:14: ", "expected an integer, found a string" },
	{ V1 "max_deletes: 99999999999999\n" ORG_MODEL, "2:14: ", "between 0 and 1000000" },
	{ V1 "max_tps: -1\n" ORG_MODEL, "2:10: ", "greater than 0" },
	{ V1 "max_tps: .inf\n" ORG_MODEL, "2:10: ", "greater than 0" },
	{ V1 "max_tps: .nan\n" ORG_MODEL, "2:10: ", "greater than 0" },
	{ V1 "max_tps: five\n" ORG_MODEL, "2:10: ", "max_tps: expected a number, found a string" },
	{ V1 "retry:\n  max_attempts: 101\n" ORG_MODEL, "3:17: ", "between 1 and 100" },
	{ V1 "retry: 3\n" ORG_MODEL, "2:8: ", "retry: expected a mapping, found an integer" },
	{ V1 "activation:\n  grantee_role: \"\"\n" ORG_MODEL, "3:17: ", "is not an IAM role name" },
	{ V1 "activation:\n  grantee_role: a/b\n" ORG_MODEL, "3:17: ", "is not an IAM role name" },
	{ "version: 1.0\n" ORG_MODEL, "1:10: ", "version: expected the integer 1, found a number" },
	{ "version: 01\n" ORG_MODEL, "1:10: ", "unsupported version 01" },
	{ "version:\n" ORG_MODEL, "1:9: ", "version: expected the integer 1, found nothing" },
	{ "# comment\n\nregion: us-east-1\n" ORG_MODEL, "3:1: ", "missing required key 'version'" },
	{ "just a string\n",
	  "1:1: ", "the top level must be a mapping of settings, found a string" },
	{ "~\n", "1:1: ", "the file is empty" },
	{ "# only a comment\n", "1:1: ", "the file is empty" },
	{ V1 "models:\n",
	  "2:8: ", "models: expected a mapping of model names to models, found nothing" },
	{ V1 "models:\n  \"\":\n    product: prod-4pmewlybdftbs\n    organization: true\n",
	  "3:3: ", "model name '' is not valid" },
	{ V1 "models:\n  m/1:\n    product: prod-4pmewlybdftbs\n    organization: true\n",
	  "3:3: ", "model name 'm/1' is not valid" },
	{ V1 "models:\n  m:\n    product: [prod-4pmewlybdftbs]\n    organization: true\n",
	  "4:14: ", "product: expected a string, found a list" },
	{ V1 "models:\n  m:\n    product: prod-pmewlyb\n    organization: true\n",
	  "4:14: ", "not a Marketplace product id" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs-\n    organization: true\n",
	  "4:14: ", "not a Marketplace product id" },
	{ V1 "models:\n  m:\n    license: arn:aws:license-manager::29440689131:license:"
	     "l-0123456789abcdef0123456789abcdef\n    organization: true\n",
	  "4:14: ", "not a License Manager license ARN" },
	{ V1 "models:\n  m:\n    license: arn:aws:license-manager::294406891311:license:"
	     "l-0123456789abcdef0123456789abcde\n    organization: true\n",
	  "4:14: ", "not a License Manager license ARN" },
	{ V1 "models:\n  m:\n    organization: true\n    license: arn:aws:license-manager::"
	     "294406891311:license:l-0123456789abcdef0123456789abcdef\n"
	     "    product: prod-4pmewlybdftbs\n",
	  "6:5: ", "sets both product and license" },
	{ V1 "models:\n  m: {}\n", "3:3: ", "model 'm' has no target" },
	{ V1 "models:\n  m: {}\n",
	  "3:3: ", "model 'm' names no license: add product: or license:" },
	{ V1 "models:\n  m: []\n", "3:6: ", "model 'm': expected a mapping, found a list" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: false\n",
	  "3:3: ", "model 'm' has no target" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    accounts: []\n    ous: []\n",
	  "3:3: ", "model 'm' has no target" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    accounts: \"222222222222\"\n",
	  "5:15: ", "accounts: expected a list, found a string" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    accounts: [[222222222222]]\n",
	  "5:16: ", "accounts: expected a 12-digit account id, found a list" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    accounts: [~]\n",
	  "5:16: ", "found nothing" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    accounts: [+22222222222]\n",
	  "5:16: ", "must be exactly 12 digits" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    accounts: [\" 222222222222\"]\n",
	  "5:16: ", "must be exactly 12 digits" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [ou-]\n",
	  "5:11: ", "starts with ou- but is not an OU id" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [ou-AB12-dev00001]\n",
	  "5:11: ", "starts with ou- but is not an OU id" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [ou-ab12-dev0000]\n",
	  "5:11: ", "starts with ou- but is not an OU id" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [\"\"]\n",
	  "5:11: ", "OU path '' is not valid: it is empty" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [\"A/\\tB\"]\n",
	  "5:11: ", "OU path 'A/\\x09B' is not valid: it contains a control character" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [A, B, A, ou-abcd-12345678,"
	     " ou-abcd-12345678]\n",
	  "5:17: ", "duplicate target 'ou A' (first at 5:11)" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [A, B, A, ou-abcd-12345678,"
	     " ou-abcd-12345678]\n",
	  "5:38: ", "duplicate target 'ou ou-abcd-12345678' (first at 5:20)" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
	     "    operations: [checkoutlicense]\n",
	  "6:18: ", "did you mean 'CheckoutLicense'?" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
	     "    operations: [Delete]\n",
	  "6:18: ", "unknown operation 'Delete' (known: " },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
	     "    operations:\n",
	  "6:16: ", "found nothing (leave the key out" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
	     "    operations: [CreateGrant]\n",
	  "6:18: ", "operation CreateGrant is not allowed" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
	     "    activate: 1\n",
	  "6:15: ", "activate: expected true or false, found an integer" },
	{ V1 "models:\n  a:\n    license: arn:aws-us-gov:license-manager::294406891311:license:"
	     "l-0123456789abcdef0123456789abcdef\n    organization: true\n"
	     "  b:\n    license: arn:aws-us-gov:license-manager::294406891311:license:"
	     "l-0123456789abcdef0123456789abcdef\n    organization: true\n",
	  "7:14: ", "model 'b' names the same license as model 'a'" },
	{ V1 "models:\n  \"a\\x01\":\n    product: prod-4pmewlybdftbs\n    organization: true\n",
	  "3:3: ", "model name 'a\\x01' is not valid" },
	{ V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    organization: true\n"
	     "...\n---\n",
	  "7:1: ", "a second YAML document" },
};

START_TEST(test_error_positions)
{
	expect_error(error_cases[_i].text, error_cases[_i].pos, error_cases[_i].msg);
}
END_TEST

START_TEST(test_crlf_and_bom_positions)
{
	expect_error("version: 1\r\nregion: nowhere\r\n" ORG_MODEL, "2:9: ",
		     "does not look like an AWS region");
	expect_error("\xEF\xBB\xBFregion: us-east-1\n" ORG_MODEL, "1:1: ",
		     "missing required key 'version'");
	expect_error("\xEF\xBB\xBFversion: 1\nregion: 5\n" ORG_MODEL, "2:9: ", "found an integer");
	/* Columns count characters, not bytes. */
	expect_error(V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    ous: [\"Ünï\", Ünï]\n",
		     "5:18: ", "duplicate target 'ou Ünï' (first at 5:11)");
}
END_TEST

START_TEST(test_multiple_errors)
{
	char *all = load_fails("version: 2\n"
			       "region: moon\n"
			       "interval: 5x\n"
			       "max_tps: 0\n"
			       "bogus: 1\n"
			       "models:\n"
			       "  m:\n"
			       "    product: prod-X\n"
			       "    accounts: [1]\n"
			       "    operations: [Nope, CreateGrant]\n");
	/* Sorted by position. */
	static const char *const want[] = {
		"1:10: unsupported version 2",
		"2:9: region 'moon'",
		"3:11: interval '5x'",
		"4:10: max_tps must be",
		"5:1: unknown key 'bogus'",
		"8:14: product 'prod-X'",
		"9:16: account id '1'",
		"10:18: unknown operation 'Nope'",
		"10:24: operation CreateGrant",
	};
	const char *at = all;

	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const char *hit = strstr(at, want[i]);

		ck_assert_msg(hit, "missing or out of order: %s in\n%s", want[i], all);
		at = hit;
	}
	free(all);
}
END_TEST

START_TEST(test_errors_capped)
{
	struct strbuf sb = { 0 };
	char *all = NULL;
	size_t lines = 0;

	sb_puts(&sb, V1 "models:\n  m:\n    product: prod-4pmewlybdftbs\n    accounts:\n");
	for (int i = 0; i < 300; i++)
		sb_printf(&sb, "      - %d\n", i);
	all = load_fails(sb.buf);
	for (const char *p = all; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 101);
	ck_assert_ptr_nonnull(strstr(all, "too many errors; stopped after 100"));
	free(all);
	sb_free(&sb);
}
END_TEST

START_TEST(test_alias_bomb)
{
	struct strbuf sb = { 0 };
	char *all = NULL;

	/* A billion laughs: 9^9 nodes if expanded; refused at the first alias. */
	sb_puts(&sb, V1 ORG_MODEL "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (int i = 1; i < 10; i++)
		sb_printf(&sb, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n",
			  i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	all = load_fails(sb.buf);
	ck_assert_ptr_nonnull(strstr(all, ":7:10: aliases are not supported (*l0)"));
	free(all);
	sb_free(&sb);
}
END_TEST

START_TEST(test_bounds)
{
	struct strbuf sb = { 0 };
	char *all = NULL;
	char *path = NULL;

	/* 32 levels are fine (top mapping, models, model, ous list = 4). */
	sb_puts(&sb, V1 "x: ");
	for (int i = 0; i < 31; i++)
		sb_puts(&sb, "[");
	for (int i = 0; i < 31; i++)
		sb_puts(&sb, "]");
	sb_puts(&sb, "\n" ORG_MODEL);
	all = load_fails(sb.buf);
	ck_assert_ptr_nonnull(strstr(all, "2:1: unknown key 'x'"));
	ck_assert_ptr_null(strstr(all, "nesting"));
	free(all);
	sb_free(&sb);
	sb_puts(&sb, V1 "x: ");
	for (int i = 0; i < 100000; i++)
		sb_puts(&sb, "[");
	all = load_fails(sb.buf);
	ck_assert_ptr_nonnull(strstr(all, "2:35: nesting deeper than 32 levels"));
	free(all);
	sb_free(&sb);

	/* A 4096-byte scalar is fine, 4097 is not. */
	sb_puts(&sb, V1 ORG_MODEL "    ous:\n      - ");
	for (int i = 0; i < 4096; i++)
		sb_puts(&sb, "a");
	sb_puts(&sb, "\n");
	all = load_fails(sb.buf);
	ck_assert_ptr_nonnull(strstr(all, "an OU name is longer than 128"));
	free(all);
	sb_puts(&sb, "      - ");
	for (int i = 0; i < 4097; i++)
		sb_puts(&sb, "b");
	sb_puts(&sb, "\n");
	all = load_fails(sb.buf);
	ck_assert_ptr_nonnull(strstr(all, "8:9: string of 4097 bytes is longer than the limit"));
	free(all);
	sb_free(&sb);

	/* Files over 1 MiB are refused before parsing. */
	sb_puts(&sb, V1 ORG_MODEL);
	while (sb.len <= 1024 * 1024)
		sb_puts(&sb, "# padding padding padding padding padding padding padding padding\n");
	path = write_file("big.yaml", sb.buf);
	all = load_path_fails(path);
	ck_assert_ptr_nonnull(strstr(all, "big.yaml: file is larger than 1 MiB"));
	free(all);
	free(path);
	sb_free(&sb);
}
END_TEST

START_TEST(test_too_many_models)
{
	struct strbuf sb = { 0 };
	char *all = NULL;
	struct config *cfg = NULL;

	sb_puts(&sb, V1 "models:\n");
	for (int i = 0; i < 10000; i++)
		sb_printf(&sb, "  m%05d: {product: prod-%08d, organization: true}\n", i, i);
	cfg = load_ok(sb.buf);
	ck_assert_uint_eq(cfg->nmodels, 10000);
	ck_assert_str_eq(cfg->models[9999].name, "m09999");
	config_free(cfg);
	sb_puts(&sb, "  m10000: {product: prod-99999999, organization: true}\n");
	all = load_fails(sb.buf);
	ck_assert_ptr_nonnull(strstr(all, "10003:3: more than 10000 models"));
	free(all);
	sb_free(&sb);
}
END_TEST

START_TEST(test_world_writable)
{
	char *path = write_file("c.yaml", V1 ORG_MODEL);
	char *sub = xasprintf("%s/open", tmpdir);
	char *inner = NULL;
	char *all = NULL;
	char *want = NULL;
	struct config *cfg = NULL;
	struct config_errors errs = { 0 };

	ck_assert_int_eq(chmod(path, 0666), 0);
	all = load_path_fails(path);
	want = xasprintf("%s: refusing a world-writable file: it decides who gets access\n", path);
	ck_assert_str_eq(all, want);
	free(all);
	free(want);

	/* A world-writable directory, as the config or as the file's parent. */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	inner = xasprintf("%s/a.yaml", sub);
	rename(path, inner);
	ck_assert_int_eq(chmod(sub, 0777), 0);
	all = load_path_fails(sub);
	ck_assert_ptr_nonnull(strstr(all, "refusing a world-writable directory: it decides who"));
	free(all);
	all = load_path_fails(inner);
	ck_assert_ptr_nonnull(strstr(all, "refusing a config in a world-writable directory"));
	free(all);
	/* Sticky (like /tmp): nobody can swap another's file, so it is fine. */
	ck_assert_int_eq(chmod(sub, 01777), 0);
	ck_assert_int_eq(config_load(inner, &cfg, &errs), 0);
	config_free(cfg);
	/* A world-writable file inside a good directory. */
	ck_assert_int_eq(chmod(sub, 0755), 0);
	ck_assert_int_eq(chmod(inner, 0646), 0);
	all = load_path_fails(sub);
	ck_assert_ptr_nonnull(strstr(all, "a.yaml: refusing a world-writable file"));
	free(all);
	free(inner);
	free(sub);
	free(path);
}
END_TEST

START_TEST(test_unreadable_paths)
{
	char *missing = xasprintf("%s/nope.yaml", tmpdir);
	char *all = load_path_fails(missing);

	ck_assert_ptr_nonnull(strstr(all, "nope.yaml: cannot open: No such file or directory"));
	free(all);
	free(missing);
	all = load_path_fails("/dev/null");
	ck_assert_str_eq(all, "/dev/null: not a regular file\n");
	free(all);
}
END_TEST

START_TEST(test_directory_merge)
{
	char *d = xasprintf("%s/conf.d", tmpdir);
	char *f = NULL;
	struct config *cfg = NULL;
	struct config_errors errs = { 0 };
	char *slash = NULL;

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file(
		"conf.d/20-models.yaml",
		V1 "models:\n  zz:\n    product: prod-5oba7y7jpji56\n    accounts: [222222222222]\n"
		   "  aa:\n    product: prod-4pmewlybdftbs\n    organization: true\n"));
	free(write_file("conf.d/10-settings.yaml",
			V1 "region: eu-west-1\ninterval: 90s\nretry:\n  max_attempts: 2\n"));
	free(write_file(
		"conf.d/30-more.yaml",
		V1 "activation:\n  grantee_role: Activator\n"
		   "models:\n  mm:\n    license: arn:aws:license-manager::294406891311:license:"
		   "l-0123456789abcdef0123456789abcdef\n    ous: [ou-abcd-12345678]\n"));
	/* Not read: hidden, other extensions, directories. */
	free(write_file("conf.d/.hidden.yaml", "garbage: ["));
	free(write_file("conf.d/notes.yml", "garbage: ["));
	free(write_file("conf.d/40-backup.yaml~", "garbage: ["));
	f = xasprintf("%s/sub", d);
	ck_assert_int_eq(mkdir(f, 0755), 0);
	free(f);

	ck_assert_int_eq(config_load(d, &cfg, &errs), 0);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_uint_eq(cfg->nfiles, 3);
	ck_assert_ptr_nonnull(strstr(cfg->files[0], "conf.d/10-settings.yaml"));
	ck_assert_ptr_nonnull(strstr(cfg->files[1], "conf.d/20-models.yaml"));
	ck_assert_ptr_nonnull(strstr(cfg->files[2], "conf.d/30-more.yaml"));
	ck_assert_str_eq(cfg->region, "eu-west-1");
	ck_assert_uint_eq(cfg->interval_s, 90);
	ck_assert_uint_eq(cfg->retry_max_attempts, 2);
	ck_assert_str_eq(cfg->grantee_role, "Activator");
	ck_assert_uint_eq(cfg->nmodels, 3);
	ck_assert_str_eq(cfg->models[0].name, "aa");
	ck_assert_str_eq(cfg->models[1].name, "mm");
	ck_assert_str_eq(cfg->models[2].name, "zz");
	ck_assert_ptr_eq(cfg->models[0].pos.file, cfg->files[1]);
	ck_assert_ptr_eq(cfg->models[1].pos.file, cfg->files[2]);
	ck_assert_ptr_eq(cfg->models[1].targets[0].pos.file, cfg->files[2]);
	config_free(cfg);

	/* A trailing slash makes no double slash. */
	slash = xasprintf("%s/", d);
	ck_assert_int_eq(config_load(slash, &cfg, &errs), 0);
	ck_assert_ptr_null(strstr(cfg->files[0], "//"));
	config_free(cfg);
	free(slash);
	free(d);
}
END_TEST

START_TEST(test_directory_errors)
{
	char *d = xasprintf("%s/conf.d", tmpdir);
	char *all = NULL;
	char *want = NULL;

	ck_assert_int_eq(mkdir(d, 0755), 0);
	all = load_path_fails(d);
	want = xasprintf("%s: no *.yaml files in the directory\n", d);
	ck_assert_str_eq(all, want);
	free(all);
	free(want);

	free(write_file("conf.d/a.yaml", V1 "region: eu-west-1\nretry: {max_attempts: 3}\n"));
	all = load_path_fails(d);
	want = xasprintf("%s: no file declares any models\n", d);
	ck_assert_str_eq(all, want);
	free(all);
	free(want);

	free(write_file("conf.d/b.yaml", "region: us-west-2\nretry: {max_attempts: 3}\n"
					 "models:\n  m:\n    product: prod-4pmewlybdftbs\n"
					 "    organization: true\n"));
	free(write_file("conf.d/c.yaml",
			V1 "models:\n  x:\n    product: prod-4pmewlybdftbs\n"
			   "    organization: true\n  m:\n    product: prod-5oba7y7jpji56\n"
			   "    organization: true\n"));
	free(write_file("conf.d/d.yaml", ""));
	all = load_path_fails(d);
	want = xasprintf("%1$s/b.yaml:1:1: 'region' is already set at %1$s/a.yaml:2:1; a top-level "
			 "setting may appear in one file only\n"
			 "%1$s/b.yaml:1:1: missing required key 'version' (add version: 1)\n"
			 "%1$s/b.yaml:2:1: 'retry' is already set at %1$s/a.yaml:3:1; a top-level "
			 "setting may appear in one file only\n"
			 "%1$s/c.yaml:4:14: model 'x' names the same product as model 'm' "
			 "(%1$s/b.yaml:5:14)\n"
			 "%1$s/c.yaml:6:3: model 'm' is already defined at %1$s/b.yaml:4:3\n"
			 "%1$s/d.yaml:1:1: the file is empty: it needs at least 'version: 1'\n",
			 d);
	ck_assert_str_eq(all, want);
	free(all);
	free(want);
	free(d);
}
END_TEST

/* A model defined twice with the same product: one error, not two. */
START_TEST(test_directory_repeat_model_once)
{
	char *d = xasprintf("%s/conf.d", tmpdir);
	char *all = NULL;
	char *want = NULL;

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file("conf.d/a.yaml", V1 ORG_MODEL));
	free(write_file("conf.d/b.yaml", V1 ORG_MODEL));
	all = load_path_fails(d);
	want = xasprintf("%1$s/b.yaml:3:3: model 'm' is already defined at %1$s/a.yaml:3:3\n", d);
	ck_assert_str_eq(all, want);
	free(all);
	free(want);
	free(d);
}
END_TEST

START_TEST(test_free_safe)
{
	struct config_errors errs = { 0 };

	config_free(NULL);
	config_errors_free(&errs);
	config_errors_free(&errs);
	config_errors_free(NULL);
}
END_TEST

START_TEST(test_check_functions)
{
	unsigned s = 0;
	const char *why = NULL;

	ck_assert(check_region("us-east-1"));
	ck_assert(check_region("us-gov-west-1"));
	ck_assert(check_region("ap-southeast-10"));
	ck_assert(!check_region("us-1"));
	ck_assert(!check_region("useast-1"));
	ck_assert(!check_region("us-east-1a"));
	ck_assert(!check_region("us--east-1"));
	ck_assert(check_product("prod-4pmewlybdftbs"));
	ck_assert(check_product("prod-12345678"));
	ck_assert(!check_product("prod-1234567"));
	ck_assert(!check_product("prod-123456789012345678901234567890123"));
	ck_assert(check_ou_id("ou-ab12-dev00001"));
	ck_assert(!check_ou_id("ou-ab1-dev00001"));
	ck_assert(!check_ou_id("ou-ab12dev00001"));
	ck_assert(check_account_id("000000000000"));
	ck_assert(!check_account_id("00000000000a"));
	ck_assert(check_role_name("a+=,.@_-Z9"));
	ck_assert(!check_role_name("role/path"));
	ck_assert(check_model_name("a.b_c:d-9"));
	ck_assert(!check_model_name("a b"));
	ck_assert(check_license_arn("arn:aws-cn:license-manager::294406891311:license:"
				    "l-0123456789abcdef0123456789abcdef"));
	ck_assert(!check_license_arn("arn:aws:license-manager::294406891311:license:"
				     "l-0123456789abcdef0123456789abcdef0"));
	ck_assert(check_ou_path("A", &why));
	ck_assert(check_ou_path("A/B c/D", &why));
	ck_assert(!check_ou_path("A//B", &why));
	ck_assert(!check_ou_path("/A", &why));
	ck_assert(!check_ou_path("A/", &why));
	ck_assert_int_eq(parse_duration("1h30m", &s), DURATION_OK);
	ck_assert_uint_eq(s, 5400);
	ck_assert_int_eq(parse_duration("1h1h", &s), DURATION_SYNTAX);
	ck_assert_int_eq(parse_duration("h", &s), DURATION_SYNTAX);
	ck_assert_int_eq(parse_duration("", &s), DURATION_SYNTAX);
	ck_assert_int_eq(parse_duration("0m0s", &s), DURATION_TOO_SHORT);
	ck_assert_int_eq(parse_duration("168h1s", &s), DURATION_TOO_LONG);
	ck_assert_int_eq(parse_duration("4294967296", &s), DURATION_TOO_LONG);
	ck_assert_str_eq(closest_match("rgion", (const char *[]){ "region", "retry" }, 2),
			 "region");
	ck_assert_ptr_null(closest_match("zz", (const char *[]){ "region", "ous" }, 2));
	ck_assert_ptr_null(closest_match("op", (const char *[]){ "ous" }, 1));
}
END_TEST

/* ---- the corpus: tests/configs/bad/NN-name.yaml + .expect, good/ ---- */

static const char *tests_dir(void)
{
	const char *d = getenv("LMGRANTD_TESTS_DIR");

	return d && *d ? d : "tests";
}

/* The *.yaml names of dir, sorted (caller frees). */
static void list_yaml(const char *dir, struct strlist *out)
{
	DIR *d = opendir(dir);
	const struct dirent *de = NULL;

	ck_assert_msg(d != NULL, "cannot open %s (set LMGRANTD_TESTS_DIR)", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0)
			strlist_push(out, xstrdup(de->d_name));
	}
	closedir(d);
	for (size_t i = 1; i < out->n; i++)
		for (size_t j = i; j > 0 && strcmp(out->items[j - 1], out->items[j]) > 0; j--) {
			char *t = out->items[j];

			out->items[j] = out->items[j - 1];
			out->items[j - 1] = t;
		}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct strbuf sb = { 0 };
	char buf[4096];
	size_t n = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append(&sb, buf, n);
	fclose(f);
	return sb_steal(&sb);
}

/* Checks one bad config against its .expect; appends what is wrong. */
static void check_bad_one(const char *dir, const char *name, struct strbuf *problems)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *expect_path = xasprintf("%s/%.*s.expect", dir, (int)(strlen(name) - 5), name);
	char *expect = slurp(expect_path);
	struct config *cfg = NULL;
	struct config_errors errs = { 0 };
	char *all = NULL;
	char *line = NULL, *save = NULL;
	bool first = true;

	if (config_load(path, &cfg, &errs) == 0) {
		sb_printf(problems, "%s: loaded, but should fail\n", name);
		config_free(cfg);
		goto out;
	}
	all = joined(&errs);
	for (line = strtok_r(expect, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool ok = false;

		if (first) { /* "LINE:COLUMN: ": the start of one error line */
			char *want = xasprintf("%s:%s", path, line);

			for (size_t i = 0; i < errs.n && !ok; i++)
				ok = strncmp(errs.lines[i], want, strlen(want)) == 0;
			free(want);
			first = false;
		} else {
			ok = strstr(all, line) != NULL;
		}
		if (!ok)
			sb_printf(problems, "%s: no '%s' in:\n%s", name, line, all);
	}
	if (first)
		sb_printf(problems, "%s: empty .expect file\n", name);
out:
	config_errors_free(&errs);
	free(all);
	free(expect);
	free(expect_path);
	free(path);
}

START_TEST(test_corpus_bad)
{
	char *dir = xasprintf("%s/configs/bad", tests_dir());
	struct strlist names = { 0 };
	struct strbuf problems = { 0 };

	list_yaml(dir, &names);
	ck_assert_uint_ge(names.n, 40);
	for (size_t i = 0; i < names.n; i++)
		check_bad_one(dir, names.items[i], &problems);
	ck_assert_msg(problems.len == 0, "%s", problems.buf);
	strlist_free(&names);
	free(dir);
}
END_TEST

START_TEST(test_corpus_good)
{
	char *dir = xasprintf("%s/configs/good", tests_dir());
	struct strlist names = { 0 };
	struct strbuf problems = { 0 };

	list_yaml(dir, &names);
	ck_assert_uint_ge(names.n, 5);
	for (size_t i = 0; i < names.n; i++) {
		char *path = xasprintf("%s/%s", dir, names.items[i]);
		struct config *cfg = NULL;
		struct config_errors errs = { 0 };

		if (config_load(path, &cfg, &errs) != 0) {
			char *all = joined(&errs);

			sb_printf(&problems, "%s", all);
			free(all);
		} else {
			ck_assert_uint_ge(cfg->nmodels, 1);
		}
		config_free(cfg);
		config_errors_free(&errs);
		free(path);
	}
	ck_assert_msg(problems.len == 0, "%s", problems.buf);
	strlist_free(&names);
	free(dir);
}
END_TEST

/* The CRLF twin of the full example reads the same as the original. */
START_TEST(test_corpus_crlf_same)
{
	char *a = xasprintf("%s/configs/good/full.yaml", tests_dir());
	char *b = xasprintf("%s/configs/good/crlf.yaml", tests_dir());
	struct config *ca = NULL, *cb = NULL;
	struct config_errors errs = { 0 };

	ck_assert_int_eq(config_load(a, &ca, &errs), 0);
	ck_assert_int_eq(config_load(b, &cb, &errs), 0);
	ck_assert_uint_eq(ca->nmodels, cb->nmodels);
	ck_assert_str_eq(ca->models[0].name, cb->models[0].name);
	ck_assert_uint_eq(ca->models[0].ntargets, cb->models[0].ntargets);
	for (size_t i = 0; i < ca->models[0].ntargets; i++) {
		ck_assert_str_eq(ca->models[0].targets[i].label, cb->models[0].targets[i].label);
		ck_assert_uint_eq(ca->models[0].targets[i].pos.line,
				  cb->models[0].targets[i].pos.line);
		ck_assert_uint_eq(ca->models[0].targets[i].pos.column,
				  cb->models[0].targets[i].pos.column);
	}
	ck_assert_str_eq(ca->region, cb->region);
	config_free(ca);
	config_free(cb);
	free(a);
	free(b);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_full_config);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_mode_and_digest);
	tcase_add_test(tc, test_interval_forms);
	tcase_add_test(tc, test_retry_periods);
	tcase_add_test(tc, test_organization_overlap_is_error);
	tcase_add_test(tc, test_builtin_table);
	tcase_add_test(tc, test_longest_prefix_wins);
	tcase_add_test(tc, test_table_rows_valid);
	tcase_add_test(tc, test_table_rows_do_not_shadow);
	tcase_add_test(tc, test_product_id_shapes);
	tcase_add_test(tc, test_accounts_forms);
	tcase_add_test(tc, test_ou_forms);
	tcase_add_loop_test(tc, test_error_positions, 0, (int)ARRAY_LEN(error_cases));
	tcase_add_test(tc, test_crlf_and_bom_positions);
	tcase_add_test(tc, test_multiple_errors);
	tcase_add_test(tc, test_errors_capped);
	tcase_add_test(tc, test_alias_bomb);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_too_many_models);
	tcase_add_test(tc, test_world_writable);
	tcase_add_test(tc, test_unreadable_paths);
	tcase_add_test(tc, test_directory_merge);
	tcase_add_test(tc, test_directory_errors);
	tcase_add_test(tc, test_directory_repeat_model_once);
	tcase_add_test(tc, test_free_safe);
	tcase_add_test(tc, test_check_functions);
	tcase_add_test(tc, test_corpus_bad);
	tcase_add_test(tc, test_corpus_good);
	tcase_add_test(tc, test_corpus_crlf_same);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(config_suite());
}
