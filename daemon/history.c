/*
 * history: journal matches do the filtering (same field: OR, different
 * fields: AND), so only lmgrantd's change entries are read. Whatever the
 * journal holds is untrusted (any local process can send those fields):
 * values are bounded, escaped for a terminal, and made valid UTF-8 for JSON.
 */
#include "history.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "util.h"

/* No field of lmgrantd's is longer; a longer one is not ours. */
#define FIELD_MAX 16384
#define PREFIX "LMGRANTD_"

static const char *const change_actions[] = { "create", "update", "accept", "activate", "delete" };
static const char *const partitions[] = { "aws", "aws-us-gov", "aws-cn" };

static int parse_relative(const char *s, time_t now, uint64_t *usec)
{
	char *end = NULL;
	unsigned long long n;
	unsigned long long unit;

	errno = 0;
	n = strtoull(s + 1, &end, 10);
	if (errno || end == s + 1 || !end[0] || end[1])
		return -1;
	switch (end[0]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (n > (unsigned long long)now / unit)
		return -1;
	*usec = ((unsigned long long)now - n * unit) * 1000000ULL;
	return 0;
}

int history_parse_since(const char *s, time_t now, uint64_t *usec)
{
	static const char *const formats[] = {
		"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
	};

	if (s[0] == '-')
		return parse_relative(s, now, usec);
	for (size_t i = 0; i < ARRAY_LEN(formats); i++) {
		struct tm tm = { 0 };
		const char *end = strptime(s, formats[i], &tm);
		time_t t;

		if (!end || *end)
			continue;
		t = timegm(&tm);
		if (t < 0)
			return -1;
		*usec = (uint64_t)t * 1000000ULL;
		return 0;
	}
	return -1;
}

static int add_match(sd_journal *j, const char *field, const char *value)
{
	char *m = xasprintf("%s=%s", field, value);
	int rc = sd_journal_add_match(j, m, 0);

	free(m);
	return rc;
}

static int add_matches(sd_journal *j, const struct history_query *q)
{
	int rc = add_match(j, "SYSLOG_IDENTIFIER", "lmgrantd");

	for (size_t i = 0; rc >= 0 && i < ARRAY_LEN(change_actions); i++)
		rc = add_match(j, PREFIX "ACTION", change_actions[i]);
	if (rc >= 0 && q->model)
		rc = add_match(j, PREFIX "MODEL", q->model);
	for (size_t i = 0; rc >= 0 && q->account && i < ARRAY_LEN(partitions); i++) {
		char *arn = xasprintf("arn:%s:iam::%s:root", partitions[i], q->account);

		rc = add_match(j, PREFIX "PRINCIPAL_ARN", arn);
		free(arn);
	}
	return rc;
}

/* One entry's LMGRANTD_* fields (lower case, prefix dropped), its MESSAGE
 * and its time, as a JSON object. Values that are not valid UTF-8 are
 * escaped byte by byte. Caller decrefs. */
static json_t *entry_json(sd_journal *j, uint64_t usec)
{
	json_t *obj = json_object();
	const void *data;
	size_t len;
	char when[32];
	time_t t = (time_t)(usec / 1000000ULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(obj, "time", json_string(when));
	SD_JOURNAL_FOREACH_DATA(j, data, len) {
		const char *d = data, *eq = memchr(d, '=', len);
		bool ours = len > strlen(PREFIX) && strncmp(d, PREFIX, strlen(PREFIX)) == 0;
		char *key;
		json_t *val;

		if (!eq || len > FIELD_MAX || (!ours && strncmp(d, "MESSAGE=", 8) != 0))
			continue;
		key = ours ? xstrndup(d + strlen(PREFIX), (size_t)(eq - d) - strlen(PREFIX)) : xstrdup("message");
		for (char *k = key; *k; k++)
			*k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
		val = json_stringn(eq + 1, len - (size_t)(eq + 1 - d));
		if (!val) {
			struct strbuf sb = { 0 };

			for (const char *p = eq + 1; p < d + len; p++)
				if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
					sb_printf(&sb, "\\x%02x", (unsigned char)*p);
				else
					sb_append(&sb, p, 1);
			val = json_string(sb.buf ? sb.buf : "");
			sb_free(&sb);
		}
		json_object_set_new(obj, key, val);
		free(key);
	}
	return obj;
}

/* A value for a terminal, escaped (text_escape), "-" when absent,
 * padded to width columns. */
static void put_value(FILE *out, json_t *obj, const char *key, int width)
{
	const char *v = json_string_value(json_object_get(obj, key));
	char *e = text_escape(v && *v ? v : "-", ESCAPE_FIELD_MAX);
	int used = 0;

	for (const char *p = e; *p; p++)
		used += ((unsigned char)*p & 0xC0) != 0x80;
	fputs(e, out);
	while (used++ < width)
		fputc(' ', out);
	free(e);
}

/* time, action, result, model, target, grant ARN, config revision,
 * invoked by (SPEC §9). */
static void print_line(FILE *out, json_t *e)
{
	static const struct {
		const char *key;
		int width;
	} cols[] = {
		{ "time", 20 }, { "action", 8 }, { "result", 7 }, { "model", 0 }, { "target", 0 },
		{ "grant_arn", 0 }, { "config_revision", 0 }, { "invoked_by", 0 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cols); i++) {
		if (i)
			fputs("  ", out);
		if (strcmp(cols[i].key, "config_revision") == 0)
			fputs("rev ", out);
		else if (strcmp(cols[i].key, "invoked_by") == 0)
			fputs("by ", out);
		put_value(out, e, cols[i].key, cols[i].width);
	}
	fputc('\n', out);
}

int history_print(const struct history_query *q, bool json, FILE *out, char **err)
{
	sd_journal *j = NULL;
	json_t *list = json ? json_array() : NULL;
	int rc;

	rc = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (rc < 0) {
		*err = xasprintf("cannot open the journal: %s", strerror(-rc));
		goto fail;
	}
	sd_journal_set_data_threshold(j, FIELD_MAX);
	if ((rc = add_matches(j, q)) < 0 ||
	    (rc = q->since_usec ? sd_journal_seek_realtime_usec(j, q->since_usec) : sd_journal_seek_head(j)) < 0) {
		*err = xasprintf("cannot search the journal: %s", strerror(-rc));
		goto fail;
	}
	while ((rc = sd_journal_next(j)) > 0) {
		uint64_t usec = 0;
		json_t *e;

		if (sd_journal_get_realtime_usec(j, &usec) < 0 || usec < q->since_usec)
			continue;
		e = entry_json(j, usec);
		if (json)
			json_array_append_new(list, e);
		else {
			print_line(out, e);
			json_decref(e);
		}
	}
	if (rc < 0) {
		*err = xasprintf("cannot read the journal: %s", strerror(-rc));
		goto fail;
	}
	if (json) {
		char *text = json_dumps(list, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		fprintf(out, "%s\n", text);
		free(text);
	}
	json_decref(list);
	sd_journal_close(j);
	return 0;
fail:
	json_decref(list);
	sd_journal_close(j);
	return -1;
}
