/*
 * db_unchanging.c - reading a WAL database where its reader cannot make the
 * files SQLite keeps beside it (see db.h): a read-only mount, an archived
 * copy, a directory only its owner may write.
 *
 * A WAL database is read through a shared-memory index in PATH-shm, which a
 * reader makes when it is missing; where it cannot, SQLite refuses the read
 * ("attempt to write a readonly database"). With neither PATH-shm nor a WAL
 * holding pages, no connection has the file open and every commit is in the
 * file itself, so it can be read as an unchanging file (SQLite's immutable),
 * without the index and without locks.
 */
#include "engine/db.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* 1 when path+suffix exists and is not empty (or cannot be looked at), 0 when it is missing or empty. */
static int holds_something(const char *path, const char *suffix)
{
	char side[4200];
	struct stat st;

	if ((size_t)snprintf(side, sizeof(side), "%s%s", path, suffix) >= sizeof(side))
		return 1;
	if (stat(side, &st) != 0)
		return errno != ENOENT;
	return st.st_size > 0;
}

int ctr_db_unchanging_uri(const char *path, char *uri, size_t size, struct ctr_error *err)
{
	char side[4200];
	struct stat st;
	size_t used;

	if (holds_something(path, "-wal"))
		return ctr_error_set(err, CTR_EDB, "cannot read %s: its WAL (%s-wal) holds commits"
				     " not yet in the file, and SQLite cannot make its index (%s-shm)"
				     " there; read it once where that directory can be written",
				     path, path, path);
	/* an index that exists, even empty, is another connection's (or a writer killed) */
	snprintf(side, sizeof(side), "%s-shm", path);
	if (stat(side, &st) == 0 || errno != ENOENT)
		return ctr_error_set(err, CTR_EDB, "cannot read %s: its index %s, which"
				     " another connection may be using, cannot be opened by this user",
				     path, side);
	/* file:PATH?immutable=1, with the three characters a URI path gives a meaning escaped */
	used = (size_t)snprintf(uri, size, "file:");
	for (const char *c = path; *c && used + 4 < size; c++) {
		if (*c == '%' || *c == '?' || *c == '#')
			used += (size_t)snprintf(uri + used, size - used, "%%%02X", (unsigned char)*c);
		else
			uri[used++] = *c;
	}
	if (used + sizeof("?immutable=1") > size)
		return ctr_error_set(err, CTR_EINVAL, "cannot read %s: the path is too long", path);
	memcpy(uri + used, "?immutable=1", sizeof("?immutable=1"));
	return 0;
}
