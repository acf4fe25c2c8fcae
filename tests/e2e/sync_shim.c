/*
 * sync_shim.c - an LD_PRELOAD library for tests/e2e/rebuild_sync.sh and
 * ingest_sync.sh: logs each fsync() and rename() to $SYNC_SHIM_LOG in order
 * ("fsync PATH", "rename FROM TO"), fails the fsync() of a file whose path
 * ends in $SYNC_SHIM_FAIL with EIO, as a disk that cannot take the pages
 * would, and a rename() to a path ending in $SYNC_SHIM_FAIL_RENAME with EIO;
 * before a rename() to a path ending in $SYNC_SHIM_SIGNAL_RENAME it sends its
 * own process SIGTERM, as a user might while a finished rebuild is put in place;
 * before the process's first flock() it runs $SYNC_SHIM_RUN_AT_FLOCK with sh,
 * once, as another process might meanwhile (merge_report.sh: a merge's first
 * flock is its writer lock, taken after it judged its shards and before it
 * copies them).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* 1 when path ends in the value of the environment variable name (set and not empty). */
static int ends_in(const char *path, const char *name)
{
	const char *suffix = getenv(name);
	size_t len = strlen(path);

	return suffix != NULL && *suffix != '\0' && len >= strlen(suffix) &&
	       strcmp(path + len - strlen(suffix), suffix) == 0;
}

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
	ssize_t len;

	if (real_fsync == NULL)
		real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	path[len > 0 ? len : 0] = '\0';
	note("fsync", path, NULL);
	if (ends_in(path, "SYNC_SHIM_FAIL")) {
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
	if (ends_in(to, "SYNC_SHIM_SIGNAL_RENAME"))
		kill(getpid(), SIGTERM);
	if (ends_in(to, "SYNC_SHIM_FAIL_RENAME")) {
		errno = EIO;
		return -1;
	}
	return real_rename(from, to);
}

int flock(int fd, int operation)
{
	static int (*real_flock)(int, int);
	const char *command = getenv("SYNC_SHIM_RUN_AT_FLOCK");

	if (real_flock == NULL)
		real_flock = (int (*)(int, int))dlsym(RTLD_NEXT, "flock");
	if (command != NULL && *command != '\0') {
		char *once = strdup(command);

		/* unset first: the command's own processes inherit the environment */
		unsetenv("SYNC_SHIM_RUN_AT_FLOCK");
		if (once == NULL || system(once) != 0)
			note("flock-command-failed", once ? once : "", NULL);
		free(once);
	}
	return real_flock(fd, operation);
}
