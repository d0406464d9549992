/*
 * service: `lmgrantd run`, the long-running daemon. One loop: a pass at
 * start, then one every interval; signals only set flags (SIGHUP reload,
 * SIGUSR1 pass now, SIGTERM/SIGINT stop) and the loop sleeps in ppoll with
 * those signals unblocked, so an idle daemon uses no CPU.
 */
#ifndef LMGRANTD_SERVICE_H
#define LMGRANTD_SERVICE_H

#include <stdbool.h>

struct service_opts {
	const char *config_path;
	const char *state_dir;    /* $STATE_DIRECTORY or the default */
	const char *metrics_path; /* NULL: none */
};

/* Installs the stop handlers used by every command (SIGTERM/SIGINT). */
void service_install_stop_signals(void);
/* True once SIGTERM or SIGINT arrived. A pure read of an atomic flag:
 * any thread may call it. */
bool service_should_stop(void);
/* Feeds the systemd watchdog (WATCHDOG=1) when half its interval has
 * passed since the last ping; nothing without a watchdog. Any thread may
 * call it: pool workers do, from inside HTTP transfers and waits. */
void service_heartbeat(void);

/* Runs until stopped; returns the process exit code. */
int service_run(const struct service_opts *o);

#endif
