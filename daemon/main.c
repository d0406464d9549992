/*
 * main: command line, signals and wiring. Reads the environment once,
 * loads the config, builds the engine and runs the command; the work
 * itself is done by config, reconcile and output.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "access.h"
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

struct options {
	const char *config_path;
	enum log_target log_target;
	bool verbose;
	enum output_format format;
	bool csv; /* -o csv: access only */
	const char *command;
	const char *metrics_path;
	const char *model;   /* access, history: --model */
	const char *account; /* access, history: --account */
	const char *since;   /* history: --since */
	long pid;           /* reload --pid; 0: from the pid file */
	const char *reason; /* suspend --reason */
	const char *profile; /* --profile: AWS_PROFILE for this run */
	const char *region;  /* --region: AWS_REGION for this run */
};

static void usage(FILE *f)
{
	fputs("usage: lmgrantd [-c PATH] [--log auto|journal|stderr] [--profile NAME] [--region REGION] [-v]\n"
	      "                COMMAND [options]\n"
	      "  check                  validate the configuration offline (no network)\n"
	      "  plan  [-o text|json|markdown]  read live state, print what apply would change; change nothing\n"
	      "  apply [-o text|json]   one reconcile pass, then exit\n"
	      "  run                    the daemon: a pass every `interval`, until SIGTERM\n"
	      "  status [-o text|json]  print the last pass recorded in the state directory\n"
	      "  whoami                 print the identity the credentials resolve to, and its role\n"
	      "  doctor [-o text|json]  check every prerequisite of the live organization\n"
	      "  reload [--pid PID]     validate the config, make the running daemon load it, wait for its answer\n"
	      "  suspend [--reason TEXT] | resume   pause / resume the daemon's changes\n"
	      "  access [-o text|json|csv] [--model NAME] [--account ID]\n"
	      "                         who can use which model now, per account\n"
	      "  history [-o text|json] [--model NAME] [--account ID] [--since TIME]\n"
	      "                         the changes lmgrantd made, from the journal\n"
	      "  --version, --help\n"
	      "\n"
	      "  -c PATH   config file, or directory of *.yaml files (default " CONFIG_DEFAULT_PATH ")\n"
	      "  --profile NAME, --region REGION   override AWS_PROFILE and AWS_REGION\n"
	      "exit codes: 0 success / in sync, 1 error, 2 (plan) changes pending, 3 (status) stale\n", f);
}

/* Options only some commands take. */
static int check_command_options(const struct options *o)
{
	bool access = strcmp(o->command, "access") == 0, history = strcmp(o->command, "history") == 0;

	if (o->csv && !access) {
		fprintf(stderr, "lmgrantd: -o csv is for access only\n");
		return 1;
	}
	if ((o->model || o->account) && !access && !history) {
		fprintf(stderr, "lmgrantd: --model and --account are for access and history\n");
		return 1;
	}
	if (o->since && !history) {
		fprintf(stderr, "lmgrantd: --since is for history\n");
		return 1;
	}
	if (o->account && (strlen(o->account) != 12 || strspn(o->account, "0123456789") != 12)) {
		fprintf(stderr, "lmgrantd: --account takes a 12-digit account id\n");
		return 1;
	}
	return 0;
}

/* Returns 0, or 1 after printing why the command line is wrong, or -1
 * for --help/--version (already answered). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'L' },
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
	int ch;

	o->config_path = CONFIG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:vo:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'L':
			if (log_target_parse(optarg, &o->log_target) < 0) {
				fprintf(stderr, "lmgrantd: --log takes auto, journal or stderr, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'o':
			o->csv = strcmp(optarg, "csv") == 0;
			if (!o->csv && output_format_parse(optarg, &o->format) < 0) {
				fprintf(stderr, "lmgrantd: -o takes text, json, markdown or csv, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'a':
			o->account = optarg;
			break;
		case 's':
			o->since = optarg;
			break;
		case 'M':
			o->metrics_path = optarg;
			break;
		case 'P': {
			char *end = NULL;

			errno = 0;
			o->pid = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->pid <= 1) {
				fprintf(stderr, "lmgrantd: --pid takes a process id, not '%s'\n", optarg);
				return 1;
			}
			break;
		}
		case 'R':
			o->reason = optarg;
			break;
		case 'F':
			o->profile = optarg;
			break;
		case 'G':
			if (!check_region(optarg)) {
				fprintf(stderr, "lmgrantd: --region takes a region name such as us-east-1\n");
				return 1;
			}
			o->region = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			printf("lmgrantd %s\n", LMGRANTD_VERSION);
			return -1;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		fputs(optind >= argc ? "lmgrantd: no command given\n" : "lmgrantd: one command at a time\n",
		      stderr);
		usage(stderr);
		return 1;
	}
	o->command = argv[optind];
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

/* $STATE_DIRECTORY may list several directories; the first is ours. */
static char *state_dir(void)
{
	const char *env = getenv("STATE_DIRECTORY");

	if (!env || !*env)
		return xstrdup(STATE_DEFAULT_DIR);
	return xstrndup(env, strcspn(env, ":"));
}

/* SPEC §5: apply takes the pass lock of the state directory, so that it
 * never interleaves with the daemon's pass or another apply. */
static int lock_for_apply(void)
{
	char *dir = state_dir(), *err = NULL;
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
	char *dir = NULL;
	int code, lock = -2;

	if (load_config(o, &cfg) < 0)
		return 1;
	if (apply && (lock = lock_for_apply()) == -1) {
		config_free(cfg);
		return 1;
	}
	if (setup_engine(cfg, &e) < 0) {
		control_unlock(lock);
		config_free(cfg);
		return 1;
	}
	/* plan reads what earlier passes did, to plan what apply would. */
	dir = state_dir();
	e.memory = state_recall_memory(dir);
	reconcile_pass(&e, cfg, apply, 1, &r);
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
	char *dir = state_dir();
	struct service_opts so = { o->config_path, dir, o->metrics_path };
	int rc = service_run(&so);

	free(dir);
	return rc;
}

static int cmd_status(const struct options *o)
{
	char *dir = state_dir(), *err = NULL;
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
	char *dir = state_dir(), *err = NULL;
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
	char *dir = state_dir(), *err = NULL;
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
		return rc < 0 ? 0 : 1;
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
	log_setup(o.log_target, o.verbose, o.command);
	service_install_stop_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("lmgrantd: cannot initialise libcurl\n", stderr);
		return 1;
	}
	if (strcmp(o.command, "check") == 0)
		rc = cmd_check(&o);
	else if (strcmp(o.command, "plan") == 0)
		rc = cmd_once(&o, false);
	else if (strcmp(o.command, "apply") == 0)
		rc = cmd_once(&o, true);
	else if (strcmp(o.command, "run") == 0)
		rc = cmd_run(&o);
	else if (strcmp(o.command, "status") == 0)
		rc = cmd_status(&o);
	else if (strcmp(o.command, "whoami") == 0)
		rc = cmd_whoami(&o);
	else if (strcmp(o.command, "access") == 0)
		rc = cmd_access(&o);
	else if (strcmp(o.command, "history") == 0)
		rc = cmd_history(&o);
	else if (strcmp(o.command, "doctor") == 0)
		rc = cmd_doctor(&o);
	else if (strcmp(o.command, "reload") == 0)
		rc = cmd_reload(&o);
	else if (strcmp(o.command, "suspend") == 0)
		rc = cmd_suspend(&o, true);
	else if (strcmp(o.command, "resume") == 0)
		rc = cmd_suspend(&o, false);
	else {
		fprintf(stderr, "lmgrantd: unknown command '%s'\n", o.command);
		usage(stderr);
		rc = 1;
	}
	curl_global_cleanup();
	return rc;
}
