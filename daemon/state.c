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
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define TEMP_TRIES 100

/* A new file beside path, named "<dir>/.<base>.XXXXXXXX" (random
 * letters): O_CREAT|O_EXCL|O_NOFOLLOW, so whatever is planted at a name
 * (a symlink into /etc in a shared textfile directory) is never opened,
 * only skipped. Returns the descriptor and *tmp (caller frees). */
static int create_temp(const char *path, char **tmp)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path + 1) : 0;

	for (int i = 0; i < TEMP_TRIES; i++) {
		unsigned char r[8] = { 0 };
		char suffix[sizeof(r) + 1] = { 0 };
		int fd;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		for (size_t k = 0; k < sizeof(r); k++)
			suffix[k] = letters[r[k] % (sizeof(letters) - 1)];
		*tmp = xasprintf("%.*s.%s.%s", dir_len, path, path + dir_len, suffix);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST && errno != ELOOP)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int write_file_atomic(const char *path, const char *data, size_t len, char **err)
{
	char *tmp = NULL;
	int fd = create_temp(path, &tmp);
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
	/* rename replaces a symlink at path itself; it never follows it. */
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	*err = xasprintf("%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	return -1;
}

void metrics_add_pass(struct metrics *m, const struct pass_report *r, time_t now)
{
	m->last_duration = r->seconds;
	/* An interrupted pass is neither: the daemon is stopping. */
	if (r->interrupted)
		return;
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

/* Live grants only when live_only: tombstones are history, not grants. */
static json_t *grants_by_status(const struct pass_report *r, const char *license_arn, bool live_only)
{
	json_t *by = json_object();

	for (size_t i = 0; i < r->observed.nlicenses; i++) {
		const struct observed_license *l = &r->observed.licenses[i];

		if (strcmp(l->license_arn, license_arn) != 0)
			continue;
		for (int st = 0; st < GRANT_STATUS_COUNT; st++) {
			const char *name = grant_status_name(st);
			json_int_t n = json_integer_value(json_object_get(by, name));

			if (l->status_counts[st] > 0 && !(live_only && grant_status_is_tombstone(st)))
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

		json_object_set_new(j, "grants", m->license_arn ? grants_by_status(r, m->license_arn, false)
								: json_object());
		json_object_set_new(models, m->name, j);
	}
	return models;
}

/* The services whose request rate is shown: the two with quotas of their
 * own that a pass spends (SPEC 2, max_tps). */
static const char *const paced_services[] = { "license-manager", "organizations" };

static json_t *rates_json(const struct http_client *http)
{
	json_t *rates = json_object();

	for (size_t i = 0; i < ARRAY_LEN(paced_services); i++)
		json_object_set_new(rates, paced_services[i],
				    json_real(http_client_rate(http, paced_services[i])));
	return rates;
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

/* The per-model data of the status.json in dir, or NULL: an interrupted
 * pass keeps the last complete pass's (SPEC §5). Caller decrefs. */
static json_t *load_status(const char *dir, const char *path, char **err);

static json_t *previous_models(const char *dir, json_int_t *live, json_int_t *pass)
{
	char *path = xasprintf("%s/status.json", dir), *err = NULL;
	json_t *doc = load_status(dir, path, &err), *models = NULL;

	free(path);
	free(err);
	if (!doc)
		goto fail;
	models = json_object_get(doc, "models");
	if (!json_is_object(models)) {
		models = NULL;
		goto fail;
	}
	json_incref(models);
	*live = json_integer_value(json_object_get(doc, "live_grants"));
	*pass = json_integer_value(json_object_get(doc, "models_pass"));
	if (!*pass)
		*pass = json_integer_value(json_object_get(doc, "pass"));
fail:
	json_decref(doc);
	return models;
}

int state_write_status(const char *dir, const struct pass_report *r, const struct http_client *http,
		       time_t started, time_t next_pass, unsigned interval_s, char **err)
{
	json_t *counts = json_object(), *doc, *models = NULL;
	char when[32], next[32], finished[32], *text, *path;
	json_int_t live = (json_int_t)pass_live_grants(r), models_pass = (json_int_t)r->pass;
	int rc;

	for (int k = 0; k < ACT_KIND_COUNT; k++) {
		json_t *c = json_pack("{s:I}", "planned", (json_int_t)r->plan.counts[k]);

		if (r->applied)
			json_object_update_missing_new(c, json_pack("{s:I, s:I, s:I}",
				"ok", (json_int_t)r->result.ok[k], "failed", (json_int_t)r->result.failed[k],
				"skipped", (json_int_t)r->result.skipped[k]));
		json_object_set_new(counts, action_kind_name((enum action_kind)k), c);
	}
	if (r->interrupted)
		models = previous_models(dir, &live, &models_pass);
	if (!models) {
		models = models_json(r);
		models_pass = (json_int_t)r->pass;
	}
	iso_time(started, when, sizeof(when));
	iso_time(started + (time_t)r->seconds, finished, sizeof(finished));
	iso_time(next_pass, next, sizeof(next));
	doc = json_pack("{s:i, s:i, s:I, s:s, s:s, s:f, s:I, s:s, s:I, s:I, s:o, s:I, s:o, s:o, s:s}",
			"format_version", STATUS_FORMAT_VERSION, "version", 1, "pass", (json_int_t)r->pass,
			"time", when, "finished", finished, "duration_seconds", r->seconds,
			"interval_seconds", (json_int_t)interval_s, "result", pass_result_name(r),
			"changes", (json_int_t)plan_changes(&r->plan), "live_grants", live,
			"counts", counts, "models_pass", models_pass, "models", models,
			"last_error", last_error(r) ? json_string(last_error(r)) : json_null(),
			"next_pass", next);
	/* SPEC §7: what the pass ran under. */
	json_object_set_new(doc, "config_sha256", json_string(r->config_sha256 ? r->config_sha256 : ""));
	json_object_set_new(doc, "config_revision",
			    r->config_revision ? json_string(r->config_revision) : json_null());
	json_object_set_new(doc, "mode", json_string(r->observe ? "observe" : "enforce"));
	json_object_set_new(doc, "suspended", r->suspended ? json_string(r->suspended) : json_null());
	json_object_set_new(doc, "api_rate_limit", rates_json(http));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	path = xasprintf("%s/status.json", dir);
	rc = write_file_atomic(path, text, strlen(text), err);
	free(path);
	free(text);
	json_decref(doc);
	return rc;
}

#define STATUS_MAX_BYTES (16 * 1024 * 1024)

/* A member print_status_text reads and the type it must have. */
struct member_rule {
	const char *name;
	int type;       /* a json_type; JSON_REAL stands for any number */
	bool optional;  /* may be absent or null */
};

static const struct member_rule status_members[] = {
	{ "pass", JSON_INTEGER, false }, { "time", JSON_STRING, false },
	{ "duration_seconds", JSON_REAL, false }, { "result", JSON_STRING, false },
	{ "changes", JSON_INTEGER, false }, { "next_pass", JSON_STRING, false },
	{ "last_error", JSON_STRING, true }, { "models", JSON_OBJECT, false },
};

static bool member_ok(json_t *obj, const struct member_rule *rule)
{
	json_t *v = json_object_get(obj, rule->name);

	if (!v || json_is_null(v))
		return rule->optional;
	if (rule->type == JSON_REAL)
		return json_is_number(v);
	return json_typeof(v) == (json_type)rule->type;
}

/* Every member the text output prints, with its type, so that a
 * status.json not written by this lmgrantd is reported rather than
 * printed as "(null)". Returns the first bad member's name, or NULL. */
static const char *status_bad_member(json_t *doc)
{
	static const struct member_rule model_members[] = {
		{ "grants", JSON_OBJECT, false }, { "error", JSON_STRING, true },
	};
	json_t *m = NULL, *n = NULL;
	const char *name = NULL, *st = NULL;

	for (size_t i = 0; i < ARRAY_LEN(status_members); i++)
		if (!member_ok(doc, &status_members[i]))
			return status_members[i].name;
	json_object_foreach(json_object_get(doc, "models"), name, m) {
		if (!json_is_object(m))
			return "models";
		for (size_t i = 0; i < ARRAY_LEN(model_members); i++)
			if (!member_ok(m, &model_members[i]))
				return model_members[i].name;
		json_object_foreach(json_object_get(m, "grants"), st, n)
			if (!json_is_integer(n))
				return "grants";
	}
	return NULL;
}

/* A string of status.json, escaped (it holds AWS error messages). */
static void put(FILE *out, const char *s)
{
	char *e = text_escape(s, ESCAPE_FIELD_MAX);

	fputs(e, out);
	free(e);
}

/* "request rate: license-manager 12.3/s, organizations 5.0/s"; nothing
 * for a status.json written before rates were recorded. */
static void print_rates_text(FILE *out, json_t *rates)
{
	const char *service = NULL;
	json_t *rate = NULL;
	bool any = false;

	json_object_foreach(rates, service, rate) { /* none when rates is not an object */
		if (!json_is_number(rate))
			continue;
		fputs(any ? ", " : "request rate: ", out);
		put(out, service);
		fprintf(out, " %.1f/s", json_number_value(rate));
		any = true;
	}
	if (any)
		fputc('\n', out);
}

static void print_status_text(FILE *out, json_t *doc, bool stale)
{
	json_t *models = json_object_get(doc, "models"), *m;
	const char *name;

	fprintf(out, "last pass:  #%lld at ", (long long)json_integer_value(json_object_get(doc, "pass")));
	put(out, json_string_value(json_object_get(doc, "time")));
	fprintf(out, ", %.1f s, ", json_number_value(json_object_get(doc, "duration_seconds")));
	put(out, json_string_value(json_object_get(doc, "result")));
	fprintf(out, " (%lld changes)\nnext pass:  ",
		(long long)json_integer_value(json_object_get(doc, "changes")));
	put(out, json_string_value(json_object_get(doc, "next_pass")));
	fputc('\n', out);
	if (stale)
		fprintf(out, "stale:      no pass finished in 3 intervals (%lld s); is `lmgrantd run` running?\n",
			(long long)json_integer_value(json_object_get(doc, "interval_seconds")) * 3);
	if (json_integer_value(json_object_get(doc, "models_pass")) !=
	    json_integer_value(json_object_get(doc, "pass")))
		fprintf(out, "models:     as of pass #%lld, the last complete one\n",
			(long long)json_integer_value(json_object_get(doc, "models_pass")));
	if (json_is_string(json_object_get(doc, "config_sha256"))) {
		fputs("config:     sha256 ", out);
		put(out, json_string_value(json_object_get(doc, "config_sha256")));
		fputs(", revision ", out);
		put(out, json_is_string(json_object_get(doc, "config_revision"))
			 ? json_string_value(json_object_get(doc, "config_revision")) : "none");
		fputs(", mode ", out);
		put(out, json_is_string(json_object_get(doc, "mode"))
			 ? json_string_value(json_object_get(doc, "mode")) : "enforce");
		fputc('\n', out);
	}
	if (json_is_string(json_object_get(doc, "suspended"))) {
		fputs("suspended:  ", out);
		put(out, json_string_value(json_object_get(doc, "suspended")));
		fputc('\n', out);
	}
	if (json_is_string(json_object_get(doc, "last_error"))) {
		fputs("last error: ", out);
		put(out, json_string_value(json_object_get(doc, "last_error")));
		fputc('\n', out);
	}
	print_rates_text(out, json_object_get(doc, "api_rate_limit"));
	json_object_foreach(models, name, m) {
		json_t *grants = json_object_get(m, "grants"), *n;
		const char *st;

		fputs("model ", out);
		put(out, name);
		fputc(':', out);
		json_object_foreach(grants, st, n) {
			fputc(' ', out);
			put(out, st);
			fprintf(out, "=%lld", (long long)json_integer_value(n));
		}
		if (json_is_string(json_object_get(m, "error"))) {
			fputs(" (error: ", out);
			put(out, json_string_value(json_object_get(m, "error")));
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

/* SPEC §1: stale when no pass finished within 3 x interval of now. */
static bool status_stale(json_t *doc, time_t now)
{
	const char *finished = json_string_value(json_object_get(doc, "finished"));
	json_int_t interval = json_integer_value(json_object_get(doc, "interval_seconds"));
	struct tm tm = { 0 };
	const char *end;

	if (!finished || interval <= 0)
		return false;
	end = strptime(finished, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return true; /* a time we cannot read proves nothing recent */
	return (double)now - (double)timegm(&tm) > 3.0 * (double)interval;
}

/* Whose status.json may be believed: root's, the caller's, or that of
 * the state directory's owner (the daemon's DynamicUser). */
static bool owner_ok(const char *dir, uid_t uid)
{
	struct stat st = { 0 };

	return uid == 0 || uid == geteuid() || (stat(dir, &st) == 0 && st.st_uid == uid);
}

/* dir/status.json, opened O_NOFOLLOW: a symlink planted there (to
 * /etc/shadow) is refused, not followed. Caller decrefs. */
static json_t *load_status(const char *dir, const char *path, char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	struct stat st = { 0 };
	json_error_t jerr;
	json_t *doc = NULL;

	*err = NULL;
	if (fd < 0) {
		*err = errno == ELOOP ? xasprintf("%s: is a symlink; refusing to follow it", path)
				      : xasprintf("%s: %s (has `lmgrantd run` completed a pass yet?)", path,
						  strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		*err = xasprintf("%s: not a regular file", path);
	else if (!owner_ok(dir, st.st_uid))
		*err = xasprintf("%s: owned by uid %lu, neither root, the caller nor the state directory's owner",
				 path, (unsigned long)st.st_uid);
	else if (st.st_size > STATUS_MAX_BYTES)
		*err = xasprintf("%s: larger than 16 MiB", path);
	else
		doc = json_loadfd(fd, 0, &jerr);
	if (!*err && !json_is_object(doc))
		*err = xasprintf("%s: not a JSON object: %s", path, jerr.text);
	close(fd);
	if (*err) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int state_print_status(const char *dir, enum output_format fmt, FILE *out, time_t now, char **err)
{
	char *path = xasprintf("%s/status.json", dir);
	json_t *doc = load_status(dir, path, err);
	const char *bad = NULL, *result = NULL;
	bool stale = false;
	int code = 0;

	if (!doc)
		goto fail;
	stale = status_stale(doc, now);
	result = json_string_value(json_object_get(doc, "result"));
	if (stale)
		code = 3;
	else if (result && strcmp(result, "failed") == 0)
		code = 1;
	if (fmt == OUTPUT_JSON) {
		char *text;

		json_object_set_new(doc, "stale", json_boolean(stale));
		text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(out, "%s\n", text);
		free(text);
	} else if ((bad = status_bad_member(doc))) {
		*err = xasprintf("%s: member '%s' is missing or of the wrong type; not written by this lmgrantd?",
				 path, bad);
		goto fail;
	} else {
		print_status_text(out, doc, stale);
	}
	json_decref(doc);
	free(path);
	return code;
fail:
	json_decref(doc);
	free(path);
	return -1;
}

/* Prometheus label values escape backslash, quote and newline. An error
 * type is AWS's text: made safe and bounded (text_escape) first, so what
 * a scrape shows on a terminal is plain text. */
static void label(struct strbuf *sb, const char *name, const char *value, bool last)
{
	char *safe = text_escape(value, ESCAPE_FIELD_MAX);

	sb_printf(sb, "%s=\"", name);
	for (const char *p = safe; *p; p++) {
		if (*p == '\\' || *p == '"')
			sb_append(sb, "\\", 1);
		if (*p == '\n')
			sb_puts(sb, "\\n");
		else
			sb_append(sb, p, 1);
	}
	free(safe);
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

static void metrics_rates(struct strbuf *sb, const struct http_client *http)
{
	sb_puts(sb, "# HELP lmgrantd_api_rate_limit Client-side request rate in force, requests/s.\n"
		    "# TYPE lmgrantd_api_rate_limit gauge\n");
	for (size_t i = 0; i < ARRAY_LEN(paced_services); i++) {
		sb_puts(sb, "lmgrantd_api_rate_limit{");
		label(sb, "service", paced_services[i], true);
		sb_printf(sb, "} %.3f\n", http_client_rate(http, paced_services[i]));
	}
}

static void metrics_grants(struct strbuf *sb, const struct pass_report *r)
{
	sb_puts(sb, "# HELP lmgrantd_grants Live grants by model and status at the last pass.\n"
		    "# TYPE lmgrantd_grants gauge\n");
	for (size_t i = 0; i < r->desired.nmodels; i++) {
		const struct desired_model *dm = &r->desired.models[i];
		json_t *by = dm->license_arn ? grants_by_status(r, dm->license_arn, true) : json_object(), *n;
		const char *st;

		json_object_foreach(by, st, n) {
			sb_puts(sb, "lmgrantd_grants{");
			label(sb, "model", dm->name, false);
			label(sb, "status", st, true);
			sb_printf(sb, "} %lld\n", (long long)json_integer_value(n));
		}
		json_decref(by);
	}
	sb_puts(sb, "# HELP lmgrantd_drift Changes still pending by model after the last pass.\n"
		    "# TYPE lmgrantd_drift gauge\n");
	for (size_t i = 0; i < r->desired.nmodels; i++) {
		size_t n = 0;

		for (size_t j = 0; j < r->plan.nactions; j++) {
			const struct action *a = &r->plan.actions[j];
			/* What the pass itself changed is no longer drift. */
			bool done = r->applied && r->result.results[j] == AR_OK;

			n += a->kind <= ACT_DELETE && !done && a->model &&
			     strcmp(a->model, r->desired.models[i].name) == 0;
		}
		sb_puts(sb, "lmgrantd_drift{");
		label(sb, "model", r->desired.models[i].name, true);
		sb_printf(sb, "} %zu\n", n);
	}
}

/* SPEC §7: what the daemon runs under, for dashboards and alerts. */
static void metrics_config(struct strbuf *sb, const struct metrics *m, const struct pass_report *r)
{
	sb_puts(sb, "# HELP lmgrantd_config_info The configuration in force: its sha256 and git revision.\n"
		    "# TYPE lmgrantd_config_info gauge\n"
		    "lmgrantd_config_info{");
	label(sb, "sha256", r->config_sha256, false);
	label(sb, "revision", r->config_revision, true);
	sb_printf(sb, "} 1\n"
		      "# HELP lmgrantd_config_last_reload_successful 1 unless the last reload was rejected.\n"
		      "# TYPE lmgrantd_config_last_reload_successful gauge\n"
		      "lmgrantd_config_last_reload_successful %d\n"
		      "# HELP lmgrantd_suspended 1 while suspended or in mode observe: passes change nothing.\n"
		      "# TYPE lmgrantd_suspended gauge\n"
		      "lmgrantd_suspended %d\n",
		  !m->last_reload_failed, r->suspended || r->observe);
}

int state_write_metrics(const char *path, const struct metrics *m, const struct pass_report *r,
			const struct http_client *http, char **err)
{
	struct strbuf sb = { 0 };
	struct http_stats st;
	int rc;

	http_client_stats(http, &st);
	sb_puts(&sb, "# HELP lmgrantd_build_info The lmgrantd version running.\n"
		     "# TYPE lmgrantd_build_info gauge\n"
		     "lmgrantd_build_info{");
	label(&sb, "version", LMGRANTD_VERSION, true);
	sb_printf(&sb, "} 1\n"
		       "# HELP lmgrantd_last_pass_duration_seconds How long the last pass took.\n"
		       "# TYPE lmgrantd_last_pass_duration_seconds gauge\n"
		       "lmgrantd_last_pass_duration_seconds %.3f\n"
		       "# HELP lmgrantd_pass_interval_seconds Time between passes (the config's interval).\n"
		       "# TYPE lmgrantd_pass_interval_seconds gauge\n"
		       "lmgrantd_pass_interval_seconds %u\n", m->last_duration, m->interval_s);
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
	metrics_config(&sb, m, r);
	metrics_actions(&sb, m);
	metrics_calls(&sb, http);
	metrics_rates(&sb, http);
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
