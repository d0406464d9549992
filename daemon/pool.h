/*
 * pool: runs fn(ctx, i) for every i in [0, n) on up to `workers` threads
 * and returns when all are done. Used to keep several AWS requests in
 * flight (reads of different licenses, writes of one plan phase) while
 * http's shared rate limit keeps the total within AWS quotas.
 */
#ifndef LMGRANTD_POOL_H
#define LMGRANTD_POOL_H

#include <stddef.h>

void pool_run(size_t n, unsigned workers, void (*fn)(void *ctx, size_t i), void *ctx);

/* How many requests to keep in flight for a client-side rate of max_tps:
 * enough to hide round trips, bounded so a burst never floods AWS. */
unsigned pool_workers_for(double max_tps);

#endif
