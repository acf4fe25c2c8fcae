/*
 * test_avro_file_write_fails.c - a block write that fails part-way (here a
 * file size limit, as a full disk would): the log is cut back to its last
 * whole block and the writer writes nothing more, so that the log still reads.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

#include "events/avro_file.h"
#include "tests/events/avro_file_fixture.h"

/* Appends records until one fails: its error in err; returns the records appended before. */
static int append_until_failure(struct ctr_avro_writer *w, struct ctr_error *err)
{
	uint8_t record[16];
	int i;

	for (i = 0; i < RECORDS; i++) {
		int len = snprintf((char *)record + 1, sizeof(record) - 1, "r%d", i);
		record[0] = (uint8_t)(len * 2);
		if (ctr_avro_writer_append(w, record, (size_t)len + 1, err) != 0)
			break;
	}
	return i;
}

Test(avro_file, a_block_written_in_part_is_cut_off_and_not_written_again)
{
	struct ctr_avro_writer *w;
	struct ctr_error err;
	struct rlimit room, limited;
	int64_t records, written;

	cr_assert_eq(ctr_avro_writer_create(path, SCHEMA, "null", NULL, NULL, 0, &w, &err), 0);
	signal(SIGXFSZ, SIG_IGN); /* the write fails with EFBIG instead */
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &room), 0);
	limited = room;
	limited.rlim_cur = 100000; /* the first block of 64 KiB fits, the second does not */
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &limited), 0);
	cr_assert_lt(append_until_failure(w, &err), RECORDS, "no write failed");
	cr_assert_eq(err.code, CTR_EWRITE);
	cr_assert_message(err, "cannot write");
	written = ctr_avro_writer_written(w);
	cr_assert_gt(written, 0);

	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &room), 0); /* room again: still nothing is written */
	cr_assert_eq(ctr_avro_writer_close(w, &err), CTR_EWRITE, "the close wrote the block");
	cr_assert_message(err, "an earlier write failed");
	cr_assert_eq(read_log(&records), 1);
	cr_assert_eq(records, written);
}
