/*
 * xmltree: expat's callbacks build the element tree of xmltree.h; a
 * callback that meets what this module refuses (a DTD, an entity
 * declaration, a processing instruction, another version or encoding, a
 * bound exceeded) notes why and stops the parser, so there is never a
 * partial result.
 *
 * Text may hold secrets (an AssumeRole answer's SecretAccessKey): a text
 * buffer is wiped whenever it is grown or freed, and expat gets an
 * allocator that wipes every block it frees, so the copy of the input
 * expat keeps in its own buffer is gone too when the parser is.
 */
#include "xmltree.h"

#include <expat.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Between a namespace URI and a local name in the names expat reports:
 * U+0001 is not an XML 1.0 character, so neither part can hold it. */
#define NS_SEP '\x01'

/* The parser and the tree being built: root is owned until handed to the
 * caller; open and last borrow from it. */
struct builder {
	XML_Parser p;
	struct xml_element *root;
	struct xml_element *open[XML_MAX_DEPTH];  /* open[depth - 1] is the innermost */
	struct xml_element *last[XML_MAX_DEPTH];  /* last child of each open element */
	size_t text_cap[XML_MAX_DEPTH];
	unsigned depth;
	size_t elements;
	unsigned ns_decls;   /* namespace declarations of the start tag being read */
	const char *refused; /* static; why a callback stopped the parser */
	unsigned long line, column;
};

/* ---- an allocator that wipes ---- */

/* Every block starts with its size so that free can wipe it. */
union block_head {
	size_t size;
	max_align_t align;
};

static void *wiping_malloc(size_t size)
{
	union block_head *h = malloc(sizeof(*h) + size);

	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

static void wiping_free(void *ptr)
{
	union block_head *h = ptr;

	if (!ptr)
		return;
	h--;
	explicit_bzero(h, sizeof(*h) + h->size);
	free(h);
}

static void *wiping_realloc(void *ptr, size_t size)
{
	void *to = wiping_malloc(size);
	size_t old = ptr ? ((union block_head *)ptr - 1)->size : 0;

	if (!to)
		return NULL;
	if (ptr)
		memcpy(to, ptr, old < size ? old : size);
	wiping_free(ptr);
	return to;
}

static const XML_Memory_Handling_Suite wiping_memory = {
	wiping_malloc, wiping_realloc, wiping_free,
};

/* ---- refusals ---- */

static void refuse(struct builder *b, const char *why)
{
	if (b->refused)
		return;
	b->refused = why;
	b->line = XML_GetCurrentLineNumber(b->p);
	b->column = XML_GetCurrentColumnNumber(b->p) + 1;
	XML_StopParser(b->p, XML_FALSE);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	refuse(ud, "a document type declaration");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
				   const XML_Char *value, int value_len, const XML_Char *base,
				   const XML_Char *sysid, const XML_Char *pubid,
				   const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
	(void)pubid, (void)notation;
	refuse(ud, "an entity declaration");
}

static void XMLCALL on_pi(void *ud, const XML_Char *target, const XML_Char *data)
{
	(void)target, (void)data;
	refuse(ud, "a processing instruction");
}

static void XMLCALL on_xml_decl(void *ud, const XML_Char *version, const XML_Char *encoding,
				int standalone)
{
	(void)standalone;
	if (version && strcmp(version, "1.0") != 0)
		refuse(ud, "an XML version other than 1.0");
	else if (encoding && strcasecmp(encoding, "UTF-8") != 0)
		refuse(ud, "an encoding other than UTF-8");
}

static void XMLCALL on_ns_decl(void *ud, const XML_Char *prefix, const XML_Char *uri)
{
	struct builder *b = ud;

	(void)prefix, (void)uri;
	b->ns_decls++;
}

/* ---- the tree ---- */

/* "uri\1local" or "local": sets name and namespace of e. */
static void set_name(struct xml_element *e, const XML_Char *expanded)
{
	const char *sep = strchr(expanded, NS_SEP);

	if (sep) {
		e->ns = xstrndup(expanded, (size_t)(sep - expanded));
		e->name = xstrdup(sep + 1);
	} else {
		e->ns = xstrdup("");
		e->name = xstrdup(expanded);
	}
}

static bool within_bounds(struct builder *b, const XML_Char **atts)
{
	size_t nattrs = b->ns_decls;

	for (size_t i = 0; atts[i]; i += 2)
		nattrs++;
	b->ns_decls = 0;
	if (b->depth >= XML_MAX_DEPTH)
		refuse(b, "elements nested deeper than " STR(XML_MAX_DEPTH));
	else if (b->elements >= XML_MAX_ELEMENTS)
		refuse(b, "more elements than " STR(XML_MAX_ELEMENTS));
	else if (nattrs > XML_MAX_ATTRIBUTES)
		refuse(b, "more attributes on an element than " STR(XML_MAX_ATTRIBUTES));
	return !b->refused;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct builder *b = ud;
	struct xml_element *e = NULL;

	if (!within_bounds(b, atts))
		return;
	e = xcalloc(1, sizeof(*e));
	set_name(e, name);
	e->text = xcalloc(1, 1);
	b->elements++;
	if (b->depth == 0)
		b->root = e;
	else if (b->last[b->depth - 1])
		b->last[b->depth - 1]->next = e;
	else
		b->open[b->depth - 1]->children = e;
	if (b->depth > 0)
		b->last[b->depth - 1] = e;
	b->open[b->depth] = e;
	b->last[b->depth] = NULL;
	b->text_cap[b->depth] = 1;
	b->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct builder *b = ud;

	(void)name;
	if (b->depth > 0)
		b->depth--;
}

/* Appends to the innermost element's text; the old buffer is wiped. */
static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct builder *b = ud;
	struct xml_element *e = NULL;
	size_t *cap = NULL, n = (size_t)len;

	if (b->depth == 0 || len <= 0)
		return;
	e = b->open[b->depth - 1];
	cap = &b->text_cap[b->depth - 1];
	if (e->text_len + n + 1 > *cap) {
		size_t want = (e->text_len + n + 1) * 2;
		char *grown = xmalloc(want);

		memcpy(grown, e->text, e->text_len);
		explicit_bzero(e->text, *cap);
		free(e->text);
		e->text = grown;
		*cap = want;
	}
	memcpy(e->text + e->text_len, s, n);
	e->text_len += n;
	e->text[e->text_len] = '\0';
}

void xmltree_free(struct xml_element *root)
{
	while (root) {
		struct xml_element *next = root->next;

		xmltree_free(root->children);
		explicit_bzero(root->text, root->text_len);
		free(root->text);
		free((char *)root->name);
		free((char *)root->ns);
		free(root);
		root = next;
	}
}

static XML_Parser new_parser(struct builder *b)
{
	/* The encoding given here wins over the document's declaration;
	 * on_xml_decl refuses a declaration that says otherwise. */
	XML_Parser p = XML_ParserCreate_MM("UTF-8", &wiping_memory, (const XML_Char[]){ NS_SEP, 0 });

	if (!p)
		abort(); /* only on out-of-memory */
	XML_SetUserData(p, b);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity_decl);
	XML_SetProcessingInstructionHandler(p, on_pi);
	XML_SetXmlDeclHandler(p, on_xml_decl);
	XML_SetStartNamespaceDeclHandler(p, on_ns_decl);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	return p;
}

int xmltree_parse(const char *buf, size_t len, struct xml_element **root, char **why)
{
	struct builder b = { 0 };
	int rc = -1;

	*root = NULL;
	if (len > XML_MAX_INPUT) {
		*why = xasprintf("unsupported XML: larger than %d bytes", XML_MAX_INPUT);
		return -1;
	}
	b.p = new_parser(&b);
	if (XML_Parse(b.p, buf, (int)len, XML_TRUE) == XML_STATUS_OK && !b.refused) {
		*root = b.root;
		b.root = NULL;
		rc = 0;
	} else if (b.refused) {
		*why = xasprintf("unsupported XML (line %lu, column %lu): %s", b.line, b.column, b.refused);
	} else {
		*why = xasprintf("not well-formed XML (line %lu, column %lu): %s",
				 (unsigned long)XML_GetCurrentLineNumber(b.p),
				 (unsigned long)XML_GetCurrentColumnNumber(b.p) + 1,
				 XML_ErrorString(XML_GetErrorCode(b.p)));
	}
	XML_ParserFree(b.p);
	xmltree_free(b.root);
	return rc;
}
