/*
 * decode.h - JSON Lines and Avro records to struct ctr_event, and back.
 *
 * A decoder holds one reusable Avro value of the current catalog schema (and,
 * for a log written under another schema, one of the writer's); Avro records
 * in the current schema are read onto a tape instead (avro_tape.h). Either
 * way decoding allocates nothing per event on the Avro path.
 */
#ifndef CTR_DECODE_H
#define CTR_DECODE_H

#include <avro.h>
#include <stdio.h>

#include "events/catalog.h"
#include "events/error.h"
#include "events/event.h"

struct ctr_decoder;

/*
 * A decoder for events in the current schema (JSON Lines, or Avro written with
 * the current schema), or for Avro records written with writer_json (a log's
 * header schema; NULL for the current one). check_formats 0 skips the format
 * checks of validate.h, as ingest does: formats are judged at replay.
 */
int ctr_decoder_new(const char *writer_json, int check_formats, struct ctr_decoder **out,
		    struct ctr_error *err);
void ctr_decoder_free(struct ctr_decoder *d);

/* Decodes one JSON Lines line (without its newline) into ev; never fails, ev->code says. */
void ctr_decode_json(struct ctr_decoder *d, const char *line, size_t len, struct ctr_event *ev);
/*
 * The same for the JSON form contrail made of an event it read (a held event's, kept to be
 * retried), without the 1 MiB a line may take: the event's size was judged (E6) on the form
 * it was read in, and its JSON may be longer (defaults filled in, control characters escaped
 * six bytes each), so the event is judged the same held or not (E4).
 */
void ctr_decode_json_kept(struct ctr_decoder *d, const char *json, size_t len,
			  struct ctr_event *ev);

/* Starts decoding the records of one Avro block (borrowed until the block is done). */
void ctr_decoder_block(struct ctr_decoder *d, const uint8_t *data, size_t size);
/* Whether bytes of the block are left after the records decoded so far. */
int ctr_decoder_block_left(const struct ctr_decoder *d);
/*
 * Decodes the block's next record into ev. Returns 1 when a record was
 * decoded (ev->code may still reject it), 0 at the end of the block, and -1
 * when the record is damaged (ev->message says how); the rest of the block
 * cannot be read then.
 */
int ctr_decode_avro_next(struct ctr_decoder *d, struct ctr_event *ev);

/*
 * Decodes data as exactly one record (a Kafka message's). Returns 1, or -1
 * with ev rejected: too_large when data is over 1 MiB (E6, decodable or not),
 * bad_avro when it does not decode, is empty or has bytes after the record.
 */
int ctr_decode_avro_record(struct ctr_decoder *d, const uint8_t *data, size_t size,
			   struct ctr_event *ev);

/*
 * The Avro binary encoding of the last decoded event in the decoder's own
 * schema. Borrowed: for a record read from Avro in the current schema, its own
 * bytes as read (valid while their block or message is), else the decoder's
 * buffer (valid until the next call).
 */
int ctr_decoder_encode(struct ctr_decoder *d, const void **bytes, size_t *len,
		       struct ctr_error *err);
/* The last decoded event as one JSON Lines line (no newline); the caller free()s it. */
char *ctr_decoder_to_json(struct ctr_decoder *d);

/* The catalog id of the schema the decoder reads and encodes with; 0 when not in the catalog. */
int ctr_decoder_schema_id(const struct ctr_decoder *d);
/*
 * 1 when the decoder's schema has the current schema's payloads at the same
 * places in its data union (any catalog version has), so that an event encoded
 * for it from JSON takes the branch its type names; 0 for another writer's
 * order, which only reading resolves (by name).
 */
int ctr_decoder_payloads_in_place(const struct ctr_decoder *d);
/*
 * The first envelope field the decoder's schema leaves out (another writer's,
 * which Avro fills with the catalog's default on reading), or NULL when it has
 * them all. Such a decoder reads Avro records only: ctr_decode_json() has no
 * place to put that field and must not be given one.
 */
const char *ctr_decoder_missing_field(const struct ctr_decoder *d);

#endif
