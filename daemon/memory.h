/*
 * memory: what lmgrantd did that the live state cannot show, kept across
 * passes and restarts (SPEC 4.2): when it activated a grant (or, for an
 * OU/organization grant, which accounts' sub-grants that activation was
 * for), and when it created a grant for a principal. plan reads it to
 * avoid activating again a grant AWS keeps DISABLED (one active grant per
 * product per account) and recreating a principal whose workflow keeps
 * failing; apply writes it. Times are wall-clock seconds since the epoch:
 * the periods they guard (hours) must survive a reboot.
 *
 * Thread-safe: apply's workers note while nothing plans. Serialised to
 * JSON here; where the file lives is the caller's business.
 */
#ifndef LMGRANTD_MEMORY_H
#define LMGRANTD_MEMORY_H

#include <stddef.h>

struct memory;

/* Caller frees with memory_free (NULL is fine). */
struct memory *memory_new(void);
void memory_free(struct memory *m);

/* When lmgrantd last activated grant_arn with the ActivationOverrideBehavior
 * override, for account_arn (an account principal ARN under an
 * OU/organization grant) or for the grant itself (account_arn NULL); 0
 * when never. Another override is another decision (a person changed
 * activation.override): it is remembered apart. */
double memory_activated_at(struct memory *m, const char *grant_arn, const char *account_arn,
			   const char *override);
void memory_note_activation(struct memory *m, const char *grant_arn, const char *account_arn,
			    const char *override, double when);

/* When lmgrantd last created a grant for principal_arn on license_arn; 0
 * when never. */
double memory_created_at(struct memory *m, const char *license_arn, const char *principal_arn);
void memory_note_create(struct memory *m, const char *license_arn, const char *principal_arn,
			double when);

/* Forgets every entry older than cutoff. */
void memory_forget_before(struct memory *m, double cutoff);
size_t memory_size(struct memory *m);

/* {"format_version": 1, "entries": [{"kind", "a", "b", "at"}]}; caller frees. */
char *memory_to_json(struct memory *m);
/* Adds the entries of text to m. -1 with *err (caller frees) when text is
 * not such a document; m then holds what came before the bad entry. */
int memory_from_json(struct memory *m, const char *text, size_t len, char **err);

#endif
