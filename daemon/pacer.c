/*
 * pacer: per-service rates that follow AWS's throttling, like TCP's
 * congestion window follows a path's bandwidth.
 *
 * A lane starts in slow start: each paced success adds SLOW_START_STEP
 * requests/s, so a lane that is kept busy about doubles its rate every
 * second, and 5/s reaches 80/s in 4 s. The first throttling answer ends
 * slow start and halves the rate (it overshot by up to 2x); from then on
 * each paced success multiplies the rate by 1 + PROBE_GAIN and each
 * throttling answer by BACKOFF. Growth per success, not per second, makes a
 * cycle from BACKOFF*r back to r take the same number of requests, about
 * ln(1/BACKOFF)/PROBE_GAIN, at 4/s as at 80/s; "add 1/s per second" would
 * make a cycle at 4/s only a few requests long, and throttle a large share.
 *
 * Only successes of requests that had to wait for their slot count: a
 * lane whose demand is below its rate learns nothing about AWS's quota
 * and must not drift to the ceiling untested (TCP's cwnd validation).
 * Only a throttling answer to a request reserved after the last backoff
 * backs off again: the requests already under way at the old rate would
 * otherwise cut the rate once each for the same overshoot.
 *
 * The constants are tuned against `make bench` S5 (an emulator throttling
 * at 4, 20 and 80/s; README, Performance): a gentler backoff throttles
 * more, a faster probe too, a harsher backoff leaves the quota unused.
 */
#include "pacer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define SLOW_START_STEP 1.0  /* requests/s added per paced success in slow start */
#define SLOW_START_CUT 0.5   /* the first throttling answer */
#define PROBE_GAIN 0.0025    /* rate *= 1 + PROBE_GAIN per paced success afterwards */
#define BACKOFF 0.8          /* rate *= BACKOFF per throttling answer afterwards */
#define REPORT_CHANGE 0.2    /* pacer_take_change: a move of more than 20 % */

struct lane {
	char name[PACER_SERVICE_NAME_MAX];
	double rate;
	double next_slot;  /* the earliest start of the next request */
	double last_cut;   /* when the rate was last lowered; -inf: never */
	bool slow_start;
	double reported;   /* the rate pacer_take_change last returned */
};

struct pacer {
	double fixed_rate; /* 0: adaptive */
	struct lane lanes[PACER_MAX_SERVICES];
	size_t nlanes;
};

struct pacer *pacer_new(double fixed_rate)
{
	struct pacer *p = xcalloc(1, sizeof(*p));

	p->fixed_rate = fixed_rate > 0 ? fixed_rate : 0;
	return p;
}

void pacer_free(struct pacer *p)
{
	free(p);
}

static double start_rate(const struct pacer *p)
{
	return p->fixed_rate > 0 ? p->fixed_rate : PACER_START;
}

static const struct lane *find_lane(const struct pacer *p, const char *service)
{
	for (size_t i = 0; i < p->nlanes; i++)
		if (strncmp(p->lanes[i].name, service, sizeof(p->lanes[i].name) - 1) == 0)
			return &p->lanes[i]; /* names compare as stored: cut to 31 bytes */
	return NULL;
}

/* The lane of service, made on first use. The services lmgrantd calls are
 * a handful; should they ever outnumber the lanes, the last one is shared. */
static struct lane *lane_for(struct pacer *p, const char *service)
{
	struct lane *l = (struct lane *)find_lane(p, service);

	if (l)
		return l;
	if (p->nlanes == PACER_MAX_SERVICES)
		return &p->lanes[PACER_MAX_SERVICES - 1];
	l = &p->lanes[p->nlanes++];
	strncpy(l->name, service, sizeof(l->name) - 1);
	l->rate = start_rate(p);
	l->reported = l->rate;
	l->last_cut = -INFINITY;
	l->slow_start = true;
	return l;
}

struct pacer_ticket pacer_reserve(struct pacer *p, const char *service, double now)
{
	struct lane *l = lane_for(p, service);
	struct pacer_ticket t = { .at = now, .reserved = now, .paced = false };

	if (l->next_slot > now) {
		t.at = l->next_slot;
		t.paced = true;
	}
	l->next_slot = t.at + 1.0 / l->rate;
	return t;
}

static double clamp_rate(double r)
{
	return r < PACER_FLOOR ? PACER_FLOOR : (r > PACER_CEILING ? PACER_CEILING : r);
}

void pacer_answer(struct pacer *p, const char *service, const struct pacer_ticket *t, double now,
		  enum pacer_outcome outcome)
{
	struct lane *l = lane_for(p, service);

	if (p->fixed_rate > 0)
		return;
	if (outcome == PACER_OK && t->paced) {
		l->rate = clamp_rate(l->slow_start ? l->rate + SLOW_START_STEP : l->rate * (1 + PROBE_GAIN));
	} else if (outcome == PACER_THROTTLED && t->reserved >= l->last_cut) {
		l->rate = clamp_rate(l->rate * (l->slow_start ? SLOW_START_CUT : BACKOFF));
		l->slow_start = false;
		l->last_cut = now;
	}
}

double pacer_rate(const struct pacer *p, const char *service)
{
	const struct lane *l = find_lane(p, service);

	return l ? l->rate : start_rate(p);
}

bool pacer_take_change(struct pacer *p, const char *service, double *rate)
{
	struct lane *l = lane_for(p, service);

	if (fabs(l->rate - l->reported) <= REPORT_CHANGE * l->reported)
		return false;
	l->reported = l->rate;
	*rate = l->rate;
	return true;
}
