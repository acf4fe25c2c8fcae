/*
 * test_projection_hash.c - the projection hash (E4a, engine/projection_hash.c): it
 * depends on the rows only, never on how they were written, any change of a
 * value shows, and the sums kept by the triggers equal a recount of the rows.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/row_digest.h"

/* The kept hash after running sql, checked against a recount of the rows. */
static void hash_of(const char *sql, char hex[65])
{
	struct ctr_error err;
	char recount[65];
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_db_exec(db, sql, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_row_digest_flush(db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 0, hex, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 1, recount, &err), 0, "%s", err.message);
	cr_assert_str_eq(hex, recount);
	sqlite3_close(db);
}

#define ROW(id, name) "INSERT INTO members VALUES ('C', '" id "', 'e', 'owner', 1, 'active', " name ", NULL);"

Test(projection_hash, row_order_of_insertion_does_not_matter)
{
	char a[65], b[65];

	hash_of(ROW("u1", "'x'") ROW("u2", "'y'"), a);
	hash_of(ROW("u2", "'y'") ROW("u1", "'x'"), b);
	cr_assert_str_eq(a, b);
}

Test(projection_hash, one_changed_value_changes_it)
{
	char a[65], b[65];

	hash_of(ROW("u1", "'x'"), a);
	hash_of(ROW("u1", "'z'"), b);
	cr_assert_str_neq(a, b);
}

Test(projection_hash, null_empty_and_zero_differ)
{
	char a[65], b[65], c[65];

	hash_of(ROW("u1", "NULL"), a);
	hash_of(ROW("u1", "''"), b);
	hash_of(ROW("u1", "0"), c);
	cr_assert_str_neq(a, b);
	cr_assert_str_neq(b, c);
	cr_assert_str_neq(a, c);
}

Test(projection_hash, bytes_cannot_move_between_columns)
{
	char a[65], b[65];

	hash_of("INSERT INTO allocations VALUES ('ab', 'c', 'x', 1);", a);
	hash_of("INSERT INTO allocations VALUES ('a', 'bc', 'x', 1);", b);
	cr_assert_str_neq(a, b);
}

Test(projection_hash, bookkeeping_tables_are_not_hashed)
{
	char a[65], b[65];

	hash_of("", a);
	hash_of("INSERT INTO runs VALUES (1, 'a', 'b', '2024-01-01', 0, 0, 0, 0, 'h', 's', NULL, 0, 0);"
		"INSERT INTO checkpoints VALUES ('s', 0, 1, 2, 3, 'f');", b);
	cr_assert_str_eq(a, b);
}

Test(projection_hash, kept_sums_follow_replaces_updates_and_deletes)
{
	char a[65], b[65];

	hash_of(ROW("u1", "'x'") ROW("u2", "'y'"), a);
	hash_of(ROW("u1", "'old'") ROW("u2", "'y'") ROW("u3", "'gone'")
		"INSERT OR REPLACE INTO members VALUES ('C', 'u1', 'e', 'owner', 1, 'active', 'x', NULL);"
		"UPDATE members SET notify = 0 WHERE user = 'u2';"
		"UPDATE members SET notify = 1 WHERE user = 'u2';"
		"DELETE FROM members WHERE user = 'u3';", b);
	cr_assert_str_eq(a, b);
}

/* sum += digest (sign 1) or -= (sign -1) modulo 2^256, big endian: the plain byte-wise way. */
static void reference_add(uint8_t sum[32], const uint8_t *digest, int sign)
{
	int carry = 0;

	for (int i = 31; i >= 0; i--) {
		int v = sign > 0 ? sum[i] + digest[i] + carry : sum[i] - digest[i] - carry;
		carry = sign > 0 ? v > 255 : v < 0;
		sum[i] = (uint8_t)v;
	}
}

/* The sum the triggers keep for members. */
static void kept_members_sum(sqlite3 *db, uint8_t kept[32])
{
	sqlite3_stmt *stmt;

	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT sum FROM projection_digests"
					" WHERE table_name = 'members'", -1, &stmt, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_bytes(stmt, 0), 32);
	memcpy(kept, sqlite3_column_blob(stmt, 0), 32);
	sqlite3_finalize(stmt);
}

/*
 * E4a: a table's sum is its rows' digests added modulo 2^256. Checked against a
 * byte-wise adder over a thousand rows (carries cross every byte and limb), and
 * after deleting some of them (borrows). The kept sums and a recount share the
 * code that adds, so only an independent sum shows an adder wrong in both.
 */
Test(projection_hash, sums_are_the_row_digests_added_modulo_2_to_the_256)
{
	uint8_t kept[32], by_rows[32];
	struct ctr_error err;
	sqlite3_stmt *stmt;
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				 " WHERE i < 1000) INSERT INTO members SELECT 'C', 'u' || i, 'e', 'owner',"
				 " i % 2, 'active', 'name ' || i, NULL FROM n", &err), 0, "%s", err.message);
	cr_assert_eq(ctr_row_digest_flush(db, &err), 0, "%s", err.message);
	for (int deleted = 0; deleted < 2; deleted++) {
		kept_members_sum(db, kept);
		memset(by_rows, 0, sizeof(by_rows));
		cr_assert_eq(sqlite3_prepare_v2(db, "SELECT contrail_row_digest(contract_id, user, email,"
						" role, notify, state, name, lang) FROM members", -1,
						&stmt, NULL), SQLITE_OK);
		while (sqlite3_step(stmt) == SQLITE_ROW)
			reference_add(by_rows, sqlite3_column_blob(stmt, 0), 1);
		sqlite3_finalize(stmt);
		cr_assert_arr_eq(kept, by_rows, 32, "the kept sum is not the rows' digests added (%s)",
				 deleted ? "after deletes" : "after inserts");
		cr_assert_eq(ctr_db_exec(db, "DELETE FROM members WHERE user GLOB 'u*7*'", &err), 0, "%s",
			     err.message);
		cr_assert_eq(ctr_row_digest_flush(db, &err), 0, "%s", err.message);
	}
	sqlite3_close(db);
}

/* The hash of a new database in dir, after closing and reopening it read-only. */
static void empty_file_hash(const char *dir, char hex[65])
{
	struct ctr_error err;
	char path[128], again[65];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/empty.db", dir);
	cr_assert_eq(ctr_db_open(path, CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 0, hex, &err), 0, "%s", err.message);
	sqlite3_close(db);
	cr_assert_eq(ctr_db_open(path, CTR_DB_READ, &db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 1, again, &err), 0, "%s", err.message);
	sqlite3_close(db);
	cr_assert_str_eq(hex, again);
	remove(path);
	/* a read-only connection cannot checkpoint, so it leaves the WAL and its index behind */
	snprintf(path, sizeof(path), "%s/empty.db-wal", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/empty.db-shm", dir);
	remove(path);
}

Test(projection_hash, an_empty_database_has_a_stable_hash)
{
	char dir[] = "/tmp/contrail-hash-XXXXXX", a[65], b[65], in_memory[65];

	cr_assert_not_null(mkdtemp(dir));
	empty_file_hash(dir, a);
	empty_file_hash(dir, b);
	hash_of("", in_memory);
	cr_assert_eq(rmdir(dir), 0, "%s left files behind", dir);
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(a, in_memory);
}

#define LINES "INSERT INTO invoices VALUES ('I1', 'C', '2024-01', '2024-01-31', '2024-02-29'," \
	      " 10, 1, 11, 'issued');" \
	      "INSERT INTO invoice_lines VALUES ('I1', 1, 'seats_full', 2, 5, 10);" \
	      "INSERT INTO invoice_lines VALUES ('I1', 2, 'seats_light', 0, 3, 0);"

/* 1 when another process could not take a write lock on path's SQLite lock bytes. */
static int file_still_locked(const char *path)
{
	pid_t child = fork();
	int status = 0;

	cr_assert_neq(child, -1);
	if (child == 0) {
		struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				      .l_start = 0x40000000, .l_len = 512 };
		int fd = open(path, O_RDONLY);
		_exit(fd >= 0 && fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK ? 0 : 1);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A rebuilt file with the rows of the kept-sums test, and its digests summed; open in db. */
static void rebuild_and_sum(const char *path, const char *before_sums, sqlite3 **db,
			    struct ctr_table_sums *sums)
{
	struct ctr_error err;

	cr_assert_eq(ctr_db_open(path, CTR_DB_CREATE_BULK, db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_db_exec(*db, "BEGIN;" ROW("u1", "'x'") ROW("u2", "'y'") LINES, &err), 0,
		     "%s", err.message);
	cr_assert_eq(ctr_db_exec(*db, before_sums, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_row_digest_sum(*db, sums, &err), 0, "%s", err.message);
	if (sqlite3_get_autocommit(*db)) /* the sums are stored in a transaction */
		cr_assert_eq(ctr_db_exec(*db, "BEGIN IMMEDIATE", &err), 0, "%s", err.message);
	cr_assert_eq(ctr_row_digest_store(*db, sums, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_db_exec(*db, "COMMIT", &err), 0, "%s", err.message);
}

/*
 * A rebuilt file's sums, taken at its end with a second connection on a
 * helper thread reading the committed rows, equal the sums the triggers keep,
 * and the file stays locked by its writer.
 */
Test(projection_hash, a_rebuilt_files_sums_on_two_connections_equal_the_kept_sums)
{
	char dir[] = "/tmp/contrail-hash-XXXXXX", path[128], kept[65], rebuilt[65], recount[65];
	struct ctr_table_sums sums;
	struct ctr_error err;
	sqlite3 *db;
	int locked;

	hash_of(ROW("u1", "'x'") ROW("u2", "'y'") LINES, kept);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rebuilt.db", dir);
	rebuild_and_sum(path, "COMMIT", &db, &sums);
	locked = file_still_locked(path);
	cr_assert_eq(ctr_projection_hash_of(db, 0, rebuilt, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 1, recount, &err), 0, "%s", err.message);
	sqlite3_close(db);
	remove(path);
	rmdir(dir);
	cr_assert_gt(sums.helper_tables, 0, "the helper summed no table");
	cr_assert(locked, "the writer's lock on the file was lost");
	cr_assert_str_eq(rebuilt, recount);
	cr_assert_str_eq(rebuilt, kept);
}

/* Rows not yet committed are summed by the writer's connection alone, and counted. */
Test(projection_hash, sums_taken_inside_a_transaction_count_its_rows)
{
	char dir[] = "/tmp/contrail-hash-XXXXXX", path[128], kept[65], rebuilt[65];
	struct ctr_table_sums sums;
	struct ctr_error err;
	sqlite3 *db;

	hash_of(ROW("u1", "'x'") ROW("u2", "'y'") LINES, kept);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rebuilt.db", dir);
	rebuild_and_sum(path, "SELECT 1", &db, &sums);
	cr_assert_eq(ctr_projection_hash_of(db, 0, rebuilt, &err), 0, "%s", err.message);
	sqlite3_close(db);
	remove(path);
	rmdir(dir);
	cr_assert_eq(sums.helper_tables, 0);
	cr_assert_str_eq(rebuilt, kept);
}

/*
 * A row's digest built value by value (a writer that sums what it writes, as
 * a rebuild's invoices do) is the stored row's: text of every length, the
 * empty text, zero and negative integers, the largest ones.
 */
Test(projection_hash, a_row_encoded_value_by_value_has_the_stored_rows_digest)
{
	char long_text[5000];
	struct ctr_row_encoder e;
	uint8_t built[32];
	struct ctr_error err;
	sqlite3_stmt *stmt;
	sqlite3 *db;

	memset(long_text, 'n', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	for (int row = 0; row < 2; row++) {
		const char *number = row ? long_text : "C1-202401";
		const char *kind = row ? "" : "seats_full";
		int64_t quantity = row ? INT64_MIN : 0, unit_price = row ? INT64_MAX : -1;

		cr_assert_eq(sqlite3_prepare_v2(db, "SELECT contrail_row_digest(?1, ?2, ?3, ?4, ?5)", -1,
						&stmt, NULL), SQLITE_OK);
		sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 2, row + 1);
		sqlite3_bind_text(stmt, 3, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, quantity);
		sqlite3_bind_int64(stmt, 5, unit_price);
		cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
		ctr_row_encoder_start(&e);
		ctr_row_encoder_text(&e, number, strlen(number));
		ctr_row_encoder_int(&e, row + 1);
		ctr_row_encoder_text(&e, kind, strlen(kind));
		ctr_row_encoder_int(&e, quantity);
		ctr_row_encoder_int(&e, unit_price);
		cr_assert_eq(ctr_row_encoder_digest(&e, built), 0);
		cr_assert_arr_eq(built, sqlite3_column_blob(stmt, 0), 32, "row %d digested otherwise", row);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
}
