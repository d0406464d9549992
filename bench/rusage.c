/*
 * rusage OUT COMMAND [ARG...]: runs COMMAND, waits for it and writes one
 * JSON object to OUT: its exit code, CPU seconds and peak RSS (KiB), each
 * covering COMMAND and every descendant it waited for.
 *
 * Why not measure from bench.py: a process forked from Python starts with
 * Python's resident pages, and Linux carries that high-water mark through
 * execve into ru_maxrss. Forked from this small program instead, COMMAND's
 * peak RSS is its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int status = 0, code;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fputs("usage: rusage OUT COMMAND [ARG...]\n", stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 2;
		}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 2;
	}
	fprintf(out, "{\"exit\": %d, \"cpu_s\": %.6f, \"rss_kib\": %ld}\n", code,
		seconds(ru.ru_utime) + seconds(ru.ru_stime), ru.ru_maxrss);
	return fclose(out) == 0 ? code : 2;
}
