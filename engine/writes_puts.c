/*
 * writes_puts.c - a record's row puts run many rows to a statement
 * (writes_internal.h). A put is a statement "INSERT OR REPLACE INTO table
 * [(columns)] VALUES (?, ..., ?)": it sets one row by its key and reads
 * nothing. A flush records the rows of an aggregate together (its contract,
 * products, environments, ...), so puts of one table seldom follow each
 * other; but within a stretch of the record holding puts only, the rows of
 * different tables can run in any order (the digest triggers of an
 * incremental run add up whatever the order), so the stretch runs table by
 * table, each table's rows in their recorded order, CTR_PUT_ROWS to a
 * statement: about half the cost per row of SQLite's statement per row.
 * Anything else in the record (another statement, a call) ends a stretch and
 * runs where it was recorded. A put's table must have no trigger whose
 * effect depends on the order of rows across tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes.h"
#include "engine/writes_internal.h"

/* How many parameters the VALUES tuple that ends sql holds, when sql is a put; else 0. */
static int put_params(const char *sql, const char **tuple)
{
	static const char prefix[] = "INSERT OR REPLACE INTO ";
	const char *values, *c;
	int params = 0;

	if (strncmp(sql, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	values = strstr(sql, " VALUES ");
	if (values == NULL || strchr(sql, '?') < values)
		return 0;
	c = values + strlen(" VALUES ");
	*tuple = c;
	if (*c++ != '(')
		return 0;
	for (;;) {
		while (*c == ' ')
			c++;
		if (*c++ != '?')
			return 0;
		params++;
		while (*c == ' ')
			c++;
		if (*c == ')')
			break;
		if (*c++ != ',')
			return 0;
	}
	return c[1] == '\0' ? params : 0;
}

/* The put statement of CTR_PUT_ROWS rows for form->single, or NULL when it is no put. */
static sqlite3_stmt *prepare_many(struct ctr_put_form *form, int *params)
{
	sqlite3_stmt *single = form->single;
	const char *sql = sqlite3_sql(single), *tuple = NULL;
	sqlite3_stmt *many = NULL;
	size_t head, tuple_len, size;
	char *text;

	*params = sql ? put_params(sql, &tuple) : 0;
	if (*params == 0 || *params != sqlite3_bind_parameter_count(single) ||
	    *params * CTR_PUT_ROWS > 32766)
		return NULL;
	form->table = sql + strlen("INSERT OR REPLACE INTO ");
	form->table_len = strcspn(form->table, " (");
	head = (size_t)(tuple - sql);
	tuple_len = strlen(tuple);
	size = head + CTR_PUT_ROWS * (tuple_len + 1) + 1;
	text = malloc(size);
	if (text == NULL)
		return NULL;
	memcpy(text, sql, head);
	for (int r = 0; r < CTR_PUT_ROWS; r++) {
		char *at = text + head + (size_t)r * (tuple_len + 1);
		memcpy(at, tuple, tuple_len);
		at[tuple_len] = r + 1 < CTR_PUT_ROWS ? ',' : '\0';
	}
	if (sqlite3_prepare_v3(sqlite3_db_handle(single), text, -1, SQLITE_PREPARE_PERSISTENT, &many,
			       NULL) != SQLITE_OK)
		many = NULL; /* its rows run one at a time */
	free(text);
	return many;
}

/* The form of stmt, made when first met; NULL when there is no room for it (runs as any other). */
static const struct ctr_put_form *form_of(struct ctr_writes *w, sqlite3_stmt *stmt)
{
	struct ctr_put_form *f;

	for (int i = 0; i < w->form_count; i++)
		if (w->forms[i].single == stmt)
			return &w->forms[i];
	if (w->form_count == CTR_MAX_PUT_FORMS)
		return NULL;
	f = &w->forms[w->form_count++];
	*f = (struct ctr_put_form){ .single = stmt };
	f->many = prepare_many(f, &f->params);
	/*
	 * Rows are grouped by statement: a second put statement of one table
	 * runs as recorded, so that the table's rows keep their order.
	 */
	for (int i = 0; f->many != NULL && i < w->form_count - 1; i++) {
		const struct ctr_put_form *other = &w->forms[i];
		if (other->many != NULL && other->table_len == f->table_len &&
		    strncmp(other->table, f->table, f->table_len) == 0) {
			sqlite3_finalize(f->many);
			f->many = NULL;
		}
	}
	return f;
}

void ctr_writes_forget_puts(struct ctr_writes *w)
{
	for (int i = 0; i < w->form_count; i++)
		sqlite3_finalize(w->forms[i].many);
	w->form_count = 0;
}

/* The put row whose STMT op is at *at: its form and values, *at moved past its STEP; 0 if none. */
static int next_row(struct ctr_writes *w, const unsigned char **at, const unsigned char *end,
		    struct ctr_put_row *row)
{
	const unsigned char *c = *at;
	sqlite3_stmt *stmt;

	if (c >= end || *c != OP_STMT)
		return 0;
	memcpy(&stmt, c + 3, sizeof(stmt));
	row->form = form_of(w, stmt);
	if (row->form == NULL || row->form->many == NULL)
		return 0;
	c += 3 + sizeof(stmt);
	row->values = c;
	while (c < end && *c != OP_STEP) {
		if (*c == OP_STMT || *c == OP_CALL || *c == OP_STEP_IF_UNCHANGED)
			return 0; /* not a plain row: run as recorded */
		ctr_writes_bind(NULL, &c, 0);
	}
	if (c >= end)
		return 0;
	*at = c + 3;
	return 1;
}

/* Binds the values of a row to stmt, its parameters shifted by offset. */
static void bind_row(const struct ctr_put_row *row, sqlite3_stmt *stmt, int offset)
{
	const unsigned char *c = row->values;

	while (*c != OP_STEP)
		ctr_writes_bind(stmt, &c, offset);
}

/* Runs the rows of one form among rows[0..count), in order, CTR_PUT_ROWS at a time. */
static int run_form(struct ctr_put_row *rows, size_t count, const struct ctr_put_form *form,
		    struct ctr_error *err)
{
	sqlite3 *db = sqlite3_db_handle(form->single);
	size_t i = 0, held = 0, taken[CTR_PUT_ROWS];
	int rc = 0;

	for (; rc == 0 && i < count; i++) {
		if (rows[i].form != form)
			continue;
		taken[held++] = i;
		if (held < CTR_PUT_ROWS)
			continue;
		for (size_t r = 0; r < held; r++)
			bind_row(&rows[taken[r]], form->many, (int)r * form->params);
		rc = ctr_db_step_done(db, form->many, err);
		held = 0;
	}
	for (size_t r = 0; rc == 0 && r < held; r++) {
		bind_row(&rows[taken[r]], form->single, 0);
		rc = ctr_db_step_done(db, form->single, err);
	}
	for (i = 0; i < count; i++) /* marks them run */
		if (rows[i].form == form)
			rows[i].form = NULL;
	return rc;
}

int ctr_writes_run_puts(struct ctr_writes *w, const unsigned char *at, const unsigned char *end,
			const unsigned char **after, struct ctr_error *err)
{
	const unsigned char *c = at;
	size_t count = 0;
	int rc = 0;

	*after = at;
	for (;;) {
		struct ctr_put_row row;
		const unsigned char *next = c;
		if (!next_row(w, &next, end, &row))
			break;
		if (count == w->row_cap) {
			size_t cap = w->row_cap ? w->row_cap * 2 : 1024;
			struct ctr_put_row *grown = realloc(w->rows, cap * sizeof(*grown));
			if (grown == NULL)
				break; /* the rows taken so far run; the rest as recorded */
			w->rows = grown;
			w->row_cap = cap;
		}
		w->rows[count++] = row;
		c = next;
	}
	if (count < 2)
		return 0; /* one row alone runs as recorded */
	for (size_t i = 0; rc == 0 && i < count; i++)
		if (w->rows[i].form != NULL)
			rc = run_form(w->rows, count, w->rows[i].form, err);
	*after = c;
	return rc;
}
