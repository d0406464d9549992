/*
 * service: the daemon loop and its systemd integration (sd_notify READY,
 * STATUS, WATCHDOG, RELOADING, STOPPING). The signal flags and the
 * watchdog deadline below are the only global mutable state lmgrantd has.
 * All are atomics: a handler may run on any thread, pool workers read the
 * stop flag and feed the watchdog while the main thread waits in a pass.
 */
#include "service.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "reconcile.h"
#include "state.h"

/* How long the daemon's passes reuse an organization they read: three
 * passes at the default interval. A reload (SIGHUP) or a pass asked for
 * with SIGUSR1 reads it again at once. */
#define ORG_CACHE_TTL_S 900.0

/* Lock-free atomics are safe to store from a signal handler (C11 7.14.1.1)
 * and, unlike volatile sig_atomic_t, to read from other threads. */
static atomic_int sig_stop, sig_reload, sig_pass_now;

/* The watchdog: set once before the first pass; fed by the main loop and,
 * during a pass, by whichever worker calls service_heartbeat first after
 * the deadline (the compare-and-swap elects one, so one ping per period). */
static atomic_uint_least64_t watchdog_interval_us; /* 0: no watchdog */
static atomic_uint_least64_t watchdog_next_us;      /* CLOCK_MONOTONIC */

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		atomic_store(&sig_reload, 1);
	else if (sig == SIGUSR1)
		atomic_store(&sig_pass_now, 1);
	else
		atomic_store(&sig_stop, 1);
}

static void set_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void service_install_stop_signals(void)
{
	set_handler(SIGTERM);
	set_handler(SIGINT);
	signal(SIGPIPE, SIG_IGN);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void service_heartbeat(void)
{
	uint64_t interval = atomic_load(&watchdog_interval_us), now, due;

	if (!interval)
		return;
	now = mono_us();
	due = atomic_load(&watchdog_next_us);
	if (now < due || !atomic_compare_exchange_strong(&watchdog_next_us, &due, now + interval / 2))
		return;
	sd_notify(0, "WATCHDOG=1");
}

bool service_should_stop(void)
{
	return atomic_load(&sig_stop) != 0;
}

struct daemon {
	const struct service_opts *o;
	struct config *cfg;
	struct engine *engine; /* heap: its aws_clients point into it */
	struct metrics metrics;
	unsigned long pass;
	unsigned long reloads; /* answered, for `lmgrantd reload` */
	struct memory *memory; /* owned; the engine borrows it */
};

/* For a rejection, nmodels says whether an older config stays in force. */
static void log_config_event(const char *msgid, int priority, const char *result,
			     const char *fmt_path, size_t nmodels, const char *error)
{
	struct log_event ev = {
		.message_id = msgid, .priority = priority, .action = "config", .result = result,
		.error = error,
	};

	if (error)
		log_event(&ev, "configuration %s rejected: %s; %s", fmt_path, error,
			  nmodels ? "the previous one stays in force" : "not starting");
	else
		log_event(&ev, "configuration %s loaded: %zu models", fmt_path, nmodels);
}

static const char *or_none(const char *s)
{
	return s && *s ? s : "none";
}

/* SPEC §6: a reload journals the old and the new revision; the entry is
 * made under the new one. */
static void log_config_loaded(const struct daemon *d, const struct config *old,
			      const struct config *cfg)
{
	struct log_event ev = {
		.message_id = MSGID_CONFIG_LOADED, .priority = LOG_INFO, .action = "config",
		.result = "ok",
	};

	if (!old) {
		log_event(&ev, "configuration %s loaded: %zu models; revision %s, sha256 %s",
			  d->o->config_path, cfg->nmodels, or_none(cfg->revision), cfg->sha256);
		return;
	}
	log_event(&ev, "configuration %s reloaded: %zu models; revision %s -> %s, sha256 %.12s -> %.12s",
		  d->o->config_path, cfg->nmodels, or_none(old->revision), or_none(cfg->revision),
		  old->sha256, cfg->sha256);
}

/* Tells a waiting `lmgrantd reload` (and systemctl status) the outcome. */
static void answer_reload(struct daemon *d, const char *errors)
{
	struct reload_answer a = {
		.pid = (long)getpid(), .seq = ++d->reloads, .loaded = errors == NULL,
		.errors = (char *)errors,
	};
	char *err = NULL;

	d->metrics.last_reload_failed = errors != NULL;
	if (errors)
		sd_notifyf(0, "STATUS=config rejected: %s; the previous one stays in force", errors);
	else
		sd_notifyf(0, "STATUS=config loaded: %zu models, revision %s", d->cfg->nmodels,
			   or_none(d->cfg->revision));
	if (control_write_reload(d->o->state_dir, &a, &err) < 0) {
		log_msg(LOG_WARNING, "cannot answer the reload: %s", err);
		free(err);
	}
}

/* Loads the config into d; on failure d keeps what it had and *why says
 * what was wrong (caller frees). */
static int load(struct daemon *d, char **why)
{
	struct config_errors errs = { 0 };
	struct config *cfg = NULL;
	struct engine *e = xcalloc(1, sizeof(*e));
	struct aws_env aenv;
	struct creds_env cenv;
	char *err = NULL;

	if (config_load(d->o->config_path, &cfg, &errs) < 0) {
		struct strbuf sb = { 0 };

		for (size_t i = 0; i < errs.n; i++)
			sb_printf(&sb, "%s%s", i ? "; " : "", errs.lines[i]);
		log_config_event(MSGID_CONFIG_REJECTED, LOG_ERR, "failed", d->o->config_path,
				 d->cfg != NULL, sb.buf);
		*why = sb_steal(&sb);
		config_errors_free(&errs);
		free(e);
		return -1;
	}
	aws_env_from_environ(&aenv);
	creds_env_from_environ(&cenv);
	if (engine_init(e, cfg, &aenv, &cenv, service_should_stop, service_heartbeat, &err) < 0) {
		log_config_event(MSGID_CONFIG_REJECTED, LOG_ERR, "failed", d->o->config_path,
				 d->cfg != NULL, err);
		*why = err;
		free(e);
		config_free(cfg);
		return -1;
	}
	e->org_cache_ttl_s = ORG_CACHE_TTL_S;
	e->memory = d->memory;
	log_set_config(cfg->sha256, cfg->revision);
	log_config_loaded(d, d->cfg, cfg);
	engine_free(d->engine);
	free(d->engine);
	config_free(d->cfg);
	d->cfg = cfg;
	d->engine = e;
	return 0;
}

static void notify_status(const struct pass_report *r, int code, time_t next)
{
	char when[16];
	struct tm tm;

	localtime_r(&next, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (r->interrupted)
		sd_notifyf(0, "STATUS=pass %lu interrupted; stopping", r->pass);
	else if (r->held && code != 1 && r->suspended)
		sd_notifyf(0, "STATUS=suspended: %s; %zu changes planned, none made; next pass %s",
			   *r->suspended ? r->suspended : "(no reason given)", plan_changes(&r->plan), when);
	else if (r->held && code != 1)
		sd_notifyf(0, "STATUS=mode observe: %zu changes planned, none made; next pass %s",
			   plan_changes(&r->plan), when);
	else if (code == 1)
		sd_notifyf(0, "STATUS=pass %lu failed (%zu actions failed); next pass %s", r->pass,
			   r->result.nfailed, when);
	else if (plan_changes(&r->plan))
		sd_notifyf(0, "STATUS=%zu changes made; %zu live grants; next pass %s",
			   plan_changes(&r->plan), pass_live_grants(r), when);
	else
		sd_notifyf(0, "STATUS=in sync; %zu live grants; next pass %s", pass_live_grants(r), when);
}

static void run_pass(struct daemon *d)
{
	struct pass_report r;
	time_t started = time(NULL), next;
	char *err = NULL, *suspended = NULL;
	int code, lock;

	/* SPEC §5: one pass at a time per state directory. */
	lock = control_lock(d->o->state_dir, "run", CONTROL_LOCK_WAIT_S, service_should_stop, &err);
	if (lock == -1) {
		log_msg(LOG_WARNING, "pass skipped: %s", err);
		sd_notifyf(0, "STATUS=pass skipped: %s", err);
		free(err);
		return;
	}
	suspended = control_suspended(d->o->state_dir);
	d->engine->suspended = suspended;
	reconcile_pass(d->engine, d->cfg, true, ++d->pass, &r);
	state_keep_memory(d->o->state_dir, d->memory, d->cfg);
	code = pass_exit_code(&r);
	pass_log_summary(&r);
	next = time(NULL) + (time_t)d->cfg->interval_s;
	metrics_add_pass(&d->metrics, &r, time(NULL));
	d->metrics.interval_s = d->cfg->interval_s;
	if (state_write_status(d->o->state_dir, &r, d->engine->http, started, next, d->cfg->interval_s, &err) < 0) {
		log_msg(LOG_WARNING, "cannot write the status file: %s", err);
		free(err);
		err = NULL;
	}
	/* An interrupted pass saw part of the estate: the metrics of the last
	 * complete one stay (the daemon is stopping). */
	if (d->o->metrics_path && !r.interrupted &&
	    state_write_metrics(d->o->metrics_path, &d->metrics, &r, d->engine->http, &err) < 0) {
		log_msg(LOG_WARNING, "cannot write the metrics file: %s", err);
		free(err);
	}
	notify_status(&r, code, next);
	pass_report_free(&r);
	d->engine->suspended = NULL;
	free(suspended);
	control_unlock(lock);
}

/* Sleeps until deadline or a signal, with the signals blocked everywhere
 * but inside ppoll, so none is lost between the check and the sleep. */
static void wait_until(double deadline)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!atomic_load(&sig_stop) && !atomic_load(&sig_reload) && !atomic_load(&sig_pass_now)) {
		double now = mono_now(), left = deadline - now, ping;
		struct timespec ts;

		if (atomic_load(&watchdog_interval_us)) {
			service_heartbeat();
			ping = (double)atomic_load(&watchdog_next_us) / 1e6 - now;
			if (ping < left)
				left = ping;
		}
		if (deadline - now <= 0)
			break;
		if (left < 0)
			left = 0;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (ppoll(NULL, 0, &ts, &old) < 0 && errno != EINTR)
			break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Returns true when a new config is in force: it deserves a pass now. */
static bool reload(struct daemon *d)
{
	char *why = NULL;
	bool ok;

	atomic_store(&sig_reload, 0);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)(mono_now() * 1e6));
	ok = load(d, &why) == 0;
	answer_reload(d, why);
	sd_notify(0, "READY=1");
	free(why);
	return ok;
}

int service_run(const struct service_opts *o)
{
	struct daemon d = { .o = o };
	struct log_event ev = {
		.message_id = MSGID_STARTED, .priority = LOG_INFO, .action = "config", .result = "ok",
	};
	double next_pass;
	uint64_t interval_us = 0;
	char *why = NULL;

	set_handler(SIGHUP);
	set_handler(SIGUSR1);
	if (sd_watchdog_enabled(0, &interval_us) <= 0)
		interval_us = 0;
	atomic_store(&watchdog_interval_us, interval_us);
	d.memory = state_recall_memory(o->state_dir);
	/* Logged once the config is loaded, so that this entry too carries
	 * its digest and revision (SPEC §6); a rejection is its own entry. */
	if (load(&d, &why) < 0) {
		free(why);
		memory_free(d.memory);
		return 1;
	}
	log_event(&ev, "lmgrantd %s started; config %s, state %s", LMGRANTD_VERSION,
		  o->config_path, o->state_dir);
	/* For `lmgrantd reload` without --pid; a daemon without one still runs. */
	if (control_write_pid(o->state_dir, &why) < 0) {
		log_msg(LOG_WARNING, "cannot write the pid file: %s", why);
		free(why);
	}
	sd_notify(0, "READY=1");
	next_pass = mono_now();
	while (!atomic_load(&sig_stop)) {
		if (atomic_load(&sig_reload) && reload(&d))
			next_pass = mono_now();
		if (atomic_load(&sig_pass_now) || mono_now() >= next_pass) {
			/* Whoever asks for a pass now may just have changed the
			 * organization: it gets a fresh read. */
			if (atomic_exchange(&sig_pass_now, 0))
				engine_forget_org(d.engine);
			run_pass(&d);
			next_pass = mono_now() + (double)d.cfg->interval_s;
			continue;
		}
		wait_until(next_pass);
	}
	sd_notify(0, "STOPPING=1");
	control_remove_pid(o->state_dir);
	log_msg(LOG_INFO, "stopping after %lu passes", d.pass);
	engine_free(d.engine);
	free(d.engine);
	config_free(d.cfg);
	memory_free(d.memory);
	return 0;
}
