/*
 * fuzz_xml: libFuzzer harness for xmltree (expat with lmgrantd's
 * refusals) and the STS answer decoders built on it. The bytes are read
 * with xmltree_parse; an accepted
 * document must give a tree within the limits, every text as long as it
 * says and NUL-free; a refused one a positioned message and no tree. Then
 * the same bytes go through sts's GetCallerIdentity and AssumeRole
 * decoders, which must either fill every member or fail with a reason and
 * leave nothing behind.
 *
 * Built with clang -fsanitize=fuzzer by `make fuzz`; tests/check_fuzz.c
 * includes this file (FUZZ_NO_ENTRY) to replay the committed corpus in
 * `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts.h"
#include "xmltree.h"

/* Checks e and its siblings; returns how many elements there are. */
static size_t fuzz_xml_walk(const struct xml_element *e, unsigned depth)
{
	size_t n = 0;

	if (depth > XML_MAX_DEPTH)
		abort();
	for (; e; e = e->next) {
		if (!e->name || !*e->name || !e->ns || !e->text || strlen(e->text) != e->text_len)
			abort();
		n += 1 + fuzz_xml_walk(e->children, depth + 1);
	}
	return n;
}

static void fuzz_xml_sts(const char *xml, size_t len)
{
	struct aws_credentials c;
	struct sts_identity id;
	char *why = NULL;

	if (sts_parse_assume_role(xml, len, &c, &why) == 0) {
		if (why || !c.access_key_id || !c.secret_access_key || !c.session_token || !c.expiration)
			abort();
		aws_credentials_clear(&c);
	} else {
		if (!why || c.access_key_id || c.secret_access_key || c.session_token)
			abort();
		free(why);
	}
	why = NULL;
	if (sts_parse_assume_role_web_identity(xml, len, &c, &why) == 0) {
		if (why || !c.access_key_id || !c.secret_access_key || !c.session_token || !c.expiration)
			abort();
		aws_credentials_clear(&c);
	} else {
		if (!why || c.access_key_id || c.secret_access_key || c.session_token)
			abort();
		free(why);
	}
	why = NULL;
	if (sts_parse_caller_identity(xml, len, &id, &why) == 0) {
		if (why || !id.account || strlen(id.account) != 12 || !id.arn || !id.user_id)
			abort();
		sts_identity_clear(&id);
	} else {
		if (!why || id.account || id.arn || id.user_id)
			abort();
		free(why);
	}
}

static int fuzz_xml_one(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	struct xml_element *root = NULL;
	char *why = NULL;

	if (xmltree_parse(xml, size, &root, &why) == 0) {
		if (why || !root || root->next || fuzz_xml_walk(root, 1) > XML_MAX_ELEMENTS)
			abort();
		xmltree_free(root);
	} else {
		if (!why || root ||
		    (strncmp(why, "not well-formed XML (line ", 26) != 0 &&
		     strncmp(why, "unsupported XML ", 16) != 0))
			abort();
		free(why);
	}
	fuzz_xml_sts(xml, size);
	return 0;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_xml_one(data, size);
}
#endif
