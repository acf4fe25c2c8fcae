/*
 * avro_file_write_internal.h - the writer of avro_file.h, shared by
 * avro_file_create.c (a new log) and avro_file_write.c (appending, moving a
 * cut-short end aside, closing). Not for use elsewhere.
 */
#ifndef CTR_AVRO_FILE_WRITE_INTERNAL_H
#define CTR_AVRO_FILE_WRITE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "events/avro_file_internal.h"
#include "events/error.h"

struct ctr_avro_writer {
	FILE *fp;
	char *path;
	struct avro_header header;
	uint8_t *block;
	size_t block_len, block_cap;
	int64_t block_count;
	uint8_t *compressed;
	size_t compressed_cap;
	char *torn_path;       /* where a cut-short last block was moved, or NULL */
	uint64_t torn_bytes;
	int64_t written;       /* records in the blocks this writer wrote whole */
	int failed;            /* a block write failed: nothing more is written */
	int created;           /* the file is new: its directory is synced after it at close */
};

/*
 * Closes w's file (nothing synced) and frees w and all it holds: the end of a
 * writer that failed, and of one already closed.
 */
void ctr_avro_writer_discard(struct ctr_avro_writer *w);

/*
 * Copies the log's bytes from end on into a file of their own beside it
 * (PATH.torn-END) and syncs it, before the caller cuts them from the log: an
 * append or a create cut short loses nothing, though its bytes cannot be read.
 * 0 with w's file at its start again; CTR_EWRITE when the bytes cannot be
 * copied (the copy then removed) or the file not rewound.
 */
int ctr_avro_writer_move_aside(struct ctr_avro_writer *w, uint64_t end, struct ctr_error *err);

#endif
