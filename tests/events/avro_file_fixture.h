/*
 * avro_file_fixture.h - what the tests of the Avro container
 * (test_avro_file*.c) share: a new temporary log path for each test, the
 * byte images they compare, and helpers that write, read and damage the log.
 */
#ifndef CTR_TEST_AVRO_FILE_FIXTURE_H
#define CTR_TEST_AVRO_FILE_FIXTURE_H

#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "events/avro_file.h"

#define SCHEMA \
	"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"s\",\"type\":\"string\"}]}"
#define RECORDS 30000 /* about 200 KiB of records: four blocks of 64 KiB or less */

#define cr_assert_message(err, words) \
	cr_assert(strstr((err).message, (words)), "%s (want: %s)", (err).message, (words))

/* Records and file images; global, as each test runs in its own process. */
struct bytes {
	uint8_t data[1 << 19];
	size_t len;
};

extern struct bytes expected, got, before, after;
extern char path[64]; /* the log: a new name for each test, no file yet */

/* The avro_file suite's .init and .fini: path is made up, and removed after. */
void avro_file_setup(void);
void avro_file_teardown(void);

void bytes_add(struct bytes *b, const void *data, size_t len);
/* The file at path into b, and b into the file at path. */
void slurp_log(struct bytes *b);
void spill_log(const struct bytes *b);
/* Appends records "r<first>".. to w and expected: Avro strings, zigzag length then bytes. */
void append_records(struct ctr_avro_writer *w, int first, int n);
/* A new log at path of n records in codec, with the metadata contrail.schema_id 7. */
void create_log(const char *codec, int n);
struct ctr_avro_reader *open_reader(void);
/* Reads every block into got; returns the number of blocks and sets *records. */
int read_log(int64_t *records);
/* The offset of the last block of the log (or its data start when it has none). */
uint64_t last_block_offset(void);
/* "at byte offset N" for the last block of the log. */
void last_block_at(char *where, size_t size);
/* Reads blocks until one fails; returns that error and leaves its message in err. */
int first_failure(struct ctr_error *err);

#endif
