/*
 * avro_tape.h - decoding Avro binary records without Avro C's generic values.
 *
 * A plan is compiled once from a writer schema. Decoding a record walks the
 * plan over its bytes, bounds every length by the bytes that are there (as
 * avro_check.h does) and fills a tape: a flat array of values, a record's
 * fields side by side, with the record's strings copied into one buffer, each
 * ending in NUL. The values are read through Avro C's value interface, read
 * only, so code written for generic values reads them unchanged. Once the
 * tape has grown to the largest record, decoding allocates nothing.
 *
 * Generic values cost a tree of allocations per schema and a hash lookup per
 * field; on a replay, reading them was a third of the loop thread's time.
 *
 * Plans are compiled in avro_tape_plan.c, records decoded in avro_tape.c and
 * their values read in avro_tape_value.c (avro_tape_internal.h between them).
 */
#ifndef CTR_AVRO_TAPE_H
#define CTR_AVRO_TAPE_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

enum {
	CTR_TAPE_DAMAGED = -1,     /* the bytes cannot be a record of the schema */
	CTR_TAPE_UNSUPPORTED = -2, /* well formed maybe, but not for the tape: decode generically */
};

struct ctr_avro_plan;
struct ctr_avro_tape;

/*
 * The plan of schema (a reference is kept), or NULL when the tape cannot hold
 * its values (a map, a recursive type) or memory ran out.
 */
struct ctr_avro_plan *ctr_avro_plan_new(avro_schema_t schema);
void ctr_avro_plan_free(struct ctr_avro_plan *plan);

/* A tape for the records of plan (which must outlive it); NULL when out of memory. */
struct ctr_avro_tape *ctr_avro_tape_new(const struct ctr_avro_plan *plan);
void ctr_avro_tape_free(struct ctr_avro_tape *tape);

/*
 * Decodes the record at bytes[0..avail) into the tape and points *root at it
 * (valid until the next decode). Returns the record's encoded size, or one of
 * the CTR_TAPE_ codes. UNSUPPORTED covers a record not in Avro's canonical
 * encoding (an array in several blocks or with its byte size, a varint longer
 * than its value needs: its bytes are not its content's digest, E1), an array
 * of more items than a 1 MiB event could hold or of items that take no bytes,
 * and running out of memory. An array count larger than its items' bytes is
 * DAMAGED before any memory is set aside for them.
 */
int64_t ctr_avro_tape_decode(struct ctr_avro_tape *tape, const uint8_t *bytes, size_t avail,
			     avro_value_t *root);
/* After CTR_TAPE_DAMAGED: what was wrong, as a phrase ("an int out of range"). */
const char *ctr_avro_tape_damage(const struct ctr_avro_tape *tape);
/* After a record decoded: 1 when a string in it is not text, UTF-8 without NUL (utf8.h). */
int ctr_avro_tape_not_utf8(const struct ctr_avro_tape *tape);

#endif
