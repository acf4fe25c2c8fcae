/*
 * db.c - opening and checking contrail databases (see db.h).
 */
#include "engine/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/row_digest.h"
#include "events/file_replace.h"
#include "projections/schema_sql.h"

int ctr_db_error(sqlite3 *db, int code, struct ctr_error *err)
{
	/* a rebuild writes PATH.rebuild, its invoices a file beside it: say which */
	const char *path = sqlite3_db_filename(db, "main");

	return ctr_error_set(err, code, "database%s%s: %s", path && *path ? " " : "",
			     path ? path : "", sqlite3_errmsg(db));
}

/*
 * The call and the reading of its message under the connection's mutex: the
 * replay's loop and its writer share the connection, and a call of the other
 * thread in between would leave its own message ("not an error") instead.
 */
int ctr_db_exec(sqlite3 *db, const char *sql, struct ctr_error *err)
{
	sqlite3_mutex *lock = sqlite3_db_mutex(db);
	int rc = 0;

	sqlite3_mutex_enter(lock);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_mutex_leave(lock);
	return rc;
}

int ctr_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct ctr_error *err)
{
	sqlite3_mutex *lock = sqlite3_db_mutex(db);
	int rc = 0;

	sqlite3_mutex_enter(lock);
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_mutex_leave(lock);
	return rc;
}

void ctr_db_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text)
		sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, index);
}

int ctr_db_step_done(sqlite3 *db, sqlite3_stmt *stmt, struct ctr_error *err)
{
	/* the connection's message is the last call's, whichever thread made it (run_loop.c) */
	sqlite3_mutex *lock = sqlite3_db_mutex(db);
	int rc;

	sqlite3_mutex_enter(lock);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	else
		rc = 0;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	sqlite3_mutex_leave(lock);
	return rc;
}

int ctr_db_meta_get(sqlite3 *db, const char *key, char **value, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = 0, step;

	*value = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
		*value = strdup((const char *)sqlite3_column_text(stmt, 0));
		if (*value == NULL)
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = ctr_db_error(db, CTR_EDB, err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int ctr_db_meta_set(sqlite3 *db, const char *key, const char *value, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = ctr_db_prepare(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &stmt, err);
	if (rc != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_finalize(stmt);
	return rc;
}

/* A bulk database (a rebuild) gets the digest triggers when it is complete. */
static int create_schema(sqlite3 *db, int bulk, struct ctr_error *err)
{
	char version[16];
	int rc;

	snprintf(version, sizeof(version), "%d", CTR_DB_SCHEMA_VERSION);
	rc = ctr_db_exec(db, "BEGIN", err);
	if (rc == 0)
		rc = ctr_db_exec(db, ctr_schema_sql, err);
	if (rc == 0 && !bulk)
		rc = ctr_row_digest_install(db, err);
	if (rc == 0)
		rc = ctr_db_meta_set(db, "schema_version", version, err);
	if (rc == 0)
		rc = ctr_db_exec(db, "COMMIT", err);
	return rc;
}

/*
 * The schema version of db (0: not contrail's) when it is ours: the current
 * one, or for a database a replay opens to write, one it can bring up to date.
 */
static int contrail_version(sqlite3 *db, const char *path, enum ctr_db_mode mode,
			    struct ctr_error *err)
{
	char *text;
	int read = ctr_db_meta_get(db, "schema_version", &text, err);
	int version = text ? atoi(text) : 0;
	int ok = version == CTR_DB_SCHEMA_VERSION || (version == 1 && mode == CTR_DB_WRITE);

	if (read != 0)
		ok = 0; /* err says why */
	else if (!ok && version > CTR_DB_SCHEMA_VERSION)
		ctr_error_set(err, CTR_ECORRUPT, "%s is a contrail database of schema version %d, newer"
			      " than this contrail's %d", path, version, CTR_DB_SCHEMA_VERSION);
	else if (!ok && text != NULL)
		ctr_error_set(err, CTR_ECORRUPT, "%s is a contrail database of schema version %s, not %d:"
			      " a replay brings it up to date, or replay it with --rebuild", path, text,
			      CTR_DB_SCHEMA_VERSION);
	else if (!ok)
		ctr_error_set(err, CTR_ECORRUPT, "%s is not a contrail database", path);
	free(text);
	return ok ? version : 0;
}

/* Version 1 to 2: the customers' records of support ids that change hands from now on. */
static int upgrade(sqlite3 *db, struct ctr_error *err)
{
	char version[16];
	int rc = ctr_db_exec(db, "BEGIN IMMEDIATE", err);

	snprintf(version, sizeof(version), "%d", CTR_DB_SCHEMA_VERSION);
	if (rc == 0)
		rc = ctr_db_exec(db, ctr_schema_upgrade_from_1_sql, err);
	if (rc == 0)
		rc = ctr_db_meta_set(db, "schema_version", version, err);
	if (rc == 0)
		rc = ctr_db_exec(db, "COMMIT", err);
	else
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int is_empty(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	int empty = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &stmt, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		empty = sqlite3_column_int(stmt, 0) == 0;
	sqlite3_finalize(stmt);
	return empty;
}

#define TEXT(x) #x
#define NUMBER_TEXT(x) TEXT(x)

static const char *pragmas(enum ctr_db_mode mode)
{
	if (mode == CTR_DB_CREATE_BULK)
		/* main only: a merge attaches its shards to such a file and must not lock them */
		return "PRAGMA main.journal_mode = OFF; PRAGMA main.synchronous = OFF;"
		       " PRAGMA recursive_triggers = ON; PRAGMA main.cache_size = -"
		       NUMBER_TEXT(CTR_DB_CACHE_KIB) "; PRAGMA temp_store = MEMORY;"
		       " PRAGMA main.locking_mode = EXCLUSIVE; PRAGMA busy_timeout = 5000;";
	/*
	 * Mapped (up to SQLite's 2 GiB limit): the pages an incremental run only reads cost
	 * neither a copy nor a buffer, so its cache holds little beyond the pages it writes.
	 */
	/* the timeout first: turning a rebuilt or merged file to WAL waits for its readers */
	if (mode == CTR_DB_WRITE)
		return "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		       " PRAGMA recursive_triggers = ON; PRAGMA cache_size = -"
		       NUMBER_TEXT(CTR_DB_CACHE_KIB) "; PRAGMA mmap_size = 2147418112;";
	return "PRAGMA busy_timeout = 5000;";
}

/*
 * A first rebuild or a merge holds PATH as the empty file its writer lock made
 * (ctr_db_lock_writer) until it renames the finished file over it: a reader
 * that opened it would find no tables and call it foreign. Only an empty file
 * is tried, and a writer starting in the instant the shared lock is held waits
 * for it (lock_exclusive).
 */
static int being_built(const char *path)
{
	struct stat st;
	int fd, held;

	if (stat(path, &st) != 0 || st.st_size != 0)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

static int open_db(const char *path, enum ctr_db_mode mode, int mutex, sqlite3 **out,
		   struct ctr_error *err)
{
	int flags = mutex | (mode == CTR_DB_READ ? SQLITE_OPEN_READONLY
			     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	sqlite3 *db = NULL;
	int rc = CTR_EIO, version = CTR_DB_SCHEMA_VERSION;

	if (mode == CTR_DB_READ && access(path, R_OK) != 0)
		return ctr_error_set(err, CTR_EIO, "cannot open %s: no such readable file", path);
	if (mode == CTR_DB_READ && being_built(path))
		return ctr_error_set(err, CTR_EWRITE, "%s is being built by a replay or merge that has"
				     " not finished; nothing is in it yet", path);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		/* an input that cannot be read is bad data; an output that cannot be made, a failure */
		rc = mode == CTR_DB_READ ? CTR_EIO : CTR_EWRITE;
		ctr_error_set(err, rc, "cannot open %s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	rc = CTR_ECORRUPT;
	if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
		ctr_error_set(err, CTR_ECORRUPT, "%s is not a contrail database: %s", path,
			      sqlite3_errmsg(db));
		goto fail;
	}
	/* a foreign database is refused before any pragma could change it */
	if (!(mode != CTR_DB_READ && is_empty(db)) &&
	    (version = contrail_version(db, path, mode, err)) == 0)
		goto fail;
	/* REPLACE must fire the delete triggers that keep the projection digests (row_digest.h) */
	rc = ctr_db_exec(db, pragmas(mode), err);
	if (rc == 0)
		rc = ctr_row_digest_register(db, err);
	if (rc == 0 && mode != CTR_DB_READ && is_empty(db))
		rc = create_schema(db, mode == CTR_DB_CREATE_BULK, err);
	else if (rc == 0 && version == 1)
		rc = upgrade(db, err);
	if (rc != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return rc;
}

int ctr_db_open(const char *path, enum ctr_db_mode mode, sqlite3 **out, struct ctr_error *err)
{
	/* serialized: a replay's loop reads while the thread pool writes (engine/db_gate.h) */
	return open_db(path, mode, SQLITE_OPEN_FULLMUTEX, out, err);
}

int ctr_db_open_private(const char *path, enum ctr_db_mode mode, sqlite3 **out,
			struct ctr_error *err)
{
	return open_db(path, mode, SQLITE_OPEN_NOMUTEX, out, err);
}

int ctr_db_check_replaceable(const char *path, struct ctr_error *err)
{
	struct stat st;
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int ours = 0;

	if (stat(path, &st) != 0 || (S_ISREG(st.st_mode) && st.st_size == 0))
		return 0;
	/* any version of ours: a rebuild is how a database of an older one is renewed */
	if (S_ISREG(st.st_mode) &&
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'schema_version'", -1, &stmt,
			       NULL) == SQLITE_OK)
		ours = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	if (!ours)
		return ctr_error_set(err, CTR_ECORRUPT, "%s exists and is not a contrail database;"
				     " it is not replaced", path);
	return 0;
}

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
 * whether PATH is being built (being_built) holds a shared lock for an
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
	struct stat held, named;
	int fd;

	*out = -1;
	*created = 0;
	for (int tries = 0; tries < 16; tries++) {
		*created = 0; /* only the file this try holds counts */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			*created = fd >= 0;
			if (fd < 0 && errno == EEXIST)
				continue; /* made meanwhile: open it as it is */
		}
		if (fd < 0)
			return ctr_error_set(err, CTR_EWRITE, "cannot open %s: %s", path, strerror(errno));
		if (!lock_exclusive(fd)) {
			close(fd);
			return ctr_error_set(err, CTR_EWRITE, "%s is being replayed into by another"
					     " process; run again when it is done", path);
		}
		/* a rebuild may have renamed its new file over path since it was opened */
		if (fstat(fd, &held) == 0 && stat(path, &named) == 0 &&
		    held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
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

/*
 * Moves what the old database's WAL holds into its file before the WAL goes
 * (a run killed after a commit leaves its last batches there), so that the
 * old database is whole in its file should the rename fail or the machine
 * stop before it. Best effort: a reader still in the WAL, or a damaged old
 * database (which a rebuild is there to replace), leaves it as it was.
 */
static void checkpoint_old(const char *path, const char *wal)
{
	struct stat st;
	sqlite3 *db = NULL;

	if (stat(wal, &st) != 0 || st.st_size == 0)
		return;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(db, 1000);
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	}
	sqlite3_close(db);
}

int ctr_db_replace(const char *built, const char *path, struct ctr_error *err)
{
	char side[4200];
	int rc = ctr_file_sync(built, err); /* before anything of the old database goes */

	if (rc != 0)
		return rc;
	snprintf(side, sizeof(side), "%s-wal", path);
	checkpoint_old(path, side);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return ctr_file_rename(built, path, err);
}
