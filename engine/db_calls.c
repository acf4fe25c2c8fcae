/*
 * db_calls.c - the SQLite calls every module makes through db.h: SQLite's
 * message wrapped into a ctr_error, on a connection the replay's loop and its
 * writer share; and the meta table's keys read and written.
 */
#include "engine/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The errno of the OS call behind db's last error, 0 when none is known.
 * SQLite reads errno as it records the error, which the rollback in between
 * may have cleared; each file then keeps its own last failed call's: the
 * main file's, or its WAL's or journal's.
 */
static int os_cause(sqlite3 *db)
{
	sqlite3_file *journal = NULL;
	int cause = sqlite3_system_errno(db);

	if (cause == 0 &&
	    sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &cause) != SQLITE_OK)
		cause = 0;
	if (cause == 0 &&
	    sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK &&
	    journal != NULL && journal->pMethods != NULL &&
	    journal->pMethods->xFileControl(journal, SQLITE_FCNTL_LAST_ERRNO, &cause) != SQLITE_OK)
		cause = 0;
	return cause;
}

const char *ctr_db_message(sqlite3 *db, char *buf, size_t size)
{
	int primary = sqlite3_extended_errcode(db) & 0xff;
	int cause;
	char reason[128];

	/*
	 * SQLite says "disk I/O error" for a file size limit, a quota and a
	 * failing device alike; the operator needs to know which. Only the two
	 * kinds of failure SQLite takes an errno for are given one (a full disk
	 * is "database or disk is full" already).
	 */
	if (primary != SQLITE_IOERR && primary != SQLITE_CANTOPEN)
		return sqlite3_errmsg(db);
	cause = os_cause(db);
	if (cause == 0)
		return sqlite3_errmsg(db);
	snprintf(buf, size, "%s (%s)", sqlite3_errmsg(db),
		 strerror_r(cause, reason, sizeof(reason)));
	return buf;
}

int ctr_db_error(sqlite3 *db, int code, struct ctr_error *err)
{
	/* a rebuild writes PATH.rebuild, its invoices a file beside it: say which */
	const char *path = sqlite3_db_filename(db, "main");
	int primary = sqlite3_extended_errcode(db) & 0xff;
	char message[256];

	/* a damaged file is bad data in every command, whatever the call was for (exit 3) */
	if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
		code = CTR_ECORRUPT;
	return ctr_error_set(err, code, "database%s%s: %s", path && *path ? " " : "",
			     path ? path : "", ctr_db_message(db, message, sizeof(message)));
}

int ctr_db_read_code(sqlite3 *db)
{
	int primary = sqlite3_extended_errcode(db) & 0xff;

	return primary == SQLITE_ERROR || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
		       ? CTR_ECORRUPT : CTR_EDB;
}

int ctr_db_read_error(sqlite3 *db, struct ctr_error *err)
{
	return ctr_db_error(db, ctr_db_read_code(db), err);
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
	/* not prepared is an error too: a value not read is not a value never set */
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL) != SQLITE_OK)
		return ctr_db_error(db, CTR_EDB, err);
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
