/*
 * streams_sql.c - the engine's streams: created on first sight, or read back
 * from the streams table (with their held events, from rejected_events) the
 * first time an incremental run meets them; written back when they changed.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes.h"
#include "engine/engine_internal.h"

int ctr_streams_prepare(struct ctr_engine *e, struct ctr_error *err)
{
	int rc = ctr_db_prepare(e->db, "SELECT family, next_seq, opened, held FROM streams"
				" WHERE stream = ?", &e->get_stream, err);

	if (rc == 0)
		rc = ctr_db_prepare(e->db, "INSERT OR REPLACE INTO streams (stream, family, next_seq,"
				    " opened, held) VALUES (?,?,?,?,?)", &e->put_stream, err);
	/*
	 * In the order they arrived, as one run holds them: rows get rowids in the
	 * order they are written (positions as text would put line 10 before line 2,
	 * and two events held for one seq would swap after a restart, E2 and E4).
	 */
	if (rc == 0)
		rc = ctr_db_prepare(e->db, "SELECT seq, event_id, held_json, position, run_id"
				    " FROM rejected_events WHERE stream = ? AND held_json IS NOT NULL"
				    " ORDER BY seq, rowid", &e->get_held, err);
	return rc;
}

void ctr_streams_finalize(struct ctr_engine *e)
{
	sqlite3_finalize(e->get_stream);
	sqlite3_finalize(e->put_stream);
	sqlite3_finalize(e->get_held);
}

static int load_held(struct ctr_engine *e, struct ctr_stream *s, struct ctr_error *err)
{
	sqlite3_stmt *stmt = e->get_held;
	int rc = 0, step;

	sqlite3_bind_text(stmt, 1, s->name, -1, SQLITE_STATIC);
	for (;;) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		struct ctr_held *h;
		if (s->held_count == s->held_cap) {
			size_t grown = s->held_cap ? s->held_cap * 2 : 4;
			struct ctr_held *moved = realloc(s->held, grown * sizeof(*moved));
			if (moved == NULL) {
				rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
				break;
			}
			s->held = moved;
			s->held_cap = grown;
		}
		h = &s->held[s->held_count++];
		memset(h, 0, sizeof(*h));
		h->seq = sqlite3_column_int64(stmt, 0);
		h->id = strdup((const char *)sqlite3_column_text(stmt, 1));
		h->json = strdup((const char *)sqlite3_column_text(stmt, 2));
		h->position = strdup((const char *)sqlite3_column_text(stmt, 3));
		if (h->id == NULL || h->json == NULL || h->position == NULL ||
		    ctr_engine_note_held(e, h->id) != 0) {
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
			break;
		}
		/* held in this run by a stream since evicted: its counts still move (E3) */
		h->this_run = sqlite3_column_int64(stmt, 4) == e->run_id;
		/* the digest is taken again when the event is decoded for its retry */
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(e->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return rc;
}

static int load(struct ctr_engine *e, struct ctr_stream *s, struct ctr_error *err)
{
	sqlite3_stmt *stmt = e->get_stream;
	int step, rc = 0, held = 0;

	sqlite3_bind_text(stmt, 1, s->name, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		const char *family = (const char *)sqlite3_column_text(stmt, 0);
		for (int f = CTR_FAMILY_CONTRACT; f <= CTR_FAMILY_STORE; f++)
			if (strcmp(family, ctr_family_name((enum ctr_family)f)) == 0)
				s->family = (enum ctr_family)f;
		s->next_seq = sqlite3_column_int64(stmt, 1);
		s->opened = sqlite3_column_int(stmt, 2);
		held = sqlite3_column_int(stmt, 3) > 0;
		s->stored = 1;
	} else if (step != SQLITE_DONE) {
		rc = ctr_db_error(e->db, CTR_EDB, err);
	}
	sqlite3_reset(stmt);
	/* held is written with the stream in every batch that holds or releases one */
	if (rc == 0 && held)
		rc = load_held(e, s, err);
	return rc;
}

/*
 * Whether a stream not in memory may have a row. On a database that held no
 * stream when the run began, only the streams this run evicted can: asking
 * the database about every new stream would cost a query each, and during an
 * overlapped write a wait for the connection's mutex.
 */
static int was_stored(const struct ctr_engine *e, const char *name)
{
	return !e->db_fresh || ctr_keyset_has(e->evicted, ctr_keyset_key(name));
}

struct ctr_stream *ctr_streams_get(struct ctr_engine *e, const char *name, uint64_t hash,
				   enum ctr_family family, struct ctr_error *err)
{
	struct ctr_stream *s = ctr_strmap_get_hashed(e->streams, name, hash);
	struct ctr_arena arena = { 0 };

	if (s != NULL)
		return s;
	/* the stream is the first thing in its own arena, which it then keeps */
	s = ctr_arena_zalloc(&arena, sizeof(*s));
	if (s != NULL)
		s->name = ctr_strmap_put(e->streams, name, s);
	if (s == NULL || s->name == NULL) {
		ctr_arena_deinit(&arena);
		ctr_error_set(err, CTR_ENOMEM, "out of memory");
		return NULL;
	}
	s->arena = arena;
	s->family = family;
	s->next_seq = 1;
	if (was_stored(e, name) && load(e, s, err) != 0)
		return NULL;
	return s;
}

/* Whether name's stored row says it holds events: 0 or 1, or an error. */
static int stored_holding(struct ctr_engine *e, const char *name, struct ctr_error *err)
{
	sqlite3_stmt *stmt = e->get_stream;
	int step, holding = 0;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW)
		holding = sqlite3_column_int(stmt, 3) > 0;
	else if (step != SQLITE_DONE)
		holding = ctr_db_error(e->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return holding;
}

int ctr_streams_find_holding(struct ctr_engine *e, const char *name, uint64_t hash,
			     struct ctr_stream **out, struct ctr_error *err)
{
	int holding;

	*out = ctr_strmap_get_hashed(e->streams, name, hash);
	if (*out != NULL || !was_stored(e, name))
		return 0;
	/* a stream that holds nothing is not loaded: one not stored would stay in memory */
	holding = stored_holding(e, name, err);
	if (holding != 1)
		return holding;
	*out = ctr_streams_get(e, name, hash, CTR_FAMILY_CONTRACT, err); /* its row sets the family */
	return *out == NULL ? err->code : 0;
}

void ctr_streams_touch(struct ctr_engine *e, struct ctr_stream *stream)
{
	stream->last_batch = e->batch_number;
	if (stream->dirty)
		return;
	if (e->dirty_end == NULL)
		e->dirty_end = &e->dirty_first;
	stream->next_dirty = NULL;
	*e->dirty_end = stream;
	e->dirty_end = &stream->next_dirty;
	stream->dirty = 1;
}

void ctr_streams_record(struct ctr_engine *e, struct ctr_writes *w)
{
	for (struct ctr_stream *s = e->dirty_first; s != NULL; s = s->next_dirty) {
		s->dirty = 0;
		ctr_writes_stmt(w, e->put_stream);
		ctr_writes_text(w, 1, s->name);
		ctr_writes_text(w, 2, ctr_family_name(s->family));
		ctr_writes_int(w, 3, s->next_seq);
		ctr_writes_int(w, 4, s->opened);
		ctr_writes_int(w, 5, (int64_t)s->held_count);
		ctr_writes_step(w);
		if (!s->stored) { /* a new stream: its aggregate, if any, is the one in memory */
			s->stored = 1;
			s->loaded = 1;
		}
	}
	e->dirty_first = NULL;
	e->dirty_end = &e->dirty_first;
}

struct eviction {
	struct ctr_engine *e;
	int64_t written;
};

/* 1 to keep the stream in memory; else it is freed. */
static int keep_stream(void *stream, void *ctx)
{
	struct ctr_stream *s = stream;
	struct eviction *ev = ctx;

	if (s->last_batch >= ev->written || !s->stored)
		return 1;
	if (ev->e->db_fresh && ctr_keyset_add(ev->e->evicted, ctr_keyset_key(s->name)) != 0)
		ev->e->db_fresh = 0; /* out of memory for the set: ask the database every time */
	/* a blocked stream too: its held events are in rejected_events, read back with it */
	ctr_engine_forget_held(ev->e, s);
	ctr_arena_deinit(&s->arena); /* the stream and its aggregate */
	return 0;
}

/*
 * Drops the streams no event touched in the batch just written, with their
 * aggregates: their rows are in the database and are read back if an event
 * names them again, so memory follows the active streams, not the history.
 */
int ctr_streams_evict_idle(struct ctr_engine *e, int64_t written)
{
	struct eviction ev = { e, written };

	if (ctr_strmap_retain(e->streams, keep_stream, &ev) != 0)
		return CTR_ENOMEM;
	return 0;
}
