/*
 * db_replace.c - a finished database moved over the one it replaces (see
 * db.h): whether path may be replaced at all, and the old database's WAL
 * emptied and removed before the rename.
 */
#include "engine/db.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/file_replace.h"

int ctr_db_check_replaceable(const char *path, struct ctr_error *err)
{
	struct stat st;
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int ours = 0, busy = 0;

	if (stat(path, &st) != 0 || (S_ISREG(st.st_mode) && st.st_size == 0))
		return 0;
	/* any version of ours: a rebuild is how a database of an older one is renewed */
	if (S_ISREG(st.st_mode) &&
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		/* a reader rebuilding the WAL index is waited for, as by every statement */
		sqlite3_busy_timeout(db, CTR_DB_BUSY_MS);
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'schema_version'", -1,
				       &stmt, NULL) == SQLITE_OK)
			ours = sqlite3_step(stmt) == SQLITE_ROW;
		busy = (sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY;
		if (busy)
			ctr_db_error(db, CTR_EDB, err);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	if (busy)
		return CTR_EDB;
	if (!ours)
		return ctr_error_set(err, CTR_ECORRUPT, "%s exists and is not a contrail database;"
				     " it is not replaced", path);
	return 0;
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

/*
 * A finished file, built without a journal, is left in WAL mode as replays keep
 * theirs: the first replay into it would otherwise switch it, which waits for
 * every reader to leave and fails when one stays. Exclusive, so no -shm file is
 * made beside it; its WAL, empty, goes as it closes. The switch writes no
 * journal (its write, sync and removal had been 0.03 s of a rebuild's end):
 * the file is synced whole before it replaces anything (ctr_db_replace), and
 * until then a file cut short by a crash is only a rebuild not finished.
 */
static int into_wal(const char *built, struct ctr_error *err)
{
	sqlite3 *db = NULL;
	int rc = 0;

	if (sqlite3_open_v2(built, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = OFF;"
			 " PRAGMA journal_mode = WAL", NULL,
			 NULL, NULL) != SQLITE_OK)
		rc = ctr_db_error(db, CTR_EWRITE, err);
	if (sqlite3_close(db) != SQLITE_OK && rc == 0)
		rc = ctr_db_error(db, CTR_EWRITE, err);
	return rc;
}

int ctr_db_replace(const char *built, const char *path, struct ctr_error *err)
{
	char side[4200];
	int rc = into_wal(built, err);

	if (rc == 0)
		rc = ctr_file_sync(built, err); /* before anything of the old database goes */
	if (rc != 0)
		return rc;
	snprintf(side, sizeof(side), "%s-wal", path);
	checkpoint_old(path, side);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return ctr_file_rename(built, path, err);
}
