/*
 * state: status.json and metrics. The JSON and the metrics text are built
 * in memory and then written with write_file_atomic, so the on-disk files
 * are always whole.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

int write_file_atomic(const char *path, const char *data, size_t len, char **err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	*err = xasprintf("%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

void metrics_add_pass(struct metrics *m, const struct pass_report *r, time_t now)
{
	if (pass_exit_code(r) == 1) {
		m->passes_failed++;
	} else {
		m->passes_ok++;
		m->last_success = now;
	}
	for (size_t i = 0; i < r->plan.nactions; i++) {
		enum action_result res = r->applied ? r->result.results[i] : AR_NONE;

		m->actions[r->plan.actions[i].kind][res]++;
	}
}

static void iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *grants_by_status(const struct pass_report *r, const char *license_arn)
{
	json_t *by = json_object();

	for (size_t i = 0; i < r->observed.nlicenses; i++) {
		const struct observed_license *l = &r->observed.licenses[i];

		if (strcmp(l->license_arn, license_arn) != 0)
			continue;
		for (int st = 0; st < GRANT_STATUS_COUNT; st++) {
			const char *name = grant_status_name(st);
			json_int_t n = json_integer_value(json_object_get(by, name));

			if (l->status_counts[st] > 0)
				json_object_set_new(by, name,
						    json_integer(n + (json_int_t)l->status_counts[st]));
		}
	}
	return by;
}

static json_t *models_json(const struct pass_report *r)
{
	json_t *models = json_object();

	for (size_t i = 0; i < r->desired.nmodels; i++) {
		const struct desired_model *m = &r->desired.models[i];
		json_t *j = json_pack("{s:o, s:o}", "license_arn",
				      m->license_arn ? json_string(m->license_arn) : json_null(),
				      "error", m->error ? json_string(m->error) : json_null());

		json_object_set_new(j, "grants", m->license_arn ? grants_by_status(r, m->license_arn)
								: json_object());
		json_object_set_new(models, m->name, j);
	}
	return models;
}

static const char *last_error(const struct pass_report *r)
{
	for (size_t i = 0; i < r->result.nresults; i++)
		if (r->result.results[i] == AR_FAILED && r->result.errors[i])
			return r->result.errors[i];
	for (size_t i = 0; i < r->plan.nactions; i++)
		if (r->plan.actions[i].kind == ACT_BLOCKED)
			return r->plan.actions[i].reason;
	return NULL;
}

int state_write_status(const char *dir, const struct pass_report *r, time_t started,
		       time_t next_pass, char **err)
{
	json_t *counts = json_object(), *doc;
	char when[32], next[32], *text, *path;
	int code = pass_exit_code(r), rc;

	for (int k = 0; k < ACT_KIND_COUNT; k++) {
		json_t *c = json_pack("{s:I}", "planned", (json_int_t)r->plan.counts[k]);

		if (r->applied)
			json_object_update_missing_new(c, json_pack("{s:I, s:I, s:I}",
				"ok", (json_int_t)r->result.ok[k], "failed", (json_int_t)r->result.failed[k],
				"skipped", (json_int_t)r->result.skipped[k]));
		json_object_set_new(counts, action_kind_name((enum action_kind)k), c);
	}
	iso_time(started, when, sizeof(when));
	iso_time(next_pass, next, sizeof(next));
	doc = json_pack("{s:i, s:I, s:s, s:f, s:s, s:I, s:I, s:o, s:o, s:o, s:s}",
			"version", 1, "pass", (json_int_t)r->pass, "time", when, "duration_seconds",
			r->seconds, "result", code == 1 ? "failed" : (plan_changes(&r->plan) ? "changed" : "in_sync"),
			"changes", (json_int_t)plan_changes(&r->plan), "live_grants",
			(json_int_t)pass_live_grants(r), "counts", counts, "models", models_json(r),
			"last_error", last_error(r) ? json_string(last_error(r)) : json_null(),
			"next_pass", next);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	path = xasprintf("%s/status.json", dir);
	rc = write_file_atomic(path, text, strlen(text), err);
	free(path);
	free(text);
	json_decref(doc);
	return rc;
}

static void print_status_text(FILE *out, json_t *doc)
{
	json_t *models = json_object_get(doc, "models"), *m;
	const char *name;

	fprintf(out, "last pass:  #%lld at %s, %.1f s, %s (%lld changes)\n",
		(long long)json_integer_value(json_object_get(doc, "pass")),
		json_string_value(json_object_get(doc, "time")),
		json_real_value(json_object_get(doc, "duration_seconds")),
		json_string_value(json_object_get(doc, "result")),
		(long long)json_integer_value(json_object_get(doc, "changes")));
	fprintf(out, "next pass:  %s\n", json_string_value(json_object_get(doc, "next_pass")));
	if (json_is_string(json_object_get(doc, "last_error")))
		fprintf(out, "last error: %s\n", json_string_value(json_object_get(doc, "last_error")));
	json_object_foreach(models, name, m) {
		json_t *grants = json_object_get(m, "grants"), *n;
		const char *st;

		fprintf(out, "model %s:", name);
		json_object_foreach(grants, st, n)
			fprintf(out, " %s=%lld", st, (long long)json_integer_value(n));
		if (json_is_string(json_object_get(m, "error")))
			fprintf(out, " (error: %s)", json_string_value(json_object_get(m, "error")));
		fputc('\n', out);
	}
}

int state_print_status(const char *dir, enum output_format fmt, FILE *out, char **err)
{
	char *path = xasprintf("%s/status.json", dir);
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);

	if (!json_is_object(doc)) {
		*err = xasprintf("%s: %s (has `lmgrantd run` completed a pass yet?)", path, jerr.text);
		json_decref(doc);
		free(path);
		return -1;
	}
	if (fmt == OUTPUT_JSON) {
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		fprintf(out, "%s\n", text);
		free(text);
	} else {
		print_status_text(out, doc);
	}
	json_decref(doc);
	free(path);
	return 0;
}

/* Prometheus label values escape backslash, quote and newline. */
static void label(struct strbuf *sb, const char *name, const char *value, bool last)
{
	sb_printf(sb, "%s=\"", name);
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			sb_append(sb, "\\", 1);
		if (*p == '\n')
			sb_puts(sb, "\\n");
		else
			sb_append(sb, p, 1);
	}
	sb_puts(sb, last ? "\"" : "\",");
}

static void metrics_actions(struct strbuf *sb, const struct metrics *m)
{
	sb_puts(sb, "# HELP lmgrantd_actions_total Plan actions by kind and result since start.\n"
		    "# TYPE lmgrantd_actions_total counter\n");
	for (int k = 0; k < ACT_KIND_COUNT; k++)
		for (int res = 0; res < 4; res++) {
			if (!m->actions[k][res])
				continue;
			sb_puts(sb, "lmgrantd_actions_total{");
			label(sb, "action", action_kind_name((enum action_kind)k), false);
			label(sb, "result", res == AR_NONE ? "planned" : action_result_name((enum action_result)res), true);
			sb_printf(sb, "} %lu\n", m->actions[k][res]);
		}
}

static void metrics_calls(struct strbuf *sb, const struct http_client *http)
{
	size_t n = 0;
	const struct http_call_count *calls = http_client_call_counts(http, &n);

	sb_puts(sb, "# HELP lmgrantd_api_calls_total AWS request attempts by operation and error type.\n"
		    "# TYPE lmgrantd_api_calls_total counter\n");
	for (size_t i = 0; i < n; i++) {
		sb_puts(sb, "lmgrantd_api_calls_total{");
		label(sb, "operation", calls[i].operation, false);
		label(sb, "error", calls[i].error, true);
		sb_printf(sb, "} %lu\n", calls[i].n);
	}
}

static void metrics_grants(struct strbuf *sb, const struct pass_report *r)
{
	sb_puts(sb, "# HELP lmgrantd_grants Live grants by model and status at the last pass.\n"
		    "# TYPE lmgrantd_grants gauge\n");
	for (size_t i = 0; i < r->desired.nmodels; i++) {
		const struct desired_model *dm = &r->desired.models[i];
		json_t *by = dm->license_arn ? grants_by_status(r, dm->license_arn) : json_object(), *n;
		const char *st;

		json_object_foreach(by, st, n) {
			sb_puts(sb, "lmgrantd_grants{");
			label(sb, "model", dm->name, false);
			label(sb, "status", st, true);
			sb_printf(sb, "} %lld\n", (long long)json_integer_value(n));
		}
		json_decref(by);
	}
	sb_puts(sb, "# HELP lmgrantd_drift Changes pending by model at the last pass.\n"
		    "# TYPE lmgrantd_drift gauge\n");
	for (size_t i = 0; i < r->desired.nmodels; i++) {
		size_t n = 0;

		for (size_t j = 0; j < r->plan.nactions; j++) {
			const struct action *a = &r->plan.actions[j];

			n += a->kind <= ACT_DELETE && a->model && strcmp(a->model, r->desired.models[i].name) == 0;
		}
		sb_puts(sb, "lmgrantd_drift{");
		label(sb, "model", r->desired.models[i].name, true);
		sb_printf(sb, "} %zu\n", n);
	}
}

int state_write_metrics(const char *path, const struct metrics *m, const struct pass_report *r,
			const struct http_client *http, char **err)
{
	struct strbuf sb = { 0 };
	struct http_stats st;
	int rc;

	http_client_stats(http, &st);
	sb_printf(&sb, "# HELP lmgrantd_passes_total Passes by result since start.\n"
		       "# TYPE lmgrantd_passes_total counter\n"
		       "lmgrantd_passes_total{result=\"ok\"} %lu\n"
		       "lmgrantd_passes_total{result=\"failed\"} %lu\n"
		       "# HELP lmgrantd_last_success_timestamp_seconds End of the last successful pass.\n"
		       "# TYPE lmgrantd_last_success_timestamp_seconds gauge\n"
		       "lmgrantd_last_success_timestamp_seconds %lld\n"
		       "# HELP lmgrantd_api_requests_total AWS requests sent (every attempt).\n"
		       "# TYPE lmgrantd_api_requests_total counter\n"
		       "lmgrantd_api_requests_total %lu\n"
		       "# HELP lmgrantd_api_retries_total AWS requests retried.\n"
		       "# TYPE lmgrantd_api_retries_total counter\n"
		       "lmgrantd_api_retries_total %lu\n"
		       "# HELP lmgrantd_api_throttled_total AWS requests answered as throttled.\n"
		       "# TYPE lmgrantd_api_throttled_total counter\n"
		       "lmgrantd_api_throttled_total %lu\n",
		  m->passes_ok, m->passes_failed, (long long)m->last_success, st.requests, st.retries,
		  st.throttled);
	metrics_actions(&sb, m);
	metrics_calls(&sb, http);
	metrics_grants(&sb, r);
	rc = write_file_atomic(path, sb.buf, sb.len, err);
	sb_free(&sb);
	return rc;
}

/* A state file is ours to read back: bounded, a regular file, not followed
 * through a symlink someone planted in the state directory. */
#define STATE_FILE_MAX (16u << 20)

static int read_state_file(const char *path, char **data, size_t *len, char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	size_t done = 0;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : (*err = xasprintf("%s: %s", path, strerror(errno)), -1);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > STATE_FILE_MAX) {
		*err = xasprintf("%s: not a regular file of at most %u bytes", path, STATE_FILE_MAX);
		close(fd);
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	buf[done] = '\0';
	*data = buf;
	*len = done;
	return 0;
}

int state_load_memory(const char *dir, struct memory *m, char **err)
{
	char *path = xasprintf("%s/memory.json", dir), *data = NULL, *why = NULL;
	size_t len = 0;
	int rc = read_state_file(path, &data, &len, err);

	if (rc == 0 && data && memory_from_json(m, data, len, &why) < 0) {
		*err = xasprintf("%s: %s", path, why);
		free(why);
		rc = -1;
	}
	free(data);
	free(path);
	return rc;
}

int state_save_memory(const char *dir, struct memory *m, double forget_before, char **err)
{
	char *path = xasprintf("%s/memory.json", dir), *text = NULL;
	int rc = 0;

	memory_forget_before(m, forget_before);
	text = memory_to_json(m);
	rc = write_file_atomic(path, text, strlen(text), err);
	free(text);
	free(path);
	return rc;
}

struct memory *state_recall_memory(const char *dir)
{
	struct memory *m = memory_new();
	char *err = NULL;

	if (state_load_memory(dir, m, &err) < 0) {
		log_msg(LOG_WARNING, "%s; activations and failed workflows of earlier passes are "
			"forgotten", err);
		free(err);
	}
	return m;
}

void state_keep_memory(const char *dir, struct memory *m, const struct config *cfg)
{
	unsigned keep = cfg->activation_retry_after_s > cfg->failed_retry_s
				? cfg->activation_retry_after_s : cfg->failed_retry_s;
	char *err = NULL;

	if (state_save_memory(dir, m, (double)time(NULL) - keep, &err) < 0) {
		log_msg(LOG_WARNING, "cannot keep what this pass did: %s", err);
		free(err);
	}
}
