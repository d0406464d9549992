/*
 * main: command line, signals and wiring. Reads the environment once,
 * loads the config, builds the engine and runs the command; the work
 * itself is done by config, reconcile and output.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "access.h"
#include "build_commit.h"
#include "config.h"
#include "history.h"
#include "config_check.h"
#include "control.h"
#include "doctor.h"
#include "log.h"
#include "output.h"
#include "reconcile.h"
#include "service.h"
#include "state.h"
#include "util.h"

/* Options a command may take besides the global ones, one bit each. A new
 * one needs a bit, a row in cmd_options, a longopts entry and a case in
 * parse_args. */
enum {
	TAKES_OUTPUT = 1u << 0,
	TAKES_METRICS = 1u << 1,
	TAKES_PID = 1u << 2,
	TAKES_REASON = 1u << 3,
	TAKES_MODEL = 1u << 4,
	TAKES_ACCOUNT = 1u << 5,
	TAKES_SINCE = 1u << 6,
};

struct command;

struct options {
	const char *config_path; /* borrowed from argv (or a literal) */
	const char *state_dir;   /* --state-dir, borrowed from argv; NULL: not given */
	enum log_target log_target;
	bool verbose;
	bool help;
	const char *output; /* -o as given, borrowed from argv; NULL: not given */
	enum output_format format;
	const char *metrics_path;      /* borrowed from argv */
	const struct command *command; /* borrowed from commands[] */
	unsigned given;                /* TAKES_* of the options on the command line */
	bool csv;            /* -o csv (access) */
	const char *model;   /* access, history: --model */
	const char *account; /* access, history: --account */
	const char *since;   /* history: --since */
	long pid;           /* reload --pid; 0: from the pid file */
	const char *reason; /* suspend --reason */
	const char *profile; /* --profile: AWS_PROFILE for this run */
	const char *region;  /* --region: AWS_REGION for this run */
};

/* One row per command: `lmgrantd --help` lists them, `COMMAND --help`
 * prints one, parse_args refuses the options a command does not take. */
struct command {
	const char *name;
	int (*run)(const struct options *o);
	bool rows;           /* prints one row per action: terse stderr on a terminal */
	unsigned takes;      /* TAKES_* */
	const char *formats; /* -o values, "text|json"; the first is the default */
	const char *summary;
};

struct cmd_option {
	unsigned bit;
	const char *short_name; /* "-o", or NULL */
	const char *long_name;
	const char *arg; /* its value, "FILE"; NULL: the command's formats */
	const char *help;
};

static const struct cmd_option cmd_options[] = {
	{ TAKES_OUTPUT, "-o", "--output", NULL, "output format (the first is the default)" },
	{ TAKES_METRICS, NULL, "--metrics", "FILE", "write Prometheus metrics to FILE after every pass" },
	{ TAKES_PID, NULL, "--pid", "PID",
	  "the daemon to reload (default: the pid run keeps in the state directory)" },
	{ TAKES_REASON, NULL, "--reason", "TEXT", "why, shown by status and the metrics" },
	{ TAKES_MODEL, NULL, "--model", "NAME", "only this model of the configuration" },
	{ TAKES_ACCOUNT, NULL, "--account", "ID", "only this 12-digit account" },
	{ TAKES_SINCE, NULL, "--since", "TIME",
	  "only entries since TIME: an ISO 8601 date or date-time (UTC), or -30m, -12h, -7d" },
};

static const char *option_arg(const struct cmd_option *opt, const struct command *c)
{
	return opt->arg ? opt->arg : c->formats;
}

static int cmd_check(const struct options *o);
static int cmd_plan(const struct options *o);
static int cmd_apply(const struct options *o);
static int cmd_run(const struct options *o);
static int cmd_status(const struct options *o);
static int cmd_whoami(const struct options *o);
static int cmd_doctor(const struct options *o);
static int cmd_reload(const struct options *o);
static int cmd_suspend_on(const struct options *o);
static int cmd_resume(const struct options *o);
static int cmd_access(const struct options *o);
static int cmd_history(const struct options *o);

static const struct command commands[] = {
	{ "check", cmd_check, false, 0, NULL, "validate the configuration offline (no network)" },
	{ "plan", cmd_plan, true, TAKES_OUTPUT, "text|json|markdown",
	  "read live state, print what apply would change; change nothing" },
	{ "apply", cmd_apply, true, TAKES_OUTPUT, "text|json", "one reconcile pass, then exit" },
	{ "run", cmd_run, false, TAKES_METRICS, NULL,
	  "the daemon: a pass every `interval`, until SIGTERM" },
	{ "status", cmd_status, false, TAKES_OUTPUT, "text|json",
	  "print the last pass recorded in the state directory" },
	{ "whoami", cmd_whoami, false, 0, NULL,
	  "who the credentials are, their source, and their role in the organization" },
	{ "doctor", cmd_doctor, false, TAKES_OUTPUT, "text|json",
	  "check every prerequisite of the live organization" },
	{ "reload", cmd_reload, false, TAKES_PID, NULL,
	  "validate the config, make the running daemon load it, wait for its answer" },
	{ "suspend", cmd_suspend_on, false, TAKES_REASON, NULL, "pause the daemon's changes" },
	{ "resume", cmd_resume, false, 0, NULL, "resume the daemon's changes" },
	{ "access", cmd_access, false, TAKES_OUTPUT | TAKES_MODEL | TAKES_ACCOUNT, "text|json|csv",
	  "who can use which model now: effective access per account" },
	{ "history", cmd_history, false, TAKES_OUTPUT | TAKES_MODEL | TAKES_ACCOUNT | TAKES_SINCE,
	  "text|json", "the changes lmgrantd made, from the journal" },
};

#define GLOBAL_SYNOPSIS \
	"[-c PATH] [--log auto|journal|stderr] [--profile NAME] [--region REGION]\n" \
	"                [--state-dir DIR] [-v]"

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* "plan [-o text|json]": the name and the options it takes, into buf. */
static const char *synopsis(char *buf, size_t size, const struct command *c)
{
	size_t len = (size_t)snprintf(buf, size, "%s", c->name);

	for (size_t i = 0; i < ARRAY_LEN(cmd_options) && len < size; i++) {
		const struct cmd_option *opt = &cmd_options[i];

		if (c->takes & opt->bit)
			len += (size_t)snprintf(buf + len, size - len, " [%s %s]",
						opt->short_name ? opt->short_name : opt->long_name,
						option_arg(opt, c));
	}
	return buf;
}

static void usage(FILE *f)
{
	fputs("usage: lmgrantd " GLOBAL_SYNOPSIS " COMMAND [options]\n", f);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		char buf[256];
		const char *syn = synopsis(buf, sizeof(buf), &commands[i]);

		fprintf(f, "  %-22s%s%s\n", syn, strlen(syn) < 22 ? " " : "\n                         ",
			commands[i].summary);
	}
	fputs("  --version, --help; COMMAND --help prints that command's usage\n"
	      "\n"
	      "global options:\n"
	      "  -c, --config PATH    config file, or directory of *.yaml and *.yml files\n"
	      "                       (default " CONFIG_DEFAULT_PATH ")\n"
	      "  --log TARGET         auto (default), journal or stderr\n"
	      "  --profile NAME       AWS_PROFILE for this run\n"
	      "  --region REGION      AWS_REGION for this run\n"
	      "  --state-dir DIR      state directory (default $STATE_DIRECTORY, else " STATE_DEFAULT_DIR ")\n"
	      "  -v, --verbose        more detail\n"
	      "exit codes: 0 success / in sync, 1 error, 2 (plan) changes pending, 3 (status) stale,\n"
	      "            64 usage error\n",
	      f);
}

static void command_usage(FILE *f, const struct command *c)
{
	char buf[256];

	fprintf(f, "usage: lmgrantd [global options] %s\n%s\n", synopsis(buf, sizeof(buf), c),
		c->summary);
	for (size_t i = 0; i < ARRAY_LEN(cmd_options); i++) {
		const struct cmd_option *opt = &cmd_options[i];

		if (!(c->takes & opt->bit))
			continue;
		fprintf(f, "  %s%s%s %s\n      %s\n", opt->short_name ? opt->short_name : "",
			opt->short_name ? ", " : "", opt->long_name, option_arg(opt, c), opt->help);
	}
	fputs("global options: see lmgrantd --help\n", f);
}

/* The command named anywhere on the command line, for the usage a bad
 * option gets: getopt stops at the option, before it reaches the command. */
static const struct command *command_named(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (command_find(argv[i]))
			return command_find(argv[i]);
	return NULL;
}

/* Prints why the command line is wrong and the usage that applies; the
 * caller exits EX_USAGE (64, SPEC 1). */
__attribute__((format(printf, 2, 3))) static int usage_error(const struct options *o,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("lmgrantd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (o->command)
		command_usage(stderr, o->command);
	else
		usage(stderr);
	return EX_USAGE;
}

/* Is word one of the '|'-separated list? */
static bool in_list(const char *word, const char *list)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p += strcspn(p, "|"), p += *p == '|')
		if (strncmp(p, word, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return true;
	return false;
}

/* The options the command was given must be ones it takes, with values
 * it accepts. Returns 0 or EX_USAGE (after printing why). */
static int check_command_options(struct options *o)
{
	const struct command *c = o->command;

	for (size_t i = 0; i < ARRAY_LEN(cmd_options); i++) {
		const struct cmd_option *opt = &cmd_options[i];

		if (o->given & opt->bit & ~c->takes)
			return usage_error(o, "%s does not take %s", c->name,
					   opt->short_name ? opt->short_name : opt->long_name);
	}
	/* csv is access's own format, not a pass output. */
	o->csv = o->output && strcmp(o->output, "csv") == 0;
	if (o->output && (!in_list(o->output, c->formats) ||
			  (!o->csv && output_format_parse(o->output, &o->format) < 0)))
		return usage_error(o, "%s -o takes %s, not '%s'", c->name, c->formats, o->output);
	return 0;
}

/* Returns 0 to run o->command, EX_USAGE after printing why the command
 * line is wrong, or -1 for --help/--version (already answered). Global
 * options may come before or after the command. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'L' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "model", required_argument, NULL, 'm' },
		{ "account", required_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'P' },
		{ "reason", required_argument, NULL, 'R' },
		{ "profile", required_argument, NULL, 'F' },
		{ "region", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch = 0;

	o->config_path = CONFIG_DEFAULT_PATH;
	/* Which usage an error in an option shows; set for real below. */
	o->command = command_named(argc, argv);
	opterr = 0; /* getopt's own messages do not say "usage"; ours do */
	while ((ch = getopt_long(argc, argv, ":c:vo:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'L':
			if (log_target_parse(optarg, &o->log_target) < 0)
				return usage_error(o, "--log takes auto, journal or stderr, not '%s'", optarg);
			break;
		case 'S':
			o->state_dir = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'o':
			o->output = optarg;
			o->given |= TAKES_OUTPUT;
			break;
		case 'm':
			o->model = optarg;
			o->given |= TAKES_MODEL;
			break;
		case 'a':
			if (strlen(optarg) != 12 || strspn(optarg, "0123456789") != 12)
				return usage_error(o, "--account takes a 12-digit account id, not '%s'", optarg);
			o->account = optarg;
			o->given |= TAKES_ACCOUNT;
			break;
		case 's':
			o->since = optarg;
			o->given |= TAKES_SINCE;
			break;
		case 'M':
			o->metrics_path = optarg;
			o->given |= TAKES_METRICS;
			break;
		case 'P': {
			char *end = NULL;

			errno = 0;
			o->pid = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->pid <= 1)
				return usage_error(o, "--pid takes a process id, not '%s'", optarg);
			o->given |= TAKES_PID;
			break;
		}
		case 'R':
			o->reason = optarg;
			o->given |= TAKES_REASON;
			break;
		case 'F':
			o->profile = optarg;
			break;
		case 'G':
			if (!check_region(optarg))
				return usage_error(o, "--region takes a region name such as us-east-1");
			o->region = optarg;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			printf("lmgrantd %s (git %s)\n", LMGRANTD_VERSION, LMGRANTD_COMMIT);
			return -1;
		case ':':
			return usage_error(o, "%s needs a value", argv[optind - 1]);
		default:
			return usage_error(o, "unknown option '%s'", argv[optind - 1]);
		}
	}
	o->command = NULL;
	if (optind < argc) {
		o->command = command_find(argv[optind]);
		if (!o->command)
			return usage_error(o, "unknown command '%s'", argv[optind]);
	}
	if (o->help) {
		if (o->command)
			command_usage(stdout, o->command);
		else
			usage(stdout);
		return -1;
	}
	if (!o->command)
		return usage_error(o, "no command given");
	if (optind != argc - 1)
		return usage_error(o, "one command at a time; '%s' is not an option", argv[optind + 1]);
	return check_command_options(o);
}

/* "lmgrantd: <text>" on stderr, the text escaped (it may hold what AWS,
 * a file or the environment said). */
static void print_error(const char *text)
{
	char *safe = text_escape(text, ESCAPE_LINE_MAX);

	fprintf(stderr, "lmgrantd: %s\n", safe);
	free(safe);
}

/* Loads the config, printing every error. Caller frees *cfg. */
static int load_config(const struct options *o, struct config **cfg)
{
	struct config_errors errs = { 0 };

	if (config_load(o->config_path, cfg, &errs) == 0) {
		log_set_config((*cfg)->sha256, (*cfg)->revision);
		return 0;
	}
	for (size_t i = 0; i < errs.n; i++) {
		char *line = text_escape(errs.lines[i], ESCAPE_LINE_MAX);

		fprintf(stderr, "%s\n", line);
		free(line);
	}
	fprintf(stderr, "lmgrantd: %s: %zu error%s; nothing was changed\n", o->config_path, errs.n,
		errs.n == 1 ? "" : "s");
	config_errors_free(&errs);
	return -1;
}

static int cmd_check(const struct options *o)
{
	struct config *cfg = NULL;

	if (load_config(o, &cfg) < 0)
		return 1;
	if (o->verbose)
		printf("%s: OK (%zu model%s in %zu file%s; sha256 %s, revision %s)\n", o->config_path,
		       cfg->nmodels, cfg->nmodels == 1 ? "" : "s", cfg->nfiles,
		       cfg->nfiles == 1 ? "" : "s", cfg->sha256, cfg->revision ? cfg->revision : "none");
	config_free(cfg);
	return 0;
}

static int setup_engine(const struct config *cfg, struct engine *e)
{
	struct aws_env aenv;
	struct creds_env cenv;
	char *err = NULL;

	aws_env_from_environ(&aenv);
	creds_env_from_environ(&cenv);
	if (engine_init(e, cfg, &aenv, &cenv, service_should_stop, NULL, &err) < 0) {
		log_msg(LOG_ERR, "%s", err);
		free(err);
		return -1;
	}
	return 0;
}

/* The line plan and apply show on a terminal while they read licenses:
 * from half a second on (a quick read shows nothing), at most ten updates
 * a second, erased before the rows are printed. Updated from the reading
 * threads, hence the lock. */
struct progress {
	pthread_mutex_t lock;
	double start, last; /* CLOCK_MONOTONIC seconds */
	bool shown;
};

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_update(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;
	double now = monotonic_s();

	pthread_mutex_lock(&p->lock);
	if (now - p->start >= 0.5 && (now - p->last >= 0.1 || done == total)) {
		fprintf(stderr, "\rreading licenses: %zu of %zu", done, total);
		fflush(stderr);
		p->shown = true;
		p->last = now;
	}
	pthread_mutex_unlock(&p->lock);
}

static void progress_end(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	pthread_mutex_destroy(&p->lock);
}

/* Someone is watching: stdout and stderr are terminals. */
static bool on_terminal(void)
{
	return isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
}

static char *state_dir(const struct options *o);

/* SPEC §5: apply takes the pass lock of the state directory, so that it
 * never interleaves with the daemon's pass or another apply. */
static int lock_for_apply(const struct options *o)
{
	char *dir = state_dir(o), *err = NULL;
	int fd = control_lock(dir, "apply", CONTROL_LOCK_WAIT_S, service_should_stop, &err);

	if (fd == -1) {
		fprintf(stderr, "lmgrantd: %s\n", err);
		free(err);
	}
	free(dir);
	return fd;
}

static int cmd_once(const struct options *o, bool apply)
{
	struct config *cfg = NULL;
	struct engine e;
	struct pass_report r;
	struct progress progress = { .start = monotonic_s() };
	char *dir = NULL;
	int code, lock = -2;

	if (load_config(o, &cfg) < 0)
		return 1;
	if (apply && (lock = lock_for_apply(o)) == -1) {
		config_free(cfg);
		return 1;
	}
	if (setup_engine(cfg, &e) < 0) {
		control_unlock(lock);
		config_free(cfg);
		return 1;
	}
	pthread_mutex_init(&progress.lock, NULL);
	if (on_terminal() && !log_to_journal()) {
		e.license_read = progress_update;
		e.license_read_ctx = &progress;
	}
	/* plan reads what earlier passes did, to plan what apply would. */
	dir = state_dir(o);
	e.memory = state_recall_memory(dir);
	reconcile_pass(&e, cfg, apply, 1, &r);
	progress_end(&progress);
	if (apply)
		state_keep_memory(dir, e.memory, cfg);
	output_pass(stdout, o->format, &r);
	if (apply)
		pass_log_summary(&r);
	code = pass_exit_code(&r);
	pass_report_free(&r);
	memory_free(e.memory);
	engine_free(&e);
	control_unlock(lock);
	config_free(cfg);
	free(dir);
	return code;
}

static int cmd_plan(const struct options *o)
{
	return cmd_once(o, false);
}

static int cmd_apply(const struct options *o)
{
	return cmd_once(o, true);
}

/* "label value\n" on stdout, the value escaped: it came from AWS. */
static void print_field(const char *label, const char *value)
{
	char *safe = text_escape(value, ESCAPE_LINE_MAX);

	printf("%s%s\n", label, safe);
	free(safe);
}

/* The caller's role (SPEC §1): 0, or 1 when it cannot be told. */
static int print_role(struct engine *e, const struct sts_identity *id, const struct org_tree *org)
{
	struct aws_error err = { 0 };
	enum org_role role = ORG_ROLE_UNKNOWN;
	char *why = NULL, *desc = NULL;

	if (org_caller_role(&e->org, id->account, org, &role, &err) == 0) {
		printf("role:               %s\n", org_role_name(role));
		return 0;
	}
	why = aws_error_describe(&err);
	desc = xasprintf("unknown (%s)", why);
	print_field("role:               ", desc);
	free(desc);
	free(why);
	aws_error_clear(&err);
	return 1;
}

/* SPEC §8: every prerequisite checked; exit 1 when any check failed. */
static int cmd_doctor(const struct options *o)
{
	struct config *cfg = NULL;
	struct engine e;
	struct doctor_facts facts;
	struct doctor_report report = { 0 };
	int rc;

	if (load_config(o, &cfg) < 0)
		return 1;
	if (setup_engine(cfg, &e) < 0) {
		config_free(cfg);
		return 1;
	}
	doctor_read(&e, &facts);
	doctor_evaluate(&facts, cfg, &report);
	doctor_print(stdout, o->format, &report);
	rc = doctor_exit_code(&report);
	doctor_report_free(&report);
	doctor_facts_free(&facts);
	engine_free(&e);
	config_free(cfg);
	return rc;
}

/* SPEC §1: who the credentials are (GetCallerIdentity), where they came
 * from, and whether that is the organization's management account
 * (DescribeOrganization). Exit 1 when either question has no answer. */
static int cmd_whoami(const struct options *o)
{
	struct config *cfg = NULL;
	struct engine e;
	struct sts_identity id = { 0 };
	struct org_tree org = { 0 };
	struct aws_error err = { 0 };
	char *why = NULL;
	int rc = 1;

	if (load_config(o, &cfg) < 0)
		return 1;
	if (setup_engine(cfg, &e) < 0) {
		config_free(cfg);
		return 1;
	}
	if (sts_get_caller_identity(&e.sts, &id, &err) < 0) {
		why = aws_error_describe(&err);
		print_error(why);
		goto out;
	}
	print_field("account:            ", id.account);
	print_field("arn:                ", id.arn);
	print_field("user id:            ", id.user_id);
	print_field("credentials from:   ", creds_source(e.creds));
	if (org_describe(&e.org, &org, &err) == 0) {
		char *text = xasprintf("%s (organization %s, management account %s)",
				       strcmp(org.management_account, id.account) == 0 ? "yes" : "no",
				       org.org_id, org.management_account);

		print_field("management account: ", text);
		free(text);
		rc = print_role(&e, &id, &org);
	} else if (err.remedy == AWS_REMEDY_NO_ORGANIZATION) {
		printf("management account: no (the account is not in an organization)\n");
		printf("role:               %s\n", org_role_name(ORG_ROLE_NO_ORGANIZATION));
		rc = 0;
	} else {
		char *desc = aws_error_describe(&err);

		why = xasprintf("unknown (%s)", desc);
		free(desc);
		print_field("management account: ", why);
	}
out:
	free(why);
	aws_error_clear(&err);
	org_tree_clear(&org);
	sts_identity_clear(&id);
	engine_free(&e);
	config_free(cfg);
	return rc;
}

/* --state-dir, else $STATE_DIRECTORY (which may list several
 * directories; the first is ours), else the default. Caller frees. */
static char *state_dir(const struct options *o)
{
	const char *env = getenv("STATE_DIRECTORY");

	if (o->state_dir)
		return xstrdup(o->state_dir);
	if (!env || !*env)
		return xstrdup(STATE_DEFAULT_DIR);
	return xstrndup(env, strcspn(env, ":"));
}

/* One access_license per model of the config (only_model alone when not
 * NULL), from what was read. Caller frees the array; its members borrow
 * from r. */
static struct access_license *access_inputs(const struct pass_report *r, const char *only_model,
					    size_t *n)
{
	struct access_license *lics = xcalloc(r->desired.nmodels ? r->desired.nmodels : 1, sizeof(*lics));
	size_t next = 0;

	*n = 0;
	for (size_t i = 0; i < r->desired.nmodels; i++) {
		const struct desired_model *m = &r->desired.models[i];
		const struct observed_license *l = NULL;

		if (!m->error && m->license_arn)
			l = &r->observed.licenses[next++];
		if (only_model && strcmp(m->name, only_model) != 0)
			continue;
		lics[*n] = (struct access_license){
			.model = m, .grants = l ? l->grants : NULL, .ngrants = l ? l->ngrants : 0,
			.subgrants = l ? l->subgrants : NULL, .nsubgrants = l ? l->nsubgrants : 0,
			.read_error = l && !l->read_ok ? (l->read_error ? l->read_error : "read failed") : NULL,
		};
		(*n)++;
	}
	return lics;
}

/* SPEC §9: effective access per account and model, from live reads.
 * Exit 1 when the organization or a model's license could not be read. */
static int cmd_access(const struct options *o)
{
	struct config *cfg = NULL;
	struct engine e;
	struct pass_report r;
	struct access_license *lics = NULL;
	struct access_report rep = { 0 };
	size_t n = 0;
	int rc = 0;

	if (load_config(o, &cfg) < 0)
		return 1;
	if (setup_engine(cfg, &e) < 0) {
		config_free(cfg);
		return 1;
	}
	reconcile_read_access(&e, cfg, &r);
	lics = access_inputs(&r, o->model, &n);
	if (o->model && n == 0) {
		char *msg = xasprintf("no model named '%s' in %s", o->model, o->config_path);

		print_error(msg);
		free(msg);
		rc = 1;
	} else if (!r.org.have_tree) {
		char *msg = xasprintf("cannot list the organization's accounts: %s",
				      r.org_error ? r.org_error : r.licenses_error ? r.licenses_error : "not read");

		print_error(msg);
		free(msg);
		rc = 1;
	} else {
		access_build(&r.org, lics, n, o->account, &rep);
		access_print(stdout, o->csv ? ACCESS_CSV : o->format == OUTPUT_JSON ? ACCESS_JSON : ACCESS_TEXT,
			     &rep);
		for (size_t i = 0; i < rep.nrows; i++)
			rc |= rep.rows[i].error != NULL;
	}
	access_report_free(&rep);
	free(lics);
	pass_report_free(&r);
	engine_free(&e);
	config_free(cfg);
	return rc;
}

static int cmd_history(const struct options *o)
{
	struct history_query q = { .model = o->model, .account = o->account };
	char *err = NULL;

	if (o->since && history_parse_since(o->since, time(NULL), &q.since_usec) < 0) {
		char *msg = xasprintf("--since takes an ISO 8601 date or date-time (UTC) or -30m, -12h, -7d; not '%s'",
				      o->since);

		print_error(msg);
		free(msg);
		return 1;
	}
	if (history_print(&q, o->format == OUTPUT_JSON, stdout, &err) < 0) {
		print_error(err);
		free(err);
		return 1;
	}
	return 0;
}

static int cmd_run(const struct options *o)
{
	char *dir = state_dir(o);
	struct service_opts so = { o->config_path, dir, o->metrics_path };
	int rc = service_run(&so);

	free(dir);
	return rc;
}

static int cmd_status(const struct options *o)
{
	char *dir = state_dir(o), *err = NULL;
	int rc = state_print_status(dir, o->format, stdout, time(NULL), &err);

	if (rc < 0) {
		print_error(err);
		free(err);
		rc = 1;
	}
	free(dir);
	return rc;
}

/* Waits for the daemon pid's answer after seq0 (its own seq numbers);
 * 0 and *a, or -1 when the daemon went away or took too long. */
static int wait_reload_answer(const char *dir, pid_t pid, unsigned long seq0,
			      struct reload_answer *a)
{
	/* A reload is answered between passes: a long pass delays it. */
	const int max_polls = 3000; /* 100 ms each: 300 s */

	for (int i = 0; i < max_polls && !service_should_stop(); i++) {
		struct timespec ts = { 0, 100000000L };

		if (control_read_reload(dir, a) == 0 && a->pid == (long)pid && a->seq > seq0)
			return 0;
		control_reload_clear(a);
		if (kill(pid, 0) < 0 && errno == ESRCH) {
			fprintf(stderr, "lmgrantd: the daemon (pid %ld) exited before it answered\n",
				(long)pid);
			return -1;
		}
		if (i == 20)
			fprintf(stderr, "lmgrantd: waiting for the daemon (pid %ld) to finish its pass\n",
				(long)pid);
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "lmgrantd: the daemon (pid %ld) did not answer the reload\n", (long)pid);
	return -1;
}

/* SPEC §5, for ExecReload=: validate, signal, wait for the daemon's answer;
 * exit 1 with the errors when it rejected the file. */
static int cmd_reload(const struct options *o)
{
	char *dir = state_dir(o), *err = NULL;
	struct config *cfg = NULL;
	struct reload_answer before = { 0 }, a = { 0 };
	pid_t pid = o->pid ? (pid_t)o->pid : control_read_pid(dir, &err);
	int rc = 1;

	/* The errors are printed here, with file:line:column; the daemon's
	 * answer below decides the exit status. */
	if (load_config(o, &cfg) < 0)
		fprintf(stderr, "lmgrantd: asking the daemon to reload anyway, so that it reports the "
				"rejection too\n");
	if (pid < 0) {
		fprintf(stderr, "lmgrantd: %s\n", err);
		goto fail;
	}
	if (control_read_reload(dir, &before) < 0 || before.pid != (long)pid)
		before.seq = 0;
	if (kill(pid, SIGHUP) < 0) {
		fprintf(stderr, "lmgrantd: cannot signal pid %ld: %s\n", (long)pid, strerror(errno));
		goto fail;
	}
	if (wait_reload_answer(dir, pid, before.seq, &a) < 0)
		goto fail;
	if (a.loaded) {
		printf("lmgrantd: the daemon (pid %ld) loaded %s\n", (long)pid, o->config_path);
		rc = 0;
	} else {
		fprintf(stderr, "lmgrantd: the daemon (pid %ld) rejected %s and keeps the previous "
				"configuration: %s\n", (long)pid, o->config_path, a.errors ? a.errors : "");
	}
fail:
	control_reload_clear(&before);
	control_reload_clear(&a);
	config_free(cfg);
	free(err);
	free(dir);
	return rc;
}

static int cmd_suspend(const struct options *o, bool suspend)
{
	char *dir = state_dir(o), *err = NULL;
	int rc = suspend ? control_suspend(dir, o->reason ? o->reason : "", &err)
			 : control_resume(dir, &err);

	if (rc < 0)
		fprintf(stderr, "lmgrantd: %s\n", err);
	else if (suspend)
		printf("lmgrantd: suspended%s%s: the daemon's passes plan and journal, and change "
		       "nothing until `lmgrantd resume`\n", o->reason ? ": " : "",
		       o->reason ? o->reason : "");
	else
		printf(rc == 1 ? "lmgrantd: was not suspended\n"
			       : "lmgrantd: resumed: the daemon's next pass makes changes again\n");
	free(err);
	free(dir);
	return rc < 0 ? 1 : 0;
}

static int cmd_suspend_on(const struct options *o)
{
	return cmd_suspend(o, true);
}

static int cmd_resume(const struct options *o)
{
	return cmd_suspend(o, false);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int rc = 0;

	/* Before any secret is read: no core dump (it would hold the keys and
	 * session tokens), and no ptrace or /proc/<pid>/mem by other
	 * processes of the same user. Exec'd helpers start dumpable again. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	/* As the AWS CLI's flags: they stand for the variables, for every
	 * part of lmgrantd that reads them. Nothing else runs yet. */
	if ((o.profile && setenv("AWS_PROFILE", o.profile, 1) < 0) ||
	    (o.region && setenv("AWS_REGION", o.region, 1) < 0)) {
		fputs("lmgrantd: cannot set the environment\n", stderr);
		return 1;
	}
	/* One malloc arena for all threads: the worker threads of a pass would
	 * otherwise each keep an arena of their own, for little gain. */
	mallopt(M_ARENA_MAX, 1);
	log_setup(o.log_target, o.verbose, o.command->name);
	if (o.command->rows && !o.verbose && on_terminal())
		log_terse_stderr();
	service_install_stop_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("lmgrantd: cannot initialise libcurl\n", stderr);
		return 1;
	}
	rc = o.command->run(&o);
	curl_global_cleanup();
	return rc;
}
