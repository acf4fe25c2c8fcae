/*
 * avro_file_fixture.c - the log, the byte images and the helpers that the
 * tests of the Avro container share (avro_file_fixture.h).
 */
#include "tests/events/avro_file_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct bytes expected, got, before, after;
char path[64];

void bytes_add(struct bytes *b, const void *data, size_t len)
{
	cr_assert_leq(b->len + len, sizeof(b->data));
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

void avro_file_setup(void)
{
	int fd;

	strcpy(path, "/tmp/contrail-avro-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	unlink(path); /* create() wants a new file */
}

void avro_file_teardown(void)
{
	unlink(path);
}

void slurp_log(struct bytes *b)
{
	FILE *fp = fopen(path, "rb");

	cr_assert_not_null(fp);
	b->len = fread(b->data, 1, sizeof(b->data), fp);
	cr_assert(feof(fp), "%s is larger than a test buffer", path);
	fclose(fp);
}

void spill_log(const struct bytes *b)
{
	FILE *fp = fopen(path, "wb");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(b->data, 1, b->len, fp), b->len);
	fclose(fp);
}

/* Appends records "r<first>".. to w and expected: Avro strings, zigzag length then bytes. */
void append_records(struct ctr_avro_writer *w, int first, int n)
{
	struct ctr_error err;
	uint8_t record[16];

	for (int i = first; i < first + n; i++) {
		int len = snprintf((char *)record + 1, sizeof(record) - 1, "r%d", i);
		record[0] = (uint8_t)(len * 2);
		cr_assert_eq(ctr_avro_writer_append(w, record, (size_t)len + 1, &err), 0, "%s",
			     err.message);
		bytes_add(&expected, record, (size_t)len + 1);
	}
}

void create_log(const char *codec, int n)
{
	const char *keys[] = { "contrail.schema_id" }, *values[] = { "7" };
	struct ctr_avro_writer *w;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, codec, keys, values, 1, &w, &err), 0,
		     "%s", err.message);
	append_records(w, 0, n);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
}

struct ctr_avro_reader *open_reader(void)
{
	struct ctr_avro_reader *r = NULL;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), 0, "%s", err.message);
	return r;
}

/* Reads every block into got; returns the number of blocks and sets *records. */
int read_log(int64_t *records)
{
	struct ctr_avro_reader *r = open_reader();
	struct ctr_avro_block blk;
	struct ctr_error err;
	int blocks = 0, rc;

	*records = 0;
	while ((rc = ctr_avro_reader_next_block(r, &blk, &err)) == 1) {
		bytes_add(&got, blk.data, blk.size);
		*records += blk.count;
		blocks++;
	}
	cr_assert_eq(rc, 0, "%s", err.message);
	ctr_avro_reader_close(r);
	return blocks;
}

/* The offset of the last block of the log (or its data start when it has none). */
uint64_t last_block_offset(void)
{
	struct ctr_avro_reader *r = open_reader();
	struct ctr_avro_block blk;
	struct ctr_error err;
	uint64_t last = ctr_avro_reader_data_start(r);

	while (ctr_avro_reader_next_block(r, &blk, &err) == 1)
		last = blk.offset;
	ctr_avro_reader_close(r);
	return last;
}

/* "at byte offset N" for the last block of the log. */
void last_block_at(char *where, size_t size)
{
	snprintf(where, size, "at byte offset %llu", (unsigned long long)last_block_offset());
}

/* Reads blocks until one fails; returns that error and leaves its message in err. */
int first_failure(struct ctr_error *err)
{
	struct ctr_avro_reader *r = open_reader();
	struct ctr_avro_block blk;
	int rc;

	while ((rc = ctr_avro_reader_next_block(r, &blk, err)) == 1)
		;
	ctr_avro_reader_close(r);
	return rc;
}
