/*
 * config_schema: what one file's YAML tree means (SPEC §2): the top-level
 * settings and the models, with every wrong key, type and value reported
 * at its position. Files, permissions, merging and defaults are config.c's;
 * the syntax of single values is config_check's.
 */
#ifndef LMGRANTD_CONFIG_SCHEMA_H
#define LMGRANTD_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "config_yaml.h"

#define CONFIG_MAX_MODELS 10000

/* Top-level settings: each may be set in one file of a directory only. */
enum setting {
	SET_NONE = -1,
	SET_REGION,
	SET_INTERVAL,
	SET_PRUNE,
	SET_MAX_DELETES,
	SET_MAX_TPS,
	SET_RETRY,
	SET_ACTIVATION,
	SET_MODE,
	SET_FAILED_RETRY,
	NSETTINGS,
};

/* A model while the files are read. */
struct draft {
	struct config_model m;
	/* Where its license is named: the product/license value, or the model
	 * key when the product comes from the built-in table. */
	struct config_pos src_pos;
	bool repeat; /* the name was defined in an earlier file (reported) */
};

/* The state of one config_load, shared by config.c and config_schema.c. */
struct loader {
	struct config *cfg;                  /* being built; owned until handed out */
	struct diag_list diags;
	struct draft *drafts;                /* in read order; owned */
	size_t ndrafts;
	size_t cap_drafts;
	struct config_pos set_at[NSETTINGS]; /* file NULL: not set yet */
	struct config_pos models_at;         /* the first 'models' key */
	bool models_invalid;                 /* a 'models' value was not a mapping */
	struct config_pos top_at;            /* the first top-level mapping */
	bool is_dir;                         /* the config path is a directory */
	bool broken;                         /* a file was refused or unreadable */
	bool too_many_models;                /* reported once */
	/* The file being read. */
	size_t file_no;
	const char *file;                    /* borrowed from cfg->files */
	bool file_has_version;
	struct evp_md_ctx_st *digest;        /* the config's sha256 so far; owned */
};

/* Reads one file's tree (root may be NULL: an empty file) into L: settings
 * into L->cfg, models appended to L->drafts, errors to L->diags. L->file
 * and L->file_no name the file. */
void schema_read_file(struct loader *L, const struct ynode *root);

/* Frees what a model owns, not m itself. */
void config_model_clear(struct config_model *m);

/* ---- shared by config_schema.c and config_model.c ---- */

/* A key's handler: reads val (reporting its mistakes) into L or obj. */
typedef void field_fn(struct loader *L, const struct ynode *key, const struct ynode *val,
		      void *obj);

struct field {
	const char *name;
	enum setting once; /* SET_NONE, or the setting it claims */
	field_fn *fn;
};

/* An error at node n of the current file. */
void schema_err(struct loader *L, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct config_pos schema_pos(const struct loader *L, const struct ynode *n);

/* Typed values: false (reported, unless n was already) when n is not one.
 * what names the key in the message. *out is borrowed from n. */
bool schema_get_str(struct loader *L, const struct ynode *n, const char *what, const char **out);
bool schema_get_bool(struct loader *L, const struct ynode *n, const char *what, bool *out);

/* Calls the handler of each key of map; unknown keys are reported with a
 * "did you mean" hint. what names map in a type error ("retry"), where
 * places a key in an unknown-key error ("in retry"). */
void schema_walk_map(struct loader *L, const struct ynode *map, const char *what,
		     const char *where, const struct field *fields, size_t nfields, void *obj);

/* The handler of the top-level 'models' key (config_model.c). */
void schema_set_models(struct loader *L, const struct ynode *key, const struct ynode *val,
		       void *obj);

#endif
