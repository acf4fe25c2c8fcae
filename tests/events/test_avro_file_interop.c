/*
 * test_avro_file_interop.c - Avro containers exchanged with other
 * implementations: avrocat reads the logs we write, and we read the files
 * Python's avro writes. Its tests are in the avro_file suite of
 * test_avro_file.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "events/avro_file.h"
#include "tests/events/avro_file_fixture.h"

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
