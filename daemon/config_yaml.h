/*
 * config_yaml: the YAML layer of config. Turns one file's bytes into a small
 * tree of scalars, lists and mappings with 1-based positions, and refuses
 * what lmgrantd never needs and an attacker could abuse: aliases, unknown
 * tags, deep nesting, huge scalars, several documents. It also collects the
 * diagnostics all of config reports. What the keys mean is config.c's job.
 */
#ifndef LMGRANTD_CONFIG_YAML_H
#define LMGRANTD_CONFIG_YAML_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define YAML_MAX_DEPTH 32
#define YAML_MAX_SCALAR 4096
/* Beyond this many errors the rest are noise (an alias bomb alone would
 * produce thousands); the list ends with one "too many errors" line. */
#define DIAG_MAX 100

/* One error, kept with its position so that the list can be sorted by file
 * and position before it is handed out. */
struct diag {
	size_t file_no;   /* index into the files read; SIZE_MAX sorts last */
	unsigned line;    /* 0 for errors about the whole file */
	unsigned column;
	size_t seq;       /* discovery order, to keep the sort stable */
	char *text;       /* "FILE:LINE:COLUMN: message"; owned */
};

struct diag_list {
	struct diag *items;
	size_t n;
	size_t cap;
	bool full;        /* DIAG_MAX reached: further errors are dropped */
};

/* Adds "FILE:LINE:COLUMN: message", or "FILE: message" when line is 0. */
void diag_add(struct diag_list *dl, size_t file_no, const char *file, unsigned line,
	      unsigned column, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_vadd(struct diag_list *dl, size_t file_no, const char *file, unsigned line,
	       unsigned column, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
/* Sorts by file, then position, and moves the texts to errs (dl is emptied). */
void diag_flush(struct diag_list *dl, struct config_errors *errs);
void diag_free(struct diag_list *dl);

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };

/* How a scalar resolves. Plain scalars follow the YAML 1.2 core schema,
 * restricted to decimal integers; quoted scalars are always strings. */
enum yscalar { YS_STR, YS_NULL, YS_BOOL, YS_INT, YS_FLOAT };

struct ynode {
	enum ynode_kind kind;
	enum yscalar type;    /* scalars only */
	/* Already reported (alias, bad tag, oversize): the schema skips it
	 * silently, so that one mistake gives one error. */
	bool bad;
	/* A mapping key that repeats an earlier key of the same mapping (already
	 * reported): the schema skips the pair. */
	bool dup;
	unsigned line;        /* 1-based */
	unsigned column;      /* 1-based */
	char *text;           /* scalars: the text as written, NUL-terminated */
	/* Lists: the items. Mappings: key, value, key, value, ... */
	struct ynode **kids;
	size_t nkids;
	size_t cap;
};

/* Where diagnostics of one file go. */
struct yfile {
	struct diag_list *diags; /* borrowed */
	size_t file_no;
	const char *name;        /* borrowed */
};

/*
 * Parses buf (len bytes, UTF-8) into *root (caller frees with ynode_free;
 * NULL when the file holds no document). Returns 0 when the tree is
 * complete, even if some nodes are marked bad; -1 when the file could not
 * be read to its end (syntax error, nesting too deep, several documents)
 * and the tree must not be used: *root is then NULL. Errors go to f->diags.
 */
int yaml_load_tree(const struct yfile *f, const char *buf, size_t len, struct ynode **root);
void ynode_free(struct ynode *n);

/* User text made safe for one error line: util's text_escape (control
 * characters as \xNN), cut after YQUOTE_CHARS bytes with "...". */
#define YQUOTE_CHARS 64
struct yquote {
	char s[4 * YQUOTE_CHARS + 4];
};
const char *yquote(struct yquote *q, const char *s);

/* True when n is a scalar that resolves to type. */
bool ynode_is(const struct ynode *n, enum yscalar type);

/* "a string", "an integer", "a list", ... for "expected X, found Y". */
const char *ynode_describe(const struct ynode *n);

/*
 * Duplicate finder shared by every "X twice" check: for items s[0..n),
 * first[i] is the index of the earliest item equal to s[i] when i is a
 * repeat, else SIZE_MAX. O(n log n), so that a 1 MiB file of keys is fine.
 */
void find_repeats(const char *const *s, size_t n, size_t *first);

#endif
