/*
 * file_replace.c - the rename of a finished file into place (file_replace.h).
 * The file's pages go to the disk before its new name does; without that a
 * file system may make the rename durable first, and a crash would leave the
 * name on a file that is partly written.
 */
#include "events/file_replace.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h> /* PATH_MAX */
#include <stdio.h> /* rename */
#include <string.h>
#include <unistd.h>

/* fsync() of what path names (a file, or a directory with O_DIRECTORY); errno when not 0. */
static int sync_path(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* The copy dirname() cuts is on the stack: after a rename, an allocation that failed would
 * report a file that is in place as not moved. */
int ctr_file_named(int fd, const char *path, struct stat *held)
{
	struct stat named;

	if (fstat(fd, held) != 0)
		return -1;
	return stat(path, &named) == 0 && named.st_dev == held->st_dev &&
	       named.st_ino == held->st_ino;
}

int ctr_file_same(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int ctr_file_sync_directory(const char *path)
{
	char copy[PATH_MAX];
	size_t length = strlen(path);

	if (length >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(copy, path, length + 1);
	return sync_path(dirname(copy), O_DIRECTORY);
}

int ctr_file_sync(const char *path, struct ctr_error *err)
{
	if (sync_path(path, 0) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot write %s to the disk: %s", path,
				     strerror(errno));
	return 0;
}

int ctr_file_rename(const char *built, const char *path, struct ctr_error *err)
{
	if (rename(built, path) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot rename %s to %s: %s", built, path,
				     strerror(errno));
	if (ctr_file_sync_directory(path) != 0)
		return ctr_error_set(err, CTR_EWRITE, "%s is in place, but its directory could not be"
				     " written to the disk: %s", path, strerror(errno));
	return 0;
}
