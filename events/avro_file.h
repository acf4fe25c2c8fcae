/*
 * avro_file.h - the Avro object container file format (Avro 1.11 spec): our
 * local event log. This module handles only the container — header, blocks,
 * sync markers, the null and deflate codecs — and hands out or takes the raw
 * encoded records; decode.h turns records into events. It does not use Avro C.
 *
 * Reading checks every length it meets (varints at most 10 bytes, a block at
 * most 64 MiB stored and 64 MiB inflated, at most 1024 metadata entries and
 * 16 MiB of metadata), so a damaged file gives CTR_ECORRUPT with the path and
 * byte offset of the damage, never a wild allocation or an endless loop.
 * The reader is in avro_file.c, the writer in avro_file_create.c (a new
 * file) and avro_file_write.c, the header both of them use in avro_header.c.
 */
#ifndef CTR_AVRO_FILE_H
#define CTR_AVRO_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "events/error.h"

struct ctr_avro_block {
	uint64_t offset;      /* file offset where the block starts (its count varint) */
	uint64_t next_offset; /* file offset just past its sync marker */
	int64_t count;        /* records in the block, >= 0 */
	const uint8_t *data;  /* decompressed records; owned by the reader, valid until the
				 next call on it */
	size_t size;
};

struct ctr_avro_reader;

/*
 * 1 when the file open on fd begins with the magic of an Avro object
 * container file, read where it lies (pread: a stream over fd keeps its
 * place); 0 otherwise, a pipe among them. A JSON line cannot begin so.
 */
int ctr_avro_file_magic_at(int fd);

/*
 * Opens path and reads and checks its header: CTR_EIO if it cannot be opened,
 * CTR_ECORRUPT for a bad magic or a damaged header, CTR_EINVAL for a codec
 * other than null and deflate (the message names it). On success *out is
 * the caller's, freed with ctr_avro_reader_close().
 */
int ctr_avro_reader_open(const char *path, struct ctr_avro_reader **out, struct ctr_error *err);
/* Closes the file and frees r; NULL does nothing. */
void ctr_avro_reader_close(struct ctr_avro_reader *r);
/* The writer schema (avro.schema) as NUL-terminated JSON text, owned by r. */
const char *ctr_avro_reader_schema(const struct ctr_avro_reader *r);
/* Another metadata value as a NUL-terminated copy owned by r, or NULL. */
const char *ctr_avro_reader_meta(const struct ctr_avro_reader *r, const char *key);
/* The 16-byte sync marker, owned by r. */
const uint8_t *ctr_avro_reader_sync(const struct ctr_avro_reader *r);
/* The size of the open file in bytes now (0 when it cannot be told). */
uint64_t ctr_avro_reader_size(const struct ctr_avro_reader *r);
/* The offset of the first block (the end of the header). */
uint64_t ctr_avro_reader_data_start(const struct ctr_avro_reader *r);
/*
 * Makes the next ctr_avro_reader_next_block() read the block at block_offset
 * (a block's offset or next_offset, or the data start). An offset that is not
 * right after a sync marker, or past the end of the file, is CTR_ECORRUPT and
 * leaves the reader where it was.
 */
int ctr_avro_reader_seek(struct ctr_avro_reader *r, uint64_t block_offset, struct ctr_error *err);
/*
 * Reads the next block: 1 with blk filled, 0 at a clean end of the file, or
 * CTR_ECORRUPT (a truncated block, a bad sync marker, a negative count or
 * size, a block over 64 MiB, data that does not inflate) with the block's
 * offset in err, CTR_EIO for a read error. No per-record work: a block is
 * one read and, for deflate, one inflate, into buffers reused across blocks.
 */
int ctr_avro_reader_next_block(struct ctr_avro_reader *r, struct ctr_avro_block *blk,
			       struct ctr_error *err);
/* 1 when the last block read failed as an append cut short leaves a log: the file ends
 * inside it and no sync marker follows it (a block whose size runs past the end of the
 * file with whole blocks after it is damage, not a cut). */
int ctr_avro_reader_torn(const struct ctr_avro_reader *r);

struct ctr_avro_writer;

/*
 * Creates path with the schema, codec ("null" or "deflate"; anything else is
 * CTR_EINVAL), n_meta more metadata pairs and a random sync marker, under the
 * lock appends take: two writers creating one log find out which came first.
 * CTR_EEXIST when path is a log already (append to it instead); an empty file,
 * or one that ends inside a header (a creator killed as it wrote it), is taken
 * as missing, the bytes of the latter moved to PATH.torn-0 first (no event
 * was in it). On success *out is the caller's, released with
 * ctr_avro_writer_close().
 */
int ctr_avro_writer_create(const char *path, const char *schema_json, const char *codec,
			   const char *const *meta_keys, const char *const *meta_values, int n_meta,
			   struct ctr_avro_writer **out, struct ctr_error *err);
/*
 * Opens an existing log for appending after reading every block to check the
 * tail is whole. A file that ends inside its last block (an append cut short:
 * the writer holds the file's lock, so no live one is writing) has that
 * block's bytes copied to PATH.torn-OFFSET, synced, and cut from the log;
 * other damage is CTR_ECORRUPT naming the offset, and nothing is written
 * then. New blocks use the file's codec and sync marker.
 */
int ctr_avro_writer_open_append(const char *path, struct ctr_avro_writer **out,
				struct ctr_error *err);
/* The file a cut-short block was moved to by the open, and its size; NULL when none. */
const char *ctr_avro_writer_moved_aside(const struct ctr_avro_writer *w, uint64_t *bytes);
/* The schema and metadata values, owned by w. */
const char *ctr_avro_writer_schema(const struct ctr_avro_writer *w);
const char *ctr_avro_writer_meta(const struct ctr_avro_writer *w, const char *key);
/*
 * Adds one encoded record (copied); a block is written when it holds about 64 KiB.
 * A block write that fails (CTR_EWRITE) cuts the file back to the end of the last
 * whole block; the writer writes nothing after it, and its flush and close fail.
 */
int ctr_avro_writer_append(struct ctr_avro_writer *w, const void *record, size_t len,
			   struct ctr_error *err);
/* Writes the pending block and fflushes the file (no fsync). */
int ctr_avro_writer_flush(struct ctr_avro_writer *w, struct ctr_error *err);
/* The records in the blocks w has written whole so far. */
int64_t ctr_avro_writer_written(const struct ctr_avro_writer *w);
/*
 * Flushes, fsyncs and closes, and for a file w created syncs its directory after it;
 * frees w even when it fails (err may be NULL); NULL does nothing.
 */
int ctr_avro_writer_close(struct ctr_avro_writer *w, struct ctr_error *err);

#endif
