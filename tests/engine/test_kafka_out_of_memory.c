/*
 * test_kafka_out_of_memory.c - the Kafka source when an allocation fails
 * before its first message is returned (issue 3, E4): every allocation of
 * contrail's own code in the first read of a topic (the decoder made for the
 * first message's schema id, about 200) is failed in turn (tests/events/
 * alloc_fail.h). A read that fails must say CTR_ENOMEM, and the positions the
 * source then tells, which a replay's final write stores as its checkpoints,
 * must not pass the message it could not decode: the next run reads it again.
 * The replay's own allocations are swept in test_out_of_memory.c on a local
 * log, which has no partitions to tell.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "engine/source.h"
#include "tests/engine/kafka_mock_fixture.h"
#include "tests/events/alloc_fail.h"

/* The source's first read with allocation n failed; whether that allocation was reached. */
static int first_read_failing(const struct cluster *c, long n)
{
	struct ctr_error err = { 0 };
	struct ctr_source *src;
	const struct ctr_checkpoint *cps;
	struct ctr_event ev;
	size_t count;
	int rc, failed;

	cr_assert_eq(ctr_source_open(c->spec, NULL, &src, &err), 0, "%s", err.message);
	alloc_fail_after(n);
	rc = src->next(src, &ev, &err);
	failed = alloc_fail_disarm();
	if (rc == 1) {
		cr_assert_eq(ev.code, CTR_CODE_OK, "allocation %ld failed: the first message is"
			     " %s", n, ev.message);
	} else {
		cr_assert(failed, "nothing failed, yet the read did: %d (%s)", rc, err.message);
		cr_assert_eq(rc, CTR_ENOMEM, "allocation %ld failed: rc %d (%s)", n, rc,
			     err.message);
		count = src->tell(src, &cps);
		for (size_t i = 0; i < count; i++)
			cr_assert_eq(cps[i].next_offset, 0, "allocation %ld failed: %s partition %lld"
				     " would resume at %lld, past a message never returned", n,
				     cps[i].source, (long long)cps[i].partition,
				     (long long)cps[i].next_offset);
	}
	ctr_source_close(src);
	return failed;
}

Test(kafka_faults, a_first_read_out_of_memory_tells_no_position_past_it)
{
	struct cluster c;
	long n, reached = 0;

	alarm(BOUND_S);
	cluster_start(&c, 1);
	/* the sweep ends at the first allocation the read does not reach */
	for (n = 0; first_read_failing(&c, n); n++)
		reached++;
	/* a sweep that failed nothing tested nothing */
	cr_assert_gt(reached, 5, "only %ld allocations in a first read", reached);
	cluster_stop(&c);
}
