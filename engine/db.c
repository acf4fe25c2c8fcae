/*
 * db.c - opening contrail databases (see db.h): a file judged ours before any
 * pragma could change it, its pragmas set for how it is used, its schema
 * created or brought up to date.
 */
#include "engine/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/row_digest.h"
#include "projections/schema_sql.h"

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

	/* no meta table at all (the statement not prepared): another program's database */
	if (read == CTR_EDB && (sqlite3_extended_errcode(db) & 0xff) == SQLITE_ERROR)
		read = 0;
	int ok = version == CTR_DB_SCHEMA_VERSION ||
		 ((version == 1 || version == 2) && mode == CTR_DB_WRITE);

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

/*
 * Version 1 to 2: the customers' records of support ids that change hands from
 * now on; 2 to 3: the contract rows derived again (schema_sql.h). One
 * transaction: a database is of one version or the next.
 */
static int upgrade(sqlite3 *db, int from, struct ctr_error *err)
{
	char version[16];
	int rc = ctr_db_exec(db, "BEGIN IMMEDIATE", err);

	snprintf(version, sizeof(version), "%d", CTR_DB_SCHEMA_VERSION);
	if (rc == 0 && from == 1)
		rc = ctr_db_exec(db, ctr_schema_upgrade_from_1_sql, err);
	if (rc == 0)
		rc = ctr_db_exec(db, ctr_schema_upgrade_to_3_sql, err);
	if (rc == 0) /* the rows' digests committed with them, whatever the replay does next */
		rc = ctr_row_digest_flush(db, err);
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
		       " PRAGMA main.locking_mode = EXCLUSIVE;"
		       " PRAGMA busy_timeout = " NUMBER_TEXT(CTR_DB_BUSY_MS) ";";
	/*
	 * Mapped (up to SQLite's 2 GiB limit): the pages an incremental run only reads cost
	 * neither a copy nor a buffer, so its cache holds little beyond the pages it writes.
	 */
	/*
	 * The timeout first: turning a file to WAL (one an older contrail built) waits for its
	 * readers. Temporary storage in memory: each put fires the digest triggers, so SQLite keeps
	 * a statement journal for it, which on disk was two thirds of an incremental run's writes.
	 */
	if (mode == CTR_DB_WRITE)
		return "PRAGMA busy_timeout = " NUMBER_TEXT(CTR_DB_BUSY_MS) "; PRAGMA journal_mode = WAL;"
		       " PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;"
		       " PRAGMA recursive_triggers = ON; PRAGMA cache_size = -"
		       NUMBER_TEXT(CTR_DB_CACHE_KIB) "; PRAGMA mmap_size = 2147418112;";
	return "PRAGMA busy_timeout = " NUMBER_TEXT(CTR_DB_BUSY_MS) ";";
}

/*
 * A PATH with nothing in it yet (an empty file, or an SQLite file without a
 * table) is being built while a writer holds its lock (ctr_db_lock_writer),
 * and is what one stopped before its end left when none does. A writer
 * starting in the instant the shared lock is held waits for it
 * (lock_exclusive). Returns err's code.
 */
static int unfinished(const char *path, struct ctr_error *err)
{
	int fd, held;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	held = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	if (fd >= 0)
		close(fd);
	if (held)
		return ctr_error_set(err, CTR_EWRITE, "%s is being built by a replay or merge that"
				     " has not finished; nothing is in it yet", path);
	return ctr_error_set(err, CTR_ECORRUPT, "%s is empty: no replay or merge into it has"
			     " finished; replay or merge into it again", path);
}

/*
 * A first rebuild or a merge holds PATH as the empty file its writer lock made
 * until it renames the finished file over it: a reader that opened it would
 * find no tables and call it foreign. 0 when PATH is not an empty file, else
 * err's code (unfinished).
 */
static int empty_file(const char *path, struct ctr_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != 0)
		return 0;
	return unfinished(path, err);
}

#define FIRST_READ "SELECT count(*) FROM sqlite_schema"

/*
 * A WAL database whose directory the reader may not write, so that SQLite
 * cannot make its -shm: *db closed and opened again as an unchanging file
 * (db_unchanging.c). The first read's SQLite code, or -1 with err.
 */
static int reopen_unchanging(const char *path, int flags, sqlite3 **db, struct ctr_error *err)
{
	char uri[8500], message[256];

	sqlite3_close(*db);
	*db = NULL;
	if (ctr_db_unchanging_uri(path, uri, sizeof(uri), err) != 0)
		return -1;
	if (sqlite3_open_v2(uri, db, flags | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		ctr_error_set(err, CTR_EDB, "cannot open %s: %s", path,
			      ctr_db_message(*db, message, sizeof(message)));
		return -1;
	}
	return sqlite3_exec(*db, FIRST_READ, NULL, NULL, NULL);
}

/*
 * What a failed first read means, as err's code. Only what SQLite finds in the
 * file is bad data. Still busy, or a file it cannot read (a hot journal this
 * reader may not roll back, an index it may not open) is a failure.
 */
static int first_read_failed(sqlite3 *db, const char *path, struct ctr_error *err)
{
	int primary = sqlite3_extended_errcode(db) & 0xff;
	char message[256];

	if (sqlite3_extended_errcode(db) == SQLITE_READONLY_ROLLBACK)
		return ctr_error_set(err, CTR_EDB, "cannot read %s: its journal (%s-journal)"
				     " holds a write a process left unfinished, which a"
				     " reader may not roll back; the next writer to open it"
				     " does (a replay into it, or sqlite3)", path, path);
	if (primary != SQLITE_NOTADB && primary != SQLITE_CORRUPT)
		return ctr_error_set(err, CTR_EDB, "cannot read %s: %s", path,
				     ctr_db_message(db, message, sizeof(message)));
	return ctr_error_set(err, CTR_ECORRUPT, "%s is not a contrail database: %s", path,
			     ctr_db_message(db, message, sizeof(message)));
}

/*
 * A database read once: refused when foreign or unfinished, else given the
 * mode's pragmas and functions, and the schema when new or older. err's code.
 */
static int settle(sqlite3 *db, const char *path, enum ctr_db_mode mode, struct ctr_error *err)
{
	/* the pragmas below make no table: one look serves every step */
	int empty = is_empty(db), version = CTR_DB_SCHEMA_VERSION, rc;

	/*
	 * An SQLite file with no table at all is a first replay making its schema,
	 * or what one stopped then left (the switch to WAL comes first, and
	 * commits): unfinished, as the empty file its lock makes, not foreign.
	 */
	if (mode == CTR_DB_READ && empty)
		return unfinished(path, err);
	/* a foreign database is refused before any pragma could change it */
	if (!(mode != CTR_DB_READ && empty))
		version = contrail_version(db, path, mode, err);
	if (version == 0) /* CTR_ECORRUPT, or what stopped the version's read (CTR_ENOMEM) */
		return err->code;
	/* REPLACE must fire the delete triggers that keep the projection digests (row_digest.h) */
	rc = ctr_db_exec(db, pragmas(mode), err);
	if (rc == 0)
		rc = ctr_row_digest_register(db, err);
	if (rc == 0 && mode != CTR_DB_READ && empty)
		rc = create_schema(db, mode == CTR_DB_CREATE_BULK, err);
	else if (rc == 0 && version < CTR_DB_SCHEMA_VERSION)
		rc = upgrade(db, version, err);
	return rc;
}

/*
 * Refuses a path SQLite is not to be given: for a reader one it cannot read,
 * or the empty file of an unfinished writer; for any, one not a regular file.
 */
static int check_file(const char *path, enum ctr_db_mode mode, struct ctr_error *err)
{
	struct stat st;

	if (mode == CTR_DB_READ && access(path, R_OK) != 0)
		return ctr_error_set(err, CTR_EIO, "cannot open %s: no such readable file", path);
	/* a named pipe would make SQLite's open wait for a writer; a device is no database */
	if (strcmp(path, ":memory:") != 0 && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return ctr_error_set(err, CTR_ECORRUPT, "%s is not a regular file", path);
	if (mode == CTR_DB_READ && empty_file(path, err) != 0)
		return err->code;
	return 0;
}

/*
 * The first read of *db, just opened with flags (opened again when it must
 * be: reopen_unchanging), and what it finds settled. err's code.
 */
static int read_first(sqlite3 **db, const char *path, enum ctr_db_mode mode, int flags,
		      struct ctr_error *err)
{
	int first_read;

	/*
	 * Before the first read: a reader that finds another connection rebuilding
	 * the WAL index (or a writer switching the journal) waits as every later
	 * statement does, instead of taking the file for a foreign one.
	 */
	sqlite3_busy_timeout(*db, CTR_DB_BUSY_MS);
	first_read = sqlite3_exec(*db, FIRST_READ, NULL, NULL, NULL);
	if (first_read != SQLITE_OK && mode == CTR_DB_READ &&
	    (sqlite3_extended_errcode(*db) == SQLITE_READONLY_DIRECTORY ||
	     sqlite3_extended_errcode(*db) == SQLITE_CANTOPEN))
		first_read = reopen_unchanging(path, flags, db, err);
	if (first_read < 0)
		return err->code;
	if (first_read != SQLITE_OK)
		return first_read_failed(*db, path, err);
	return settle(*db, path, mode, err);
}

static int open_db(const char *path, enum ctr_db_mode mode, int mutex, sqlite3 **out,
		   struct ctr_error *err)
{
	int flags = mutex | (mode == CTR_DB_READ ? SQLITE_OPEN_READONLY
			     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	sqlite3 *db = NULL;
	int rc;
	char message[256];

	*out = NULL; /* on every failure: a caller may close what it was given */
	rc = check_file(path, mode, err);
	if (rc != 0)
		return rc;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		/* an input that cannot be read is bad data; an output that cannot be made, a failure */
		rc = ctr_error_set(err, mode == CTR_DB_READ ? CTR_EIO : CTR_EWRITE,
				   "cannot open %s: %s", path,
				   ctr_db_message(db, message, sizeof(message)));
		goto fail;
	}
	rc = read_first(&db, path, mode, flags, err);
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
