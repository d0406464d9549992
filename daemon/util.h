/*
 * util: allocation helpers that treat out-of-memory as fatal, and a growable
 * string buffer. Everything else (logging, parsing) lives in its own module;
 * this file only spares every caller the NULL check after malloc.
 */
#ifndef LMGRANTD_UTIL_H
#define LMGRANTD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* All return memory the caller frees; they abort the process on OOM. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grows *vec (an array of elem_size items with capacity *cap) to hold at
 * least need items. */
void grow_array(void **vec, size_t *cap, size_t need, size_t elem_size);

/* A NUL-terminated growable string; buf is owned by the strbuf. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the buffer (caller frees) and resets sb. Never NULL. */
char *sb_steal(struct strbuf *sb);
void sb_free(struct strbuf *sb);

/*
 * Untrusted text (from AWS, a file or the environment) made safe for one
 * line of a terminal, a log or a text output (SPEC 6): control characters
 * (C0, DEL, C1), Unicode line separators and bidirectional overrides, and
 * bytes that are not valid UTF-8 become \xNN per byte; the rest is kept.
 * At most max bytes of s are taken; a longer s is cut on a character
 * boundary and ends in "...". NULL appends nothing.
 */
#define ESCAPE_FIELD_MAX 1024    /* one value: an ARN, an error type or message */
#define ESCAPE_LINE_MAX 8192     /* a whole log line */
void sb_escape(struct strbuf *sb, const char *s, size_t max);
/* The same as a new string (caller frees); NULL gives "". */
char *text_escape(const char *s, size_t max);

/* A growable list of owned strings. */
struct strlist {
	char **items;
	size_t n;
	size_t cap;
};
/* Takes ownership of s. */
void strlist_push(struct strlist *l, char *s);
void strlist_free(struct strlist *l);
bool strlist_contains(const struct strlist *l, const char *s);

/* Overwrites then frees a secret; NULL is fine. */
void free_secret(char *s);

#endif
