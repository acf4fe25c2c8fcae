/*
 * test_avro_file.c - the Avro container (events/avro_file*.c): records
 * written and read back byte for byte, appends, seeks, and what the reader
 * and writer refuse. Damaged files are in test_avro_file_damage.c, files
 * exchanged with avrocat and Python's avro in test_avro_file_interop.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/avro_file.h"
#include "tests/events/avro_file_fixture.h"

TestSuite(avro_file, .init = avro_file_setup, .fini = avro_file_teardown);

/* Writes RECORDS records and reads them back, byte for byte, in four blocks. */
static void check_round_trip(const char *codec)
{
	int64_t records;

	create_log(codec, RECORDS);
	cr_assert_eq(read_log(&records), 4);
	cr_assert_eq(records, RECORDS);
	cr_assert_eq(got.len, expected.len);
	cr_assert_arr_eq(got.data, expected.data, got.len);
	slurp_log(&before);
	if (strcmp(codec, "deflate") == 0)
		cr_assert_lt(before.len, expected.len / 2, "deflate did not compress");
}

Test(avro_file, null_records_come_back_byte_for_byte_across_blocks)
{
	check_round_trip("null");
}

Test(avro_file, deflate_records_come_back_byte_for_byte_across_blocks)
{
	check_round_trip("deflate");
}

Test(avro_file, a_deflate_block_of_identical_records_is_not_mistaken_for_damage)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;
	int64_t records;

	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, "deflate", NULL, NULL, 0, &w, &err), 0);
	for (int i = 0; i < 40000; i++) /* 80 KB that deflate to a few hundred bytes */
		cr_assert_eq(ctr_avro_writer_append(w, "\x02x", 2, &err), 0);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
	read_log(&records);
	cr_assert_eq(records, 40000);
	cr_assert_eq(got.len, 80000);
}

Test(avro_file, the_header_gives_back_schema_codec_metadata_and_sync)
{
	struct ctr_avro_reader *r;
	int64_t records;

	create_log("deflate", 0);
	r = open_reader();
	cr_assert_str_eq(ctr_avro_reader_schema(r), SCHEMA);
	cr_assert_str_eq(ctr_avro_reader_meta(r, "avro.codec"), "deflate");
	cr_assert_str_eq(ctr_avro_reader_meta(r, "contrail.schema_id"), "7");
	cr_assert_null(ctr_avro_reader_meta(r, "no.such.key"));
	slurp_log(&before);
	cr_assert_eq(ctr_avro_reader_data_start(r), before.len, "an empty log is all header");
	cr_assert_arr_eq(ctr_avro_reader_sync(r), before.data + before.len - 16, 16);
	ctr_avro_reader_close(r);
	cr_assert_eq(read_log(&records), 0, "an empty log has no blocks");
}

Test(avro_file, an_append_keeps_the_header_and_sync_and_adds_blocks)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;
	int64_t records;

	create_log("deflate", 10);
	slurp_log(&before);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), 0, "%s", err.message);
	cr_assert_str_eq(ctr_avro_writer_schema(w), SCHEMA);
	cr_assert_str_eq(ctr_avro_writer_meta(w, "contrail.schema_id"), "7");
	append_records(w, 10, 5);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
	slurp_log(&after);
	cr_assert_gt(after.len, before.len);
	cr_assert_arr_eq(after.data, before.data, before.len, "the old bytes changed");
	cr_assert_arr_eq(after.data + after.len - 16, before.data + before.len - 16, 16);
	cr_assert_eq(read_log(&records), 2);
	cr_assert_eq(records, 15);
	cr_assert_eq(got.len, expected.len);
	cr_assert_arr_eq(got.data, expected.data, expected.len);
}

Test(avro_file, a_seek_to_a_block_offset_or_the_end_resumes_there)
{
	struct ctr_avro_reader *r;
	struct ctr_avro_block blk;
	struct ctr_error err;
	uint64_t second;

	create_log("null", RECORDS);
	r = open_reader();
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	second = blk.next_offset;
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	cr_assert_eq(blk.offset, second);
	bytes_add(&before, blk.data, blk.size);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	cr_assert_eq(ctr_avro_reader_seek(r, second, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	cr_assert_eq(blk.offset, second);
	cr_assert_eq(blk.size, before.len);
	cr_assert_arr_eq(blk.data, before.data, before.len);
	cr_assert_eq(ctr_avro_reader_seek(r, ctr_avro_reader_data_start(r), &err), 0);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1);
	cr_assert_eq(blk.offset, ctr_avro_reader_data_start(r));
	slurp_log(&after); /* the end of the log is a block offset too, with nothing after it */
	cr_assert_eq(ctr_avro_reader_seek(r, after.len, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 0);
	ctr_avro_reader_close(r);
}

Test(avro_file, a_seek_into_a_block_or_past_the_end_is_refused_and_reading_goes_on)
{
	struct ctr_avro_reader *r;
	struct ctr_avro_block blk;
	struct ctr_error err;
	uint64_t start;

	create_log("null", RECORDS);
	r = open_reader();
	start = ctr_avro_reader_data_start(r);
	cr_assert_eq(ctr_avro_reader_seek(r, start + 3, &err), CTR_ECORRUPT);
	cr_assert_message(err, "not the start of a block");
	cr_assert_eq(ctr_avro_reader_seek(r, 1u << 30, &err), CTR_ECORRUPT);
	cr_assert_eq(ctr_avro_reader_seek(r, 2, &err), CTR_ECORRUPT);
	cr_assert_eq(ctr_avro_reader_next_block(r, &blk, &err), 1, "%s", err.message);
	cr_assert_eq(blk.offset, start);
	ctr_avro_reader_close(r);
}

Test(avro_file, a_missing_file_is_an_io_error_naming_it)
{
	struct ctr_avro_reader *r = NULL;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_EIO);
	cr_assert_message(err, path);
}

Test(avro_file, create_refuses_an_existing_file)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;

	create_log("null", 1);
	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, "null", NULL, NULL, 0, &w, &err), CTR_EEXIST);
}

Test(avro_file, the_writer_refuses_an_unknown_codec_by_name)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, "zstandard", NULL, NULL, 0, &w, &err),
		     CTR_EINVAL);
	cr_assert_message(err, "zstandard");
	cr_assert_neq(access(path, F_OK), 0, "a file was left behind");
}

Test(avro_file, the_reader_refuses_an_unknown_codec_by_name)
{
	struct ctr_avro_reader *r = NULL;
	struct ctr_error err;
	uint8_t *codec;

	create_log("null", 3);
	slurp_log(&before);
	codec = memmem(before.data, before.len, "\x14" "avro.codec\x08null", 16);
	cr_assert_not_null(codec);
	memcpy(codec + 12, "zstd", 4);
	spill_log(&before);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_EINVAL);
	cr_assert_message(err, "\"zstd\"");
}

Test(avro_file, close_of_null_does_nothing)
{
	ctr_avro_reader_close(NULL);
	cr_assert_eq(ctr_avro_writer_close(NULL, NULL), 0);
}
