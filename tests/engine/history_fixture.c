/*
 * history_fixture.c - the generated history of history_fixture.h.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/generate_internal.h"
#include "tests/engine/history_fixture.h"

static void write_file(const char *path, const char *text, size_t size)
{
	FILE *out = fopen(path, "w");

	cr_assert_not_null(out, "%s", path);
	cr_assert_eq(fwrite(text, 1, size, out), size);
	cr_assert_eq(fclose(out), 0);
}

void history_fixture_write(long accounts, const char *whole, const char *first,
			   const char *second)
{
	struct ctr_generate_stats stats;
	long faults[GEN_FAULT_COUNT];
	struct ctr_error err = { 0 };
	char *text = NULL;
	size_t size = 0, cut;
	FILE *out = open_memstream(&text, &size);

	cr_assert_not_null(out);
	cr_assert_eq(gen_run(out, 11, accounts, &stats, faults, &err), 0, "%s", err.message);
	cr_assert_eq(fclose(out), 0);
	cut = size / 2;
	while (cut < size && text[cut - 1] != '\n')
		cut++;
	write_file(whole, text, size);
	write_file(first, text, cut);
	write_file(second, text + cut, size - cut);
	free(text);
}
