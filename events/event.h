/*
 * event.h - one decoded event: its envelope, its payload as an Avro value in
 * the current catalog schema, and what decoding found wrong with it.
 *
 * Events are produced by a struct ctr_decoder (decode.h) and borrowed: every
 * pointer stays valid until the decoder's next call.
 */
#ifndef CTR_EVENT_H
#define CTR_EVENT_H

#include <avro.h>
#include <stdint.h>

#include "events/codes.h"

#define CTR_EVENT_MAX_BYTES (1024 * 1024) /* E6 too_large */

struct ctr_event {
	/* envelope (DOMAIN.md section 1); "" when absent */
	const char *id;
	const char *type;
	const char *stream;
	const char *account;
	const char *at;
	const char *recorded; /* defaults to at */
	int64_t seq;
	int type_index;       /* catalog type index, -1 when unknown */
	/* set when decoding read the time (JSON Lines); else ctr_event_recorded_us() parses it */
	int recorded_known;
	int64_t recorded_us;

	avro_value_t data;    /* the payload; valid when code is CTR_CODE_OK */

	/*
	 * What decoding found: CTR_CODE_OK, or a rejection code. takes_place says
	 * whether the rejected event still occupies its seq in the stream (E2).
	 */
	enum ctr_code code;
	int takes_place;
	char message[256];
	/*
	 * Decoding ran out of memory: a failure, not the event's fault. The event
	 * also carries a rejection code, so that nothing applies it; a caller fails
	 * the run (CTR_ENOMEM) instead of storing it as rejected.
	 */
	int out_of_memory;

	const uint8_t *raw;   /* the bytes as read: a JSON line or an Avro record */
	size_t raw_len;
	int raw_is_avro;
	uint64_t digest;      /* of the content, for E1 duplicate checks */
};

/* An empty event: every envelope field "", type_index -1, code CTR_CODE_OK. */
void ctr_event_clear(struct ctr_event *ev);

/* Whether ev occupies its seq (E2): decoded, or rejected by a rule that lets it take its place. */
static inline int ctr_event_takes_place(const struct ctr_event *ev)
{
	return ev->code == CTR_CODE_OK || ev->takes_place;
}

/* Marks ev rejected with code and a printf-style message. */
void ctr_event_reject(struct ctr_event *ev, enum ctr_code code, int takes_place, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

/* No time: before every instant a timestamp can name, the epoch and earlier ones included. */
#define CTR_TIME_NONE INT64_MIN

/*
 * When ev was recorded, in microseconds since the epoch: recorded, or at
 * where recorded is not a time, CTR_TIME_NONE when neither is (E5). Only
 * --until asks, so an Avro record's is parsed here, when asked, not as it is
 * decoded.
 */
int64_t ctr_event_recorded_us(const struct ctr_event *ev);

#endif
