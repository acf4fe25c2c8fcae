/*
 * db_replace.c - a finished database moved over the one it replaces (see
 * db.h): whether path may be replaced at all, and the old database's WAL and
 * journal emptied and removed before the rename.
 */
#include "engine/db.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/file_replace.h"

/* 1 when the file begins as every SQLite database does. */
static int sqlite_header(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char header[16];

	return ctr_db_file_header(path, header, sizeof(header)) &&
	       memcmp(header, magic, sizeof(magic)) == 0;
}

/*
 * 1 when path holds contrail's meta table or no table at all (what a first
 * replay stopped while making its schema leaves: nothing to lose), 0 when it
 * holds others (or is not SQLite at all, or is damaged); CTR_EDB in err when
 * it could not be read to tell (another connection kept it busy past the
 * timeout, a full disk or a directory this user may not write where a WAL's
 * index must be made, an I/O error): that is no answer. A journal a writer left unfinished
 * beside an SQLite file is rolled back first, as any writer opening it would
 * (what the file holds then is what was committed in it, whatever it is); only
 * then can the file be told from another kind. Nothing is rolled into a file that is not SQLite, and a
 * journal this user may not roll back is CTR_EDB, naming it.
 */
static int is_ours(const char *path, int flags, struct ctr_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	char message[256];
	int ours = 0, rc = sqlite3_open_v2(path, &db, flags, NULL);

	if (rc == SQLITE_OK) {
		/* a reader rebuilding the WAL index is waited for, as by every statement */
		sqlite3_busy_timeout(db, CTR_DB_BUSY_MS);
		rc = sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'schema_version'", -1,
					&stmt, NULL);
		/* no meta table (SQLite's answer to the SQL, not to reading the file) */
		if (rc == SQLITE_ERROR)
			rc = sqlite3_prepare_v2(db, "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM"
						" sqlite_schema)", -1, &stmt, NULL); /* empty, or foreign */
		if (rc == SQLITE_OK)
			ours = (rc = sqlite3_step(stmt)) == SQLITE_ROW;
		if (sqlite3_extended_errcode(db) == SQLITE_READONLY_ROLLBACK) {
			sqlite3_finalize(stmt);
			sqlite3_close(db);
			if (flags == SQLITE_OPEN_READONLY && sqlite_header(path))
				return is_ours(path, SQLITE_OPEN_READWRITE, err);
			if (flags == SQLITE_OPEN_READONLY)
				return 0;
			return ctr_error_set(err, CTR_EDB, "cannot replace %s: its journal (%s-journal)"
					     " holds a write a process left unfinished, which this"
					     " user may not roll back", path, path);
		}
	}
	/* answers: a row or none; our SQL refused (foreign), not SQLite, damaged (read_code's) */
	if (!ours && rc != SQLITE_DONE && ctr_db_read_code(db) != CTR_ECORRUPT)
		ours = ctr_error_set(err, CTR_EDB, "cannot read %s to tell whether it is a contrail"
				     " database: %s", path, ctr_db_message(db, message, sizeof(message)));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return ours;
}

int ctr_db_check_replaceable(const char *path, struct ctr_error *err)
{
	struct stat st;
	int ours;

	if (stat(path, &st) != 0 || (S_ISREG(st.st_mode) && st.st_size == 0))
		return 0;
	/* any version of ours: a rebuild is how a database of an older one is renewed */
	ours = S_ISREG(st.st_mode) ? is_ours(path, SQLITE_OPEN_READONLY, err) : 0;
	if (ours < 0)
		return ours;
	if (!ours)
		return ctr_error_set(err, CTR_ECORRUPT, "%s exists and is not a contrail database;"
				     " it is not replaced", path);
	return 0;
}

/*
 * Moves what the old database's WAL holds into its file before the WAL goes
 * (a run killed after a commit leaves its last batches there), and rolls back
 * a journal a writer of another program left unfinished, so that the old
 * database is whole in its file should the rename fail or the machine stop
 * before it. FULL, not TRUNCATE: a reader of the last commit (a dashboard)
 * keeps no page from the file, and TRUNCATE would wait the whole timeout for
 * it to leave. A reader kept on an older commit past the timeout holds back
 * the later commits' pages; the file is then the database as of that older
 * commit, whole, and a crash before the rename leaves that (any replay goes on
 * from its checkpoints). A WAL not moved (a damaged old database, which a
 * rebuild is there to replace) is let go; a journal not rolled back is
 * CTR_EWRITE, nothing replaced: without it a failed rename would leave the
 * old file half-written.
 */
static int settle_old(const char *path, const char *wal, const char *journal,
		      struct ctr_error *err)
{
	struct stat st;
	sqlite3 *db = NULL;
	int has_journal = stat(journal, &st) == 0, read = SQLITE_ERROR, rc = 0;
	char message[256];

	if ((stat(wal, &st) != 0 || st.st_size == 0) && !has_journal)
		return 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(db, CTR_DB_BUSY_MS);
		/* the first read rolls the journal back; then the WAL, if the file has one */
		read = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
		if (read == SQLITE_OK)
			sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_FULL, NULL, NULL);
	}
	if (read != SQLITE_OK && has_journal)
		rc = ctr_error_set(err, CTR_EWRITE, "cannot roll back %s into %s: %s; nothing is"
				   " replaced", journal, path, ctr_db_message(db, message, sizeof(message)));
	sqlite3_close(db);
	return rc;
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
	char wal[4200], journal[4200], shm[4200];
	int rc = into_wal(built, err);

	if (rc == 0)
		rc = ctr_file_sync(built, err); /* before anything of the old database goes */
	if (rc != 0)
		return rc;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(journal, sizeof(journal), "%s-journal", path);
	rc = settle_old(path, wal, journal, err);
	if (rc != 0)
		return rc;
	/* whatever is left of them would be laid over the new file by its first reader */
	unlink(wal);
	unlink(journal);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(shm);
	return ctr_file_rename(built, path, err);
}
