/*
 * test_avro_file.c - the Avro container (events/avro_file*.c): records
 * written and read back byte for byte, appends, seeks, damaged files reported
 * with their offset, and files exchanged with avrocat and Python's avro.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/avro_file.h"

#define SCHEMA \
	"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"s\",\"type\":\"string\"}]}"
#define RECORDS 30000 /* about 200 KiB of records: four blocks of 64 KiB or less */

#define cr_assert_message(err, words) \
	cr_assert(strstr((err).message, (words)), "%s (want: %s)", (err).message, (words))

/* Records and file images; static, as each test runs in its own process. */
struct bytes {
	uint8_t data[1 << 19];
	size_t len;
};

static struct bytes expected, got, before, after;
static char path[64];

static void bytes_add(struct bytes *b, const void *data, size_t len)
{
	cr_assert_leq(b->len + len, sizeof(b->data));
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void setup(void)
{
	int fd;

	strcpy(path, "/tmp/contrail-avro-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	unlink(path); /* create() wants a new file */
}

static void teardown(void)
{
	unlink(path);
}

TestSuite(avro_file, .init = setup, .fini = teardown);

static void slurp(struct bytes *b)
{
	FILE *fp = fopen(path, "rb");

	cr_assert_not_null(fp);
	b->len = fread(b->data, 1, sizeof(b->data), fp);
	cr_assert(feof(fp), "%s is larger than a test buffer", path);
	fclose(fp);
}

static void spill(const struct bytes *b)
{
	FILE *fp = fopen(path, "wb");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(b->data, 1, b->len, fp), b->len);
	fclose(fp);
}

/* Appends records "r<first>".. to w and expected: Avro strings, zigzag length then bytes. */
static void append_records(struct ctr_avro_writer *w, int first, int n)
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

static void create_log(const char *codec, int n)
{
	const char *keys[] = { "contrail.schema_id" }, *values[] = { "7" };
	struct ctr_avro_writer *w;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, codec, keys, values, 1, &w, &err), 0,
		     "%s", err.message);
	append_records(w, 0, n);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
}

static struct ctr_avro_reader *open_reader(void)
{
	struct ctr_avro_reader *r = NULL;
	struct ctr_error err;

	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), 0, "%s", err.message);
	return r;
}

/* Reads every block into got; returns the number of blocks and sets *records. */
static int read_log(int64_t *records)
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
static uint64_t last_block_offset(void)
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
static void last_block_at(char *where, size_t size)
{
	snprintf(where, size, "at byte offset %llu", (unsigned long long)last_block_offset());
}

/* Reads blocks until one fails; returns that error and leaves its message in err. */
static int first_failure(struct ctr_error *err)
{
	struct ctr_avro_reader *r = open_reader();
	struct ctr_avro_block blk;
	int rc;

	while ((rc = ctr_avro_reader_next_block(r, &blk, err)) == 1)
		;
	ctr_avro_reader_close(r);
	return rc;
}

/* Writes RECORDS records and reads them back, byte for byte, in four blocks. */
static void check_round_trip(const char *codec)
{
	int64_t records;

	create_log(codec, RECORDS);
	cr_assert_eq(read_log(&records), 4);
	cr_assert_eq(records, RECORDS);
	cr_assert_eq(got.len, expected.len);
	cr_assert_arr_eq(got.data, expected.data, got.len);
	slurp(&before);
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
	slurp(&before);
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
	slurp(&before);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), 0, "%s", err.message);
	cr_assert_str_eq(ctr_avro_writer_schema(w), SCHEMA);
	cr_assert_str_eq(ctr_avro_writer_meta(w, "contrail.schema_id"), "7");
	append_records(w, 10, 5);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
	slurp(&after);
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
	slurp(&after); /* the end of the log is a block offset too, with nothing after it */
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

Test(avro_file, a_log_cut_inside_its_last_block_is_corrupt_at_that_block)
{
	struct ctr_error err;
	char where[64];

	create_log("null", RECORDS);
	last_block_at(where, sizeof(where));
	slurp(&before);
	cr_assert_eq(truncate(path, (off_t)(before.len - 100)), 0);
	cr_assert_eq(first_failure(&err), CTR_ECORRUPT);
	cr_assert_message(err, "truncated block");
	cr_assert_message(err, where);
	cr_assert_message(err, path);
}

/*
 * A log that ends inside its last block was left by an append cut short (the
 * writer holds the file's lock): the block's bytes go to PATH.torn-OFFSET and
 * the log is cut back to its last whole block, so appends can go on.
 */
Test(avro_file, open_append_moves_a_cut_last_block_aside)
{
	struct ctr_avro_writer *w = NULL;
	struct ctr_error err;
	static struct bytes kept;
	char aside_path[sizeof(path) + 32], log_path[sizeof(path)];
	uint64_t last, moved;
	const char *aside;

	create_log("deflate", RECORDS);
	last = last_block_offset();
	slurp(&before);
	before.len -= 7;
	spill(&before);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), 0, "%s", err.message);
	snprintf(aside_path, sizeof(aside_path), "%s.torn-%llu", path, (unsigned long long)last);
	aside = ctr_avro_writer_moved_aside(w, &moved);
	cr_assert_str_eq(aside, aside_path);
	cr_assert_eq(moved, before.len - last);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
	slurp(&after);
	cr_assert_eq(after.len, last);
	cr_assert_arr_eq(after.data, before.data, last);
	cr_assert_eq(first_failure(&err), 0, "%s", err.message);
	strcpy(log_path, path);
	cr_assert_lt(strlen(aside_path), sizeof(path));
	memcpy(path, aside_path, strlen(aside_path) + 1); /* read the moved bytes with slurp() */
	slurp(&kept);
	unlink(path);
	strcpy(path, log_path);
	cr_assert_eq(kept.len, before.len - last);
	cr_assert_arr_eq(kept.data, before.data + last, kept.len);
}

Test(avro_file, open_append_refuses_other_damage_and_writes_nothing)
{
	struct ctr_avro_writer *w = NULL;
	struct ctr_error err;
	char where[64];

	create_log("deflate", RECORDS);
	last_block_at(where, sizeof(where));
	slurp(&before);
	before.data[before.len - 1] ^= 0xff; /* the last block's sync marker */
	spill(&before);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), CTR_ECORRUPT);
	cr_assert_message(err, where);
	slurp(&after);
	cr_assert_eq(after.len, before.len);
	cr_assert_arr_eq(after.data, before.data, before.len);
}

Test(avro_file, a_bad_sync_marker_is_corrupt_at_its_block)
{
	struct ctr_error err;
	char where[64];

	create_log("null", 10);
	last_block_at(where, sizeof(where));
	slurp(&before);
	before.data[before.len - 1] ^= 0xff;
	spill(&before);
	cr_assert_eq(first_failure(&err), CTR_ECORRUPT);
	cr_assert_message(err, "bad sync marker");
	cr_assert_message(err, where);
}

Test(avro_file, a_file_with_a_bad_magic_is_not_opened)
{
	struct ctr_avro_reader *r = NULL;
	struct ctr_error err;

	bytes_add(&before, "PK\x03\x04 not avro", sizeof("PK\x03\x04 not avro") - 1);
	spill(&before);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_ECORRUPT);
	cr_assert_null(r);
	cr_assert_message(err, "not an Avro object container file");
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
	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, "null", NULL, NULL, 0, &w, &err), CTR_EWRITE);
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
	slurp(&before);
	codec = memmem(before.data, before.len, "\x14" "avro.codec\x08null", 16);
	cr_assert_not_null(codec);
	memcpy(codec + 12, "zstd", 4);
	spill(&before);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_EINVAL);
	cr_assert_message(err, "\"zstd\"");
}

/* An empty log plus one hand-made block must fail with CTR_ECORRUPT, words and its offset. */
static void check_planted(const uint8_t *head, size_t head_len, const void *data, size_t len,
			  const char *words)
{
	struct ctr_error err;
	char where[64];

	create_log("deflate", 0);
	last_block_at(where, sizeof(where));
	slurp(&before);
	bytes_add(&before, head, head_len);
	bytes_add(&before, data, len);
	bytes_add(&before, before.data + before.len - head_len - len - 16, 16); /* the sync */
	spill(&before);
	cr_assert_eq(first_failure(&err), CTR_ECORRUPT);
	cr_assert_message(err, words);
	cr_assert_message(err, where);
}

Test(avro_file, a_block_over_64_mib_is_corrupt_without_reading_it)
{
	const uint8_t head[] = { 0x02, 0x80, 0x80, 0x80, 0x42 }; /* count 1, size 66 MiB */

	check_planted(head, sizeof(head), NULL, 0, "block size over 64 MiB");
}

Test(avro_file, a_negative_record_count_is_corrupt)
{
	const uint8_t head[] = { 0x01, 0x02 }; /* count -1, size 1 */

	check_planted(head, sizeof(head), "x", 1, "negative block record count");
}

Test(avro_file, a_negative_block_size_is_corrupt)
{
	const uint8_t head[] = { 0x02, 0x03 }; /* count 1, size -2 */

	check_planted(head, sizeof(head), NULL, 0, "negative block size");
}

Test(avro_file, a_varint_longer_than_ten_bytes_is_corrupt)
{
	const uint8_t head[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };

	check_planted(head, sizeof(head), NULL, 0, "malformed");
}

Test(avro_file, a_deflate_block_that_does_not_inflate_is_corrupt)
{
	const uint8_t head[] = { 0x02, 0x08 }, garbage[] = { 0xff, 0xff, 0xff, 0xff };

	check_planted(head, sizeof(head), garbage, sizeof(garbage), "does not inflate");
}

Test(avro_file, a_huge_metadata_count_or_length_is_refused_without_allocating_it)
{
	const uint8_t huge_count[] = { 'O', 'b', 'j', 1, 0xfe, 0xff, 0xff, 0xff, 0x0f };
	const uint8_t huge_key[] = { 'O', 'b', 'j', 1, 0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f };
	struct ctr_avro_reader *r;
	struct ctr_error err;

	bytes_add(&before, huge_count, sizeof(huge_count));
	spill(&before);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_ECORRUPT);
	cr_assert_message(err, "damaged header");
	bytes_add(&after, huge_key, sizeof(huge_key));
	spill(&after);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_ECORRUPT);
	cr_assert_message(err, "damaged header");
}

Test(avro_file, close_of_null_does_nothing)
{
	ctr_avro_reader_close(NULL);
	cr_assert_eq(ctr_avro_writer_close(NULL, NULL), 0);
}

/* avrocat prints one JSON object per record; they must be ours, in order. */
static void check_avrocat(const char *codec)
{
	char command[128], line[64], want[64];
	FILE *out;
	int lines = 0;

	create_log(codec, 300);
	snprintf(command, sizeof(command), "/usr/bin/avrocat %s 2>&1", path);
	out = popen(command, "r");
	cr_assert_not_null(out);
	while (fgets(line, sizeof(line), out)) {
		snprintf(want, sizeof(want), "{\"s\": \"r%d\"}\n", lines++);
		cr_expect_str_eq(line, want);
	}
	cr_assert_eq(pclose(out), 0);
	cr_assert_eq(lines, 300);
}

Test(avro_file, avrocat_reads_a_null_log_we_write)
{
	check_avrocat("null");
}

Test(avro_file, avrocat_reads_a_deflate_log_we_write)
{
	check_avrocat("deflate");
}

#define PYTHON_WRITER \
	"import sys, avro.datafile, avro.io, avro.schema\n" \
	"w = avro.datafile.DataFileWriter(open(sys.argv[1], 'wb'), avro.io.DatumWriter()," \
	" avro.schema.parse(sys.argv[3]), codec=sys.argv[2])\n" \
	"for text in ('a', 'bb', 'ccc'):\n" \
	"    w.append({'s': text})\n" \
	"w.close()\n"

/* Python's avro writes three records; we read back their Avro bytes. */
static void check_python(const char *codec)
{
	struct ctr_avro_reader *r;
	char command[1024];
	int64_t records;

	snprintf(command, sizeof(command), "/usr/bin/python3 -c \"%s\" %s %s '%s'", PYTHON_WRITER,
		 path, codec, SCHEMA);
	cr_assert_eq(system(command), 0, "%s", command);
	r = open_reader();
	cr_assert_str_eq(ctr_avro_reader_meta(r, "avro.codec"), codec);
	ctr_avro_reader_close(r);
	read_log(&records);
	cr_assert_eq(records, 3);
	cr_assert_eq(got.len, 9);
	cr_assert_arr_eq(got.data, "\x02" "a\x04" "bb\x06" "ccc", 9);
}

Test(avro_file, a_null_file_from_python_avro_reads_back)
{
	check_python("null");
}

Test(avro_file, a_deflate_file_from_python_avro_reads_back)
{
	check_python("deflate");
}
