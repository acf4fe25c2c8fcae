/*
 * rejects.c - rejected events (E3) waiting for the next flush. Operations are
 * kept in order, so a row added and then removed within one batch ends up
 * removed. Every rejected event is stored whole: its raw bytes or line, its
 * source position, its stable code and a message.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/engine_internal.h"
#include "engine/writes.h"

enum op_kind { OP_ADD, OP_REMOVE, OP_RECODE };

struct op {
	enum op_kind kind;
	char *position;
	char *event_id, *stream, *type, *message, *held_json;
	const char *code;
	void *raw;
	size_t raw_len;
	int64_t seq;
};

struct ctr_rejects {
	sqlite3 *db;
	int64_t run_id;
	sqlite3_stmt *add, *remove, *recode;
	struct op *ops;
	size_t count, cap;
};

struct ctr_rejects *ctr_rejects_new(sqlite3 *db, int64_t run_id, struct ctr_error *err)
{
	struct ctr_rejects *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		ctr_error_set(err, CTR_ENOMEM, "out of memory");
		return NULL;
	}
	r->db = db;
	r->run_id = run_id;
	if (ctr_db_prepare(db, "INSERT OR REPLACE INTO rejected_events (position, event_id, stream,"
			   " type, code, message, raw, seq, run_id, held_json)"
			   " VALUES (?,?,?,?,?,?,?,?,?,?)", &r->add, err) != 0 ||
	    ctr_db_prepare(db, "DELETE FROM rejected_events WHERE position = ?", &r->remove,
			   err) != 0 ||
	    ctr_db_prepare(db, "UPDATE rejected_events SET code = ?, message = ?, held_json = NULL"
			   " WHERE position = ?", &r->recode, err) != 0) {
		ctr_rejects_free(r);
		return NULL;
	}
	return r;
}

static void op_clear(struct op *op)
{
	free(op->position);
	free(op->event_id);
	free(op->stream);
	free(op->type);
	free(op->message);
	free(op->held_json);
	free(op->raw);
}

void ctr_rejects_free(struct ctr_rejects *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->count; i++)
		op_clear(&r->ops[i]);
	free(r->ops);
	sqlite3_finalize(r->add);
	sqlite3_finalize(r->remove);
	sqlite3_finalize(r->recode);
	free(r);
}

static struct op *push(struct ctr_rejects *r, enum op_kind kind, const char *position)
{
	struct op *op;

	if (r->count == r->cap) {
		size_t grown = r->cap ? r->cap * 2 : 64;
		struct op *moved = realloc(r->ops, grown * sizeof(*moved));
		if (moved == NULL)
			return NULL;
		r->ops = moved;
		r->cap = grown;
	}
	op = &r->ops[r->count++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->position = strdup(position);
	if (op->position == NULL) {
		r->count--;
		return NULL;
	}
	return op;
}

static char *copy(const char *text)
{
	return text ? strdup(text) : NULL;
}

int ctr_rejects_add(struct ctr_rejects *r, const char *position, const struct ctr_event *ev,
		    enum ctr_code code, const char *message, const char *held_json)
{
	struct op *op = push(r, OP_ADD, position);

	if (op == NULL)
		return CTR_ENOMEM;
	op->event_id = copy(ev->id);
	op->stream = copy(ev->stream);
	op->type = copy(ev->type);
	op->code = ctr_code_name(code);
	op->message = copy(message);
	op->held_json = copy(held_json);
	op->seq = ev->seq;
	op->raw = malloc(ev->raw_len ? ev->raw_len : 1);
	/* a row missing a text it was given would say something else (a held event not held) */
	if (op->raw == NULL || (ev->id && !op->event_id) || (ev->stream && !op->stream) ||
	    (ev->type && !op->type) || (message && !op->message) || (held_json && !op->held_json))
		return CTR_ENOMEM;
	memcpy(op->raw, ev->raw, ev->raw_len);
	op->raw_len = ev->raw_len;
	return 0;
}

int ctr_rejects_remove(struct ctr_rejects *r, const char *position)
{
	return push(r, OP_REMOVE, position) ? 0 : CTR_ENOMEM;
}

int ctr_rejects_recode(struct ctr_rejects *r, const char *position, enum ctr_code code,
		       const char *message)
{
	struct op *op = push(r, OP_RECODE, position);

	if (op == NULL)
		return CTR_ENOMEM;
	op->code = ctr_code_name(code);
	op->message = copy(message);
	return 0;
}

/* Empty text is stored as NULL. */
static void text_or_null(struct ctr_writes *w, int index, const char *text)
{
	ctr_writes_text(w, index, text && *text ? text : NULL);
}

static void record(struct ctr_rejects *r, const struct op *op, struct ctr_writes *w)
{
	if (op->kind == OP_REMOVE) {
		ctr_writes_stmt(w, r->remove);
		ctr_writes_text(w, 1, op->position);
	} else if (op->kind == OP_RECODE) {
		ctr_writes_stmt(w, r->recode);
		ctr_writes_text(w, 1, op->code);
		ctr_writes_text(w, 2, op->message ? op->message : "");
		ctr_writes_text(w, 3, op->position);
	} else {
		ctr_writes_stmt(w, r->add);
		ctr_writes_text(w, 1, op->position);
		text_or_null(w, 2, op->event_id);
		text_or_null(w, 3, op->stream);
		text_or_null(w, 4, op->type);
		ctr_writes_text(w, 5, op->code);
		ctr_writes_text(w, 6, op->message ? op->message : "");
		ctr_writes_blob(w, 7, op->raw, op->raw_len);
		if (op->seq > 0)
			ctr_writes_int(w, 8, op->seq);
		ctr_writes_int(w, 9, r->run_id);
		text_or_null(w, 10, op->held_json);
	}
	ctr_writes_step(w);
}

void ctr_rejects_record(struct ctr_rejects *r, struct ctr_writes *w)
{
	for (size_t i = 0; i < r->count; i++) {
		record(r, &r->ops[i], w);
		op_clear(&r->ops[i]);
	}
	r->count = 0;
}
