/*
 * xmltree: the short answers of AWS query-protocol APIs (STS), read with
 * expat into a tree of elements with their namespace and text, or refused;
 * walking the tree for the members an API documents is the caller's job
 * (sts.c).
 *
 * expat checks well-formedness (UTF-8, names, references, namespaces,
 * a document cut anywhere before the end of its root element). On top of
 * it this module refuses what STS never sends and a parser should not
 * have to get right: any DTD (so no entity is ever declared), any
 * processing instruction, an XML version other than 1.0, an encoding
 * other than UTF-8 (the parser is told UTF-8, whatever the document
 * says). Input size, nesting depth, element count and attributes per
 * element are bounded (below). Error messages give line and column and
 * expat's description only, never the input's text, which may hold
 * secrets; every buffer expat or the tree held is wiped when freed.
 */
#ifndef LMGRANTD_XMLTREE_H
#define LMGRANTD_XMLTREE_H

#include <stddef.h>

#define XML_MAX_INPUT (256 * 1024) /* bytes */
#define XML_MAX_DEPTH 32           /* the root element is at depth 1 */
#define XML_MAX_ELEMENTS 4096
#define XML_MAX_ATTRIBUTES 32 /* per element, namespace declarations included */

/* One element; owned by the tree xmltree_parse returns. */
struct xml_element {
	const char *name; /* local name, without its prefix */
	const char *ns;   /* namespace URI; "" when in no namespace */
	/* The character data directly inside this element, child elements and
	 * comments left out, references decoded, line ends normalized to \n;
	 * NUL-terminated (XML text cannot hold a NUL), never NULL. Writable so
	 * that a caller may wipe a secret early; xmltree_free wipes it anyway. */
	char *text;
	size_t text_len;
	struct xml_element *children; /* first child element, or NULL */
	struct xml_element *next;     /* next sibling element, or NULL */
};

/* Parses the len bytes at buf (no NUL needed). Returns 0 and *root (caller
 * frees with xmltree_free), or -1 and *why (caller frees), "not well-formed
 * XML (line L, column C): ..." or "unsupported XML (line L, column C):
 * ..." ("unsupported XML: ..." for input over XML_MAX_INPUT). */
int xmltree_parse(const char *buf, size_t len, struct xml_element **root, char **why);

/* Wipes every text (explicit_bzero), then frees the tree; NULL is fine. */
void xmltree_free(struct xml_element *root);

#endif
