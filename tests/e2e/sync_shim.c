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
 * copies them). For reports_one_commit.sh: a read (pread) of a file whose path
 * ends in $SYNC_SHIM_FAIL_READ, at or past byte $SYNC_SHIM_FAIL_READ_FROM,
 * fails with ESTALE, as a network file system's does when the server lost the
 * file's handle (SQLite takes EIO for a damaged file system); before
 * SQLite prepares the first statement whose text holds $SYNC_SHIM_AT_SQL it
 * runs $SYNC_SHIM_RUN_AT_SQL with sh, once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/types.h>
#include <unistd.h>

/* 1 when path ends in the value of the environment variable name (set and not empty). */
static int ends_in(const char *path, const char *name)
{
	const char *suffix = getenv(name);
	size_t len = strlen(path);

	return suffix != NULL && *suffix != '\0' && len >= strlen(suffix) &&
	       strcmp(path + len - strlen(suffix), suffix) == 0;
}

/* The path fd was opened by, as /proc has it ("" when it cannot say). */
static void path_of(int fd, char *path, size_t size)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, size - 1);
	path[len > 0 ? len : 0] = '\0';
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
	char path[4096];

	if (real_fsync == NULL)
		real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	path_of(fd, path, sizeof(path));
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

/* Runs the command in the environment variable name with sh, once (the variable unset first). */
static void run_once(const char *name)
{
	const char *command = getenv(name);
	char *once;

	if (command == NULL || *command == '\0')
		return;
	once = strdup(command);
	/* unset first: the command's own processes inherit the environment */
	unsetenv(name);
	if (once == NULL || system(once) != 0)
		note("command-failed", once ? once : "", NULL);
	free(once);
}

int flock(int fd, int operation)
{
	static int (*real_flock)(int, int);

	if (real_flock == NULL)
		real_flock = (int (*)(int, int))dlsym(RTLD_NEXT, "flock");
	run_once("SYNC_SHIM_RUN_AT_FLOCK");
	return real_flock(fd, operation);
}

ssize_t pread64(int fd, void *buf, size_t count, off_t offset)
{
	static ssize_t (*real_pread)(int, void *, size_t, off_t);
	const char *from = getenv("SYNC_SHIM_FAIL_READ_FROM");
	char path[4096] = "";

	if (real_pread == NULL)
		real_pread = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread64");
	if (from != NULL) /* the path is looked up only where a test asks for failures */
		path_of(fd, path, sizeof(path));
	if (from != NULL && ends_in(path, "SYNC_SHIM_FAIL_READ") && offset >= atoll(from)) {
		errno = ESTALE;
		return -1;
	}
	return real_pread(fd, buf, count, offset);
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
	return pread64(fd, buf, count, offset);
}

/* SQLite's prepare calls, declared here without its header: the shim links only libdl. */
typedef int prepare_fn(void *db, const char *sql, int bytes, void **stmt, const char **tail);
typedef int prepare3_fn(void *db, const char *sql, int bytes, unsigned int flags, void **stmt,
			const char **tail);

static void before_prepare(const char *sql)
{
	const char *text = getenv("SYNC_SHIM_AT_SQL");

	if (text != NULL && *text != '\0' && sql != NULL && strstr(sql, text) != NULL)
		run_once("SYNC_SHIM_RUN_AT_SQL");
}

int sqlite3_prepare_v2(void *db, const char *sql, int bytes, void **stmt, const char **tail)
{
	static prepare_fn *real_prepare;

	if (real_prepare == NULL)
		real_prepare = (prepare_fn *)dlsym(RTLD_NEXT, "sqlite3_prepare_v2");
	before_prepare(sql);
	return real_prepare(db, sql, bytes, stmt, tail);
}

int sqlite3_prepare_v3(void *db, const char *sql, int bytes, unsigned int flags, void **stmt,
		       const char **tail)
{
	static prepare3_fn *real_prepare;

	if (real_prepare == NULL)
		real_prepare = (prepare3_fn *)dlsym(RTLD_NEXT, "sqlite3_prepare_v3");
	before_prepare(sql);
	return real_prepare(db, sql, bytes, flags, stmt, tail);
}
