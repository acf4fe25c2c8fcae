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

enum op_kind { OP_STMT = 1, OP_TEXT, OP_NULL, OP_INT, OP_BLOB, OP_STEP, OP_CALL };

struct ctr_writes {
	unsigned char *bytes;
	size_t used, capacity;
	int out_of_memory;
};

struct ctr_writes *ctr_writes_new(void)
{
	return calloc(1, sizeof(struct ctr_writes));
}

void ctr_writes_free(struct ctr_writes *w)
{
	if (w == NULL)
		return;
	free(w->bytes);
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

static void put(struct ctr_writes *w, enum op_kind kind, int index, const void *operand,
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

void ctr_writes_text_len(struct ctr_writes *w, int index, const char *text, size_t len)
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
	ctr_writes_text_len(w, index, text, text ? strlen(text) : 0);
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

int ctr_writes_run(struct ctr_writes *w, sqlite3 *db, struct ctr_error *err)
{
	const unsigned char *at = w->bytes, *end = w->bytes + w->used;
	sqlite3_stmt *stmt = NULL;
	int rc = w->out_of_memory ? ctr_error_set(err, CTR_ENOMEM, "out of memory") : 0;

	while (rc == 0 && at < end) {
		enum op_kind kind = (enum op_kind)*at++;
		uint16_t index;
		uint32_t len;
		int64_t value;
		const unsigned char *data;

		memcpy(&index, at, 2);
		at += 2;
		switch (kind) {
		case OP_STMT:
			memcpy(&stmt, at, sizeof(stmt));
			at += sizeof(stmt);
			break;
		case OP_TEXT:
			data = take_data(&at, &len);
			sqlite3_bind_text(stmt, index, (const char *)data, (int)len, SQLITE_STATIC);
			break;
		case OP_NULL:
			sqlite3_bind_null(stmt, index);
			break;
		case OP_INT:
			memcpy(&value, at, sizeof(value));
			at += sizeof(value);
			sqlite3_bind_int64(stmt, index, value);
			break;
		case OP_BLOB:
			data = take_data(&at, &len);
			sqlite3_bind_blob(stmt, index, data, (int)len, SQLITE_STATIC);
			break;
		case OP_STEP:
			rc = ctr_db_step_done(db, stmt, err);
			break;
		case OP_CALL: {
			struct {
				ctr_writes_fn fn;
				void *ctx;
			} call;
			memcpy(&call, at, sizeof(call));
			at += sizeof(call);
			data = take_data(&at, &len);
			rc = call.fn(call.ctx, index ? (const char *)data : NULL, err);
			break;
		}
		}
	}
	ctr_writes_clear(w); /* a failed step was reset; values are bound only right before one */
	return rc;
}
