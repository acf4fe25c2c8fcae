/*
 * order.c - what happens to each event read (DOMAIN.md E1-E3): envelope
 * rejections, duplicates and conflicting duplicates, ordering within its
 * stream with held events, and the place it takes before the projections
 * judge it. Counts follow E3: read = applied + duplicates + rejected.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

enum origin { FRESH, HELD_THIS_RUN, HELD_EARLIER };

static void note(struct ctr_engine *e, const struct ctr_event *ev, const char *outcome,
		 enum ctr_code code, const char *message)
{
	if (e->options->observe)
		e->options->observe(e->options->observe_ctx, ev, outcome,
				    code ? ctr_code_name(code) : "", message ? message : "");
}

static int reject(struct ctr_engine *e, const struct ctr_event *ev, enum ctr_code code,
		  const char *message, const char *held_json)
{
	note(e, ev, held_json ? "held" : "rejected", code, message);
	e->counts.rejected++;
	return ctr_rejects_add(e->rejects, ctr_source_position(e->source), ev, code, message,
			       held_json);
}

/* An event takes its place in stream (E2) and the projections judge it. */
static int take_place(struct ctr_engine *e, struct ctr_stream *stream, struct ctr_event *ev,
		      enum origin origin, const char *position, struct ctr_error *err)
{
	char message[256] = "";
	enum ctr_code code = ev->code;
	int rc;

	rc = ctr_idset_add(e->ids, ctr_idset_key(ev->id), ev->digest);
	if (rc != 0)
		return ctr_error_set(err, rc, "out of memory");
	stream->next_seq++;
	ctr_streams_touch(e, stream);
	if (code == CTR_CODE_OK) {
		code = ctr_projections_apply(e->projections, stream, ev, message, sizeof(message),
					     err);
		if (code == CTR_CODE_COUNT)
			return err->code ? err->code : CTR_EDB;
	} else {
		snprintf(message, sizeof(message), "%s", ev->message);
	}
	if (origin == FRESH) {
		if (code == CTR_CODE_OK) {
			note(e, ev, "applied", CTR_CODE_OK, NULL);
			e->counts.applied++;
			return 0;
		}
		return reject(e, ev, code, message, NULL);
	}
	note(e, ev, code == CTR_CODE_OK ? "applied" : "rejected", code, message);
	if (code != CTR_CODE_OK) /* E2: a retried event that fails a rule gets that code */
		return ctr_rejects_recode(e->rejects, position, code, message);
	if (origin == HELD_THIS_RUN) {
		e->counts.rejected--;
		e->counts.applied++;
	} else {
		e->counts.released++;
	}
	return ctr_rejects_remove(e->rejects, position);
}

static void held_free(struct ctr_held *h)
{
	free(h->id);
	free(h->json);
	free(h->position);
}

/* done events held in memory are no longer (retried, or their stream evicted) */
static void forget_held_count(struct ctr_engine *e, size_t done)
{
	e->held_total -= (int64_t)done;
	if (e->held_total == 0) { /* none held anywhere: the keys start afresh */
		ctr_keyset_free(e->held_ids);
		e->held_ids = NULL;
	}
}

void ctr_engine_forget_held(struct ctr_engine *e, struct ctr_stream *stream)
{
	for (size_t i = 0; i < stream->held_count; i++)
		held_free(&stream->held[i]);
	free(stream->held);
	forget_held_count(e, stream->held_count);
	stream->held = NULL;
	stream->held_count = stream->held_cap = 0;
}

/*
 * E1 for a held event whose turn came: its id may have taken a place while it
 * waited, on another stream or on its own. It is then what it would have been
 * had it arrived after that event: a duplicate, or a conflicting one, that
 * takes no place. 1 when so (rc set), 0 when the id is still free.
 */
static int taken_meanwhile(struct ctr_engine *e, const struct ctr_held *h,
			   const struct ctr_event *ev, int *rc)
{
	static const char taken_message[] = "an event with this id and other content took its"
					    " place while this one was held";
	uint64_t digest = 0;

	if (!ctr_idset_find(e->ids, ctr_idset_key(h->id), &digest))
		return 0;
	if (digest != ev->digest) {
		note(e, ev, "rejected", CTR_CODE_CONFLICTING_DUPLICATE, taken_message);
		*rc = ctr_rejects_recode(e->rejects, h->position, CTR_CODE_CONFLICTING_DUPLICATE,
					 taken_message);
		return 1;
	}
	note(e, ev, "duplicate", CTR_CODE_OK, NULL);
	if (h->this_run) {
		e->counts.rejected--;
		e->counts.duplicates++;
	}
	*rc = ctr_rejects_remove(e->rejects, h->position);
	return 1;
}

/*
 * Retries the held events that are now next in line, in seq order (E2). Each
 * ends applied, rejected or a duplicate, and is noted so (an audit shows it).
 */
static int drain(struct ctr_engine *e, struct ctr_stream *stream, struct ctr_error *err)
{
	static const char taken[] = "seq already taken by an earlier event";
	size_t done = 0; /* those retried, moved out of the list once at the end */
	int rc = 0;

	while (rc == 0 && done < stream->held_count && stream->held[done].seq <= stream->next_seq) {
		struct ctr_held h = stream->held[done++];
		struct ctr_event ev;

		ctr_decode_json_kept(e->retry, h.json, strlen(h.json), &ev);
		if (h.digest != 0)
			ev.digest = h.digest;
		if (ev.out_of_memory) {
			rc = CTR_ENOMEM; /* the run stops: this batch is not committed */
		} else if (taken_meanwhile(e, &h, &ev, &rc)) {
			/* E1 before E2, as for an event read now */
		} else if (h.seq < stream->next_seq) {
			/* another event took this seq first: a step back now */
			note(e, &ev, "rejected", CTR_CODE_SEQUENCE_GAP, taken);
			rc = ctr_rejects_recode(e->rejects, h.position, CTR_CODE_SEQUENCE_GAP, taken);
		} else {
			rc = take_place(e, stream, &ev, h.this_run ? HELD_THIS_RUN : HELD_EARLIER,
					h.position, err);
		}
		held_free(&h);
	}
	if (done > 0) {
		stream->held_count -= done;
		memmove(stream->held, stream->held + done, stream->held_count * sizeof(*stream->held));
		ctr_streams_touch(e, stream);
		forget_held_count(e, done);
	}
	return rc;
}

int ctr_engine_note_held(struct ctr_engine *e, const char *id)
{
	if (e->held_ids == NULL && (e->held_ids = ctr_keyset_new()) == NULL)
		return CTR_ENOMEM;
	if (ctr_keyset_add(e->held_ids, ctr_keyset_key(id)) != 0)
		return CTR_ENOMEM;
	e->held_total++;
	return 0;
}

/*
 * E2: an early event waits, in seq order, for the events before it. It is kept
 * as its JSON (json, taken over), which its rejected_events row holds too: a
 * later run finds it there. Without that text (memory ran out) it cannot be
 * held in either place, and the run stops rather than keep something else.
 */
static int hold(struct ctr_engine *e, struct ctr_stream *stream, struct ctr_event *ev,
		char *json)
{
	enum ctr_code code = stream->held_count ? CTR_CODE_STREAM_BLOCKED : CTR_CODE_SEQUENCE_GAP;
	struct ctr_held h = { .seq = ev->seq, .digest = ev->digest, .json = json, .this_run = 1 };
	char message[160];
	size_t at = stream->held_count;

	h.id = strdup(ev->id);
	h.position = strdup(ctr_source_position(e->source));
	if (h.json == NULL || h.id == NULL || h.position == NULL ||
	    ctr_engine_note_held(e, ev->id) != 0)
		goto fail;
	if (stream->held_count == stream->held_cap) {
		size_t grown = stream->held_cap ? stream->held_cap * 2 : 4;
		struct ctr_held *moved = realloc(stream->held, grown * sizeof(*moved));
		if (moved == NULL)
			goto fail;
		stream->held = moved;
		stream->held_cap = grown;
	}
	while (at > 0 && stream->held[at - 1].seq > ev->seq)
		at--;
	memmove(stream->held + at + 1, stream->held + at,
		(stream->held_count - at) * sizeof(h));
	stream->held[at] = h;
	stream->held_count++;
	ctr_streams_touch(e, stream);
	snprintf(message, sizeof(message), "seq %lld arrived while %s waits for seq %lld",
		 (long long)ev->seq, stream->name, (long long)stream->next_seq);
	return reject(e, ev, code, message, json);

fail: /* out of memory */
	held_free(&h);
	return CTR_ENOMEM;
}

/*
 * E1 for an event held by an earlier run, of which only the JSON is kept: the
 * same content may be written otherwise (key order, spacing, escapes), so
 * texts that differ are compared as the decoder encodes them, as the digests
 * of one run's events are. -1 when out of memory.
 */
static int same_content(struct ctr_engine *e, const char *json, const char *held_json)
{
	struct ctr_event decoded;
	uint64_t digest;
	int placed;

	if (strcmp(json, held_json) == 0)
		return 1;
	/* one that takes its place without decoding is digested as canonical JSON */
	ctr_decode_json_kept(e->retry, json, strlen(json), &decoded);
	if (decoded.out_of_memory)
		return -1;
	digest = decoded.digest;
	placed = ctr_event_takes_place(&decoded);
	ctr_decode_json_kept(e->retry, held_json, strlen(held_json), &decoded);
	if (decoded.out_of_memory)
		return -1;
	return placed && ctr_event_takes_place(&decoded) && decoded.digest == digest;
}

/*
 * 1 when stream holds an event with ev's id and content: any of those under the
 * id, as a stream may hold two of other content (see order_in_stream()). The walk
 * only when the id was ever held. -1 when out of memory.
 */
static int held_same(struct ctr_engine *e, struct ctr_stream *stream, struct ctr_event *ev)
{
	char *json = NULL;
	int same = 0;

	if (stream->held_count == 0 || e->held_ids == NULL ||
	    !ctr_keyset_has(e->held_ids, ctr_keyset_key(ev->id)))
		return 0;
	for (size_t i = 0; i < stream->held_count && !same; i++) {
		const struct ctr_held *h = &stream->held[i];
		if (strcmp(h->id, ev->id) != 0)
			continue;
		if (h->digest != 0) {
			same = h->digest == ev->digest;
		} else { /* held by an earlier run, which kept its JSON, not its digest */
			if (json == NULL)
				json = e->source->to_json(e->source, ev);
			same = json != NULL ? same_content(e, json, h->json) : -1;
		}
	}
	free(json);
	return same;
}

static int duplicate(struct ctr_engine *e, struct ctr_event *ev)
{
	note(e, ev, "duplicate", CTR_CODE_OK, NULL);
	e->counts.duplicates++;
	return 0;
}

static int conflicting(struct ctr_engine *e, struct ctr_event *ev)
{
	return reject(e, ev, CTR_CODE_CONFLICTING_DUPLICATE,
		      "an event with this id and other content was already read", NULL);
}

/*
 * 1 when stream holds ev itself: its id and content, read at the same position
 * (by a run after an --until run, which stores no checkpoint and so is read
 * again from the start). It is that event, not a copy: counted a duplicate of
 * it, it leaves the held one's row and count as they are. -1 when out of
 * memory (held_same).
 */
static int holds_this_read(struct ctr_engine *e, struct ctr_stream *stream, struct ctr_event *ev)
{
	const char *position = NULL;

	for (size_t i = 0; i < stream->held_count; i++) {
		const struct ctr_held *h = &stream->held[i];
		if (strcmp(h->id, ev->id) != 0)
			continue;
		if (position == NULL)
			position = ctr_source_position(e->source);
		if (strcmp(h->position, position) == 0)
			return held_same(e, stream, ev);
	}
	return 0;
}

/*
 * E1 for an id that took its place (id_key is ev->id's key): 1 when it did,
 * ev then counted as a duplicate when its content is the same, else rejected
 * as a conflicting duplicate, unless it is an event its stream holds, read
 * again (holds_this_read). The stream is asked only on a conflict, and only
 * if it is in memory or stored holding events: no stream is made for it.
 * *rc: 0 or fatal.
 */
static int id_taken(struct ctr_engine *e, uint64_t id_key, uint64_t stream_hash,
		    struct ctr_event *ev, int *rc, struct ctr_error *err)
{
	struct ctr_stream *stream = NULL;
	uint64_t digest = 0;
	int held;

	*rc = 0;
	if (!ctr_idset_find(e->ids, id_key, &digest))
		return 0;
	if (digest == ev->digest) {
		*rc = duplicate(e, ev);
		return 1;
	}
	if (ctr_streams_find_holding(e, ev->stream, stream_hash, &stream, err) != 0) {
		*rc = err->code;
		return 1;
	}
	held = stream != NULL ? holds_this_read(e, stream, ev) : 0;
	if (held < 0)
		*rc = CTR_ENOMEM;
	else if (held)
		*rc = duplicate(e, ev);
	else
		*rc = conflicting(e, ev);
	return 1;
}

/*
 * E2 for an event whose id is free: a copy of one its stream holds, a step
 * back, held until its turn, or taking its place, the held events after it
 * then retried. The ids of held events have no place yet (E1 decided): only a
 * copy is handled here; an event under one with other content goes on to its
 * seq like any other, and of the two the one that takes a place first keeps
 * the id, whichever came first.
 */
static int order_in_stream(struct ctr_engine *e, struct ctr_stream *stream,
			   struct ctr_event *ev, struct ctr_error *err)
{
	int same = held_same(e, stream, ev), rc;

	if (same != 0)
		return same > 0 ? duplicate(e, ev) : CTR_ENOMEM;
	if (ev->seq < stream->next_seq)
		return reject(e, ev, CTR_CODE_SEQUENCE_GAP,
			      "seq is behind its stream (a step back)", NULL);
	if (ev->seq > stream->next_seq)
		return hold(e, stream, ev, e->source->to_json(e->source, ev));
	rc = take_place(e, stream, ev, FRESH, NULL, err);
	if (rc == 0)
		rc = drain(e, stream, err);
	return rc;
}

static int process(struct ctr_engine *e, struct ctr_event *ev, struct ctr_error *err)
{
	struct ctr_stream *stream;
	uint64_t id_key, stream_hash;
	int rc;

	/* E5: recorded after T was not known at T, however bad (read when neither time is one) */
	if (e->options->has_until && ctr_event_recorded_us(ev) > e->options->until_us) {
		e->counts.skipped++;
		return 0;
	}
	e->counts.read++;
	if (!ctr_event_takes_place(ev))
		return reject(e, ev, ev->code, ev->message, NULL);
	/* the id's slot and the stream's lie far apart in tables larger than the caches: asked
	 * for together, their two misses overlap instead of following one another */
	id_key = ctr_idset_key(ev->id);
	stream_hash = ctr_strmap_hash(ev->stream);
	ctr_idset_prefetch(e->ids, id_key);
	ctr_strmap_prefetch(e->streams, stream_hash);
	if (id_taken(e, id_key, stream_hash, ev, &rc, err))
		return rc;
	stream = ctr_streams_get(e, ev->stream, stream_hash, ctr_family_of(ev->type), err);
	if (stream == NULL)
		return err->code;
	return order_in_stream(e, stream, ev, err);
}

int ctr_engine_process(struct ctr_engine *e, struct ctr_event *ev, struct ctr_error *err)
{
	int rc = process(e, ev, err);

	/* the steps that keep rows and held events return CTR_ENOMEM without a message */
	if (rc != 0 && err->code == 0)
		ctr_error_set(err, rc, rc == CTR_ENOMEM ? "out of memory" : "event %s not processed",
			      ev->id);
	return rc;
}

void ctr_engine_free_streams(struct ctr_engine *e)
{
	size_t cursor = 0;
	const char *key;
	void *value;

	while (ctr_strmap_next(e->streams, &cursor, &key, &value)) {
		struct ctr_stream *s = value;
		ctr_engine_forget_held(e, s);
		ctr_arena_deinit(&s->arena); /* the stream and its aggregate */
	}
	ctr_strmap_free(e->streams);
}
