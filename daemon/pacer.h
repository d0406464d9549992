/*
 * pacer: how fast lmgrantd may send requests to each AWS service. AWS does
 * not publish License Manager's per-operation quotas, so with `max_tps:
 * auto` the pacer finds the rate the way TCP finds a path's bandwidth: it
 * starts at PACER_START requests/s, probes upward while requests succeed
 * (fast at first, then slowly), and backs off multiplicatively on a
 * throttling answer; never below PACER_FLOOR, never above PACER_CEILING.
 * A fixed rate (a number for max_tps) never moves. Each service has a lane
 * of its own: License Manager and Organizations have separate quotas.
 *
 * A pure function of time and answers: the caller passes the time in
 * (monotonic seconds), and sleeps and locks itself; nothing here reads a
 * clock, sleeps or logs. Not thread-safe: http calls it under its lock.
 */
#ifndef LMGRANTD_PACER_H
#define LMGRANTD_PACER_H

#include <stdbool.h>
#include <stddef.h>

#define PACER_START 5.0     /* requests/s of a new adaptive lane */
#define PACER_FLOOR 1.0     /* no throttling answer takes a lane below this */
#define PACER_CEILING 100.0 /* no run of successes takes a lane above this */
#define PACER_MAX_SERVICES 8
#define PACER_SERVICE_NAME_MAX 32

struct pacer;

/* fixed_rate > 0: every lane keeps that rate; 0: adaptive. Caller frees
 * with pacer_free. */
struct pacer *pacer_new(double fixed_rate);
void pacer_free(struct pacer *p);

/* One request's place in its lane, from pacer_reserve to pacer_answer. */
struct pacer_ticket {
	double at;       /* when the request may be sent */
	double reserved; /* when it asked */
	bool paced;      /* it had to wait: the rate, not the demand, was the limit */
};

/* The start time for a request to service asked for at now (at or after
 * now, at least 1/rate after the lane's previous one). service is a short
 * name such as "license-manager"; borrowed. */
struct pacer_ticket pacer_reserve(struct pacer *p, const char *service, double now);

enum pacer_outcome {
	PACER_OK,        /* answered, and not throttled: probe upward */
	PACER_THROTTLED, /* a throttling answer: back off */
	PACER_NEUTRAL,   /* anything else (5xx, transport, cancelled): no change */
};
/* Tells the lane how the request of ticket t was answered at now. */
void pacer_answer(struct pacer *p, const char *service, const struct pacer_ticket *t, double now,
		  enum pacer_outcome outcome);

/* The rate in force for service: its start rate while unused. */
double pacer_rate(const struct pacer *p, const char *service);

/* True when service's rate has moved by more than 20 % from the rate last
 * returned here (or the start rate); *rate is then the new rate, which
 * becomes the reference. For `-v` output. */
bool pacer_take_change(struct pacer *p, const char *service, double *rate);

#endif
