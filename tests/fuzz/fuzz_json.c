/*
 * fuzz_json: libFuzzer harness for License Manager answer decoding. The
 * bytes are parsed the way http parses an answer body (jansson, flags 0),
 * then every place a grant or license can sit in a real answer is decoded:
 * a page's "Grants" and "Licenses" items (ListDistributedGrants,
 * ListReceivedGrantsForOrganization, ListReceivedLicenses), GetGrant's
 * "Grant", and the document itself. A decoder must either fill every
 * required field or fail with a reason and leave nothing behind.
 *
 * Built with clang -fsanitize=fuzzer by `make fuzz`; tests/check_fuzz.c
 * includes this file (FUZZ_NO_ENTRY) to replay the committed corpus in
 * `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lm.h"

static bool fuzz_nonempty(const char *s)
{
	return s && *s;
}

static void fuzz_json_grant(json_t *j)
{
	struct grant g;
	char *why = NULL;

	if (lm_decode_grant(j, &g, &why) == 0) {
		if (why || !fuzz_nonempty(g.arn) || !fuzz_nonempty(g.license_arn) ||
		    !fuzz_nonempty(g.principal_arn) || !fuzz_nonempty(g.version) ||
		    (g.noperations && !g.operations))
			abort();
		for (size_t i = 0; i < g.noperations; i++)
			if (!g.operations[i])
				abort();
		grant_clear(&g);
	} else {
		if (!why || g.arn || g.operations)
			abort();
		free(why);
	}
}

static void fuzz_json_license(json_t *j)
{
	struct lm_license l;
	char *why = NULL;

	if (lm_decode_license(j, &l, &why) == 0) {
		if (why || !fuzz_nonempty(l.arn))
			abort();
		lm_license_clear(&l);
	} else {
		if (!why || l.arn)
			abort();
		free(why);
	}
}

static void fuzz_json_items(json_t *page, const char *key, void (*decode)(json_t *))
{
	json_t *arr = json_object_get(page, key), *v;
	size_t i;

	json_array_foreach(arr, i, v)
		decode(v);
}

static int fuzz_json_one(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);

	if (!j)
		return 0;
	fuzz_json_grant(j);
	fuzz_json_license(j);
	fuzz_json_items(j, "Grants", fuzz_json_grant);
	fuzz_json_items(j, "Licenses", fuzz_json_license);
	fuzz_json_grant(json_object_get(j, "Grant"));
	json_decref(j);
	return 0;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_json_one(data, size);
}
#endif
