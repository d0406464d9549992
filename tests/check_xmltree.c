/*
 * Unit tests of xmltree (expat plus lmgrantd's refusals): well-formed documents and
 * the tree they give (names, namespaces, text with references, CDATA and
 * line ends decoded), every truncation of a few documents, references and
 * entities, mismatched tags, the limits (depth bomb, element and attribute
 * counts, size), attributes and namespace declarations, white space, the
 * XML declaration, DTDs and processing instructions, UTF-8, and error
 * messages that give a position and never the input's text. The expected
 * texts after the position are expat's own descriptions (XML_ErrorString)
 * or xmltree's refusals ("unsupported XML").
 */
#include <check.h>

#include "check_main.h"
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmltree.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYXMLSECRET"
#define STS_NS "https://sts.amazonaws.com/doc/2011-06-15/"

/* Parses n bytes that must be accepted; caller frees. */
static struct xml_element *parse_n(const char *doc, size_t n)
{
	struct xml_element *root = NULL;
	char *why = NULL;

	ck_assert_msg(xmltree_parse(doc, n, &root, &why) == 0, "refused (%s): %s", why, doc);
	ck_assert_ptr_null(why);
	ck_assert_ptr_nonnull(root);
	return root;
}

static struct xml_element *parse(const char *doc)
{
	return parse_n(doc, strlen(doc));
}

/* Every message has the same shape and never holds input. */
static void assert_message_shape(const char *why)
{
	regex_t re;

	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(regcomp(&re, "^(not well-formed|unsupported) XML( \\(line [0-9]+, column [0-9]+\\))?: [^\n]+$",
				 REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, why, 0, NULL, 0) == 0, "odd message: %s", why);
	regfree(&re);
	ck_assert_msg(strstr(why, SECRET) == NULL && strstr(why, "XMLSECRET") == NULL, "input in: %s", why);
}

/* The n bytes at doc must be refused with a message holding want. */
static void refuse_n(const char *doc, size_t n, const char *want)
{
	struct xml_element *root = (struct xml_element *)1;
	char *why = NULL;

	ck_assert_msg(xmltree_parse(doc, n, &root, &why) == -1, "accepted: %.*s", (int)n, doc);
	ck_assert_ptr_null(root);
	assert_message_shape(why);
	ck_assert_msg(strstr(why, want) != NULL, "'%s' lacks '%s' (input %.*s)", why, want, (int)n, doc);
	free(why);
}

static void refuse(const char *doc, const char *want)
{
	refuse_n(doc, strlen(doc), want);
}

/* The text of the root's only child. */
static void expect_text(const char *doc, const char *want)
{
	struct xml_element *root = parse(doc);
	const struct xml_element *leaf = root->children ? root->children : root;

	ck_assert_str_eq(leaf->text, want);
	ck_assert_uint_eq(leaf->text_len, strlen(want));
	xmltree_free(root);
}

static void expect_ns(const char *doc, const char *want)
{
	struct xml_element *root = parse(doc);

	ck_assert_str_eq(root->ns, want);
	xmltree_free(root);
}

static const char ASSUMED[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!-- an STS answer -->\n"
	"<AssumeRoleResponse xmlns=\"" STS_NS "\">\n"
	"  <AssumeRoleResult>\n"
	"    <AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/R&amp;D/x</Arn></AssumedRoleUser>\n"
	"    <Credentials>\n"
	"      <AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId>\n"
	"      <SecretAccessKey>" SECRET "</SecretAccessKey>\n"
	"      <SessionToken><![CDATA[IQoJ+/=]]></SessionToken>\n"
	"      <Expiration>2100-01-01T00:00:00Z</Expiration>\n"
	"    </Credentials>\n"
	"  </AssumeRoleResult>\n"
	"  <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata>\n"
	"</AssumeRoleResponse>\n";

START_TEST(well_formed_sts_answer)
{
	struct xml_element *root = parse(ASSUMED);
	const struct xml_element *result = root->children, *user, *creds, *e;

	ck_assert_str_eq(root->name, "AssumeRoleResponse");
	ck_assert_str_eq(root->ns, STS_NS);
	ck_assert_str_eq(root->text, "\n  \n  \n");
	ck_assert_ptr_null(root->next);
	ck_assert_str_eq(result->name, "AssumeRoleResult");
	ck_assert_str_eq(result->next->name, "ResponseMetadata");
	ck_assert_ptr_null(result->next->next);
	user = result->children;
	ck_assert_str_eq(user->children->name, "Arn");
	ck_assert_str_eq(user->children->text, "arn:aws:sts::222222222222:assumed-role/R&D/x");
	creds = user->next;
	ck_assert_str_eq(creds->name, "Credentials");
	e = creds->children;
	ck_assert_str_eq(e->name, "AccessKeyId");
	ck_assert_str_eq(e->ns, STS_NS);
	ck_assert_ptr_null(e->children);
	e = e->next;
	ck_assert_str_eq(e->name, "SecretAccessKey");
	ck_assert_str_eq(e->text, SECRET);
	/* The caller may wipe a secret early; xml_free wipes it anyway. */
	explicit_bzero(e->text, e->text_len);
	e = e->next;
	ck_assert_str_eq(e->text, "IQoJ+/=");
	ck_assert_str_eq(e->next->text, "2100-01-01T00:00:00Z");
	ck_assert_ptr_null(e->next->next);
	xmltree_free(root);
	xmltree_free(NULL);
}
END_TEST

START_TEST(well_formed_minimal_and_misc)
{
	struct xml_element *root;

	root = parse("<a/>");
	ck_assert_str_eq(root->name, "a");
	ck_assert_str_eq(root->ns, "");
	ck_assert_str_eq(root->text, "");
	ck_assert_uint_eq(root->text_len, 0);
	ck_assert_ptr_null(root->children);
	xmltree_free(root);
	/* Comments and white space around the root; a byte-order mark. */
	xmltree_free(parse("\xEF\xBB\xBF<?xml version='1.0'?><!----> \r\n<!-- x - y --><a></a><!-- after -->\n\n"));
	/* Names: letters, digits, '-', '.', '_', non-ASCII letters. */
	root = parse("<_a-b.c1><\xC3\xA9t\xC3\xA9/><x\xC2\xB7/></_a-b.c1>");
	ck_assert_str_eq(root->name, "_a-b.c1");
	ck_assert_str_eq(root->children->name, "\xC3\xA9t\xC3\xA9");
	ck_assert_str_eq(root->children->next->name, "x\xC2\xB7");
	xmltree_free(root);
	/* Text around children, comments and CDATA is one text. */
	root = parse("<a>x<!-- c -->y<b/>z<![CDATA[<&>]]>w</a>");
	ck_assert_str_eq(root->text, "xyz<&>w");
	xmltree_free(root);
	/* '>' alone and "]]" without '>' are text. */
	expect_text("<a>a > b ]] c ]]</a>", "a > b ]] c ]]");
	expect_text("<a><![CDATA[]]></a>", "");
	expect_text("<a><![CDATA[x]]]]><![CDATA[>]]></a>", "x]]>");
}
END_TEST

/* Every proper prefix of a well-formed document is an error, wherever
 * it is cut: inside a name, a reference, a comment, a CDATA section, an
 * attribute, the declaration, a multi-byte character, an end tag. */
START_TEST(every_truncation_is_an_error)
{
	static const char *const docs[] = {
		ASSUMED,
		"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\" ?>"
		"<p:a xmlns:p='urn:p' b = \"1&amp;&#x41;&#66;\"><!-- c --><p:b/><![CDATA[d]]>\xC3\xA9\xF0\x9F\x98\x80"
		"&lt;&gt;&quot;&apos;</p:a >",
		"<a/>",
	};

	for (size_t d = 0; d < ARRAY_LEN(docs); d++) {
		size_t n = strlen(docs[d]);

		xmltree_free(parse(docs[d]));
		/* (A trailing newline is after the document: cut there it is whole.) */
		while (docs[d][n - 1] == '\n')
			n--;
		for (size_t len = 0; len < n; len++) {
			struct xml_element *root = (struct xml_element *)1;
			char *why = NULL;

			ck_assert_msg(xmltree_parse(docs[d], len, &root, &why) == -1, "accepted %zu of %zu bytes of doc %zu",
				      len, n, d);
			ck_assert_ptr_null(root);
			assert_message_shape(why);
			free(why);
		}
	}
	refuse("<a>", "no element found");
	refuse("<a><b></b>", "no element found");
	refuse("<a b=\"1", "unclosed token");
	refuse("<a>&am", "unclosed token");
	refuse("<a><!-- x -", "unclosed token");
	refuse("<a><![CDATA[x]]", "unclosed CDATA section");
	refuse("<a></a", "unclosed token");
	refuse("<?xml version=\"1.0\"", "unclosed token");
	refuse("<?xml version=\"1.0\"?>", "no element found");
	refuse("", "no element found");
	refuse(" \n", "no element found");
	refuse("<!-- only a comment -->", "no element found");
	refuse("<a>\xC3", "partial character");
}
END_TEST

START_TEST(references_and_entities)
{
	expect_text("<a>&lt;&gt;&amp;&apos;&quot;</a>", "<>&'\"");
	expect_text("<a>&#65;&#x42;&#x0043;&#0000068;&#xe9;&#233;</a>", "ABCD\xC3\xA9\xC3\xA9");
	expect_text("<a>&#x7FF;&#x800;&#xFFFD;&#x10000;&#x10FFFF;</a>",
		    "\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBD\xF0\x90\x80\x80\xF4\x8F\xBF\xBF");
	/* A reference is not markup: "&lt;b&gt;" is text, "&amp;lt;" is "&lt;". */
	expect_text("<a>&lt;b&gt;&amp;lt;</a>", "<b>&lt;");
	expect_text("<a>&#9;&#10;&#13;</a>", "\t\n\r");
	refuse("<a>&nbsp;</a>", "undefined entity");
	refuse("<a>&AMP;</a>", "undefined entity");
	refuse("<a>& amp;</a>", "not well-formed (invalid token)");
	refuse("<a>&;</a>", "not well-formed (invalid token)");
	refuse("<a>&amp</a>", "not well-formed (invalid token)");
	refuse("<a>a & b</a>", "not well-formed (invalid token)");
	refuse("<a>&#;</a>", "not well-formed (invalid token)");
	refuse("<a>&#x;</a>", "not well-formed (invalid token)");
	refuse("<a>&#X41;</a>", "not well-formed (invalid token)");
	refuse("<a>&#xG;</a>", "not well-formed (invalid token)");
	refuse("<a>&#-1;</a>", "not well-formed (invalid token)");
	refuse("<a>&#12a;</a>", "not well-formed (invalid token)");
	refuse("<a>&#0;</a>", "reference to invalid character number");
	refuse("<a>&#x1;</a>", "reference to invalid character number");
	refuse("<a>&#xD800;</a>", "reference to invalid character number");
	refuse("<a>&#xDFFF;</a>", "reference to invalid character number");
	refuse("<a>&#xFFFE;</a>", "reference to invalid character number");
	refuse("<a>&#xFFFF;</a>", "reference to invalid character number");
	refuse("<a>&#x110000;</a>", "reference to invalid character number");
	refuse("<a>&#99999999999999999999999;</a>", "reference to invalid character number");
	refuse("<a>&#x100000000000041;</a>", "reference to invalid character number");
	/* No DTD, so no entity is ever defined. */
	refuse("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", "a document type declaration");
	refuse("<a><!ENTITY e \"x\"></a>", "not well-formed (invalid token)");
	/* In attribute values too. */
	expect_ns("<a xmlns=\"urn:&lt;&#x41;&amp;\"/>", "urn:<A&");
	refuse("<a b=\"&e;\"/>", "undefined entity");
	refuse("<a xmlns=\"urn:&e;\"/>", "undefined entity");
	refuse("<a b=\"&#0;\"/>", "reference to invalid character number");
	refuse("<a b=\"x & y\"/>", "not well-formed (invalid token)");
}
END_TEST

START_TEST(mismatched_tags)
{
	refuse("<a></b>", "mismatched tag");
	refuse("<a></A>", "mismatched tag");
	refuse("<a><b></a></b>", "mismatched tag");
	refuse("<a></ab>", "mismatched tag");
	refuse("<ab></a>", "mismatched tag");
	/* The same namespace under another prefix is still another tag. */
	refuse("<p:a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\"></q:a>", "mismatched tag");
	refuse("<a></a b=\"1\">", "not well-formed (invalid token)");
	refuse("</a>", "not well-formed (invalid token)");
	refuse("<a/></a>", "not well-formed (invalid token)");
	refuse("<a></a><b/>", "junk after document element");
	refuse("<a></a>text", "junk after document element");
	refuse("<a></a>&amp;", "not well-formed (invalid token)");
	refuse("text<a/>", "not well-formed (invalid token)");
	refuse("<a>< b/></a>", "not well-formed (invalid token)");
	refuse("<1a/>", "not well-formed (invalid token)");
	refuse("<-a/>", "not well-formed (invalid token)");
	refuse("<a\xE2\x98\x83/>", "not well-formed (invalid token)"); /* U+2603 is no name character */
	xmltree_free(parse("<a></a \n\t>"));
}
END_TEST

/* "<a>" x n, then "</a>" x n. Caller frees. */
static char *nested(size_t n)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < n; i++)
		sb_puts(&sb, "<a>");
	for (size_t i = 0; i < n; i++)
		sb_puts(&sb, "</a>");
	return sb_steal(&sb);
}

START_TEST(limits)
{
	struct strbuf sb = { 0 };
	struct xml_element *root;
	char *doc;
	size_t depth = 0;

	doc = nested(XML_MAX_DEPTH);
	root = parse(doc);
	for (const struct xml_element *e = root; e; e = e->children)
		depth++;
	ck_assert_uint_eq(depth, XML_MAX_DEPTH);
	xmltree_free(root);
	free(doc);
	doc = nested(XML_MAX_DEPTH + 1);
	refuse(doc, "unsupported XML (line 1, column 97): elements nested deeper than 32");
	free(doc);
	/* A depth bomb, never closed: refused at the limit, not read through. */
	for (size_t i = 0; i < 80000; i++)
		sb_puts(&sb, "<a>");
	refuse(sb.buf, "elements nested deeper than 32");
	sb_free(&sb);
	/* Element count. */
	sb_puts(&sb, "<r>");
	for (size_t i = 1; i < XML_MAX_ELEMENTS; i++)
		sb_puts(&sb, "<e/>");
	sb_puts(&sb, "</r>");
	xmltree_free(parse(sb.buf));
	sb.len -= 4;
	sb_puts(&sb, "<e/></r>");
	refuse(sb.buf, "more elements than 4096");
	sb_free(&sb);
	/* Attributes per element, namespace declarations included. */
	sb_puts(&sb, "<r xmlns=\"urn:r\"");
	for (size_t i = 1; i < XML_MAX_ATTRIBUTES; i++)
		sb_printf(&sb, " a%zu=\"%zu\"", i, i);
	sb_puts(&sb, "/>");
	xmltree_free(parse(sb.buf));
	sb.len -= 2;
	sb_puts(&sb, " b=\"\"/>");
	refuse(sb.buf, "more attributes on an element than 32");
	sb_free(&sb);
	/* Size: XML_MAX_INPUT bytes are read, one more is not. */
	sb_puts(&sb, "<a>");
	while (sb.len < XML_MAX_INPUT - 4)
		sb_puts(&sb, " ");
	sb_puts(&sb, "</a>");
	ck_assert_uint_eq(sb.len, XML_MAX_INPUT);
	xmltree_free(parse(sb.buf));
	sb_puts(&sb, " ");
	refuse(sb.buf, "unsupported XML: larger than 262144 bytes");
	sb_free(&sb);
}
END_TEST

START_TEST(attributes)
{
	struct xml_element *root;

	/* Other attributes are checked, then ignored. */
	root = parse("<a b=\"1\" c='2' d = \"'>\" e\n=\n'\"' xml:lang=\"en\"><b f=\"\"/></a>");
	ck_assert_str_eq(root->name, "a");
	ck_assert_str_eq(root->children->name, "b");
	xmltree_free(root);
	refuse("<a b=\"1\" b=\"2\"/>", "duplicate attribute");
	refuse("<a xmlns=\"u\" xmlns=\"u\"/>", "duplicate attribute");
	refuse("<a xmlns:p=\"u\" xmlns:p=\"u\"/>", "duplicate attribute");
	/* Two prefixes, one namespace: the same attribute (Namespaces, 6.3). */
	refuse("<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:b=\"1\" q:b=\"2\"/>", "duplicate attribute");
	xmltree_free(parse("<a xmlns:p=\"urn:x\" xmlns:q=\"urn:y\" p:b=\"1\" q:b=\"2\" b=\"3\"/>"));
	xmltree_free(parse("<a xmlns=\"urn:x\" xmlns:p=\"urn:x\" b=\"1\" p:b=\"2\"/>"));
	refuse("<a b/>", "not well-formed (invalid token)");
	refuse("<a b=1/>", "not well-formed (invalid token)");
	refuse("<a b=\"1\"c=\"2\"/>", "not well-formed (invalid token)");
	refuse("<a b=\"<\"/>", "not well-formed (invalid token)");
	refuse("<a b=\"1\" / >", "(line 1, column 11): not well-formed (invalid token)");
	refuse("<a =\"1\"/>", "not well-formed (invalid token)");
	refuse("<a p:b=\"1\"/>", "unbound prefix");
	refuse("<a b=\"1\"></a b>", "not well-formed (invalid token)");
}
END_TEST

START_TEST(namespaces)
{
	struct xml_element *root;

	expect_ns("<a/>", "");
	expect_ns("<a xmlns=\"" STS_NS "\"/>", STS_NS);
	expect_ns("<p:a xmlns:p=\"urn:p\"/>", "urn:p");
	expect_ns("<p:a xmlns:p=\"urn:p\" xmlns=\"urn:d\"/>", "urn:p");
	expect_ns("<xml:a/>", "http://www.w3.org/XML/1998/namespace");
	/* Literal white space in an attribute value is a space; a reference is not. */
	expect_ns("<a xmlns=\"urn:a\tb\r\nc\"/>", "urn:a b c");
	expect_ns("<a xmlns=\"urn:a&#9;b\"/>", "urn:a\tb");
	/* Scopes: inherited, overridden, undeclared, ended with the element. */
	root = parse("<a xmlns=\"urn:d\" xmlns:p=\"urn:p\"><b/><p:c><d xmlns=\"\"/><p:e xmlns:p=\"urn:q\"/>"
		     "</p:c><f/></a>");
	ck_assert_str_eq(root->ns, "urn:d");
	ck_assert_str_eq(root->children->ns, "urn:d");
	ck_assert_str_eq(root->children->next->ns, "urn:p");
	ck_assert_str_eq(root->children->next->name, "c");
	ck_assert_str_eq(root->children->next->children->ns, "");
	ck_assert_str_eq(root->children->next->children->next->ns, "urn:q");
	ck_assert_str_eq(root->children->next->next->ns, "urn:d");
	xmltree_free(root);
	refuse("<a><p:b xmlns:p=\"urn:p\"/><p:c/></a>", "unbound prefix");
	refuse("<p:a/>", "unbound prefix");
	refuse("<a xmlns:p=\"\"/>", "must not undeclare prefix");
	refuse("<a xmlns:xml=\"urn:x\"/>", "reserved prefix (xml) must not be undeclared or bound to another namespace name");
	refuse("<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>", "prefix must not be bound to one of the reserved namespace names");
	refuse("<a xmlns=\"http://www.w3.org/2000/xmlns/\"/>", "prefix must not be bound to one of the reserved namespace names");
	refuse("<a xmlns:xmlns=\"urn:x\"/>", "reserved prefix (xmlns) must not be declared or undeclared");
	refuse("<xmlns:a/>", "unbound prefix");
	refuse("<p:/>", "not well-formed (invalid token)");
	refuse("<:a/>", "not well-formed (invalid token)");
	refuse("<a:b:c xmlns:a=\"u\"/>", "not well-formed (invalid token)");
	xmltree_free(parse("<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>"));
}
END_TEST

START_TEST(white_space)
{
	struct xml_element *root;

	/* Line ends become \n, in text and CDATA alike; other space stays. */
	expect_text("<a>1\r\n2\r3\n4\t 5</a>", "1\n2\n3\n4\t 5");
	expect_text("<a><![CDATA[1\r\n2\r3]]></a>", "1\n2\n3");
	expect_text("<a> </a>", " ");
	root = parse("  \r\n\t<a\r\n  b = \"1\"\t>\n <c\n/> </a\n>  \n");
	ck_assert_str_eq(root->text, "\n  ");
	xmltree_free(root);
	refuse("< a/>", "(line 1, column 2): not well-formed (invalid token)");
	refuse("<a/ >", "not well-formed (invalid token)");
	refuse("<a>< /a>", "not well-formed (invalid token)");
	refuse("<a></ a>", "not well-formed (invalid token)");
	/* The declaration comes first or not at all. */
	refuse(" <?xml version=\"1.0\"?><a/>", "XML or text declaration not at start of entity");
	refuse("<!-- c --><?xml version=\"1.0\"?><a/>", "XML or text declaration not at start of entity");
}
END_TEST

START_TEST(declaration_dtd_and_instructions)
{
	xmltree_free(parse("<?xml version=\"1.0\"?><a/>"));
	xmltree_free(parse("<?xml version='1.0' encoding='utf-8'?><a/>"));
	xmltree_free(parse("<?xml version=\"1.0\" standalone=\"no\"?><a/>"));
	xmltree_free(parse("<?xml version = \"1.0\"  encoding = \"UTF-8\" standalone='yes'  ?><a/>"));
	refuse("<?xml?><a/>", "XML declaration not well-formed");
	refuse("<?xml encoding=\"UTF-8\"?><a/>", "XML declaration not well-formed");
	refuse("<?xml version=\"1.0\" standalone=\"no\" encoding=\"UTF-8\"?><a/>", "XML declaration not well-formed");
	refuse("<?xml version=\"1.0\" version=\"1.0\"?><a/>", "XML declaration not well-formed");
	refuse("<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>", "XML declaration not well-formed");
	refuse("<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", "XML declaration not well-formed");
	refuse("<?xml version=\"1.0\" other=\"x\"?><a/>", "XML declaration not well-formed");
	refuse("<?xml version=1.0?><a/>", "XML declaration not well-formed");
	refuse("<?xml version \"1.0\"?><a/>", "XML declaration not well-formed");
	refuse("<?xml version=\"1.1\"?><a/>", "unsupported XML (line 1, column 1): an XML version other than 1.0");
	refuse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", "an encoding other than UTF-8");
	refuse("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>", "an encoding other than UTF-8");
	refuse("<!DOCTYPE a><a/>", "unsupported XML (line 1, column 12): a document type declaration");
	refuse("<?xml version=\"1.0\"?>\n<!DOCTYPE a SYSTEM \"http://example.com/a.dtd\"><a/>",
	       "(line 2, column 46): a document type declaration");
	refuse("<a/><!DOCTYPE a>", "junk after document element");
	refuse("<a><!DOCTYPE a></a>", "not well-formed (invalid token)");
	refuse("<?xml-stylesheet href=\"x\"?><a/>", "unsupported XML (line 1, column 1): a processing instruction");
	refuse("<?pi?><a/>", "a processing instruction");
	refuse("<a><?pi x?></a>", "a processing instruction");
	refuse("<a/><?pi?>", "a processing instruction");
}
END_TEST

START_TEST(comments_and_cdata)
{
	refuse("<a><!-- a -- b --></a>", "not well-formed (invalid token)");
	refuse("<a><!-- a ---></a>", "not well-formed (invalid token)");
	refuse("<!-- a -- b --><a/>", "not well-formed (invalid token)");
	refuse("<a><!- x --></a>", "not well-formed (invalid token)");
	refuse("<a>]]></a>", "not well-formed (invalid token)");
	refuse("<a>x]]>y</a>", "not well-formed (invalid token)");
	refuse("<![CDATA[x]]><a/>", "syntax error");
	refuse("<a/><![CDATA[x]]>", "junk after document element");
	refuse("<a><![cdata[x]]></a>", "not well-formed (invalid token)");
	/* In a CDATA section markup and references are text. */
	expect_text("<a><![CDATA[<b>&amp;&#0;</b>]]></a>", "<b>&amp;&#0;</b>");
}
END_TEST

START_TEST(utf8)
{
	/* Text passes through as it is, 1 to 4 bytes a character. */
	expect_text("<a>A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\xC2\x80\xEF\xBF\xBD</a>",
		    "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\xC2\x80\xEF\xBF\xBD");
	refuse("<a>\x80</a>", "not well-formed (invalid token)");                     /* lone continuation byte */
	refuse("<a>\xC3(</a>", "not well-formed (invalid token)");                    /* cut sequence */
	refuse("<a>\xC0\x80</a>", "not well-formed (invalid token)");                 /* overlong NUL */
	refuse("<a>\xC1\xBF</a>", "not well-formed (invalid token)");                 /* overlong */
	refuse("<a>\xE0\x80\xAF</a>", "not well-formed (invalid token)");             /* overlong '/' */
	refuse("<a>\xF0\x80\x80\xAF</a>", "not well-formed (invalid token)");         /* overlong '/' */
	refuse("<a>\xED\xA0\x80</a>", "not well-formed (invalid token)");             /* surrogate */
	refuse("<a>\xF4\x90\x80\x80</a>", "not well-formed (invalid token)");         /* beyond U+10FFFF */
	refuse("<a>\xF5\x80\x80\x80</a>", "not well-formed (invalid token)");
	refuse("<a>\xFF</a>", "not well-formed (invalid token)");
	refuse("\xFE\xFF\x00<\x00a\x00/\x00>", "no element found");     /* UTF-16 */
	refuse("<a>\xEF\xBF\xBE</a>", "not well-formed (invalid token)"); /* U+FFFE */
	refuse("<a>\x01</a>", "not well-formed (invalid token)");
	refuse("<a>\x1B[31m</a>", "not well-formed (invalid token)");
	refuse("<a b=\"\x0C\"/>", "not well-formed (invalid token)");
	refuse_n("<a>x\0y</a>", 10, "(line 1, column 5): not well-formed (invalid token)");
	/* A NUL after the document is still in the input. */
	refuse_n("<a/>\0", 5, "not well-formed (invalid token)");
	refuse("<a>x</a>\xC3", "partial character");
}
END_TEST

/* Positions count lines (\n, \r\n, \r) and characters, not bytes. */
START_TEST(positions)
{
	refuse("<a>\n  <b>\r\n\xC3\xA9\xE2\x82\xAC</c>", "not well-formed XML (line 3, column 5): mismatched tag");
	refuse("<a>\r\r<b>&bad;</b></a>", "(line 3, column 4): undefined entity");
	refuse("\xEF\xBB\xBF<a>&bad;</a>", "(line 1, column 5): undefined entity");
	refuse("<a>\n</a>\nx", "(line 3, column 1): junk after document element");
	refuse("<a>\n", "(line 2, column 1): no element found");
}
END_TEST

/* Nothing of the input, a secret least of all, gets into a message. */
START_TEST(messages_never_quote_input)
{
	static const char *const docs[] = {
		"<a>" SECRET "&" SECRET ";</a>",
		"<a>" SECRET "</" SECRET ">",
		"<" SECRET ":a/>",
		"<a " SECRET "/>",
		"<a b=\"" SECRET "\" b=\"" SECRET "\"/>",
		"<a>" SECRET "]]>" SECRET "</a>",
		"<a>" SECRET "\x01</a>",
		"<a>" SECRET "&#x" SECRET ";</a>",
		"<?xml version=\"" SECRET "\"?><a/>",
		"<?xml version=\"1.0\" encoding=\"" SECRET "\"?><a/>",
		"<?" SECRET "?><a/>",
		"<!DOCTYPE " SECRET "><a/>",
		"<a>" SECRET,
		"<a><!-- " SECRET " -- " SECRET " --></a>",
		"<a/>" SECRET,
	};

	for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
		struct xml_element *root = NULL;
		char *why = NULL;

		ck_assert_int_eq(xmltree_parse(docs[i], strlen(docs[i]), &root, &why), -1);
		assert_message_shape(why);
		free(why);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xml");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, well_formed_sts_answer);
	tcase_add_test(tc, well_formed_minimal_and_misc);
	tcase_add_test(tc, every_truncation_is_an_error);
	tcase_add_test(tc, references_and_entities);
	tcase_add_test(tc, mismatched_tags);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, attributes);
	tcase_add_test(tc, namespaces);
	tcase_add_test(tc, white_space);
	tcase_add_test(tc, declaration_dtd_and_instructions);
	tcase_add_test(tc, comments_and_cdata);
	tcase_add_test(tc, utf8);
	tcase_add_test(tc, positions);
	tcase_add_test(tc, messages_never_quote_input);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
