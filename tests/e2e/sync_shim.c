/*
 * sync_shim.c - an LD_PRELOAD library for tests/e2e/rebuild_sync.sh: logs each
 * fsync() and rename() to $SYNC_SHIM_LOG in order ("fsync PATH", "rename FROM
 * TO"), and fails the fsync() of a file whose path ends in $SYNC_SHIM_FAIL
 * with EIO, as a disk that cannot take the pages would.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void note(const char *what, const char *first, const char *second)
{
	const char *log = getenv("SYNC_SHIM_LOG");
	FILE *out = log ? fopen(log, "a") : NULL;

	if (out == NULL)
		return;
	fprintf(out, second ? "%s %s %s\n" : "%s %s\n", what, first, second);
	fclose(out);
}

int fsync(int fd)
{
	static int (*real_fsync)(int);
	char link[64], path[4096];
	const char *fail = getenv("SYNC_SHIM_FAIL");
	ssize_t len;

	if (real_fsync == NULL)
		real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	path[len > 0 ? len : 0] = '\0';
	note("fsync", path, NULL);
	if (fail != NULL && *fail != '\0' && strlen(path) >= strlen(fail) &&
	    strcmp(path + strlen(path) - strlen(fail), fail) == 0) {
		errno = EIO;
		return -1;
	}
	return real_fsync(fd);
}

int rename(const char *from, const char *to)
{
	static int (*real_rename)(const char *, const char *);

	if (real_rename == NULL)
		real_rename = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	note("rename", from, to);
	return real_rename(from, to);
}
