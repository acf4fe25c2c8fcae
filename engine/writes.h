/*
 * writes.h - the statements of one flush, recorded with copies of their
 * values so they can run later on another thread. The loop records a batch's
 * rows from the in-memory aggregates (which the next events then go on
 * changing) and libuv's thread pool executes them in order in one
 * transaction. Work that must read the database as the earlier statements
 * left it is recorded as a call, made in its place.
 *
 * Recording never fails on its own: running a record that ran out of memory
 * reports CTR_ENOMEM and executes nothing.
 */
#ifndef CTR_WRITES_H
#define CTR_WRITES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "events/error.h"

struct ctr_writes;

/* A call recorded among the statements; arg is a copy of the text given (or NULL). */
typedef int (*ctr_writes_fn)(void *ctx, const char *arg, struct ctr_error *err);

/* An empty record; released with ctr_writes_free(). NULL when out of memory. */
struct ctr_writes *ctr_writes_new(void);
void ctr_writes_free(struct ctr_writes *w);

/* Starts a statement; the values for its parameters follow, ctr_writes_step() ends it. */
void ctr_writes_stmt(struct ctr_writes *w, sqlite3_stmt *stmt);
/* A parameter's value: text (NULL binds NULL), an integer, a blob. */
void ctr_writes_text(struct ctr_writes *w, int index, const char *text);
void ctr_writes_int(struct ctr_writes *w, int index, int64_t value);
void ctr_writes_blob(struct ctr_writes *w, int index, const void *data, size_t len);
/* Ends the statement started last: it is executed (to SQLITE_DONE), reset and cleared. */
void ctr_writes_step(struct ctr_writes *w);
/*
 * Ends the statement started last like ctr_writes_step(), but it is executed
 * only when the statement stepped just before it is known to have changed no
 * row: for a statement that has nothing to do once the one before it wrote.
 * After a call, or after row puts run many to a statement, it is executed.
 */
void ctr_writes_step_if_unchanged(struct ctr_writes *w);
/* fn(ctx, arg, err) is called in this place; ctx must outlive the run. */
void ctr_writes_call(struct ctr_writes *w, ctr_writes_fn fn, void *ctx, const char *arg);

/* Forgets everything recorded (a transaction that could not begin). */
void ctr_writes_clear(struct ctr_writes *w);
/* Bytes recorded so far. */
size_t ctr_writes_size(const struct ctr_writes *w);

/*
 * Executes everything recorded, in order, on db (inside the caller's
 * transaction), stopping at the first failure; then empties the record.
 */
int ctr_writes_run(struct ctr_writes *w, sqlite3 *db, struct ctr_error *err);

#endif
