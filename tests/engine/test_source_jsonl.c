/*
 * test_source_jsonl.c - the position a jsonl: source names for
 * rejected_events: the line of the event last returned, blank lines counted.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/source.h"

Test(source_jsonl, names_the_line_of_the_event_last_returned)
{
	char path[] = "/tmp/contrail-jsonl-XXXXXX", spec[64];
	const char *lines = "{}\n\nnot json\n";
	int fd = mkstemp(path);
	struct ctr_source *src = NULL;
	struct ctr_error err = { 0 };
	struct ctr_event ev = { 0 };

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, lines, strlen(lines)), (ssize_t)strlen(lines));
	close(fd);
	snprintf(spec, sizeof(spec), "jsonl:%s", path);
	cr_assert_eq(ctr_source_open(spec, NULL, &src, &err), 0, "%s", err.message);
	unlink(path); /* the source holds it open; a failed assertion leaves nothing behind */

	char expected[sizeof(src->name) + 32];
	cr_assert_eq(src->next(src, &ev, &err), 1);
	snprintf(expected, sizeof(expected), "%s:1", src->name);
	cr_assert_str_eq(ctr_source_position(src), expected);
	cr_assert_eq(src->next(src, &ev, &err), 1, "the blank line is skipped");
	snprintf(expected, sizeof(expected), "%s:3", src->name);
	cr_assert_str_eq(ctr_source_position(src), expected);
	cr_assert_eq(src->next(src, &ev, &err), 0);
	ctr_source_close(src);
}
