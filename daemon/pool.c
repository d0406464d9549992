/*
 * pool: a fixed number of threads that take indices from a shared counter.
 * No queue, no persistent threads: a pass starts them and joins them.
 */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "util.h"

#define POOL_MAX_WORKERS 16
#define POOL_STACK_BYTES (256 * 1024)

struct pool_job {
	pthread_mutex_t lock;
	size_t next, n;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
};

static void *worker(void *arg)
{
	struct pool_job *job = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&job->lock);
		i = job->next++;
		pthread_mutex_unlock(&job->lock);
		if (i >= job->n)
			return NULL;
		job->fn(job->ctx, i);
	}
}

void pool_run(size_t n, unsigned workers, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct pool_job job = { .next = 0, .n = n, .fn = fn, .ctx = ctx };
	pthread_t threads[POOL_MAX_WORKERS];
	pthread_attr_t attr;
	unsigned started = 0;

	if (workers > POOL_MAX_WORKERS)
		workers = POOL_MAX_WORKERS;
	if (workers <= 1 || n <= 1) {
		for (size_t i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	pthread_mutex_init(&job.lock, NULL);
	pthread_attr_init(&attr);
	/* Workers only wait on HTTP: a small stack keeps a pass's memory flat. */
	pthread_attr_setstacksize(&attr, POOL_STACK_BYTES);
	for (unsigned w = 0; w < workers && w < n; w++)
		if (pthread_create(&threads[started], &attr, worker, &job) == 0)
			started++;
	pthread_attr_destroy(&attr);
	if (started == 0)
		worker(&job); /* no threads to be had: do it here */
	for (unsigned w = 0; w < started; w++)
		pthread_join(threads[w], NULL);
	pthread_mutex_destroy(&job.lock);
}

unsigned pool_workers_for(double max_tps)
{
	/* Round trips of ~100 ms: max_tps/10 in flight keeps the rate limit,
	 * not latency, the bottleneck. */
	double w = max_tps / 10.0;

	if (w < 2)
		return 2;
	return w > POOL_MAX_WORKERS ? POOL_MAX_WORKERS : (unsigned)(w + 0.999);
}
