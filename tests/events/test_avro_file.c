/*
 * test_avro_file.c - the Avro container (events/avro_file*.c): blocks written
 * and read back, appends, seeks, and damaged files reported with an offset.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/avro_file.h"

#define SCHEMA "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"s\",\"type\":\"string\"}]}"

static char path[64];

static void setup(void)
{
	int fd;

	strcpy(path, "/tmp/contrail-avro-XXXXXX");
	fd = mkstemp(path);
	close(fd);
	unlink(path); /* create() wants a new file */
}

static void teardown(void)
{
	unlink(path);
}

/* Writes n records "r<i>" (Avro strings: zigzag length, bytes). */
static void write_records(struct ctr_avro_writer *w, int first, int n)
{
	struct ctr_error err;
	unsigned char record[32];

	for (int i = first; i < first + n; i++) {
		int len = snprintf((char *)record + 1, sizeof(record) - 1, "r%d", i);
		record[0] = (unsigned char)(len * 2);
		cr_assert_eq(ctr_avro_writer_append(w, record, (size_t)len + 1, &err), 0, "%s", err.message);
	}
}

static long count_records(int *blocks)
{
	struct ctr_avro_reader *r;
	struct ctr_avro_block blk;
	struct ctr_error err;
	long records = 0;
	int rc;

	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), 0, "%s", err.message);
	*blocks = 0;
	while ((rc = ctr_avro_reader_next_block(r, &blk, &err)) == 1) {
		records += blk.count;
		(*blocks)++;
	}
	cr_assert_eq(rc, 0, "%s", err.message);
	ctr_avro_reader_close(r);
	return records;
}

static void create(const char *codec, int records)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, codec, NULL, NULL, 0, &w, &err), 0, "%s",
		     err.message);
	write_records(w, 0, records);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
}

TestSuite(avro_file, .init = setup, .fini = teardown);

Test(avro_file, records_come_back_across_several_blocks)
{
	int blocks;

	create("null", 20000);
	cr_assert_eq(count_records(&blocks), 20000);
	cr_assert_gt(blocks, 1);
}

Test(avro_file, deflate_blocks_inflate_to_the_same_records)
{
	int blocks;

	create("deflate", 20000);
	cr_assert_eq(count_records(&blocks), 20000);
}

Test(avro_file, an_append_keeps_the_header_and_adds_blocks)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;
	int blocks;

	create("null", 10);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), 0, "%s", err.message);
	cr_assert_str_eq(ctr_avro_writer_schema(w), SCHEMA);
	write_records(w, 10, 5);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
	cr_assert_eq(count_records(&blocks), 15);
	cr_assert_eq(blocks, 2);
}

Test(avro_file, a_seek_to_a_block_offset_resumes_there)
{
	struct ctr_avro_reader *r;
	struct ctr_avro_block blk;
	struct ctr_error err;
	uint64_t second;

	create("null", 20000);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), 0);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	second = blk.next_offset;
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	cr_assert_eq(blk.offset, second);
	cr_assert_eq(ctr_avro_reader_seek(r, second, &err), 0);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	cr_assert_eq(blk.offset, second);
	ctr_avro_reader_close(r);
}

Test(avro_file, a_truncated_log_is_reported_with_its_offset_and_refused_for_appending)
{
	struct ctr_avro_writer *w;
	struct ctr_avro_reader *r;
	struct ctr_avro_block blk;
	struct ctr_error err;
	long size;
	int rc;
	FILE *fp;

	create("null", 20000);
	fp = fopen(path, "rb");
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fclose(fp);
	cr_assert_eq(truncate(path, size - 10), 0);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), 0);
	while ((rc = ctr_avro_reader_next_block(r, &blk, &err)) == 1)
		;
	cr_assert_eq(rc, CTR_ECORRUPT);
	cr_assert(strstr(err.message, "byte offset") != NULL, "%s", err.message);
	ctr_avro_reader_close(r);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), CTR_ECORRUPT);
}

Test(avro_file, a_wrong_sync_marker_is_damage)
{
	struct ctr_avro_reader *r;
	struct ctr_avro_block blk;
	struct ctr_error err;
	FILE *fp;

	create("null", 10);
	fp = fopen(path, "r+b");
	fseek(fp, -1, SEEK_END);
	fputc('!', fp);
	fclose(fp);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), 0);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), CTR_ECORRUPT);
	cr_assert(strstr(err.message, "sync marker") != NULL, "%s", err.message);
	ctr_avro_reader_close(r);
}

Test(avro_file, a_file_without_the_magic_is_not_opened)
{
	struct ctr_avro_reader *r;
	struct ctr_error err;
	FILE *fp = fopen(path, "wb");

	fputs("PK\x03\x04 not avro", fp);
	fclose(fp);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_ECORRUPT);
	cr_assert(strstr(err.message, "not an Avro") != NULL, "%s", err.message);
}

Test(avro_file, an_unknown_codec_is_refused)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, "zstandard", NULL, NULL, 0, &w, &err),
		     CTR_EINVAL);
}

Test(avro_file, avrocat_reads_what_we_write)
{
	char command[128], line[64];
	FILE *out;
	int lines = 0;

	create("null", 3);
	snprintf(command, sizeof(command), "avrocat %s", path);
	out = popen(command, "r");
	while (fgets(line, sizeof(line), out))
		cr_assert_str_eq(line, lines++ == 0 ? "{\"s\": \"r0\"}\n" : line);
	cr_assert_eq(pclose(out), 0);
	cr_assert_eq(lines, 3);
}
