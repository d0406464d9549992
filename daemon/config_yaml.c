/*
 * config_yaml: libyaml's event API turned into a small positioned tree, and
 * the diagnostics list of config. The event API (not the document API) is
 * used because only events show aliases: the document loader silently
 * expands them, which is how an "alias bomb" of a few lines becomes
 * gigabytes. Everything here is bounded: depth, scalar size, document count.
 */
#include "config_yaml.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

void diag_vadd(struct diag_list *dl, size_t file_no, const char *file, unsigned line,
	       unsigned column, const char *fmt, va_list ap)
{
	struct diag *d = NULL;
	char *msg = NULL;

	if (dl->full)
		return;
	grow_array((void **)&dl->items, &dl->cap, dl->n + 1, sizeof(*dl->items));
	d = &dl->items[dl->n];
	if (dl->n == DIAG_MAX) {
		dl->full = true;
		*d = (struct diag){ .file_no = SIZE_MAX,
				    .seq = dl->n++,
				    .text = xasprintf("%s: too many errors; stopped after %d", file,
						      DIAG_MAX) };
		return;
	}
	msg = xvasprintf(fmt, ap);
	*d = (struct diag){ .file_no = file_no, .line = line, .column = column, .seq = dl->n++ };
	if (line)
		d->text = xasprintf("%s:%u:%u: %s", file, line, column, msg);
	else
		d->text = xasprintf("%s: %s", file, msg);
	free(msg);
}

void diag_add(struct diag_list *dl, size_t file_no, const char *file, unsigned line,
	      unsigned column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(dl, file_no, file, line, column, fmt, ap);
	va_end(ap);
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;

	if (a->file_no != b->file_no)
		return a->file_no < b->file_no ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

void diag_flush(struct diag_list *dl, struct config_errors *errs)
{
	if (dl->n)
		qsort(dl->items, dl->n, sizeof(*dl->items), diag_cmp);
	grow_array((void **)&errs->lines, &errs->cap, errs->n + dl->n, sizeof(*errs->lines));
	for (size_t i = 0; i < dl->n; i++)
		errs->lines[errs->n++] = dl->items[i].text;
	free(dl->items);
	*dl = (struct diag_list){ 0 };
}

void diag_free(struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		free(dl->items[i].text);
	free(dl->items);
	*dl = (struct diag_list){ 0 };
}

struct repeat {
	const char *s;
	size_t i;
};

static int repeat_cmp(const void *pa, const void *pb)
{
	const struct repeat *a = pa, *b = pb;
	int c = strcmp(a->s, b->s);

	if (c)
		return c;
	return (a->i > b->i) - (a->i < b->i);
}

void find_repeats(const char *const *s, size_t n, size_t *first)
{
	struct repeat *r = xcalloc(n, sizeof(*r));
	size_t head = 0;

	for (size_t i = 0; i < n; i++) {
		r[i] = (struct repeat){ s[i], i };
		first[i] = SIZE_MAX;
	}
	qsort(r, n, sizeof(*r), repeat_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(r[i].s, r[head].s) == 0)
			first[r[i].i] = r[head].i;
		else
			head = i;
	}
	free(r);
}

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

const char *yquote(struct yquote *q, const char *s)
{
	char *e = text_escape(s, YQUOTE_CHARS);

	snprintf(q->s, sizeof(q->s), "%s", e);
	free(e);
	return q->s;
}

bool ynode_is(const struct ynode *n, enum yscalar type)
{
	return n->kind == YN_SCALAR && n->type == type;
}

const char *ynode_describe(const struct ynode *n)
{
	if (n->kind == YN_MAP)
		return "a mapping";
	if (n->kind == YN_SEQ)
		return "a list";
	switch (n->type) {
	case YS_NULL:
		return "nothing";
	case YS_BOOL:
		return "a boolean";
	case YS_INT:
		return "an integer";
	case YS_FLOAT:
		return "a number";
	case YS_STR:
		break;
	}
	return "a string";
}

/* libyaml reports reader errors (bad UTF-8, control characters) as a byte
 * offset only; turn it into the line and column libyaml would have given:
 * columns count characters, "\r\n" is one line break. */
static void offset_position(const char *buf, size_t len, size_t off, unsigned *line,
			    unsigned *column)
{
	unsigned l = 1, c = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\r' && i + 1 < len && buf[i + 1] == '\n')
			continue;
		if (ch == '\n' || ch == '\r') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

/* libyaml gives the offset of the bad byte, which for a broken UTF-8
 * sequence may be one of its trailing bytes; point at where it starts. */
static size_t char_start(const char *buf, size_t off)
{
	size_t lead = off;
	unsigned char c = 0;
	size_t want = 1;

	while (lead > 0 && off - lead < 4 && ((unsigned char)buf[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0 || off - lead >= 4)
		return off;
	c = (unsigned char)buf[--lead];
	want = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
	return off - lead < want ? lead : off;
}

/* The character at a libyaml mark (0-based line and column), or NULL. */
static const char *char_at(const char *buf, size_t len, size_t line0, size_t col0)
{
	size_t l = 0, c = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if ((ch & 0xC0) == 0x80)
			continue;
		if (l == line0 && c == col0)
			return buf + i;
		if (ch == '\r' && i + 1 < len && buf[i + 1] == '\n')
			continue;
		if (ch == '\n' || ch == '\r') {
			l++;
			c = 0;
		} else {
			c++;
		}
	}
	return NULL;
}

static void report_parser_error(const struct yfile *f, const yaml_parser_t *p, const char *buf,
				size_t len)
{
	unsigned line = 0, col = 0;
	const char *at = NULL;
	const char *hint = "";

	if (p->error == YAML_READER_ERROR) {
		offset_position(buf, len, char_start(buf, p->problem_offset), &line, &col);
		diag_add(f->diags, f->file_no, f->name, line, col,
			 "invalid text: %s (0x%x); the file must be UTF-8", p->problem,
			 (unsigned)p->problem_value);
		return;
	}
	if (p->error != YAML_SCANNER_ERROR && p->error != YAML_PARSER_ERROR) {
		diag_add(f->diags, f->file_no, f->name, 0, 0, "cannot parse: %s",
			 p->problem ? p->problem : "out of memory");
		return;
	}
	/* libyaml's message for a tab in indentation does not mention the tab. */
	at = char_at(buf, len, p->problem_mark.line, p->problem_mark.column);
	if (at && *at == '\t')
		hint = "; tabs are not allowed in indentation";
	line = (unsigned)p->problem_mark.line + 1;
	col = (unsigned)p->problem_mark.column + 1;
	if (p->context)
		diag_add(f->diags, f->file_no, f->name, line, col,
			 "YAML syntax error: %s (%s at %u:%u)%s", p->problem, p->context,
			 (unsigned)p->context_mark.line + 1, (unsigned)p->context_mark.column + 1,
			 hint);
	else
		diag_add(f->diags, f->file_no, f->name, line, col, "YAML syntax error: %s%s",
			 p->problem, hint);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return all_digits(s);
}

static bool is_float_text(const char *s)
{
	static const char *const special[] = { ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN" };
	size_t ndig = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (size_t i = 0; i < ARRAY_LEN(special); i++)
		if (strcmp(s, special[i]) == 0)
			return true;
	for (; *s >= '0' && *s <= '9'; s++)
		ndig++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			ndig++;
	if (!ndig)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!all_digits(s))
			return false;
		return true;
	}
	return *s == '\0';
}

static bool is_one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL" };
static const char *const bool_words[] = { "true", "True", "TRUE", "false", "False", "FALSE" };

/* YAML 1.2 core schema, with integers decimal only (0x10, 0o17 stay
 * strings: a config that needs them is a mistake). */
static enum yscalar resolve_plain(const char *s)
{
	if (is_one_of(s, null_words, ARRAY_LEN(null_words)))
		return YS_NULL;
	if (is_one_of(s, bool_words, ARRAY_LEN(bool_words)))
		return YS_BOOL;
	if (is_int_text(s))
		return YS_INT;
	if (is_float_text(s))
		return YS_FLOAT;
	return YS_STR;
}

/* Reports a tag this config does not take, or a value that does not fit
 * its tag; messages show the short form of standard tags ("!!binary"). */
static void tag_error(const struct yfile *f, const struct ynode *n, const char *tag,
		      bool unsupported)
{
	size_t plen = strlen(YAML_TAG_PREFIX);
	bool standard = strncmp(tag, YAML_TAG_PREFIX, plen) == 0;
	char shown[80] = "";

	snprintf(shown, sizeof(shown), "%s%.60s", standard ? "!!" : "",
		 standard ? tag + plen : tag);
	if (unsupported)
		diag_add(f->diags, f->file_no, f->name, n->line, n->column,
			 "unsupported tag %s: only the standard !!str, !!int, !!bool, !!null, "
			 "!!float, !!seq and !!map are allowed", shown);
	else
		diag_add(f->diags, f->file_no, f->name, n->line, n->column,
			 "the value does not fit its tag %s", shown);
}

/* An explicit scalar tag: only the core schema's, and the value must fit
 * it. Returns false when the node is to be marked bad (reported). */
static bool apply_scalar_tag(const struct yfile *f, struct ynode *n, const char *tag)
{
	static const struct {
		const char *name;
		enum yscalar type;
	} tags[] = {
		{ "str", YS_STR },
		{ "int", YS_INT },
		{ "bool", YS_BOOL },
		{ "null", YS_NULL },
		{ "float", YS_FLOAT },
	};
	size_t plen = strlen(YAML_TAG_PREFIX);
	enum yscalar plain = resolve_plain(n->text);

	if (strcmp(tag, "!") == 0) { /* the non-specific tag of a quoted scalar */
		n->type = YS_STR;
		return true;
	}
	for (size_t i = 0; strncmp(tag, YAML_TAG_PREFIX, plen) == 0 && i < ARRAY_LEN(tags); i++) {
		if (strcmp(tag + plen, tags[i].name) != 0)
			continue;
		n->type = tags[i].type;
		if (n->type == YS_STR || plain == n->type ||
		    (n->type == YS_FLOAT && plain == YS_INT))
			return true;
		tag_error(f, n, tag, false);
		return false;
	}
	tag_error(f, n, tag, true);
	return false;
}

static bool collection_tag_ok(const struct yfile *f, const struct ynode *n, const char *tag,
			      const char *want)
{
	if (!tag || strcmp(tag, "!") == 0 || strcmp(tag, want) == 0)
		return true;
	tag_error(f, n, tag, true);
	return false;
}

static struct ynode *node_new(enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = (unsigned)mark->line + 1;
	n->column = (unsigned)mark->column + 1;
	return n;
}

static struct ynode *scalar_node(const struct yfile *f, const yaml_event_t *ev)
{
	struct ynode *n = node_new(YN_SCALAR, &ev->start_mark);
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;

	if (len > YAML_MAX_SCALAR) {
		diag_add(f->diags, f->file_no, f->name, n->line, n->column,
			 "string of %zu bytes is longer than the limit of %d", len,
			 YAML_MAX_SCALAR);
		n->text = xstrdup("");
		n->bad = true;
		return n;
	}
	n->text = xstrndup(value, len);
	if (strlen(n->text) != len) {
		/* "\0" in a double-quoted scalar: C strings would cut it short. */
		diag_add(f->diags, f->file_no, f->name, n->line, n->column,
			 "string contains a NUL character");
		n->bad = true;
		return n;
	}
	if (tag)
		n->bad = !apply_scalar_tag(f, n, tag);
	else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		n->type = resolve_plain(n->text);
	else
		n->type = YS_STR;
	return n;
}

/* Marks and reports repeated keys of a finished mapping. */
static void check_map_keys(const struct yfile *f, struct ynode *map)
{
	size_t nkeys = map->nkids / 2;
	const char **texts = xcalloc(nkeys, sizeof(*texts));
	size_t *first = xcalloc(nkeys, sizeof(*first));
	size_t nscalar = 0;
	size_t *which = xcalloc(nkeys, sizeof(*which));

	for (size_t i = 0; i < nkeys; i++) {
		struct ynode *k = map->kids[2 * i];

		if (k->bad)
			continue;
		if (k->kind != YN_SCALAR) {
			diag_add(f->diags, f->file_no, f->name, k->line, k->column,
				 "a key must be a string, found %s", ynode_describe(k));
			k->bad = true;
			continue;
		}
		texts[nscalar] = k->text;
		which[nscalar++] = 2 * i;
	}
	find_repeats(texts, nscalar, first);
	for (size_t i = 0; i < nscalar; i++) {
		struct ynode *k = map->kids[which[i]];
		const struct ynode *k0 = NULL;
		struct yquote q = { 0 };

		if (first[i] == SIZE_MAX)
			continue;
		k0 = map->kids[which[first[i]]];
		diag_add(f->diags, f->file_no, f->name, k->line, k->column,
			 "duplicate key '%s' (first at %u:%u)", yquote(&q, k->text), k0->line,
			 k0->column);
		k->dup = true;
	}
	free(texts);
	free(first);
	free(which);
}

struct builder {
	const struct yfile *f;
	struct ynode *stack[YAML_MAX_DEPTH];
	size_t depth;
	struct ynode *root;
	unsigned ndocs;
};

static void attach(struct builder *b, struct ynode *n)
{
	struct ynode *parent = NULL;

	if (b->depth == 0) {
		b->root = n;
		return;
	}
	parent = b->stack[b->depth - 1];
	grow_array((void **)&parent->kids, &parent->cap, parent->nkids + 1, sizeof(*parent->kids));
	parent->kids[parent->nkids++] = n;
}

/* Opens a list or mapping. Returns -1 when it would nest too deep. */
static int open_collection(struct builder *b, const yaml_event_t *ev)
{
	const struct yfile *f = b->f;
	bool is_map = ev->type == YAML_MAPPING_START_EVENT;
	struct ynode *n = node_new(is_map ? YN_MAP : YN_SEQ, &ev->start_mark);
	const char *tag = (const char *)(is_map ? ev->data.mapping_start.tag
					    : ev->data.sequence_start.tag);

	if (b->depth == YAML_MAX_DEPTH) {
		diag_add(f->diags, f->file_no, f->name, n->line, n->column,
			 "nesting deeper than %d levels", YAML_MAX_DEPTH);
		ynode_free(n);
		return -1;
	}
	n->bad = !collection_tag_ok(f, n, tag,
				    is_map ? YAML_TAG_PREFIX "map" : YAML_TAG_PREFIX "seq");
	attach(b, n);
	b->stack[b->depth++] = n;
	return 0;
}

static void close_collection(struct builder *b)
{
	struct ynode *n = b->stack[--b->depth];

	if (n->kind == YN_MAP && !n->bad)
		check_map_keys(b->f, n);
}

/* One event into the tree. Returns 1 at the end of the stream, 0 to go on,
 * -1 when the file cannot be read further (reported). */
static int take_event(struct builder *b, const yaml_event_t *ev)
{
	const struct yfile *f = b->f;
	struct ynode *n = NULL;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1) {
			diag_add(f->diags, f->file_no, f->name, (unsigned)ev->start_mark.line + 1,
				 (unsigned)ev->start_mark.column + 1,
				 "a second YAML document: a config file holds exactly one");
			return -1;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		attach(b, scalar_node(f, ev));
		return 0;
	case YAML_ALIAS_EVENT:
		/* Refused outright: expanding them is how alias bombs work, and a
		 * grant list gains nothing from them. */
		n = node_new(YN_SCALAR, &ev->start_mark);
		n->text = xstrdup("");
		n->bad = true;
		diag_add(f->diags, f->file_no, f->name, n->line, n->column,
			 "aliases are not supported (*%.64s)", (const char *)ev->data.alias.anchor);
		attach(b, n);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return open_collection(b, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_collection(b);
		return 0;
	default:
		return 0;
	}
}

int yaml_load_tree(const struct yfile *f, const char *buf, size_t len, struct ynode **root)
{
	yaml_parser_t parser = { 0 };
	yaml_event_t ev = { 0 };
	struct builder b = { .f = f };
	int rc = 0;

	*root = NULL;
	/* A UTF-8 byte order mark is fine, but libyaml would count it as a
	 * column of the first line; drop it so that positions stay right. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (!yaml_parser_initialize(&parser)) {
		diag_add(f->diags, f->file_no, f->name, 0, 0, "cannot parse: out of memory");
		return -1;
	}
	/* UTF-8 only: a UTF-16 file is refused instead of silently accepted. */
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(f, &parser, buf, len);
			rc = -1;
			break;
		}
		rc = take_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc < 0)
		goto fail;
	*root = b.root;
	return 0;
fail:
	ynode_free(b.root);
	return -1;
}
