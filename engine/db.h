/*
 * db.h - opening, creating and checking contrail's SQLite databases.
 *
 * A contrail database holds the projections and the engine's bookkeeping
 * (schema_sql.h); meta.schema_version tells it from any other SQLite file.
 */
#ifndef CTR_DB_H
#define CTR_DB_H

#include <sqlite3.h>

#include "events/error.h"

/*
 * The page cache of a connection that writes (cache_size, in KiB), and the
 * 4 KiB page buffers that hold it, which a replay sets aside in one pool
 * (cli/heap.c): the pool is never smaller than the cache it serves.
 */
#define CTR_DB_CACHE_KIB 65536
/* How long a statement waits for another connection's lock before it fails. */
#define CTR_DB_BUSY_MS 5000
#define CTR_DB_PAGE_BUFFERS (CTR_DB_CACHE_KIB / 4)

enum ctr_db_mode {
	CTR_DB_READ,        /* an existing contrail database, read-only */
	CTR_DB_WRITE,       /* an existing one, or a new one created with the schema */
	CTR_DB_CREATE_BULK, /* a new file for a rebuild: no journal until it is renamed in place */
};

/*
 * Opens path. A file that is not a contrail database (or not SQLite at all)
 * gives CTR_ECORRUPT with a message saying so. The caller sqlite3_close()s
 * *out (NULL on a failure).
 */
int ctr_db_open(const char *path, enum ctr_db_mode mode, sqlite3 **out, struct ctr_error *err);
/*
 * The same, for a connection that one thread alone ever uses: SQLite then
 * takes no mutex on each call (about a tenth of the invoices' thread).
 */
int ctr_db_open_private(const char *path, enum ctr_db_mode mode, sqlite3 **out,
			struct ctr_error *err);
/*
 * For a database that cannot be read as it is (CTR_DB_READ, SQLite unable to
 * make PATH-shm: a directory the reader may not write), the URI that reads
 * it as an unchanging file, into uri: only for a file in WAL mode with no
 * -shm and no -journal beside it (beside the file a link names) and no WAL
 * holding pages, so that no connection has it open and every commit is in
 * the file. Otherwise CTR_EDB with a message saying why it cannot be read
 * there. A writer that starts while it is read is not waited for.
 */
int ctr_db_unchanging_uri(const char *path, char *uri, size_t size, struct ctr_error *err);
/*
 * "file:PATH?immutable=1" into uri ("file://PATH..." for an absolute PATH), the
 * characters a URI's path gives a meaning (%, ?, #) escaped: 0, or -1 when it
 * does not fit in size bytes.
 */
int ctr_db_immutable_uri(const char *path, char *uri, size_t size);
/* The first size bytes of the file at path into header: 1 when read whole, else 0. */
int ctr_db_file_header(const char *path, unsigned char *header, size_t size);

/*
 * Moves a finished file (a rebuild's, a merge's) over path. Its pages are
 * synced to the disk first and the directory after the rename, so that a
 * crash of the machine leaves either the old database or the whole new one
 * (the file was written without a journal or a sync of its own). The WAL
 * files and any rollback journal of the database it replaces go before the
 * rename, what they hold moved into its file first where no reader holds it
 * back: a connection opening path later would lay their pages over the new
 * file. CTR_EWRITE when a sync or the rename fails, or a journal cannot be
 * rolled back into the old file; the old database is then left whole.
 */
int ctr_db_replace(const char *built, const char *path, struct ctr_error *err);
/*
 * 0 when path may be replaced by a new database: it does not exist, is empty,
 * or is a contrail database. Another kind of file (a log, a text file, a
 * database of something else) is CTR_ECORRUPT and left as it is, but for a
 * journal a writer left unfinished beside an SQLite file, which is rolled back
 * first, as any writer's open does, so that the file can be judged. CTR_EDB
 * when another connection keeps it busy past the timeout, or when such a
 * journal is one this user may not roll back.
 */
int ctr_db_check_replaceable(const char *path, struct ctr_error *err);
/*
 * Takes path for one replay: an exclusive flock on the database file (made
 * empty when missing, *created then set), which the descriptor put in *out
 * holds until it is closed after the database is. Another replay into path,
 * incremental or a rebuild, or a merge into it, is refused (CTR_EWRITE) rather
 * than let both write from what each read at its start.
 */
int ctr_db_lock_writer(const char *path, int *out, int *created, struct ctr_error *err);
/*
 * Lets go of what ctr_db_lock_writer() took (fd -1: nothing). After a run that
 * failed, the empty file the lock made is removed when it is still empty.
 */
void ctr_db_unlock_writer(const char *path, int fd, int created, int failed);

/*
 * db's last message, with the cause the OS gave where an OS call failed
 * ("disk I/O error (File too large)"); in buf when it needs one.
 */
const char *ctr_db_message(sqlite3 *db, char *buf, size_t size);
/*
 * Sets err to code with db's last message, naming its file ("database PATH: ...");
 * returns code, or CTR_ECORRUPT where SQLite found the file damaged.
 */
int ctr_db_error(sqlite3 *db, int code, struct ctr_error *err);
/*
 * The code of db's last error in a read of a database that opened as
 * contrail's: a damaged file, or SQLite refusing our SQL (no such table or
 * column: tables not as a replay leaves them), CTR_ECORRUPT (exit 3);
 * anything else (an I/O error, a lock) CTR_EDB (exit 4).
 */
int ctr_db_read_code(sqlite3 *db);
/* ctr_db_error with ctr_db_read_code's code. */
int ctr_db_read_error(sqlite3 *db, struct ctr_error *err);
/* Runs sql (no parameters, no rows), wrapping SQLite's message into err. */
int ctr_db_exec(sqlite3 *db, const char *sql, struct ctr_error *err);

/* Prepares sql, wrapping SQLite's message into err. */
int ctr_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct ctr_error *err);

/* Steps a statement that returns no rows, then resets it and clears its bindings. */
int ctr_db_step_done(sqlite3 *db, sqlite3_stmt *stmt, struct ctr_error *err);

/*
 * The value of key in the meta table into *value, a malloc()ed copy the
 * caller frees, or NULL when there is none. A read that fails is an error
 * (CTR_EDB), not a missing value: a database would otherwise be taken for one
 * never judged. A file with no meta table fails so too (SQLite's SQLITE_ERROR,
 * the statement not prepared), and is then not contrail's.
 */
int ctr_db_meta_get(sqlite3 *db, const char *key, char **value, struct ctr_error *err);
int ctr_db_meta_set(sqlite3 *db, const char *key, const char *value, struct ctr_error *err);

#endif
