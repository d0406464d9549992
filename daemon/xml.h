/*
 * xml: a small, strict, non-validating XML 1.0 reader for the short
 * answers of AWS query-protocol APIs (STS). It turns a whole document,
 * held in memory, into a tree of elements with their namespace and text,
 * or refuses it; walking the tree for the members an API documents is the
 * caller's job (sts.c).
 *
 * Accepted: UTF-8 only (an optional byte-order mark, an optional leading
 * <?xml version="1.0" encoding="UTF-8" standalone="..."?>), comments
 * (dropped), CDATA sections (their text kept verbatim), the five
 * predefined entities and numeric character references (decoded to UTF-8),
 * namespaces (xmlns and xmlns:p declarations; every element gets its
 * namespace URI). Attributes other than namespace declarations are checked
 * for well-formedness (quoted, references valid, no duplicate, prefix
 * bound) and then ignored: STS sends none, and one added later carries
 * nothing the answers' members need.
 *
 * Refused: any DTD (<!DOCTYPE), so no entity is ever defined; any other
 * processing instruction; encodings other than UTF-8; anything malformed,
 * including a document cut anywhere before the end of its root element.
 * Input size, nesting depth, element count and attributes per element are
 * bounded (below). Error messages give line and column only, never the
 * input's text, which may hold secrets.
 */
#ifndef LMGRANTD_XML_H
#define LMGRANTD_XML_H

#include <stddef.h>

#define XML_MAX_INPUT (256 * 1024) /* bytes */
#define XML_MAX_DEPTH 32           /* the root element is at depth 1 */
#define XML_MAX_ELEMENTS 4096
#define XML_MAX_ATTRIBUTES 32 /* per element, namespace declarations included */

/* One element; owned by the tree xml_parse returns. */
struct xml_element {
	const char *name; /* local name, without its prefix */
	const char *ns;   /* namespace URI; "" when in no namespace */
	/* The character data directly inside this element, child elements and
	 * comments left out, references decoded, line ends normalized to \n;
	 * NUL-terminated (XML text cannot hold a NUL), never NULL. Writable so
	 * that a caller may wipe a secret early; xml_free wipes it anyway. */
	char *text;
	size_t text_len;
	struct xml_element *children; /* first child element, or NULL */
	struct xml_element *next;     /* next sibling element, or NULL */
};

/* Parses the len bytes at buf (no NUL needed). Returns 0 and *root (caller
 * frees with xml_free), or -1 and *why (caller frees), "not well-formed
 * XML (line L, column C): ..." or "unsupported XML (line L, column C):
 * ...", columns counted in characters. */
int xml_parse(const char *buf, size_t len, struct xml_element **root, char **why);

/* Wipes every text (explicit_bzero), then frees the tree; NULL is fine. */
void xml_free(struct xml_element *root);

#endif
