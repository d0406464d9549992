/*
 * xml: the strict XML reader of xml.h. One pass checks that the whole
 * input is UTF-8 made of XML characters; a recursive descent then builds
 * the element tree, resolving namespace prefixes against a stack of the
 * declarations in scope. Only what XML 1.0 and Namespaces in XML 1.0 say
 * a well-formed document is gets through, minus what xml.h refuses (DTDs,
 * processing instructions, other encodings); there is no partial result.
 *
 * Text may hold secrets (an AssumeRole answer's SecretAccessKey), so a
 * text buffer is wiped whenever it is grown or freed, and no error message
 * holds input, only the position of the first error.
 */
#include "xml.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define XML_NS "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NS "http://www.w3.org/2000/xmlns/"

#define STR_(x) #x
#define STR(x) STR_(x)

/* A namespace prefix in scope ("" for the default namespace). */
struct binding {
	const char *prefix; /* into the input */
	size_t plen;
	char *uri;
};

/* A qualified name in the input: prefix (plen 0: none) and local part. */
struct qname {
	size_t at, len; /* the whole name */
	size_t plen;    /* prefix length; the local part starts at at + plen + 1 */
};

struct parser {
	const char *buf;
	size_t len, pos;
	struct xml_element *root;
	size_t elements;
	struct binding *scope;
	size_t nscope, scope_cap;
	const char *error; /* static; the first error only */
	bool refused;      /* unsupported rather than malformed */
	size_t error_at;
};

/* ---- errors ---- */

static int fail_at(struct parser *p, size_t at, const char *what, bool refused)
{
	if (!p->error) {
		p->error = what;
		p->refused = refused;
		p->error_at = at;
	}
	return -1;
}

static int fail(struct parser *p, const char *what)
{
	return fail_at(p, p->pos, what, false);
}

static int truncated(struct parser *p)
{
	return fail_at(p, p->len, "unexpected end of document", false);
}

/* Line and column (in characters) of byte offset at; \n, \r\n and a lone
 * \r end a line. A byte-order mark takes no column. */
static void position(const struct parser *p, size_t at, unsigned long *line, unsigned long *col)
{
	size_t i = 0;

	*line = 1;
	*col = 1;
	if (p->len >= 3 && memcmp(p->buf, "\xEF\xBB\xBF", 3) == 0 && at >= 3)
		i = 3;
	for (; i < at && i < p->len; i++) {
		unsigned char c = (unsigned char)p->buf[i];

		if (c == '\n' || c == '\r') {
			if (c == '\r' && i + 1 < at && p->buf[i + 1] == '\n')
				i++;
			(*line)++;
			*col = 1;
		} else if ((c & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

/* ---- characters ---- */

/* Char of XML 1.0, section 2.2. */
static bool is_xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Length of the UTF-8 sequence at s[0..n) encoding one XML Char, or 0
 * (invalid UTF-8: overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = 0;
	uint32_t c = 0, min = 0;

	if (s[0] < 0x80) {
		len = 1, c = s[0], min = 0;
	} else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2, c = s[0] & 0x1F, min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3, c = s[0] & 0x0F, min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* The whole input must be UTF-8 of XML characters; after this pass the
 * parser can look at bytes and decode code points without checks. */
static int check_chars(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->buf;

	for (size_t i = 0; i < p->len;) {
		uint32_t c = 0;
		size_t n = utf8_char(s + i, p->len - i, &c);

		if (n == 0)
			return fail_at(p, i, "invalid UTF-8", false);
		if (!is_xml_char(c))
			return fail_at(p, i, "a character XML does not allow", false);
		i += n;
	}
	return 0;
}

static size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* NameStartChar of XML 1.0 (fifth edition) without ':' (Namespaces'
 * NCName). */
static bool is_name_start(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (c >= 'a' && c <= 'z') ||
	       (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
	       (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) ||
	       (c >= 0x200C && c <= 0x200D) || (c >= 0x2070 && c <= 0x218F) ||
	       (c >= 0x2C00 && c <= 0x2FEF) || (c >= 0x3001 && c <= 0xD7FF) ||
	       (c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFFD) ||
	       (c >= 0x10000 && c <= 0xEFFFF);
}

static bool is_name_char(uint32_t c)
{
	return is_name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') || c == 0xB7 ||
	       (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips S; returns whether there was any. */
static bool skip_space(struct parser *p)
{
	size_t from = p->pos;

	while (p->pos < p->len && is_space(p->buf[p->pos]))
		p->pos++;
	return p->pos > from;
}

/* 1 when the input continues with s (consumed), 0 when it does not, -1
 * (an error) when it ends part way through s. */
static int match(struct parser *p, const char *s)
{
	size_t n = strlen(s), left = p->len - p->pos;

	if (left < n)
		return memcmp(p->buf + p->pos, s, left) == 0 ? truncated(p) : 0;
	if (memcmp(p->buf + p->pos, s, n) != 0)
		return 0;
	p->pos += n;
	return 1;
}

/* An NCName at p->pos; returns its length (0: none there). */
static size_t ncname(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->buf;
	size_t i = p->pos;

	while (i < p->len) {
		uint32_t c = 0;
		size_t n = utf8_char(s + i, p->len - i, &c); /* checked UTF-8: not 0 */

		if (n == 0 || !(i == p->pos ? is_name_start(c) : is_name_char(c)))
			break;
		i += n;
	}
	return i - p->pos;
}

/* QName: NCName (':' NCName)?. */
static int parse_qname(struct parser *p, struct qname *q)
{
	size_t n = ncname(p);

	q->at = p->pos;
	q->plen = 0;
	if (n == 0)
		return p->pos == p->len ? truncated(p) : fail(p, "an invalid name");
	p->pos += n;
	if (p->pos < p->len && p->buf[p->pos] == ':') {
		q->plen = n;
		p->pos++;
		n = ncname(p);
		if (n == 0)
			return p->pos == p->len ? truncated(p) : fail(p, "an invalid name");
		p->pos += n;
	}
	q->len = p->pos - q->at;
	return 0;
}

static bool qname_is(const struct parser *p, const struct qname *q, const char *s)
{
	return q->len == strlen(s) && memcmp(p->buf + q->at, s, q->len) == 0;
}

/* ---- text ---- */

/* A reference at p->buf[i] ('&'), ending before `end`. Writes its
 * character to out (room for 4 bytes; NULL: check only) and returns the
 * number of bytes written with *next just past the ';', or -1. */
static int reference(struct parser *p, size_t i, size_t end, char *out, size_t *next)
{
	static const struct {
		const char *name;
		char c;
	} predefined[] = { { "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "apos", '\'' }, { "quot", '"' } };
	const char *semi = memchr(p->buf + i, ';', end - i);
	const char *s = p->buf + i + 1;
	size_t n = 0;
	uint32_t c = 0;
	char tmp[4];

	if (!semi)
		return end == p->len ? truncated(p) : fail_at(p, i, "an unterminated reference", false);
	n = (size_t)(semi - s);
	*next = (size_t)(semi - p->buf) + 1;
	if (n > 0 && s[0] == '#') {
		bool hex = n > 1 && s[1] == 'x';
		size_t d = hex ? 2 : 1;

		if (d == n)
			return fail_at(p, i, "an invalid character reference", false);
		for (; d < n; d++) {
			int v = 0;

			if (s[d] >= '0' && s[d] <= '9')
				v = s[d] - '0';
			else if (hex && s[d] >= 'a' && s[d] <= 'f')
				v = s[d] - 'a' + 10;
			else if (hex && s[d] >= 'A' && s[d] <= 'F')
				v = s[d] - 'A' + 10;
			else
				return fail_at(p, i, "an invalid character reference", false);
			c = c * (hex ? 16 : 10) + (uint32_t)v;
			if (c > 0x10FFFF)
				return fail_at(p, i, "a character reference beyond U+10FFFF", false);
		}
		if (!is_xml_char(c))
			return fail_at(p, i, "a reference to a character XML does not allow", false);
		return (int)utf8_encode(c, out ? out : tmp);
	}
	for (size_t k = 0; k < ARRAY_LEN(predefined); k++) {
		if (strlen(predefined[k].name) == n && memcmp(s, predefined[k].name, n) == 0) {
			if (out)
				out[0] = predefined[k].c;
			return 1;
		}
	}
	/* Without a DTD no other entity exists. */
	return fail_at(p, i, "a reference to an undefined entity", false);
}

/* Decodes p->buf[from, end), character data or an attribute value the
 * caller has checked for '<': references replaced, line ends normalized,
 * and in an attribute value each white-space character made a space
 * (XML 1.0, 3.3.3; references are not). out (NULL: check only) has room
 * for end - from bytes: nothing decodes longer than it is written. Returns
 * the decoded length or -1. */
static long decode(struct parser *p, size_t from, size_t end, bool attribute, char *out)
{
	size_t o = 0;

	for (size_t i = from; i < end;) {
		char c = p->buf[i];

		if (c == '&') {
			int n = reference(p, i, end, out ? out + o : NULL, &i);

			if (n < 0)
				return -1;
			o += (size_t)n;
			continue;
		}
		if (c == '\r') {
			c = '\n';
			if (i + 1 < end && p->buf[i + 1] == '\n')
				i++;
		}
		if (attribute && (c == '\t' || c == '\n'))
			c = ' ';
		if (out)
			out[o] = c;
		o++;
		i++;
	}
	if (out)
		out[o] = '\0';
	return (long)o;
}

/* Makes room for n more bytes of text (and the NUL) in e; a buffer that
 * is replaced is wiped first. */
static void text_reserve(struct xml_element *e, size_t *cap, size_t n)
{
	size_t need = e->text_len + n + 1;
	char *grown = NULL;

	if (need <= *cap)
		return;
	*cap = *cap * 2 > need ? *cap * 2 : need;
	grown = xmalloc(*cap);
	memcpy(grown, e->text, e->text_len + 1);
	explicit_bzero(e->text, e->text_len);
	free(e->text);
	e->text = grown;
}

/* Character data up to the next '<' (or the end of the input). */
static int char_data(struct parser *p, struct xml_element *e, size_t *cap)
{
	const char *lt = memchr(p->buf + p->pos, '<', p->len - p->pos);
	size_t end = lt ? (size_t)(lt - p->buf) : p->len;
	const char *bad = memmem(p->buf + p->pos, end - p->pos, "]]>", 3);
	long n = 0;

	if (bad)
		return fail_at(p, (size_t)(bad - p->buf), "']]>' in text", false);
	text_reserve(e, cap, end - p->pos);
	n = decode(p, p->pos, end, false, e->text + e->text_len);
	if (n < 0)
		return -1;
	e->text_len += (size_t)n;
	p->pos = end;
	return 0;
}

/* After "<![CDATA[": the section's text, verbatim but for line ends. */
static int cdata(struct parser *p, struct xml_element *e, size_t *cap)
{
	const char *close = memmem(p->buf + p->pos, p->len - p->pos, "]]>", 3);
	size_t end = 0;
	char *out = NULL;

	if (!close)
		return truncated(p);
	end = (size_t)(close - p->buf);
	text_reserve(e, cap, end - p->pos);
	out = e->text + e->text_len;
	for (size_t i = p->pos; i < end; i++) {
		if (p->buf[i] == '\r') {
			*out++ = '\n';
			if (i + 1 < end && p->buf[i + 1] == '\n')
				i++;
		} else {
			*out++ = p->buf[i];
		}
	}
	*out = '\0';
	e->text_len = (size_t)(out - e->text);
	p->pos = end + 3;
	return 0;
}

/* After "<!--": skips the comment, which may not hold "--". */
static int comment(struct parser *p)
{
	const char *dashes = memmem(p->buf + p->pos, p->len - p->pos, "--", 2);
	size_t at = 0;

	if (!dashes)
		return truncated(p);
	at = (size_t)(dashes - p->buf);
	if (at + 2 >= p->len)
		return truncated(p);
	if (p->buf[at + 2] != '>')
		return fail_at(p, at, "'--' in a comment", false);
	p->pos = at + 3;
	return 0;
}

/* ---- namespaces ---- */

/* The URI bound to a prefix (plen 0: the default namespace), or NULL. */
static const char *lookup(const struct parser *p, const char *prefix, size_t plen)
{
	for (size_t i = p->nscope; i-- > 0;)
		if (p->scope[i].plen == plen && memcmp(p->scope[i].prefix, prefix, plen) == 0)
			return p->scope[i].uri;
	if (plen == 3 && memcmp(prefix, "xml", 3) == 0)
		return XML_NS;
	return plen == 0 ? "" : NULL;
}

/* xmlns="uri" (q->plen 0) or xmlns:prefix="uri", the value decoded:
 * checked against Namespaces in XML 1.0, section 3, then put in scope
 * (taking uri). */
static int declare(struct parser *p, const struct qname *q, char *uri, size_t at)
{
	const char *prefix = q->plen ? p->buf + q->at + q->plen + 1 : "";
	size_t plen = q->plen ? q->len - q->plen - 1 : 0;
	bool xml_prefix = plen == 3 && memcmp(prefix, "xml", 3) == 0;
	bool ok = false;

	if (xml_prefix)
		ok = strcmp(uri, XML_NS) == 0;
	else
		ok = strcmp(uri, XML_NS) != 0 && strcmp(uri, XMLNS_NS) != 0 &&
		     !(plen == 5 && memcmp(prefix, "xmlns", 5) == 0) && (plen == 0 || *uri);
	if (!ok) {
		free(uri);
		return fail_at(p, at, "an invalid namespace declaration", false);
	}
	grow_array((void **)&p->scope, &p->scope_cap, p->nscope + 1, sizeof(*p->scope));
	p->scope[p->nscope++] = (struct binding){ prefix, plen, uri };
	return 0;
}

static void unscope(struct parser *p, size_t height)
{
	while (p->nscope > height)
		free(p->scope[--p->nscope].uri);
}

/* ---- elements ---- */

struct attribute {
	struct qname name;
	const char *ns; /* after the start tag: its namespace ("" none) */
};

/* xmlns or xmlns:prefix */
static bool is_declaration(const struct parser *p, const struct qname *q)
{
	return qname_is(p, q, "xmlns") || (q->plen == 5 && memcmp(p->buf + q->at, "xmlns", 5) == 0);
}

/* One attribute at p->pos (after its white space), up to the closing
 * quote of its value. A namespace declaration goes into scope. */
static int attribute(struct parser *p, struct attribute *a)
{
	const char *q = NULL, *lt = NULL;
	size_t from = 0, end = 0;
	char quote = 0;

	if (parse_qname(p, &a->name) < 0)
		return -1;
	skip_space(p);
	if (p->pos == p->len)
		return truncated(p);
	if (p->buf[p->pos] != '=')
		return fail(p, "expected '=' after an attribute name");
	p->pos++;
	skip_space(p);
	if (p->pos == p->len)
		return truncated(p);
	quote = p->buf[p->pos];
	if (quote != '"' && quote != '\'')
		return fail(p, "an attribute value without quotes");
	from = ++p->pos;
	q = memchr(p->buf + from, quote, p->len - from);
	if (!q)
		return truncated(p);
	end = (size_t)(q - p->buf);
	lt = memchr(p->buf + from, '<', end - from);
	if (lt)
		return fail_at(p, (size_t)(lt - p->buf), "'<' in an attribute value", false);
	p->pos = end + 1;
	if (is_declaration(p, &a->name)) {
		char *uri = xmalloc(end - from + 1);

		if (decode(p, from, end, true, uri) < 0) {
			free(uri);
			return -1;
		}
		return declare(p, &a->name, uri, a->name.at);
	}
	return decode(p, from, end, true, NULL) < 0 ? -1 : 0;
}

/* After the start tag's attributes: every prefix bound, no attribute
 * twice, by name or by namespace and local name (Namespaces, 6.3). Only
 * prefixed attributes are in a namespace, never an empty one. */
static int check_attributes(struct parser *p, struct attribute *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct qname *q = &a[i].name;
		size_t qlocal = q->plen ? q->plen + 1 : 0;

		a[i].ns = "";
		if (q->plen && !is_declaration(p, q)) {
			a[i].ns = lookup(p, p->buf + q->at, q->plen);
			if (!a[i].ns)
				return fail_at(p, q->at, "an unbound namespace prefix", false);
		}
		for (size_t j = 0; j < i; j++) {
			const struct qname *r = &a[j].name;
			size_t rlocal = r->plen ? r->plen + 1 : 0;
			bool same_name = q->len == r->len &&
					 memcmp(p->buf + q->at, p->buf + r->at, q->len) == 0;
			bool same_expanded = *a[i].ns && strcmp(a[i].ns, a[j].ns) == 0 &&
					     q->len - qlocal == r->len - rlocal &&
					     memcmp(p->buf + q->at + qlocal, p->buf + r->at + rlocal,
						    q->len - qlocal) == 0;

			if (same_name || same_expanded)
				return fail_at(p, q->at, "an attribute given twice", false);
		}
	}
	return 0;
}

/* The rest of a start tag after its name: attributes (namespace
 * declarations go into scope), then '>' or "/>" (*empty). */
static int start_tag(struct parser *p, struct attribute *attrs, size_t *nattrs, bool *empty)
{
	*nattrs = 0;
	*empty = false;
	for (;;) {
		bool spaced = skip_space(p);
		int m = 0;

		if (p->pos == p->len)
			return truncated(p);
		if (p->buf[p->pos] == '>') {
			p->pos++;
			break;
		}
		if ((m = match(p, "/>")) != 0) {
			if (m < 0)
				return -1;
			*empty = true;
			break;
		}
		if (!spaced)
			return fail(p, "expected white space, '>' or '/>' in a start tag");
		if (*nattrs == XML_MAX_ATTRIBUTES)
			return fail_at(p, p->pos, "more attributes on an element than " STR(XML_MAX_ATTRIBUTES),
				       true);
		if (attribute(p, &attrs[(*nattrs)++]) < 0)
			return -1;
	}
	return check_attributes(p, attrs, *nattrs);
}

static int element(struct parser *p, struct xml_element **slot, unsigned depth);

/* The content of e, up to and including its end tag. */
static int content(struct parser *p, struct xml_element *e, const struct qname *tag, unsigned depth)
{
	struct xml_element **last = &e->children;
	size_t cap = e->text_len + 1;
	int m = 0;

	for (;;) {
		if (p->pos == p->len)
			return truncated(p);
		if (p->buf[p->pos] != '<') {
			if (char_data(p, e, &cap) < 0)
				return -1;
			continue;
		}
		if ((m = match(p, "</")) != 0) {
			struct qname end = { 0 };
			size_t at = p->pos - 2;

			if (m < 0 || parse_qname(p, &end) < 0)
				return -1;
			if (end.len != tag->len || memcmp(p->buf + end.at, p->buf + tag->at, tag->len) != 0)
				return fail_at(p, at, "an end tag that does not match its start tag", false);
			skip_space(p);
			if (p->pos == p->len)
				return truncated(p);
			if (p->buf[p->pos] != '>')
				return fail(p, "expected '>' to close an end tag");
			p->pos++;
			return 0;
		}
		if ((m = match(p, "<!--")) != 0) {
			if (m < 0 || comment(p) < 0)
				return -1;
		} else if ((m = match(p, "<![CDATA[")) != 0) {
			if (m < 0 || cdata(p, e, &cap) < 0)
				return -1;
		} else if ((m = match(p, "<?")) != 0) {
			return m < 0 ? -1 : fail_at(p, p->pos - 2, "a processing instruction", true);
		} else if ((m = match(p, "<!")) != 0) {
			return m < 0 ? -1 : fail_at(p, p->pos - 2, "a declaration inside an element", false);
		} else {
			if (element(p, last, depth + 1) < 0)
				return -1;
			last = &(*last)->next;
		}
	}
}

/* An element at p->pos ('<'), put in *slot as soon as its start tag is
 * read, so that on error the tree being built still owns it. */
static int element(struct parser *p, struct xml_element **slot, unsigned depth)
{
	struct attribute attrs[XML_MAX_ATTRIBUTES] = { 0 };
	size_t nattrs = 0, height = p->nscope, start = p->pos, local = 0;
	struct xml_element *e = NULL;
	struct qname tag = { 0 };
	const char *ns = NULL;
	bool empty = false;
	int rc = -1;

	if (depth > XML_MAX_DEPTH)
		return fail_at(p, start, "elements nested deeper than " STR(XML_MAX_DEPTH), true);
	if (++p->elements > XML_MAX_ELEMENTS)
		return fail_at(p, start, "more elements than " STR(XML_MAX_ELEMENTS), true);
	p->pos++;
	if (parse_qname(p, &tag) < 0 || start_tag(p, attrs, &nattrs, &empty) < 0)
		goto out;
	if (tag.plen == 5 && memcmp(p->buf + tag.at, "xmlns", 5) == 0) {
		fail_at(p, tag.at, "an element with the prefix xmlns", false);
		goto out;
	}
	ns = lookup(p, p->buf + tag.at, tag.plen);
	if (!ns) {
		fail_at(p, tag.at, "an unbound namespace prefix", false);
		goto out;
	}
	/* One allocation: the element, its local name, its namespace URI. */
	local = tag.len - (tag.plen ? tag.plen + 1 : 0);
	e = xcalloc(1, sizeof(*e) + local + 1 + strlen(ns) + 1);
	e->name = memcpy((char *)(e + 1), p->buf + tag.at + tag.len - local, local);
	e->ns = strcpy((char *)(e + 1) + local + 1, ns);
	e->text = xcalloc(1, 1);
	*slot = e;
	rc = empty ? 0 : content(p, e, &tag, depth);
out:
	unscope(p, height);
	return rc;
}

/* ---- the document ---- */

/* After "<?xml": version="1.0", then optionally encoding="UTF-8" (any
 * case) and standalone="yes|no", in that order (XML 1.0, 2.8). */
static int xml_declaration(struct parser *p)
{
	static const char *const names[] = { "version", "encoding", "standalone" };
	size_t next = 0;

	for (;;) {
		bool spaced = skip_space(p);
		size_t n = 0, k = 0, from = 0, vlen = 0;
		const char *q = NULL, *v = NULL;
		int m = 0;

		if ((m = match(p, "?>")) != 0)
			return m < 0 ? -1 : next > 0 ? 0 : fail(p, "an XML declaration without a version");
		if (!spaced)
			return fail(p, "a malformed XML declaration");
		while (p->pos + n < p->len && p->buf[p->pos + n] >= 'a' && p->buf[p->pos + n] <= 'z')
			n++;
		if (p->pos + n == p->len)
			return truncated(p);
		for (k = next; k < ARRAY_LEN(names); k++)
			if (strlen(names[k]) == n && memcmp(p->buf + p->pos, names[k], n) == 0)
				break;
		if (k == ARRAY_LEN(names) || (next == 0 && k != 0))
			return fail(p, "a malformed XML declaration");
		p->pos += n;
		skip_space(p);
		if ((m = match(p, "=")) <= 0)
			return m < 0 ? -1 : fail(p, "a malformed XML declaration");
		skip_space(p);
		if (p->pos == p->len)
			return truncated(p);
		if (p->buf[p->pos] != '"' && p->buf[p->pos] != '\'')
			return fail(p, "a malformed XML declaration");
		from = p->pos + 1;
		q = memchr(p->buf + from, p->buf[p->pos], p->len - from);
		if (!q)
			return truncated(p);
		v = p->buf + from;
		vlen = (size_t)(q - v);
		if (k == 0 && !(vlen == 3 && memcmp(v, "1.0", 3) == 0))
			return fail_at(p, from, "an XML version other than 1.0", true);
		if (k == 1 && !(vlen == 5 && strncasecmp(v, "UTF-8", 5) == 0))
			return fail_at(p, from, "an encoding other than UTF-8", true);
		if (k == 2 && !(vlen == 3 && memcmp(v, "yes", 3) == 0) && !(vlen == 2 && memcmp(v, "no", 2) == 0))
			return fail_at(p, from, "a malformed XML declaration", false);
		p->pos = (size_t)(q - p->buf) + 1;
		next = k + 1;
	}
}

/* Comments and white space around the root element; before it (prolog)
 * or after it. Stops at the root's '<' or the end. */
static int misc(struct parser *p, bool prolog)
{
	for (;;) {
		int m = 0;

		skip_space(p);
		if (p->pos == p->len)
			return prolog ? truncated(p) : 0;
		if ((m = match(p, "<!--")) != 0) {
			if (m < 0 || comment(p) < 0)
				return -1;
			continue;
		}
		if ((m = match(p, "<!DOCTYPE")) != 0)
			return m < 0 ? -1 : fail_at(p, p->pos - 9, "a document type declaration", true);
		if ((m = match(p, "<?")) != 0)
			return m < 0 ? -1 : fail_at(p, p->pos - 2, "a processing instruction", true);
		if (prolog && p->buf[p->pos] == '<')
			return 0;
		return fail(p, prolog ? "expected the root element" : "content after the root element");
	}
}

static int document(struct parser *p)
{
	int m = 0;

	if (check_chars(p) < 0)
		return -1;
	if (p->len >= 3 && memcmp(p->buf, "\xEF\xBB\xBF", 3) == 0)
		p->pos = 3;
	/* "<?xml" then white space: the declaration; "<?xml-..." would be a
	 * processing instruction, refused by misc(). */
	if ((m = match(p, "<?xml")) != 0) {
		if (m < 0)
			return -1;
		if (p->pos < p->len && !is_space(p->buf[p->pos]) && p->buf[p->pos] != '?')
			p->pos -= 5;
		else if (xml_declaration(p) < 0)
			return -1;
	}
	if (misc(p, true) < 0 || element(p, &p->root, 1) < 0)
		return -1;
	return misc(p, false);
}

int xml_parse(const char *buf, size_t len, struct xml_element **root, char **why)
{
	struct parser p = { .buf = buf, .len = len };
	unsigned long line = 0, col = 0;

	*root = NULL;
	*why = NULL;
	if (len > XML_MAX_INPUT) {
		*why = xasprintf("unsupported XML: larger than %d bytes", XML_MAX_INPUT);
		return -1;
	}
	if (document(&p) == 0) {
		*root = p.root;
		free(p.scope);
		return 0;
	}
	unscope(&p, 0);
	free(p.scope);
	xml_free(p.root);
	position(&p, p.error_at, &line, &col);
	*why = xasprintf("%s (line %lu, column %lu): %s", p.refused ? "unsupported XML" : "not well-formed XML",
			 line, col, p.error);
	return -1;
}

void xml_free(struct xml_element *e)
{
	while (e) {
		struct xml_element *next = e->next;

		xml_free(e->children);
		explicit_bzero(e->text, e->text_len);
		free(e->text);
		free(e);
		e = next;
	}
}
