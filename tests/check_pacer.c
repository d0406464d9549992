/*
 * Unit tests for pacer: slots, slow start and probing (increase), halving
 * at the end of slow start and multiplicative backoff after it, the floor
 * and the ceiling, one lane per service, fixed rates, the 20 % change
 * report, and convergence on a simulated AWS token bucket. Time is a number
 * the tests pass in: no clock, no sleeping.
 */
#include <check.h>
#include <math.h>
#include <stdbool.h>

#include "check_main.h"
#include "pacer.h"

#define LM "license-manager"
#define ORG "organizations"

/* A request to service asked for at now, answered at once with outcome;
 * returns the time it was allowed to start. */
static double request(struct pacer *p, const char *service, double now, enum pacer_outcome outcome)
{
	struct pacer_ticket t = pacer_reserve(p, service, now);

	pacer_answer(p, service, &t, t.at, outcome);
	return t.at;
}

/* n requests all asked for at now, so each waits for its slot (a busy
 * lane), answered with outcome; returns when the last one started. */
static double busy(struct pacer *p, const char *service, double now, int n, enum pacer_outcome outcome)
{
	double at = now;

	for (int i = 0; i < n; i++)
		at = request(p, service, now, outcome);
	return at;
}

START_TEST(test_slots_are_one_over_rate_apart)
{
	struct pacer *p = pacer_new(4);
	struct pacer_ticket a = pacer_reserve(p, LM, 10.0);
	struct pacer_ticket b = pacer_reserve(p, LM, 10.0);
	struct pacer_ticket c = pacer_reserve(p, LM, 10.1);
	struct pacer_ticket d = pacer_reserve(p, LM, 20.0);

	ck_assert(a.at == 10.0 && !a.paced);
	ck_assert(fabs(b.at - 10.25) < 1e-9 && b.paced);
	ck_assert(fabs(c.at - 10.5) < 1e-9 && c.paced);
	/* An idle lane does not save up slots for a burst. */
	ck_assert(d.at == 20.0 && !d.paced);
	pacer_free(p);
}
END_TEST

START_TEST(test_auto_starts_at_5)
{
	struct pacer *p = pacer_new(0);

	ck_assert(pacer_rate(p, LM) == PACER_START);
	ck_assert(PACER_START == 5.0);
	ck_assert(fabs(request(p, LM, 1.0, PACER_OK) - 1.0) < 1e-9);
	ck_assert(fabs(pacer_reserve(p, LM, 1.0).at - 1.2) < 1e-9);
	pacer_free(p);
}
END_TEST

START_TEST(test_increase_in_slow_start)
{
	struct pacer *p = pacer_new(0);

	/* A busy lane about doubles its rate in a second of successes. */
	busy(p, LM, 0, 5, PACER_OK);
	ck_assert_double_ge(pacer_rate(p, LM), 9.0);
	busy(p, LM, 0, 10, PACER_OK);
	ck_assert_double_ge(pacer_rate(p, LM), 18.0);
	pacer_free(p);
}
END_TEST

START_TEST(test_no_increase_without_demand)
{
	struct pacer *p = pacer_new(0);

	/* One request a second at 5/s never waits: nothing learned. */
	for (int i = 0; i < 100; i++)
		request(p, LM, i, PACER_OK);
	ck_assert(pacer_rate(p, LM) == PACER_START);
	pacer_free(p);
}
END_TEST

START_TEST(test_halving_ends_slow_start)
{
	struct pacer *p = pacer_new(0);
	double before, t;

	t = busy(p, LM, 0, 20, PACER_OK);
	before = pacer_rate(p, LM);
	request(p, LM, t, PACER_THROTTLED);
	ck_assert(fabs(pacer_rate(p, LM) - before / 2) < 1e-9);
	pacer_free(p);
}
END_TEST

START_TEST(test_multiplicative_decrease_and_slow_probe)
{
	struct pacer *p = pacer_new(0);
	double r, t;

	t = busy(p, LM, 0, 40, PACER_OK);
	request(p, LM, t + 1, PACER_THROTTLED); /* end of slow start */
	r = pacer_rate(p, LM);
	t = request(p, LM, t + 2, PACER_THROTTLED);
	/* After slow start a throttle takes a fifth off, not half. */
	ck_assert_double_lt(pacer_rate(p, LM), r * 0.9);
	ck_assert_double_gt(pacer_rate(p, LM), r * 0.6);
	r = pacer_rate(p, LM);
	/* ... and successes add well under 1 % each: no doubling any more. */
	busy(p, LM, t + 3, 10, PACER_OK);
	ck_assert_double_gt(pacer_rate(p, LM), r);
	ck_assert_double_lt(pacer_rate(p, LM), r * 1.1);
	pacer_free(p);
}
END_TEST

START_TEST(test_one_backoff_per_overshoot)
{
	struct pacer *p = pacer_new(0);
	struct pacer_ticket queued[5];
	double r, t;

	t = busy(p, LM, 0, 40, PACER_OK);
	request(p, LM, t + 1, PACER_THROTTLED);
	t += 2;
	for (int i = 0; i < 5; i++)
		queued[i] = pacer_reserve(p, LM, t);
	pacer_answer(p, LM, &queued[0], t + 0.1, PACER_THROTTLED);
	r = pacer_rate(p, LM);
	/* Requests reserved before that backoff meet the same overshoot: their
	 * throttling answers do not cut again. */
	for (int i = 1; i < 5; i++)
		pacer_answer(p, LM, &queued[i], t + 0.2, PACER_THROTTLED);
	ck_assert(pacer_rate(p, LM) == r);
	/* A request reserved after it does. */
	request(p, LM, t + 0.3, PACER_THROTTLED);
	ck_assert_double_lt(pacer_rate(p, LM), r);
	pacer_free(p);
}
END_TEST

START_TEST(test_floor)
{
	struct pacer *p = pacer_new(0);

	for (int i = 0; i < 100; i++)
		request(p, LM, i * 10.0, PACER_THROTTLED);
	ck_assert(pacer_rate(p, LM) == PACER_FLOOR);
	ck_assert_double_gt(PACER_FLOOR, 0);
	pacer_free(p);
}
END_TEST

START_TEST(test_ceiling)
{
	struct pacer *p = pacer_new(0);
	double t = 0;

	for (int i = 0; i < 50; i++)
		t = busy(p, LM, t, 100, PACER_OK);
	ck_assert(pacer_rate(p, LM) == PACER_CEILING);
	ck_assert(PACER_CEILING == 100.0);
	/* Also after slow start. */
	request(p, LM, t + 1, PACER_THROTTLED);
	for (int i = 0; i < 50; i++)
		t = busy(p, LM, t + 2, 100, PACER_OK);
	ck_assert(pacer_rate(p, LM) == PACER_CEILING);
	pacer_free(p);
}
END_TEST

START_TEST(test_services_are_separate)
{
	struct pacer *p = pacer_new(0);
	double t;

	t = busy(p, LM, 0, 30, PACER_OK);
	request(p, ORG, t, PACER_THROTTLED);
	/* Organizations' throttling leaves License Manager's rate alone... */
	ck_assert_double_gt(pacer_rate(p, LM), 20);
	ck_assert(pacer_rate(p, ORG) == PACER_START / 2);
	/* ... and each lane has its own slots. */
	ck_assert(pacer_reserve(p, ORG, t + 10).at == t + 10);
	ck_assert(pacer_reserve(p, LM, t + 10).at == t + 10);
	ck_assert(pacer_reserve(p, ORG, t + 10).at == t + 10 + 1 / pacer_rate(p, ORG));
	/* An unused lane reports the start rate. */
	ck_assert(pacer_rate(p, "sts") == PACER_START);
	pacer_free(p);
}
END_TEST

START_TEST(test_fixed_rate_never_moves)
{
	struct pacer *p = pacer_new(2.5);
	double t;

	ck_assert(pacer_rate(p, LM) == 2.5);
	t = busy(p, LM, 0, 50, PACER_OK);
	ck_assert(pacer_rate(p, LM) == 2.5);
	busy(p, LM, t, 5, PACER_THROTTLED);
	ck_assert(pacer_rate(p, LM) == 2.5);
	ck_assert(pacer_rate(p, ORG) == 2.5);
	pacer_free(p);
}
END_TEST

START_TEST(test_neutral_answers_change_nothing)
{
	struct pacer *p = pacer_new(0);

	busy(p, LM, 0, 20, PACER_NEUTRAL);
	ck_assert(pacer_rate(p, LM) == PACER_START);
	pacer_free(p);
}
END_TEST

START_TEST(test_change_report_over_20_percent)
{
	struct pacer *p = pacer_new(0);
	double rate = 0, t = 0;

	ck_assert(!pacer_take_change(p, LM, &rate));
	request(p, LM, 0, PACER_OK);
	t = request(p, LM, 0, PACER_OK); /* 5 -> 6: exactly 20 %, not more */
	ck_assert(pacer_rate(p, LM) == 6.0);
	ck_assert(!pacer_take_change(p, LM, &rate));
	request(p, LM, t, PACER_OK); /* 7: 40 % over the last report */
	ck_assert(pacer_take_change(p, LM, &rate));
	ck_assert(rate == 7.0);
	ck_assert(!pacer_take_change(p, LM, &rate));
	pacer_free(p);
}
END_TEST

/*
 * AWS as a token bucket of rate r and burst ceil(r) (what the emulator's
 * --throttle-rps does), 10 requests in flight as a pass's workers keep
 * them, answers 10 ms after sending, a throttled request tried again after
 * a 50 ms backoff. Returns the time n requests took to succeed; *throttled
 * is how many attempts were throttled.
 */
static double simulate(double r, int n, int *throttled)
{
	enum { WORKERS = 10 };
	struct pacer *p = pacer_new(0);
	struct pacer_ticket tk[WORKERS];
	double when[WORKERS] = { 0 }, tokens = ceil(r), last = 0, now = 0;
	int step[WORKERS] = { 0 }, started = WORKERS, done = 0;
	bool refused[WORKERS] = { false };

	*throttled = 0;
	while (done < n) {
		int w = -1;

		for (int i = 0; i < WORKERS; i++)
			if (step[i] >= 0 && (w < 0 || when[i] < when[w]))
				w = i;
		now = when[w];
		if (step[w] == 0) { /* asks for a slot */
			tk[w] = pacer_reserve(p, LM, now);
			when[w] = tk[w].at;
			step[w] = 1;
		} else if (step[w] == 1) { /* sends */
			tokens = fmin(ceil(r), tokens + (now - last) * r);
			last = now;
			refused[w] = tokens < 1;
			tokens -= refused[w] ? 0 : 1;
			*throttled += refused[w];
			when[w] = now + 0.01;
			step[w] = 2;
		} else { /* has its answer */
			pacer_answer(p, LM, &tk[w], now, refused[w] ? PACER_THROTTLED : PACER_OK);
			done += !refused[w];
			when[w] = now + (refused[w] ? 0.05 : 0);
			step[w] = refused[w] || started++ < n ? 0 : -1;
		}
	}
	pacer_free(p);
	return now;
}

START_TEST(test_converges_on_a_token_bucket)
{
	static const double rates[] = { 4, 20, 80 };
	double r = rates[_i];
	int throttled = 0;
	double took = simulate(r, 2000, &throttled);

	/* The bench's targets (make bench, S5), met in this model too. */
	ck_assert_double_le(took, 1.25 * 2000 / r);
	ck_assert_int_le(throttled, 0.05 * (2000 + throttled));
}
END_TEST

static Suite *pacer_suite(void)
{
	Suite *s = suite_create("pacer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_slots_are_one_over_rate_apart);
	tcase_add_test(tc, test_auto_starts_at_5);
	tcase_add_test(tc, test_increase_in_slow_start);
	tcase_add_test(tc, test_no_increase_without_demand);
	tcase_add_test(tc, test_halving_ends_slow_start);
	tcase_add_test(tc, test_multiplicative_decrease_and_slow_probe);
	tcase_add_test(tc, test_one_backoff_per_overshoot);
	tcase_add_test(tc, test_floor);
	tcase_add_test(tc, test_ceiling);
	tcase_add_test(tc, test_services_are_separate);
	tcase_add_test(tc, test_fixed_rate_never_moves);
	tcase_add_test(tc, test_neutral_answers_change_nothing);
	tcase_add_test(tc, test_change_report_over_20_percent);
	tcase_add_loop_test(tc, test_converges_on_a_token_bucket, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(pacer_suite());
}
