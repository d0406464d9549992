/*
 * gitrev: HEAD of the work tree around a path, from .git's files alone.
 *
 * Layout read (gitrepository-layout(5)): the work tree's .git is a
 * directory, or a file "gitdir: PATH" (relative to the work tree). That
 * git directory holds HEAD; a linked worktree's also holds "commondir"
 * (relative to it), where the shared refs and packed-refs live. HEAD is a
 * commit id or "ref: refs/...". A ref is a loose file under the git
 * directory, else a line "<id> <name>" of packed-refs. Everything read is
 * bounded and checked; anything odd gives NULL, never a guess.
 */
#include "gitrev.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* HEAD, a loose ref, a .git file or commondir: one short line each. */
#define SMALL_FILE_MAX 4096
/* A packed-refs line: an id, a space and a ref name. */
#define PACKED_LINE_MAX 4096
/* refs pointing at refs; git itself stops at 5. */
#define SYMREF_DEPTH_MAX 5

/* The first line of a small file (caller frees), or NULL. */
static char *read_line(const char *path)
{
	char buf[SMALL_FILE_MAX + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st = { 0 };
	ssize_t n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	do
		n = read(fd, buf, SMALL_FILE_MAX);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

/* A whole object id: SHA-1 (40) or SHA-256 (64) lowercase hex digits. */
static bool is_object_id(const char *s, size_t len)
{
	if (len != 40 && len != 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A ref name lmgrantd will look up: under refs/, no "..", no odd bytes, so
 * that joining it to a directory cannot leave that directory. */
static bool ref_name_ok(const char *name)
{
	if (strncmp(name, "refs/", 5) != 0 || strlen(name) > 1024 || strstr(name, "..") ||
	    strstr(name, "//") || name[strlen(name) - 1] == '/')
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '\\' || *p == ':' || *p == '?' ||
		    *p == '*' || *p == '[' || *p == '~' || *p == '^')
			return false;
	return true;
}

/* PATH relative to base (a directory) unless absolute; caller frees. */
static char *join(const char *base, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", base, path);
}

struct gitdirs {
	char *git;    /* where HEAD is */
	char *common; /* where shared refs and packed-refs are */
};

/* The id packed-refs gives name, or NULL. */
static char *packed_ref(const struct gitdirs *g, const char *name)
{
	char *path = xasprintf("%s/packed-refs", g->common);
	FILE *f = fopen(path, "re");
	char line[PACKED_LINE_MAX];
	char *found = NULL;

	free(path);
	if (!f)
		return NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		line[strcspn(line, "\r\n")] = '\0';
		/* "# pack-refs with: ..." and "^<peeled id>" lines. */
		if (line[0] == '#' || line[0] == '^' || !sp)
			continue;
		if (strcmp(sp + 1, name) == 0 && is_object_id(line, (size_t)(sp - line)))
			found = xstrndup(line, (size_t)(sp - line));
	}
	fclose(f);
	return found;
}

/* Per-worktree refs live in the worktree's own git directory. */
static const char *ref_home(const struct gitdirs *g, const char *name)
{
	if (strncmp(name, "refs/worktree/", 14) == 0 || strncmp(name, "refs/bisect/", 12) == 0 ||
	    strncmp(name, "refs/rewritten/", 15) == 0)
		return g->git;
	return g->common;
}

static char *resolve_value(const struct gitdirs *g, char *value, int depth);

/* The id the ref name points at, or NULL. */
static char *resolve_ref(const struct gitdirs *g, const char *name, int depth)
{
	char *path = NULL, *value = NULL;

	if (depth > SYMREF_DEPTH_MAX || !ref_name_ok(name))
		return NULL;
	path = xasprintf("%s/%s", ref_home(g, name), name);
	value = read_line(path);
	free(path);
	if (value)
		return resolve_value(g, value, depth + 1);
	return packed_ref(g, name);
}

/* value: the content of HEAD or a loose ref (taken). */
static char *resolve_value(const struct gitdirs *g, char *value, int depth)
{
	char *id = NULL;

	if (strncmp(value, "ref: ", 5) == 0)
		id = resolve_ref(g, value + 5, depth);
	else if (is_object_id(value, strlen(value)))
		id = xstrdup(value);
	free(value);
	return id;
}

/* dir/.git as a git directory: itself, or where its "gitdir:" file points. */
static char *git_dir_at(const char *dir)
{
	char *dotgit = xasprintf("%s/.git", dir), *line = NULL, *gitdir = NULL;
	struct stat st = { 0 };

	if (stat(dotgit, &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		gitdir = dotgit;
		dotgit = NULL;
		goto fail;
	}
	line = read_line(dotgit);
	if (line && strncmp(line, "gitdir: ", 8) == 0 && line[8])
		gitdir = join(dir, line + 8);
fail:
	free(line);
	free(dotgit);
	return gitdir;
}

/* The git directories of the work tree around start (a directory). */
static int find_gitdirs(const char *start, struct gitdirs *g)
{
	char *dir = xstrdup(start);

	for (;;) {
		char *slash = NULL;

		g->git = git_dir_at(dir);
		if (g->git)
			break;
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			/* Checked "/" last (dir "" or "/"), or dir was relative. */
			if (dir[0] == '/' && dir[1] != '\0') {
				dir[1] = '\0';
				continue;
			}
			free(dir);
			return -1;
		}
		*slash = '\0';
	}
	free(dir);
	return 0;
}

char *gitrev_for_path(const char *path)
{
	char *abs = realpath(path, NULL), *head = NULL, *id = NULL, *line = NULL, *value = NULL;
	struct gitdirs g = { 0 };
	struct stat st = { 0 };

	if (!abs || stat(abs, &st) < 0)
		goto fail;
	if (!S_ISDIR(st.st_mode)) {
		char *slash = strrchr(abs, '/');

		if (slash == abs)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
	}
	if (find_gitdirs(abs, &g) < 0)
		goto fail;
	line = xasprintf("%s/commondir", g.git);
	g.common = read_line(line);
	if (g.common) {
		char *c = join(g.git, g.common);

		free(g.common);
		g.common = c;
	} else {
		g.common = xstrdup(g.git);
	}
	head = xasprintf("%s/HEAD", g.git);
	value = read_line(head);
	if (value)
		id = resolve_value(&g, value, 0);
fail:
	free(line);
	free(head);
	free(g.git);
	free(g.common);
	free(abs);
	return id;
}
