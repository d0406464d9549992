/*
 * memory: a small table of (kind, a, b) -> time, sorted for lookups. A
 * pass notes a few entries and plans look up many, so inserts append and
 * mark the table unsorted; the next lookup sorts it once.
 */
#include "memory.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Bounds on what a (possibly tampered) state file can make us hold. */
#define MEMORY_MAX_ENTRIES 100000
#define MEMORY_MAX_STRING 2048

enum entry_kind { KIND_ACTIVATION, KIND_CREATE };

static const char *const kind_names[] = {
	[KIND_ACTIVATION] = "activation",
	[KIND_CREATE] = "create",
};

struct entry {
	enum entry_kind kind;
	char *a; /* grant ARN (activation) or license ARN (create); owned */
	char *b; /* account ARN or "" (activation), principal ARN (create); owned */
	double at;
};

struct memory {
	pthread_mutex_t lock;
	struct entry *v;
	size_t n, cap;
	bool sorted;
};

struct memory *memory_new(void)
{
	struct memory *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	m->sorted = true;
	return m;
}

void memory_free(struct memory *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].a);
		free(m->v[i].b);
	}
	free(m->v);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *x = pa, *y = pb;
	int c = (int)x->kind - (int)y->kind;

	if (!c)
		c = strcmp(x->a, y->a);
	if (!c)
		c = strcmp(x->b, y->b);
	return c;
}

/* The entry for the key, or NULL; m->lock held. Sorting keeps the latest
 * of equal keys findable: duplicates are merged when noted. */
static struct entry *find_locked(struct memory *m, enum entry_kind kind, const char *a, const char *b)
{
	struct entry key = { kind, (char *)a, (char *)b, 0 };

	if (!m->sorted) {
		if (m->n > 1)
			qsort(m->v, m->n, sizeof(*m->v), entry_cmp);
		m->sorted = true;
	}
	return m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), entry_cmp) : NULL;
}

static double lookup(struct memory *m, enum entry_kind kind, const char *a, const char *b)
{
	struct entry *e = NULL;
	double at = 0;

	if (!m || !a || !b)
		return 0;
	pthread_mutex_lock(&m->lock);
	e = find_locked(m, kind, a, b);
	if (e)
		at = e->at;
	pthread_mutex_unlock(&m->lock);
	return at;
}

static void note(struct memory *m, enum entry_kind kind, const char *a, const char *b, double when)
{
	struct entry *e = NULL;

	if (!m || !a || !b)
		return;
	pthread_mutex_lock(&m->lock);
	e = find_locked(m, kind, a, b);
	if (e) {
		if (when > e->at)
			e->at = when;
	} else if (m->n < MEMORY_MAX_ENTRIES) {
		grow_array((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v));
		m->v[m->n++] = (struct entry){ kind, xstrdup(a), xstrdup(b), when };
		m->sorted = false;
	}
	pthread_mutex_unlock(&m->lock);
}

/* The second key of an activation: "<account> <override>". */
static char *activation_key(const char *account_arn, const char *override)
{
	return xasprintf("%s %s", account_arn ? account_arn : "", override ? override : "");
}

double memory_activated_at(struct memory *m, const char *grant_arn, const char *account_arn,
			   const char *override)
{
	char *b = activation_key(account_arn, override);
	double at = lookup(m, KIND_ACTIVATION, grant_arn, b);

	free(b);
	return at;
}

void memory_note_activation(struct memory *m, const char *grant_arn, const char *account_arn,
			    const char *override, double when)
{
	char *b = activation_key(account_arn, override);

	note(m, KIND_ACTIVATION, grant_arn, b, when);
	free(b);
}

double memory_created_at(struct memory *m, const char *license_arn, const char *principal_arn)
{
	return lookup(m, KIND_CREATE, license_arn, principal_arn);
}

void memory_note_create(struct memory *m, const char *license_arn, const char *principal_arn,
			double when)
{
	note(m, KIND_CREATE, license_arn, principal_arn, when);
}

void memory_forget_before(struct memory *m, double cutoff)
{
	size_t kept = 0;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].at >= cutoff) {
			m->v[kept++] = m->v[i];
			continue;
		}
		free(m->v[i].a);
		free(m->v[i].b);
	}
	m->n = kept;
	pthread_mutex_unlock(&m->lock);
}

size_t memory_size(struct memory *m)
{
	size_t n = 0;

	pthread_mutex_lock(&m->lock);
	n = m->n;
	pthread_mutex_unlock(&m->lock);
	return n;
}

char *memory_to_json(struct memory *m)
{
	json_t *doc = json_pack("{s:i, s:[]}", "format_version", 1, "entries");
	json_t *arr = json_object_get(doc, "entries");
	char *text = NULL;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++) {
		const struct entry *e = &m->v[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:f}", "kind", kind_names[e->kind],
						     "a", e->a, "b", e->b, "at", e->at));
	}
	pthread_mutex_unlock(&m->lock);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text) /* jansson fails only when out of memory */
		text = xstrdup("{\"format_version\":1,\"entries\":[]}");
	return text;
}

static bool bounded_string(json_t *v)
{
	return json_is_string(v) && json_string_length(v) <= MEMORY_MAX_STRING;
}

/* One entry of the file, noted into m; -1 when it is not one. */
static int take_entry(struct memory *m, json_t *e)
{
	json_t *kind = json_object_get(e, "kind"), *a = json_object_get(e, "a");
	json_t *b = json_object_get(e, "b"), *at = json_object_get(e, "at");
	enum entry_kind k = KIND_ACTIVATION;

	if (!json_is_string(kind) || !bounded_string(a) || !bounded_string(b) || !json_is_number(at))
		return -1;
	if (strcmp(json_string_value(kind), kind_names[KIND_CREATE]) == 0)
		k = KIND_CREATE;
	else if (strcmp(json_string_value(kind), kind_names[KIND_ACTIVATION]) != 0)
		return -1;
	note(m, k, json_string_value(a), json_string_value(b), json_number_value(at));
	return 0;
}

int memory_from_json(struct memory *m, const char *text, size_t len, char **err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *arr = json_object_get(doc, "entries"), *e = NULL;
	size_t i = 0;
	int rc = -1;

	if (!doc) {
		*err = xasprintf("not JSON: %s (line %d)", jerr.text, jerr.line);
		return -1;
	}
	if (!json_is_array(arr) || json_array_size(arr) > MEMORY_MAX_ENTRIES) {
		*err = xstrdup("\"entries\" is not a list of at most 100000 entries");
		goto out;
	}
	json_array_foreach(arr, i, e) {
		if (take_entry(m, e) < 0) {
			*err = xasprintf("entry %zu is not {kind, a, b, at}", i);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}
