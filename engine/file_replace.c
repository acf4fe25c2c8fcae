/*
 * file_replace.c - the rename of a finished file into place (file_replace.h).
 * The file's pages go to the disk before its new name does; without that a
 * file system may make the rename durable first, and a crash would leave the
 * name on a file that is partly written.
 */
#include "engine/file_replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

/* The directory path's name is in, into dir (size bytes). */
static void directory_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
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
	char dir[4096];

	if (rename(built, path) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot rename %s to %s: %s", built, path,
				     strerror(errno));
	directory_of(path, dir, sizeof(dir));
	if (sync_path(dir, O_DIRECTORY) != 0)
		return ctr_error_set(err, CTR_EWRITE, "%s is in place, but its directory %s could not"
				     " be written to the disk: %s", path, dir, strerror(errno));
	return 0;
}

int ctr_file_replace(const char *built, const char *path, struct ctr_error *err)
{
	int rc = ctr_file_sync(built, err);

	return rc == 0 ? ctr_file_rename(built, path, err) : rc;
}
