/* Unit tests of memory: lookups, forgetting, and the state file's JSON,
 * which is read back from disk and so is untrusted. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "memory.h"

START_TEST(notes_and_lookups)
{
	struct memory *m = memory_new();

	ck_assert(memory_activated_at(m, "g1", NULL, "D") == 0);
	memory_note_activation(m, "g1", NULL, "D", 100);
	memory_note_activation(m, "g1", "a1", "D", 200);
	memory_note_create(m, "l1", "p1", 300);
	ck_assert(memory_activated_at(m, "g1", NULL, "D") == 100);
	ck_assert(memory_activated_at(m, "g1", "a1", "D") == 200);
	ck_assert(memory_activated_at(m, "g1", "a2", "D") == 0);
	ck_assert(memory_created_at(m, "l1", "p1") == 300);
	/* Kinds do not mix. */
	ck_assert(memory_activated_at(m, "l1", "p1", "D") == 0);
	/* A later note moves the time; an earlier one does not. */
	memory_note_activation(m, "g1", NULL, "D", 150);
	memory_note_activation(m, "g1", NULL, "D", 50);
	ck_assert(memory_activated_at(m, "g1", NULL, "D") == 150);
	/* Another override is another decision. */
	ck_assert(memory_activated_at(m, "g1", NULL, "A") == 0);
	ck_assert_uint_eq(memory_size(m), 3);
	memory_forget_before(m, 160);
	ck_assert(memory_activated_at(m, "g1", NULL, "D") == 0);
	ck_assert(memory_activated_at(m, "g1", "a1", "D") == 200);
	ck_assert_uint_eq(memory_size(m), 2);
	memory_free(m);
	memory_free(NULL);
}
END_TEST

START_TEST(json_round_trip)
{
	struct memory *m = memory_new(), *back = memory_new();
	char *text = NULL, *err = NULL;

	memory_note_activation(m, "arn:g", "arn:a", "D", 1700000000.5);
	memory_note_create(m, "arn:l", "arn:p", 1700000001);
	text = memory_to_json(m);
	ck_assert_int_eq(memory_from_json(back, text, strlen(text), &err), 0);
	ck_assert(memory_activated_at(back, "arn:g", "arn:a", "D") == 1700000000.5);
	ck_assert(memory_created_at(back, "arn:l", "arn:p") == 1700000001);
	free(text);
	memory_free(m);
	memory_free(back);
}
END_TEST

static const char *const bad_docs[] = {
	"not json",
	"[]",
	"{\"entries\": 3}",
	"{\"entries\": [{\"kind\": \"activation\", \"a\": \"g\", \"b\": \"\"}]}",
	"{\"entries\": [{\"kind\": \"other\", \"a\": \"g\", \"b\": \"\", \"at\": 1}]}",
	"{\"entries\": [{\"kind\": \"create\", \"a\": 5, \"b\": \"\", \"at\": 1}]}",
};

START_TEST(bad_documents_are_refused)
{
	struct memory *m = memory_new();
	char *err = NULL;

	ck_assert_int_eq(memory_from_json(m, bad_docs[_i], strlen(bad_docs[_i]), &err), -1);
	ck_assert_ptr_nonnull(err);
	free(err);
	memory_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, notes_and_lookups);
	tcase_add_test(tc, json_round_trip);
	tcase_add_loop_test(tc, bad_documents_are_refused, 0, (int)(sizeof(bad_docs) / sizeof(*bad_docs)));
	suite_add_tcase(s, tc);
	return run_suite(s);
}
