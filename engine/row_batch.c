/*
 * row_batch.c - rows inserted many at a time (row_batch.h). The values of
 * the rows held are kept here, texts in one buffer, and bound only when the
 * rows are inserted: a full batch through the statement of
 * CTR_ROW_BATCH_ROWS rows, the rest at the end through one of as many rows
 * as are left.
 */
#include "engine/row_batch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"

#define MAX_COLUMNS 32

struct value {
	int is_text;
	int64_t number;     /* an integer's value */
	size_t offset, len; /* a text's place in the buffer */
};

struct ctr_row_batch {
	sqlite3 *db;
	char *table;
	int columns, rows, given;
	sqlite3_stmt *full; /* INSERT of CTR_ROW_BATCH_ROWS rows */
	struct value values[CTR_ROW_BATCH_ROWS * MAX_COLUMNS];
	char *text;
	size_t used, cap;
	int out_of_memory, misused;
};

/* "INSERT INTO table VALUES (?, ...), ..." of rows rows; NULL without memory. */
static char *insert_sql(const char *table, int columns, int rows)
{
	size_t size = strlen(table) + 32 + (size_t)rows * ((size_t)columns * 3 + 4);
	char *sql = malloc(size);
	size_t at;

	if (sql == NULL)
		return NULL;
	at = (size_t)snprintf(sql, size, "INSERT INTO %s VALUES ", table);
	for (int r = 0; r < rows; r++) {
		sql[at++] = r ? ',' : ' ';
		sql[at++] = '(';
		for (int c = 0; c < columns; c++) {
			if (c)
				sql[at++] = ',';
			sql[at++] = '?';
		}
		sql[at++] = ')';
	}
	sql[at] = '\0';
	return sql;
}

static int prepare(struct ctr_row_batch *b, int rows, sqlite3_stmt **stmt, struct ctr_error *err)
{
	char *sql = insert_sql(b->table, b->columns, rows);
	int rc;

	if (sql == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	rc = ctr_db_prepare(b->db, sql, stmt, err);
	free(sql);
	return rc;
}

int ctr_row_batch_new(sqlite3 *db, const char *table, int columns, struct ctr_row_batch **out,
		      struct ctr_error *err)
{
	struct ctr_row_batch *b;
	int rc;

	*out = NULL;
	if (columns < 1 || columns > MAX_COLUMNS)
		return ctr_error_set(err, CTR_EINVAL, "row batch: %d columns", columns);
	b = calloc(1, sizeof(*b));
	if (b == NULL || (b->table = strdup(table)) == NULL) {
		free(b);
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	}
	b->db = db;
	b->columns = columns;
	rc = prepare(b, CTR_ROW_BATCH_ROWS, &b->full, err);
	if (rc != 0) {
		ctr_row_batch_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void ctr_row_batch_free(struct ctr_row_batch *b)
{
	if (b == NULL)
		return;
	sqlite3_finalize(b->full);
	free(b->table);
	free(b->text);
	free(b);
}

/* The slot of the next value, or NULL when the row already has every column. */
static struct value *next_value(struct ctr_row_batch *b)
{
	if (b->given >= b->columns) {
		b->misused = 1; /* reported by end_row */
		return NULL;
	}
	return &b->values[b->rows * b->columns + b->given++];
}

void ctr_row_batch_text(struct ctr_row_batch *b, const char *text, size_t len)
{
	struct value *v = next_value(b);

	if (v == NULL)
		return;
	if (b->used + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *grown;
		while (cap < b->used + len)
			cap *= 2;
		grown = realloc(b->text, cap);
		if (grown == NULL) {
			b->out_of_memory = 1;
			return;
		}
		b->text = grown;
		b->cap = cap;
	}
	memcpy(b->text + b->used, text, len);
	*v = (struct value){ .is_text = 1, .offset = b->used, .len = len };
	b->used += len;
}

void ctr_row_batch_int(struct ctr_row_batch *b, int64_t value)
{
	struct value *v = next_value(b);

	if (v != NULL)
		*v = (struct value){ .number = value };
}

/* Binds the rows held to stmt and runs it. */
static int insert(struct ctr_row_batch *b, sqlite3_stmt *stmt, struct ctr_error *err)
{
	int count = b->rows * b->columns, rc = 0;

	for (int i = 0; i < count; i++) {
		const struct value *v = &b->values[i];
		if (!v->is_text)
			sqlite3_bind_int64(stmt, i + 1, v->number);
		else if (v->len > INT_MAX)
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
		else /* the empty text is text, not NULL: never a NULL pointer */
			sqlite3_bind_text(stmt, i + 1, v->len ? b->text + v->offset : "", (int)v->len,
					  SQLITE_STATIC);
	}
	if (rc == 0)
		rc = ctr_db_step_done(b->db, stmt, err);
	b->rows = 0;
	b->used = 0;
	return rc;
}

int ctr_row_batch_end_row(struct ctr_row_batch *b, struct ctr_error *err)
{
	if (b->misused || b->given != b->columns)
		return ctr_error_set(err, CTR_EINVAL, "a row of more or fewer than %d values for %s",
				     b->columns, b->table);
	if (b->out_of_memory)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	b->given = 0;
	if (++b->rows < CTR_ROW_BATCH_ROWS)
		return 0;
	return insert(b, b->full, err);
}

int ctr_row_batch_flush(struct ctr_row_batch *b, struct ctr_error *err)
{
	sqlite3_stmt *rest = NULL;
	int rc;

	if (b->rows == 0)
		return 0;
	rc = prepare(b, b->rows, &rest, err);
	if (rc == 0)
		rc = insert(b, rest, err);
	sqlite3_finalize(rest);
	return rc;
}

void ctr_row_batch_discard(struct ctr_row_batch *b)
{
	b->rows = b->given = 0;
	b->used = 0;
	b->out_of_memory = b->misused = 0;
}
