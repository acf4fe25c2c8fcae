/*
 * writes.c - the record of writes.h: one growing byte buffer of operations,
 * each a kind byte, a 2-byte parameter index and its operands (text and
 * blobs after a 4-byte length), packed without padding: a flush records
 * hundreds of thousands of values, so a value costs 7 bytes besides its own.
 */
#include "engine/writes.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes_internal.h"

typedef enum ctr_writes_op op_kind_t;

struct ctr_writes *ctr_writes_new(void)
{
	return calloc(1, sizeof(struct ctr_writes));
}

void ctr_writes_free(struct ctr_writes *w)
{
	if (w == NULL)
		return;
	ctr_writes_forget_puts(w);
	free(w->bytes);
	free(w->rows);
	free(w);
}

/* Room for size more bytes, or NULL (and the record marked) when out of memory. */
static unsigned char *room(struct ctr_writes *w, size_t size)
{
	if (w->out_of_memory)
		return NULL;
	if (w->used + size > w->capacity) {
		size_t grown = w->capacity ? w->capacity * 2 : 1 << 16;
		unsigned char *moved;
		while (grown < w->used + size)
			grown *= 2;
		moved = realloc(w->bytes, grown);
		if (moved == NULL) {
			w->out_of_memory = 1;
			return NULL;
		}
		w->bytes = moved;
		w->capacity = grown;
	}
	w->used += size;
	return w->bytes + w->used - size;
}

static void put(struct ctr_writes *w, op_kind_t kind, int index, const void *operand,
		size_t operand_size, const void *data, uint32_t len)
{
	size_t size = 1 + 2 + operand_size + (data ? sizeof(len) + len : 0);
	unsigned char *at = room(w, size);
	uint16_t index16 = (uint16_t)index;

	if (at == NULL)
		return;
	*at++ = (unsigned char)kind;
	memcpy(at, &index16, 2);
	at += 2;
	if (operand_size) {
		memcpy(at, operand, operand_size);
		at += operand_size;
	}
	if (data) {
		memcpy(at, &len, sizeof(len));
		memcpy(at + sizeof(len), data, len);
	}
}

void ctr_writes_stmt(struct ctr_writes *w, sqlite3_stmt *stmt)
{
	put(w, OP_STMT, 0, &stmt, sizeof(stmt), NULL, 0);
}

static void text_of_len(struct ctr_writes *w, int index, const char *text, size_t len)
{
	if (text == NULL)
		put(w, OP_NULL, index, NULL, 0, NULL, 0);
	else if (len > INT_MAX) /* sqlite3_bind_text takes an int */
		w->out_of_memory = 1;
	else
		put(w, OP_TEXT, index, NULL, 0, len ? text : "", (uint32_t)len);
}

void ctr_writes_text(struct ctr_writes *w, int index, const char *text)
{
	text_of_len(w, index, text, text ? strlen(text) : 0);
}

void ctr_writes_int(struct ctr_writes *w, int index, int64_t value)
{
	put(w, OP_INT, index, &value, sizeof(value), NULL, 0);
}

void ctr_writes_blob(struct ctr_writes *w, int index, const void *data, size_t len)
{
	if (len > INT_MAX)
		w->out_of_memory = 1;
	else
		put(w, OP_BLOB, index, NULL, 0, len ? data : "", (uint32_t)len);
}

void ctr_writes_step(struct ctr_writes *w)
{
	put(w, OP_STEP, 0, NULL, 0, NULL, 0);
}

void ctr_writes_step_if_unchanged(struct ctr_writes *w)
{
	put(w, OP_STEP_IF_UNCHANGED, 0, NULL, 0, NULL, 0);
}

void ctr_writes_call(struct ctr_writes *w, ctr_writes_fn fn, void *ctx, const char *arg)
{
	struct {
		ctr_writes_fn fn;
		void *ctx;
	} call = { fn, ctx };

	put(w, OP_CALL, arg != NULL, &call, sizeof(call), arg ? arg : "",
	    arg ? (uint32_t)strlen(arg) + 1 : 1);
}

void ctr_writes_clear(struct ctr_writes *w)
{
	w->used = 0;
	w->out_of_memory = 0;
}

size_t ctr_writes_size(const struct ctr_writes *w)
{
	return w->used;
}

/* The length-prefixed data at *at, advancing past it. */
static const unsigned char *take_data(const unsigned char **at, uint32_t *len)
{
	const unsigned char *data;

	memcpy(len, *at, sizeof(*len));
	data = *at + sizeof(*len);
	*at = data + *len;
	return data;
}

void ctr_writes_bind(sqlite3_stmt *stmt, const unsigned char **at, int offset)
{
	op_kind_t kind = (op_kind_t)*(*at)++;
	uint16_t index;
	uint32_t len;
	int64_t value;
	const unsigned char *data;

	memcpy(&index, *at, 2);
	*at += 2;
	if (kind == OP_TEXT) {
		data = take_data(at, &len);
		if (stmt != NULL)
			sqlite3_bind_text(stmt, index + offset, (const char *)data, (int)len,
					  SQLITE_STATIC);
	} else if (kind == OP_NULL) {
		if (stmt != NULL)
			sqlite3_bind_null(stmt, index + offset);
	} else if (kind == OP_INT) {
		memcpy(&value, *at, sizeof(value));
		*at += sizeof(value);
		if (stmt != NULL)
			sqlite3_bind_int64(stmt, index + offset, value);
	} else if (kind == OP_BLOB) {
		data = take_data(at, &len);
		if (stmt != NULL)
			sqlite3_bind_blob(stmt, index + offset, data, (int)len, SQLITE_STATIC);
	}
}

/* A step whose changes the next OP_STEP_IF_UNCHANGED asks after (*changed). */
static int step_counted(sqlite3 *db, sqlite3_stmt *stmt, int *changed, struct ctr_error *err)
{
	int rc;

	/* the count is the connection's: read before another thread's call */
	sqlite3_mutex_enter(sqlite3_db_mutex(db));
	rc = ctr_db_step_done(db, stmt, err);
	*changed = rc == 0 && sqlite3_changes(db) > 0;
	sqlite3_mutex_leave(sqlite3_db_mutex(db));
	return rc;
}

/* The OP_CALL at *at, advancing past it. */
static int run_call(const unsigned char **at, struct ctr_error *err)
{
	struct {
		ctr_writes_fn fn;
		void *ctx;
	} call;
	uint16_t has_arg;
	uint32_t len;
	const unsigned char *data;

	memcpy(&has_arg, *at + 1, 2);
	memcpy(&call, *at + 3, sizeof(call));
	*at += 3 + sizeof(call);
	data = take_data(at, &len);
	return call.fn(call.ctx, has_arg ? (const char *)data : NULL, err);
}

/*
 * The op at *at, not a stretch of puts, advancing past it: *stmt is the
 * statement values bind to, *last_changed whether the statement stepped last,
 * alone, changed a row.
 */
static int run_op(sqlite3 *db, const unsigned char **at, sqlite3_stmt **stmt, int *last_changed,
		  struct ctr_error *err)
{
	int rc = 0;

	switch ((op_kind_t)**at) {
	case OP_STMT:
		memcpy(stmt, *at + 3, sizeof(*stmt));
		*at += 3 + sizeof(*stmt);
		break;
	case OP_STEP:
		*at += 3;
		rc = step_counted(db, *stmt, last_changed, err);
		break;
	case OP_STEP_IF_UNCHANGED:
		*at += 3;
		if (*last_changed)
			sqlite3_clear_bindings(*stmt); /* they point into this record */
		else
			rc = ctr_db_step_done(db, *stmt, err);
		*last_changed = 0;
		break;
	case OP_CALL:
		rc = run_call(at, err);
		*last_changed = 0;
		break;
	default:
		ctr_writes_bind(*stmt, at, 0);
		break;
	}
	return rc;
}

int ctr_writes_run(struct ctr_writes *w, sqlite3 *db, struct ctr_error *err)
{
	const unsigned char *at = w->bytes, *end = w->bytes + w->used, *after;
	sqlite3_stmt *stmt = NULL;
	int rc = w->out_of_memory ? ctr_error_set(err, CTR_ENOMEM, "out of memory") : 0;
	int last_changed = 0;

	while (rc == 0 && at < end) {
		rc = ctr_writes_run_puts(w, at, end, &after, err);
		if (rc != 0 || after != at) {
			at = after;
			last_changed = 0;
		} else {
			rc = run_op(db, &at, &stmt, &last_changed, err);
		}
	}
	ctr_writes_clear(w); /* a failed step was reset; values are bound only right before one */
	return rc;
}
