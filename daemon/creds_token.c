/*
 * creds_token: one bounded read of a token file (rules in creds_token.h).
 */
#include "creds_token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "util.h"

static bool printable_token(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

int creds_read_token_file(const char *path, const char *what, size_t max, char **out, char **err)
{
	char *why = NULL, *buf = NULL;
	int fd = safefile_open(path, false, false, &why);
	size_t got = 0;

	*out = NULL;
	if (fd < 0) {
		*err = why ? xasprintf("%s file %s %s; refusing it", what, path, why)
			   : xasprintf("%s file %s: %s", what, path, strerror(errno));
		free(why);
		return -1;
	}
	buf = xmalloc(max + 2);
	for (;;) {
		ssize_t n = read(fd, buf + got, max + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("%s file %s: %s", what, path, strerror(errno));
			goto fail;
		}
		if (n == 0 || (got += (size_t)n) > max)
			break;
	}
	if (got > max) {
		*err = xasprintf("%s file %s: larger than %zu bytes", what, path, max);
		goto fail;
	}
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r' || buf[got - 1] == ' ' ||
			   buf[got - 1] == '\t'))
		got--;
	buf[got] = '\0';
	if (got == 0 || !printable_token(buf)) {
		*err = xasprintf("%s file %s: empty, or not printable ASCII without spaces", what, path);
		goto fail;
	}
	close(fd);
	*out = buf;
	return 0;
fail:
	if (buf) {
		explicit_bzero(buf, max + 2);
		free(buf);
	}
	close(fd);
	return -1;
}
