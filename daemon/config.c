/*
 * config: lmgrantd.yaml, or a directory of *.yaml files, into a validated
 * struct config (SPEC §2). This file opens the files, refuses unsafe
 * permissions (the file decides who gets access to a paid model), merges
 * the files, runs the checks that span models and files, and fills in the
 * defaults. What a file's YAML means is config_schema's; turning bytes into
 * a tree is config_yaml's; single-value syntax is config_check's. Nothing
 * here touches the network: whether an OU path or a product exists is for
 * the resolver to find out.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_schema.h"
#include "config_yaml.h"
#include "gitrev.h"
#include "safefile.h"
#include "util.h"

#define CONFIG_MAX_FILE_BYTES (1024 * 1024)
#define CONFIG_MAX_FILES 1000

/* O_NONBLOCK: a FIFO named like a config file must not hang the daemon in
 * open(); it is refused as "not a regular file" right after. */
#define OPEN_FLAGS SAFEFILE_OPEN_FLAGS

static struct config *config_new_defaults(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->region = xstrdup("us-east-1");
	cfg->interval_s = 300;
	cfg->prune = true;
	cfg->max_deletes = 10;
	cfg->max_tps = 5;
	cfg->retry_max_attempts = 8;
	cfg->activation_override = xstrdup("DISTRIBUTED_GRANTS_ONLY");
	cfg->activation_retry_after_s = 24 * 3600;
	cfg->failed_retry_s = 3600;
	return cfg;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->region);
	free(cfg->activation_override);
	free(cfg->grantee_role);
	free(cfg->revision);
	for (size_t i = 0; i < cfg->nmodels; i++)
		config_model_clear(&cfg->models[i]);
	free(cfg->models);
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg);
}

void config_errors_free(struct config_errors *errs)
{
	if (!errs)
		return;
	for (size_t i = 0; i < errs->n; i++)
		free(errs->lines[i]);
	free(errs->lines);
	*errs = (struct config_errors){ 0 };
}

/* An error about a whole file or directory: "PATH: message". */
static void path_error(struct loader *L, const char *path, const char *msg, int errnum)
{
	/* Sorted with the file it is about: the file read next gets this number. */
	size_t file_no = L->cfg->nfiles;

	if (errnum)
		diag_add(&L->diags, file_no, path, 0, 0, "%s: %s", msg, strerror(errnum));
	else
		diag_add(&L->diags, file_no, path, 0, 0, "%s", msg);
	L->broken = true;
}

/* A file or directory another local user could write lets them decide
 * who gets access to a paid model (safefile's rules). */
static bool mode_ok(struct loader *L, const char *path, const struct stat *st)
{
	enum safefile_err e = safefile_check_stat(st, true);
	char *msg = NULL;

	switch (e) {
	case SF_OK:
		return true;
	case SF_NOT_REGULAR:
		path_error(L, path, "not a regular file", 0);
		return false;
	case SF_WORLD_WRITABLE:
	case SF_GROUP_WRITABLE:
		msg = xasprintf("refusing a %s-writable %s: it decides who gets access",
				e == SF_WORLD_WRITABLE ? "world" : "group",
				S_ISDIR(st->st_mode) ? "directory" : "file");
		break;
	default:
		msg = xasprintf("refusing a %s owned by uid %lu (neither root nor the caller): it "
				"decides who gets access", S_ISDIR(st->st_mode) ? "directory" : "file",
				(unsigned long)st->st_uid);
		break;
	}
	path_error(L, path, msg, 0);
	free(msg);
	return false;
}

/* The same for the directory holding path (and, for a symlink, the one
 * holding its target), where anyone could swap the file. */
static bool parent_ok(struct loader *L, const char *path)
{
	char *dir = NULL, *msg = NULL;
	enum safefile_err e = safefile_check_parents(path, &dir);

	if (e == SF_OK)
		return true;
	msg = xasprintf("refusing a %sconfig in a world-writable directory (%s): "
			"anyone could replace it", e == SF_UNSAFE_LINK_DIR ? "symlink to a " : "", dir);
	path_error(L, path, msg, 0);
	free(msg);
	free(dir);
	return false;
}

/* Reads all of fd, at most CONFIG_MAX_FILE_BYTES; *buf is the caller's. */
static int read_bounded(struct loader *L, const char *path, int fd, char **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *b = xmalloc(cap);
	ssize_t r = 0;

	for (;;) {
		if (n == cap)
			b = xrealloc(b, cap *= 2);
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n > CONFIG_MAX_FILE_BYTES)
			break;
	}
	if (r < 0) {
		path_error(L, path, "cannot read", errno);
		goto fail;
	}
	if (n > CONFIG_MAX_FILE_BYTES) {
		path_error(L, path, "file is larger than 1 MiB", 0);
		goto fail;
	}
	*buf = b;
	*len = n;
	return 0;
fail:
	free(b);
	return -1;
}

/* SPEC §6: a single file is digested as its bytes (what sha256sum
 * prints); a directory's files each as base name, NUL, bytes, so that
 * renaming a file changes the digest too. */
static void digest_add(struct loader *L, const char *path, const char *buf, size_t len)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (L->is_dir)
		EVP_DigestUpdate(L->digest, base, strlen(base) + 1);
	EVP_DigestUpdate(L->digest, buf, len);
}

static void digest_finish(struct loader *L)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(L->digest, md, &n);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(L->cfg->sha256 + 2 * i, 3, "%02x", md[i]);
}

/* One opened file: checked, parsed, read into L. Takes fd; path is
 * borrowed. Checks go through fd, not the name, so that what is checked is
 * what is read. */
static void load_fd(struct loader *L, const char *path, int fd)
{
	struct ynode *root = NULL;
	struct stat st = { 0 };
	char *buf = NULL;
	size_t len = 0;
	struct yfile yf = { &L->diags, L->cfg->nfiles, NULL };

	if (fstat(fd, &st) != 0) {
		path_error(L, path, "cannot stat", errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		path_error(L, path, "not a regular file", 0);
		goto out;
	}
	if (!mode_ok(L, path, &st))
		goto out;
	if (st.st_size > CONFIG_MAX_FILE_BYTES) {
		path_error(L, path, "file is larger than 1 MiB", 0);
		goto out;
	}
	if (read_bounded(L, path, fd, &buf, &len) < 0)
		goto out;
	digest_add(L, path, buf, len);
	L->cfg->files = xrealloc(L->cfg->files, (L->cfg->nfiles + 1) * sizeof(*L->cfg->files));
	L->cfg->files[L->cfg->nfiles++] = xstrdup(path);
	yf.name = L->cfg->files[yf.file_no];
	if (yaml_load_tree(&yf, buf, len, &root) < 0) {
		L->broken = true;
		goto out;
	}
	L->file_no = yf.file_no;
	L->file = yf.name;
	schema_read_file(L, root);
out:
	ynode_free(root);
	free(buf);
	close(fd);
}

static bool is_config_name(const char *name)
{
	size_t len = strlen(name);

	/* Hidden files are editors' and tools' (".x.yaml.swp", ".#x.yaml"). */
	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".yaml") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The *.yaml files of a directory, in strcmp order. Takes fd. */
static void load_dir(struct loader *L, const char *path, int fd)
{
	DIR *d = fdopendir(fd);
	struct strlist names = { 0 };
	const struct dirent *de = NULL;
	bool slash = path[0] && path[strlen(path) - 1] == '/';

	if (!d) {
		path_error(L, path, "cannot read the directory", errno);
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (is_config_name(de->d_name))
			strlist_push(&names, xstrdup(de->d_name));
	if (names.n == 0)
		path_error(L, path, "no *.yaml files in the directory", 0);
	else if (names.n > CONFIG_MAX_FILES)
		path_error(L, path, "more than 1000 *.yaml files in the directory", 0);
	else
		qsort(names.items, names.n, sizeof(*names.items), cmp_str);
	for (size_t i = 0; i < names.n && names.n <= CONFIG_MAX_FILES; i++) {
		char *file = xasprintf("%s%s%s", path, slash ? "" : "/", names.items[i]);
		/* O_NOFOLLOW: a symlink planted here would have its target
		 * (/etc/shadow) read as root and its lines quoted in errors. */
		int ffd = openat(dirfd(d), names.items[i], OPEN_FLAGS | O_NOFOLLOW);

		if (ffd < 0 && errno == ELOOP)
			path_error(L, file, "refusing a symlink: a config directory holds regular files only", 0);
		else if (ffd < 0)
			path_error(L, file, "cannot open", errno);
		else
			load_fd(L, file, ffd);
		free(file);
	}
	strlist_free(&names);
	closedir(d);
}

/* The index of a file in cfg->files (positions hold the pointer). */
static size_t file_no_of(const struct loader *L, const char *file)
{
	for (size_t i = 0; i < L->cfg->nfiles; i++)
		if (L->cfg->files[i] == file)
			return i;
	return 0;
}

/* Two models of one name in different files (repeats within one file are
 * duplicate keys, already reported and never read). */
static void check_model_names(struct loader *L)
{
	const char **names = xcalloc(L->ndrafts, sizeof(*names));
	size_t *first = xcalloc(L->ndrafts, sizeof(*first));

	for (size_t i = 0; i < L->ndrafts; i++)
		names[i] = L->drafts[i].m.name;
	find_repeats(names, L->ndrafts, first);
	for (size_t i = 0; i < L->ndrafts; i++) {
		const struct config_pos *p = &L->drafts[i].m.pos;
		const struct config_pos *p0 = NULL;
		struct yquote q = { 0 };

		if (first[i] == SIZE_MAX)
			continue;
		p0 = &L->drafts[first[i]].m.pos;
		L->drafts[i].repeat = true;
		diag_add(&L->diags, file_no_of(L, p->file), p->file, p->line, p->column,
			 "model '%s' is already defined at %s:%u:%u", yquote(&q, names[i]),
			 p0->file, p0->line, p0->column);
	}
	free(first);
	free(names);
}

/* Two models naming one license would fight over its grants. The second
 * in read order is the one reported. */
static void check_licenses(struct loader *L)
{
	char **keys = xcalloc(L->ndrafts, sizeof(*keys));
	size_t *first = xcalloc(L->ndrafts, sizeof(*first));
	size_t n = 0;
	size_t *which = xcalloc(L->ndrafts, sizeof(*which));

	for (size_t i = 0; i < L->ndrafts; i++) {
		const struct config_model *m = &L->drafts[i].m;

		if (L->drafts[i].repeat)
			continue;
		if (m->product)
			keys[n] = xasprintf("product %s", m->product);
		else if (m->license_arn)
			keys[n] = xasprintf("license %s", m->license_arn);
		else
			continue;
		which[n++] = i;
	}
	find_repeats((const char *const *)keys, n, first);
	for (size_t i = 0; i < n; i++) {
		const struct draft *d = &L->drafts[which[i]];
		const struct draft *d0 = NULL;
		struct yquote q = { 0 }, q0 = { 0 };

		if (first[i] == SIZE_MAX)
			continue;
		d0 = &L->drafts[which[first[i]]];
		diag_add(&L->diags, file_no_of(L, d->src_pos.file), d->src_pos.file,
			 d->src_pos.line, d->src_pos.column,
			 "model '%s' names the same %s as model '%s' (%s:%u:%u)",
			 yquote(&q, d->m.name), d->m.product ? "product" : "license",
			 yquote(&q0, d0->m.name), d0->src_pos.file, d0->src_pos.line,
			 d0->src_pos.column);
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(which);
	free(first);
	free(keys);
}

/* SPEC §2: models are required, across all files together. */
static void check_some_model(struct loader *L, const char *path)
{
	if (L->ndrafts || L->broken || L->models_invalid || L->too_many_models || !L->top_at.file)
		return;
	if (L->models_at.file)
		diag_add(&L->diags, file_no_of(L, L->models_at.file), L->models_at.file,
			 L->models_at.line, L->models_at.column,
			 "models is empty: declare at least one model");
	else if (!L->is_dir)
		diag_add(&L->diags, 0, L->top_at.file, L->top_at.line, L->top_at.column,
			 "missing required key 'models'");
	else
		diag_add(&L->diags, 0, path, 0, 0, "no file declares any models");
}

static int cmp_model(const void *a, const void *b)
{
	return strcmp(((const struct config_model *)a)->name,
		      ((const struct config_model *)b)->name);
}

/* Moves the models into cfg, sorted by name. */
static void take_models(struct loader *L)
{
	struct config *cfg = L->cfg;

	cfg->models = xcalloc(L->ndrafts, sizeof(*cfg->models));
	for (size_t i = 0; i < L->ndrafts; i++)
		cfg->models[i] = L->drafts[i].m;
	cfg->nmodels = L->ndrafts;
	if (cfg->nmodels)
		qsort(cfg->models, cfg->nmodels, sizeof(*cfg->models), cmp_model);
	free(L->drafts);
	L->drafts = NULL;
	L->ndrafts = L->cap_drafts = 0;
}

static void loader_free(struct loader *L)
{
	for (size_t i = 0; i < L->ndrafts; i++)
		config_model_clear(&L->drafts[i].m);
	free(L->drafts);
	diag_free(&L->diags);
	EVP_MD_CTX_free(L->digest);
	config_free(L->cfg);
	*L = (struct loader){ 0 };
}

/* The file or directory at path into L. */
static void load_path(struct loader *L, const char *path)
{
	struct stat st = { 0 };
	int fd = open(path, OPEN_FLAGS);

	if (fd < 0) {
		path_error(L, path, "cannot open", errno);
		return;
	}
	if (fstat(fd, &st) != 0) {
		path_error(L, path, "cannot stat", errno);
		close(fd);
		return;
	}
	if (!parent_ok(L, path) || (S_ISDIR(st.st_mode) && !mode_ok(L, path, &st))) {
		close(fd);
		return;
	}
	L->is_dir = S_ISDIR(st.st_mode);
	if (L->is_dir)
		load_dir(L, path, fd);
	else
		load_fd(L, path, fd);
}

int config_load(const char *path, struct config **out, struct config_errors *errs)
{
	struct loader L = { .cfg = config_new_defaults(), .digest = EVP_MD_CTX_new() };

	*out = NULL;
	if (!L.digest || EVP_DigestInit_ex(L.digest, EVP_sha256(), NULL) != 1)
		abort(); /* out of memory, as xmalloc treats it */
	load_path(&L, path);
	check_model_names(&L);
	check_licenses(&L);
	check_some_model(&L, path);
	if (L.diags.n)
		goto fail;
	take_models(&L);
	digest_finish(&L);
	L.cfg->revision = gitrev_for_path(path);
	*out = L.cfg;
	L.cfg = NULL;
	loader_free(&L);
	return 0;
fail:
	diag_flush(&L.diags, errs);
	loader_free(&L);
	return -1;
}
