/*
 * db_lock.c - one writer at a time on a database file (see db.h): the flock a
 * replay or a merge holds on it from start to end. A reader asking whether the
 * file is being built (empty_file, db.c) takes a shared one for an instant.
 */
#include "engine/db.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "events/file_replace.h"

/*
 * flock, not SQLite's own locks: those last a transaction, and two replays
 * that both began from the same checkpoint would each commit their batches in
 * turn, applying the same events from two stale states. flock and the fcntl
 * locks SQLite takes do not meet on Linux; the descriptor is closed only after
 * SQLite's, since closing any descriptor of the file drops the process's fcntl
 * locks on it.
 */
/*
 * The exclusive lock on fd, or 0 when another writer holds it. A reader asking
 * whether PATH is being built (empty_file, db.c) holds a shared lock for an
 * instant: the exclusive one is tried again while only shared ones are in the
 * way, for a second at most, rather than turn a writer away as if another ran.
 */
static int lock_exclusive(int fd)
{
	const struct timespec pause = { 0, 1000000 }; /* 1 ms */

	for (int tries = 0; tries < 1000; tries++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 1;
		if (errno != EWOULDBLOCK || flock(fd, LOCK_SH | LOCK_NB) != 0)
			return 0; /* an exclusive holder: a writer */
		flock(fd, LOCK_UN);
		nanosleep(&pause, NULL);
	}
	return 0;
}

int ctr_db_lock_writer(const char *path, int *out, int *created, struct ctr_error *err)
{
	struct stat held;
	int fd;

	*out = -1;
	*created = 0;
	for (int tries = 0; tries < 16; tries++) {
		*created = 0; /* only the file this try holds counts */
		/* not waiting for a writer, should path be a named pipe */
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			*created = fd >= 0;
			if (fd < 0 && errno == EEXIST && lstat(path, &held) == 0 && S_ISLNK(held.st_mode) &&
			    stat(path, &held) != 0)
				return ctr_error_set(err, CTR_EWRITE, "cannot create %s: it is a symbolic"
						     " link to a file that does not exist", path);
			if (fd < 0 && errno == EEXIST)
				continue; /* made meanwhile: open it as it is */
		}
		if (fd < 0)
			return ctr_error_set(err, CTR_EWRITE, "cannot open %s: %s", path, strerror(errno));
		if (fstat(fd, &held) == 0 && !S_ISREG(held.st_mode)) {
			close(fd);
			return ctr_error_set(err, CTR_ECORRUPT, "%s is not a regular file", path);
		}
		if (!lock_exclusive(fd)) {
			close(fd);
			return ctr_error_set(err, CTR_EWRITE, "%s is being replayed into by another"
					     " process; run again when it is done", path);
		}
		/* a rebuild may have renamed its new file over path since it was opened */
		if (ctr_file_named(fd, path, &held) == 1) {
			*out = fd;
			return 0;
		}
		close(fd);
	}
	return ctr_error_set(err, CTR_EWRITE, "cannot lock %s: it keeps being replaced", path);
}

void ctr_db_unlock_writer(const char *path, int fd, int created, int failed)
{
	struct stat st;

	if (failed && created && stat(path, &st) == 0 && st.st_size == 0)
		unlink(path); /* nothing came of the run */
	if (fd >= 0)
		close(fd);
}
