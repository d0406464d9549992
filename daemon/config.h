/*
 * config: reads lmgrantd's YAML configuration (schema version 1, SPEC §2)
 * from a file or a directory of *.yaml files into a struct config, and
 * validates it strictly. No network: OU paths and products are checked for
 * syntax only; resolving them against AWS is the resolver's job.
 *
 * Every problem found is reported as "FILE:LINE:COLUMN: message", all of
 * them, not only the first.
 */
#ifndef LMGRANTD_CONFIG_H
#define LMGRANTD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/lmgrantd/lmgrantd.yaml"

enum target_kind {
	TARGET_ORGANIZATION,
	TARGET_OU,
	TARGET_ACCOUNT,
};

/* Where something was written; file is borrowed from struct config.files. */
struct config_pos {
	const char *file;
	unsigned line;   /* 1-based */
	unsigned column; /* 1-based */
};

struct config_target {
	enum target_kind kind;
	/* OU id ("ou-ab12-dev00001"), OU path ("Workloads/Prod", no leading or
	 * trailing '/'), or 12-digit account id; NULL for the organization.
	 * Points into label (a config may hold 10,000 targets: one allocation
	 * each, not two). */
	const char *value;
	bool is_ou_path; /* kind == TARGET_OU and value is a path, not an id */
	/* As written, for logs and plan output: "organization",
	 * "ou Workloads/Prod", "ou ou-ab12-dev00001", "account 222222222222".
	 * Owned. */
	char *label;
	struct config_pos pos;
};

struct config_model {
	char *name;
	/* Exactly one of product / license_arn is set. product may come from
	 * the built-in Bedrock table (product_from_table). */
	char *product;
	char *license_arn;
	bool product_from_table;
	struct config_target *targets; /* organization first, then ous, then accounts, as written */
	size_t ntargets;
	char **operations; /* as written (or the defaults), no duplicates */
	size_t noperations;
	bool activate;
	struct config_pos pos; /* the model's key */
};

struct config {
	char *region;                 /* default "us-east-1" */
	unsigned interval_s;          /* default 300; >= 1 */
	bool prune;                   /* default true */
	unsigned max_deletes;         /* default 10 */
	double max_tps;               /* default 5; > 0 */
	unsigned retry_max_attempts;  /* default 8; 1..100 */
	char *activation_override;    /* default "DISTRIBUTED_GRANTS_ONLY" */
	char *grantee_role;           /* NULL when unset */
	/* A grant still DISABLED after lmgrantd activated it is activated
	 * again only after this long (SPEC 4.2). Default 24h. */
	unsigned activation_retry_after_s;
	/* A FAILED_WORKFLOW principal is granted again at most once per this
	 * period (SPEC 4.2). Default 1h. */
	unsigned failed_retry_s;
	struct config_model *models;  /* sorted by name */
	size_t nmodels;
	char **files;                 /* the files read, in read order */
	size_t nfiles;
	/* SPEC §6: sha256 (hex) of the bytes read; for a directory, of each
	 * file's base name, a NUL byte and its bytes, in name order. */
	char sha256[65];
	/* The git commit of the checkout holding the config (gitrev), or NULL
	 * when it is in none. Owned. */
	char *revision;
	bool observe;                 /* mode: observe; plan and journal, change nothing */
};

/* Error lines, each "FILE:LINE:COLUMN: message" (or "PATH: message" for
 * errors that have no position, such as an unreadable file). */
struct config_errors {
	char **lines;
	size_t n;
	size_t cap;
};

/*
 * Loads path (a file, or a directory whose *.yaml files are read in name
 * order and merged). On success returns 0 and *out (caller frees with
 * config_free). On failure returns -1, *out stays NULL and errs holds at
 * least one line. Warnings are not errors and are not reported here.
 */
int config_load(const char *path, struct config **out, struct config_errors *errs);
void config_free(struct config *cfg);
void config_errors_free(struct config_errors *errs);

/* The built-in Bedrock model-id-prefix table: the product id for a model
 * name (longest matching prefix), or NULL. Borrowed static string. */
const char *config_bedrock_product(const char *model_name);

/* The default operations list of SPEC §2 (static, borrowed). */
const char *const *config_default_operations(size_t *n);

#endif
