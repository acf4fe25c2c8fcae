/*
 * cmd_diff.c - `contrail diff A.db B.db`: the projection rows that differ
 * between two databases (yesterday's and today's, say), table by table:
 * rows only in A (-), only in B (+), and rows whose columns changed (~).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "engine/db.h"
#include "projections/schema_sql.h"

/* The column names of table, from the table itself; -1 when they cannot be read. */
static int columns_of(sqlite3 *db, const char *table, char names[][64], int max)
{
	char sql[128];
	sqlite3_stmt *stmt = NULL;
	int count = 0, step;

	snprintf(sql, sizeof(sql), "PRAGMA main.table_info(%s)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	step = sqlite3_step(stmt);
	while (step == SQLITE_ROW && count < max) {
		snprintf(names[count++], 64, "%s", sqlite3_column_text(stmt, 1));
		step = sqlite3_step(stmt);
	}
	sqlite3_finalize(stmt);
	return step == SQLITE_ROW || step == SQLITE_DONE ? count : -1;
}

/*
 * A value on one line: a backslash, a line break or the column separator in
 * it escaped, so that every row is one line and splits back into its columns.
 * SQL's NULL is \N, which no text is written as (its backslash would be \\).
 */
static void print_value(const unsigned char *text)
{
	if (text == NULL)
		fputs("\\N", stdout);
	else
		ctr_cli_one_line(stdout, (const char *)text, '|');
}

static void print_row(sqlite3_stmt *stmt, int from, int count)
{
	for (int i = 0; i < count; i++) {
		if (i)
			putchar('|');
		print_value(sqlite3_column_text(stmt, from + i));
	}
	putchar('\n');
}

/*
 * "b.k1 = a.k1 AND b.k2 = a.k2" for t's key columns: a lookup in the other
 * side's primary key for each row, where a multi-column NOT IN made SQLite scan
 * (ten seconds for the invoice lines of two 1,000-account histories).
 */
static void key_match(const struct ctr_hashed_table *t, char *out, size_t size)
{
	const char *column = t->key;
	size_t used = 0;

	out[0] = '\0';
	while (*column && used < size) {
		int length = (int)strcspn(column, ", ");

		used += (size_t)snprintf(out + used, size - used, "%sb.\"%.*s\" = a.\"%.*s\"",
					 used ? " AND " : "", length, column, length, column);
		column += length;
		column += strspn(column, ", ");
	}
}

/* Rows of one side missing on the other (mark '-' or '+'). */
static long one_sided(sqlite3 *db, const struct ctr_hashed_table *t, const char *mine,
		      const char *theirs, char mark, int count)
{
	char sql[1024], match[256];
	sqlite3_stmt *stmt = NULL;
	long found = 0;
	int step;

	key_match(t, match, sizeof(match));
	snprintf(sql, sizeof(sql), "SELECT * FROM %s.%s a WHERE NOT EXISTS (SELECT 1 FROM %s.%s b"
		 " WHERE %s) ORDER BY %s", mine, t->name, theirs, t->name, match, t->key);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	for (;;) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		printf("%c ", mark);
		print_row(stmt, 0, count);
		found++;
	}
	sqlite3_finalize(stmt);
	return step == SQLITE_DONE ? found : -1;
}

static long changed(sqlite3 *db, const struct ctr_hashed_table *t, char names[][64], int count)
{
	char sql[4096], where[2048] = "";
	size_t used = 0;
	sqlite3_stmt *stmt = NULL;
	long found = 0;
	int step;

	for (int i = 0; i < count; i++)
		used += (size_t)snprintf(where + used, sizeof(where) - used, "%sa.\"%s\" IS NOT b.\"%s\"",
					 i ? " OR " : "", names[i], names[i]);
	snprintf(sql, sizeof(sql), "SELECT a.*, b.* FROM main.%s a JOIN other.%s b USING (%s) WHERE %s"
		 " ORDER BY %s", t->name, t->name, t->key, where, t->key);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	for (;;) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		printf("~ ");
		print_row(stmt, 0, count);
		for (int i = 0; i < count; i++) {
			const unsigned char *before = sqlite3_column_text(stmt, i);
			const unsigned char *after = sqlite3_column_text(stmt, count + i);
			if ((before == NULL) != (after == NULL) ||
			    (before && strcmp((const char *)before, (const char *)after) != 0)) {
				printf("    %s: ", names[i]);
				print_value(before);
				fputs(" -> ", stdout);
				print_value(after);
				putchar('\n');
			}
		}
		found++;
	}
	sqlite3_finalize(stmt);
	return step == SQLITE_DONE ? found : -1;
}

static long diff_table(sqlite3 *db, const struct ctr_hashed_table *t)
{
	char names[32][64];
	int count = columns_of(db, t->name, names, 32);
	long removed, added, modified;

	if (count < 0)
		return -1;
	printf("== %s\n", t->name);
	removed = one_sided(db, t, "main", "other", '-', count);
	added = one_sided(db, t, "other", "main", '+', count);
	modified = changed(db, t, names, count);
	if (removed < 0 || added < 0 || modified < 0)
		return -1;
	return removed + added + modified;
}

/* --help (or -h) anywhere, as every other command reads it (up to `--`). */
static int asks_for_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static void usage(void)
{
	printf("usage: contrail diff A.db B.db\n\nThe projection rows that differ between two"
	       " contrail databases, table by table:\n`- row` only in A, `+ row` only in B, `~ row`"
	       " changed (as in A), with each changed\ncolumn as `name: A -> B`. Columns are"
	       " separated by '|'; in a value '\\', '|', a line\nfeed, a carriage return and a"
	       " tab are written \\\\, \\|, \\n, \\r and \\t, other control\ncharacters"
	       " as \\xNN (C1's as \\u00NN), SQL's NULL as \\N. Exit: 0 no difference,\n1"
	       " differences, 2 usage, 3 missing, not a contrail database or damaged, 4 a\n"
	       "database that cannot be read or is still being built, or output that cannot\n"
	       "be written.\n");
}

/*
 * The two paths, A and B, into paths: CTR_EXIT_OK, or CTR_EXIT_USAGE after a
 * line. After `--` a word is a path even when it begins with '-'.
 */
static int take_paths(int argc, char **argv, const char *paths[2])
{
	int count = 0, options_end = 0;

	/* an option anywhere is refused for itself, not for the count of paths */
	for (int i = 1; i < argc; i++) {
		if (!options_end && strcmp(argv[i], "--") == 0)
			options_end = 1;
		else if (!options_end && argv[i][0] == '-')
			return ctr_cli_unknown_option("diff", CTR_EXIT_USAGE, argv[i]);
		else if (count++ < 2)
			paths[count - 1] = argv[i];
	}
	if (count != 2)
		return ctr_cli_fail("diff", CTR_EXIT_USAGE, "usage: contrail diff A.db B.db");
	if (paths[0][0] == '\0' || paths[1][0] == '\0')
		return ctr_cli_fail("diff", CTR_EXIT_USAGE, "a database path is empty");
	return CTR_EXIT_OK;
}

/*
 * Opens a into *db with b attached as `other`. b is opened alone first, so that
 * it is judged a contrail database as a is; an ATTACH judges nothing.
 */
static int open_both(const char *a, const char *b, sqlite3 **db, struct ctr_error *err)
{
	sqlite3 *check = NULL;
	sqlite3_stmt *attach = NULL;
	char message[256];
	int rc = ctr_db_open(b, CTR_DB_READ, &check, err);

	sqlite3_close(check);
	if (rc == 0)
		rc = ctr_db_open(a, CTR_DB_READ, db, err);
	if (rc == 0 && (ctr_db_prepare(*db, "ATTACH DATABASE ? AS other", &attach, err) != 0 ||
			sqlite3_bind_text(attach, 1, b, -1, SQLITE_STATIC) != SQLITE_OK ||
			sqlite3_step(attach) != SQLITE_DONE))
		rc = ctr_error_set(err, ctr_db_read_code(*db), "cannot read %s: %s", b,
				   ctr_db_message(*db, message, sizeof(message)));
	sqlite3_finalize(attach);
	return rc;
}

/* Every projection table of a and b (db, as open_both() leaves it) compared, into *total. */
static int diff_all(sqlite3 *db, const char *a, const char *b, long *total,
		    struct ctr_error *err)
{
	char message[256];
	int rc = 0;

	for (const struct ctr_hashed_table *t = ctr_hashed_tables; rc == 0 && t->name; t++) {
		long found = diff_table(db, t);
		if (found < 0)
			rc = ctr_error_set(err, ctr_db_read_code(db), "cannot compare %s of %s and %s:"
					   " %s", t->name, a, b,
					   ctr_db_message(db, message, sizeof(message)));
		*total += found > 0 ? found : 0;
	}
	return rc;
}

int ctr_cmd_diff(int argc, char **argv)
{
	struct ctr_error err = { 0 };
	const char *paths[2];
	sqlite3 *db = NULL;
	long total = 0;
	int rc;

	if (asks_for_help(argc, argv)) {
		usage();
		return CTR_EXIT_OK;
	}
	rc = take_paths(argc, argv, paths);
	if (rc != CTR_EXIT_OK)
		return rc;
	rc = open_both(paths[0], paths[1], &db, &err);
	/* one read transaction: each file compared as of one commit, whatever a replay commits */
	if (rc == 0)
		rc = ctr_db_exec(db, "BEGIN", &err);
	if (rc == 0)
		rc = diff_all(db, paths[0], paths[1], &total, &err);
	sqlite3_close(db);
	if (rc != 0)
		return ctr_cli_fail("diff", ctr_cli_exit_for(rc), "%s", err.message);
	printf("%ld rows differ\n", total);
	if (fflush(stdout) != 0 || ferror(stdout)) /* rows not shown are no finding to exit 1 on */
		return ctr_cli_fail("diff", CTR_EXIT_FAILURE, "cannot write to standard output");
	return total ? CTR_EXIT_FINDINGS : CTR_EXIT_OK;
}
