/*
 * test_avro_file_damage.c - damaged Avro containers (events/avro_file*.c):
 * a log cut inside its last block, bad sync markers and magic, and lengths
 * and counts past the limits are reported with their offset, never read.
 * Its tests are in the avro_file suite of test_avro_file.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "events/avro_file.h"
#include "tests/events/avro_file_fixture.h"

Test(avro_file, a_log_cut_inside_its_last_block_is_corrupt_at_that_block)
{
	struct ctr_error err;
	char where[64];

	create_log("null", RECORDS);
	last_block_at(where, sizeof(where));
	slurp_log(&before);
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
	slurp_log(&before);
	before.len -= 7;
	spill_log(&before);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), 0, "%s", err.message);
	snprintf(aside_path, sizeof(aside_path), "%s.torn-%llu", path, (unsigned long long)last);
	aside = ctr_avro_writer_moved_aside(w, &moved);
	cr_assert_str_eq(aside, aside_path);
	cr_assert_eq(moved, before.len - last);
	cr_assert_eq(ctr_avro_writer_close(w, &err), 0, "%s", err.message);
	slurp_log(&after);
	cr_assert_eq(after.len, last);
	cr_assert_arr_eq(after.data, before.data, last);
	cr_assert_eq(first_failure(&err), 0, "%s", err.message);
	strcpy(log_path, path);
	cr_assert_lt(strlen(aside_path), sizeof(path));
	memcpy(path, aside_path, strlen(aside_path) + 1); /* read the moved bytes with slurp_log() */
	slurp_log(&kept);
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
	slurp_log(&before);
	before.data[before.len - 1] ^= 0xff; /* the last block's sync marker */
	spill_log(&before);
	cr_assert_eq(ctr_avro_writer_open_append(path, &w, &err), CTR_ECORRUPT);
	cr_assert_message(err, where);
	slurp_log(&after);
	cr_assert_eq(after.len, before.len);
	cr_assert_arr_eq(after.data, before.data, before.len);
}

Test(avro_file, a_bad_sync_marker_is_corrupt_at_its_block)
{
	struct ctr_error err;
	char where[64];

	create_log("null", 10);
	last_block_at(where, sizeof(where));
	slurp_log(&before);
	before.data[before.len - 1] ^= 0xff;
	spill_log(&before);
	cr_assert_eq(first_failure(&err), CTR_ECORRUPT);
	cr_assert_message(err, "bad sync marker");
	cr_assert_message(err, where);
}

Test(avro_file, a_file_with_a_bad_magic_is_not_opened)
{
	struct ctr_avro_reader *r = NULL;
	struct ctr_error err;

	bytes_add(&before, "PK\x03\x04 not avro", sizeof("PK\x03\x04 not avro") - 1);
	spill_log(&before);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_ECORRUPT);
	cr_assert_null(r);
	cr_assert_message(err, "not an Avro object container file");
}

/* An empty log plus one hand-made block must fail with CTR_ECORRUPT, words and its offset. */
static void check_planted(const uint8_t *head, size_t head_len, const void *data, size_t len,
			  const char *words)
{
	struct ctr_error err;
	char where[64];

	create_log("deflate", 0);
	last_block_at(where, sizeof(where));
	slurp_log(&before);
	bytes_add(&before, head, head_len);
	bytes_add(&before, data, len);
	bytes_add(&before, before.data + before.len - head_len - len - 16, 16); /* the sync */
	spill_log(&before);
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
	spill_log(&before);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_ECORRUPT);
	cr_assert_message(err, "damaged header");
	bytes_add(&after, huge_key, sizeof(huge_key));
	spill_log(&after);
	cr_assert_eq(ctr_avro_reader_open(path, &r, &err), CTR_ECORRUPT);
	cr_assert_message(err, "damaged header");
}
