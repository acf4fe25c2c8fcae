/*
 * writes_internal.h - what writes.c and writes_puts.c share: the record's
 * layout and the forms of the statements that are row puts. Not for use
 * outside engine/.
 */
#ifndef CTR_WRITES_INTERNAL_H
#define CTR_WRITES_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "events/error.h"

enum ctr_writes_op {
	OP_STMT = 1,
	OP_TEXT,
	OP_NULL,
	OP_INT,
	OP_BLOB,
	OP_STEP,
	OP_STEP_IF_UNCHANGED,
	OP_CALL
};

/* Rows of one put statement run this many to a statement. */
#define CTR_PUT_ROWS 16
#define CTR_MAX_PUT_FORMS 64

/* A statement met in a record: a row put, run many rows at a time, or any other. */
struct ctr_put_form {
	sqlite3_stmt *single;
	sqlite3_stmt *many; /* its rows CTR_PUT_ROWS to a statement; NULL when not a put */
	int params;         /* per row */
	const char *table;  /* the table it puts rows in, in single's SQL; table_len bytes */
	size_t table_len;
};

/* A row of a put in the record: where its values begin, and its form. */
struct ctr_put_row {
	const unsigned char *values;
	const struct ctr_put_form *form;
};

struct ctr_writes {
	unsigned char *bytes;
	size_t used, capacity;
	int out_of_memory;
	/* the statements met by runs, and room for a run of puts' rows */
	struct ctr_put_form forms[CTR_MAX_PUT_FORMS];
	int form_count;
	struct ctr_put_row *rows;
	size_t row_cap;
};

/*
 * Binds the value op at *at (advanced past it) to stmt's parameter its index
 * plus offset; with stmt NULL, only moves past it.
 */
void ctr_writes_bind(sqlite3_stmt *stmt, const unsigned char **at, int offset);

/*
 * When the record at `at` begins a stretch of two or more rows of puts (up to
 * anything else), runs them and sets *after past them; otherwise (a lone put
 * row among them) sets *after to at, to be run as recorded. Nonzero on failure.
 */
int ctr_writes_run_puts(struct ctr_writes *w, const unsigned char *at, const unsigned char *end,
			const unsigned char **after, struct ctr_error *err);
/* Finalizes the put statements made by runs. */
void ctr_writes_forget_puts(struct ctr_writes *w);

#endif
