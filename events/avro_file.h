/*
 * avro_file.h - the Avro object container file format (Avro 1.11 spec): our
 * local event log. This module handles only the container — header, blocks,
 * sync markers, the null and deflate codecs — and hands out or takes the raw
 * encoded records; decode.h turns records into events.
 *
 * Reading checks every length it meets, so a damaged file gives CTR_ECORRUPT
 * with the byte offset of the damage, never a wild allocation.
 */
#ifndef CTR_AVRO_FILE_H
#define CTR_AVRO_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "events/error.h"

struct ctr_avro_block {
	uint64_t offset;      /* where the block starts (its record count) */
	uint64_t next_offset; /* just past its sync marker */
	int64_t count;        /* records in the block */
	const uint8_t *data;  /* decompressed records; valid until the next call on the reader */
	size_t size;
};

struct ctr_avro_reader;

/* Opens path and reads its header. Closed with ctr_avro_reader_close(). */
int ctr_avro_reader_open(const char *path, struct ctr_avro_reader **out, struct ctr_error *err);
void ctr_avro_reader_close(struct ctr_avro_reader *r);
/* The writer schema (avro.schema) as JSON text. */
const char *ctr_avro_reader_schema(const struct ctr_avro_reader *r);
/* Another metadata value, or NULL. */
const char *ctr_avro_reader_meta(const struct ctr_avro_reader *r, const char *key);
/* The 16-byte sync marker. */
const uint8_t *ctr_avro_reader_sync(const struct ctr_avro_reader *r);
/* The offset of the first block. */
uint64_t ctr_avro_reader_data_start(const struct ctr_avro_reader *r);
/* Continues reading at a block offset (one returned in a block's offset or next_offset). */
int ctr_avro_reader_seek(struct ctr_avro_reader *r, uint64_t block_offset, struct ctr_error *err);
/*
 * Reads the next block: 1 with blk filled, 0 at a clean end of the file, or
 * CTR_ECORRUPT (a truncated block, a wrong sync marker, an impossible size,
 * data that does not inflate) with the offset in err.
 */
int ctr_avro_reader_next_block(struct ctr_avro_reader *r, struct ctr_avro_block *blk,
			       struct ctr_error *err);

struct ctr_avro_writer;

/*
 * Creates path (CTR_EIO if it exists) with the schema, codec ("null" or
 * "deflate") and n_meta more metadata pairs, and a random sync marker.
 */
int ctr_avro_writer_create(const char *path, const char *schema_json, const char *codec,
			   const char *const *meta_keys, const char *const *meta_values, int n_meta,
			   struct ctr_avro_writer **out, struct ctr_error *err);
/*
 * Opens an existing log for appending after checking that its last block is
 * whole (CTR_ECORRUPT naming the offset otherwise; nothing is written then).
 */
int ctr_avro_writer_open_append(const char *path, struct ctr_avro_writer **out,
				struct ctr_error *err);
const char *ctr_avro_writer_schema(const struct ctr_avro_writer *w);
const char *ctr_avro_writer_meta(const struct ctr_avro_writer *w, const char *key);
/* Adds one encoded record; a block is written when it holds about 64 KiB. */
int ctr_avro_writer_append(struct ctr_avro_writer *w, const void *record, size_t len,
			   struct ctr_error *err);
/* Writes the pending block and flushes it to the file. */
int ctr_avro_writer_flush(struct ctr_avro_writer *w, struct ctr_error *err);
/* Flushes, fsyncs and closes; frees w even when it fails (err may be NULL). */
int ctr_avro_writer_close(struct ctr_avro_writer *w, struct ctr_error *err);

#endif
