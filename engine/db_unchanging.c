/*
 * db_unchanging.c - reading a WAL database where its reader cannot make the
 * files SQLite keeps beside it (see db.h): a read-only mount, an archived
 * copy, a directory only its owner may write.
 *
 * A WAL database is read through a shared-memory index in PATH-shm, which a
 * reader makes when it is missing; where it cannot, SQLite refuses the read
 * ("attempt to write a readonly database"). For a file in WAL mode with no
 * PATH-shm, no PATH-journal and no WAL holding pages, no connection has the
 * file open and every commit is in the file itself, so it can be read as an
 * unchanging file (SQLite's immutable), without the index and without locks.
 * Its side files are looked for beside the file itself, a symbolic link
 * followed, as SQLite keeps them.
 */
#include "engine/db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ctr_db_file_header(const char *path, unsigned char *header, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? pread(fd, header, size, 0) : -1;

	if (fd >= 0)
		close(fd);
	return got == (ssize_t)size;
}

/* 1 when the file's header says WAL (bytes 18 and 19 both 2), 0 when not or unreadable. */
static int wal_header(const char *file)
{
	unsigned char header[20];

	return ctr_db_file_header(file, header, sizeof(header)) && header[18] == 2 &&
	       header[19] == 2;
}

/*
 * Whether file+suffix may be left out of the read: 0 when it is missing (or,
 * allow_empty, empty); else CTR_EDB saying why: "NOUN (FILE+SUFFIX) WHAT".
 */
static int side_absent(const char *path, const char *file, const char *suffix, int allow_empty,
		       const char *noun, const char *what, struct ctr_error *err)
{
	char side[PATH_MAX + 16];
	struct stat st;

	snprintf(side, sizeof(side), "%s%s", file, suffix);
	if (stat(side, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return ctr_error_set(err, CTR_EDB, "cannot read %s: cannot look at %s: %s", path,
				     side, strerror(errno));
	}
	if (allow_empty && S_ISREG(st.st_mode) && st.st_size == 0)
		return 0;
	return ctr_error_set(err, CTR_EDB, "cannot read %s: %s (%s) %s", path, noun, side, what);
}

int ctr_db_unchanging_uri(const char *path, char *uri, size_t size, struct ctr_error *err)
{
	char file[PATH_MAX];
	int rc;

	if (realpath(path, file) == NULL)
		return ctr_error_set(err, CTR_EDB, "cannot read %s: %s", path, strerror(errno));
	/* only a WAL database is refused for want of its index; anything else is not read so */
	if (!wal_header(file))
		return ctr_error_set(err, CTR_EDB, "cannot read %s: SQLite cannot open it where it"
				     " is (not a database in WAL mode whose directory is read-only)",
				     path);
	rc = side_absent(path, file, "-wal", 1, "its WAL", "holds commits not yet in the file,"
			 " and SQLite cannot make its index there; read it once where that"
			 " directory can be written", err);
	/* an index that exists, even empty, is another connection's (or a writer killed) */
	if (rc == 0)
		rc = side_absent(path, file, "-shm", 0, "its index", "is another connection's,"
				 " which this user cannot open", err);
	/* a rollback journal left by a transaction cut short: the file alone is half-written */
	if (rc == 0)
		rc = side_absent(path, file, "-journal", 0, "its journal", "is to be rolled back"
				 " first, which this user cannot do", err);
	if (rc != 0)
		return rc;
	if (ctr_db_immutable_uri(file, uri, size) != 0)
		return ctr_error_set(err, CTR_EDB, "cannot read %s: the path is too long", path);
	return 0;
}

int ctr_db_immutable_uri(const char *path, char *uri, size_t size)
{
	/* an absolute path after an empty authority: "file:" + "//host/x" would name a host */
	size_t used = (size_t)snprintf(uri, size, path[0] == '/' ? "file://" : "file:");

	for (const char *c = path; *c != '\0' && used + 4 < size; c++) {
		if (*c == '%' || *c == '?' || *c == '#')
			used += (size_t)snprintf(uri + used, size - used, "%%%02X", (unsigned char)*c);
		else
			uri[used++] = *c;
	}
	if (used + sizeof("?immutable=1") > size)
		return -1;
	memcpy(uri + used, "?immutable=1", sizeof("?immutable=1"));
	return 0;
}
