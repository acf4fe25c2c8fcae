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
#include "tests/events/alloc_fail.h"

/* A jsonl: source over a file holding lines, unlinked once open (the source holds it). */
static struct ctr_source *source_of(const char *lines)
{
	char path[] = "/tmp/contrail-jsonl-XXXXXX", spec[64];
	int fd = mkstemp(path);
	struct ctr_source *src = NULL;
	struct ctr_error err = { 0 };

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, lines, strlen(lines)), (ssize_t)strlen(lines));
	close(fd);
	snprintf(spec, sizeof(spec), "jsonl:%s", path);
	cr_assert_eq(ctr_source_open(spec, NULL, &src, &err), 0, "%s", err.message);
	unlink(path); /* a failed assertion leaves nothing behind */
	return src;
}

Test(source_jsonl, names_the_line_of_the_event_last_returned)
{
	struct ctr_source *src = source_of("{}\n\nnot json\n");
	struct ctr_error err = { 0 };
	struct ctr_event ev = { 0 };

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

/*
 * A line the JSON library could not parse for want of memory stops the run
 * before it (CTR_ENOMEM), not after: the checkpoint stays at its start, so
 * the next run reads it, rather than skip an event it never judged.
 */
Test(source_jsonl, a_line_parsed_without_memory_is_read_again)
{
	struct ctr_source *src = source_of("{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
	struct ctr_error err = { 0 };
	struct ctr_event ev = { 0 };
	const struct ctr_checkpoint *cp;
	cr_assert_eq(src->next(src, &ev, &err), 1);
	alloc_fail_json_too();
	alloc_fail_after(0); /* the next allocation is the parse's first: jansson's */
	cr_assert_lt(src->next(src, &ev, &err), 0);
	cr_assert(alloc_fail_disarm());
	cr_assert_eq(err.code, CTR_ENOMEM, "%s", err.message);
	cr_assert_eq(src->tell(src, &cp), 1);
	cr_assert_eq(cp->next_offset, 1, "the line that failed was counted read");
	cr_assert_eq(cp->byte_offset, 11, "the checkpoint passed the line that failed");
	ctr_source_close(src);
}
