/*
 * test_kafka_group.c - a Kafka source in a consumer group, against
 * librdkafka's mock cluster (kafka_mock_fixture.h): the offsets a group is
 * told are those the database committed, never those read since nor those of
 * a partition taken from the member, and a member stopped while its group
 * syncs closes cleanly.
 */
#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/kafka_source_internal.h"
#include "engine/source.h"
#include "tests/engine/kafka_mock_fixture.h"

/* The group's committed offset of each partition, -1 when none (yet). */
static void group_offsets(struct cluster *c, const char *group, int64_t offsets[4])
{
	char message[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(4);
	rd_kafka_t *reader;

	rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstrap, message, sizeof(message));
	rd_kafka_conf_set(conf, "group.id", group, message, sizeof(message));
	reader = rd_kafka_new(RD_KAFKA_CONSUMER, conf, message, sizeof(message));
	cr_assert_not_null(reader, "%s", message);
	for (int p = 0; p < 4; p++)
		rd_kafka_topic_partition_list_add(list, "events", p);
	cr_assert_eq(rd_kafka_committed(reader, list, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
	for (int p = 0; p < 4; p++)
		offsets[p] = list->elems[p].offset;
	rd_kafka_topic_partition_list_destroy(list);
	rd_kafka_destroy(reader);
}

/*
 * Reads count events of src and returns, in told, the positions a batch's
 * record would store then (-1: none for that partition).
 */
static void read_and_tell(struct ctr_source *src, int count, int64_t told[4])
{
	struct ctr_event ev;
	struct ctr_error err = { 0 };
	const struct ctr_checkpoint *cps;
	size_t stored;

	for (int i = 0; i < count; i++)
		cr_assert_eq(src->next(src, &ev, &err), 1, "%s", err.message);
	for (int p = 0; p < 4; p++)
		told[p] = -1;
	stored = src->tell(src, &cps);
	for (size_t i = 0; i < stored; i++)
		told[cps[i].partition] = cps[i].next_offset;
}

/* 1 when the group has a committed offset for some partition, waiting for it up to 5 s. */
static int group_told(struct cluster *c, const char *group, int64_t offsets[4])
{
	int found = 0;

	for (int tries = 0; tries < 50 && !found; tries++) { /* the commit is asynchronous */
		group_offsets(c, group, offsets);
		for (int p = 0; p < 4; p++)
			found |= offsets[p] >= 0;
		if (!found)
			usleep(100 * 1000);
	}
	return found;
}

/*
 * The loop reads on while a batch is written: when the batch is committed,
 * the group is told the positions the database holds, not those read since.
 */
Test(kafka_faults, the_group_is_told_the_committed_positions_not_those_read_since, .timeout = 120)
{
	struct cluster c;
	struct ctr_source_options options = { .group = "told" };
	struct ctr_source *src;
	struct ctr_event ev;
	struct ctr_error err = { 0 };
	int64_t told[4], offsets[4];
	int found;

	cluster_start(&c, 1);
	cr_assert_eq(ctr_source_open(c.spec, &options, &src, &err), 0, "%s", err.message);
	read_and_tell(src, 200, told); /* what a batch's record stores */
	for (int i = 0; i < 300; i++) /* read on while that batch is written */
		cr_assert_eq(src->next(src, &ev, &err), 1, "%s", err.message);
	src->committed(src);
	found = group_told(&c, "told", offsets);
	for (int p = 0; p < 4; p++)
		cr_assert_eq(offsets[p], told[p] > 0 ? told[p] : offsets[p],
			     "partition %d: committed %lld, told %lld", p, (long long)offsets[p],
			     (long long)told[p]);
	cr_assert(found, "the group has committed offsets");
	ctr_source_close(src);
	cluster_stop(&c);
}

/*
 * A member of a group stopped (SIGTERM) after the group answered its JoinGroup
 * and before its SyncGroup: librdkafka 2.0.2 asserts in rd_kafka_destroy()
 * when the cooperative assignor has no state yet (its issue 4312). Here the
 * mock holds the SyncGroup answer back while the source is closed.
 */
Test(kafka_faults, a_member_stopped_while_its_group_syncs_closes, .timeout = 60)
{
	struct cluster c;
	struct ctr_source_options options = { .group = "syncing", .follow = 1 };
	struct ctr_source *src;
	struct ctr_event ev;
	struct ctr_error err = { 0 };

	cluster_start(&c, 1);
	cr_assert_eq(rd_kafka_mock_broker_push_request_error_rtts(c.mock, 1, API_SYNC_GROUP, 1,
			RD_KAFKA_RESP_ERR_NO_ERROR, 8000), RD_KAFKA_RESP_ERR_NO_ERROR);
	cr_assert_eq(ctr_source_open(c.spec, &options, &src, &err), 0, "%s", err.message);
	cr_assert_geq(src->ready_fd(src), 0);
	/* the mock answers a new group's JoinGroup after about 3 s, its SyncGroup 8 s later */
	for (int i = 0; i < 50; i++) {
		cr_assert_eq(src->next(src, &ev, &err), CTR_SOURCE_AGAIN, "nothing assigned yet");
		usleep(100 * 1000);
	}
	ctr_source_close(src);
	cluster_stop(&c);
}

/* The position src would store for partition, or -1 when it stores none. */
static int64_t position_of(struct ctr_source *src, int partition)
{
	const struct ctr_checkpoint *cps;
	size_t count = src->tell(src, &cps);

	for (size_t i = 0; i < count; i++)
		if (cps[i].partition == partition)
			return cps[i].next_offset;
	return -1;
}

/*
 * Hands member's rebalance callback partition 2's revocation, as librdkafka
 * hands it when another member joins (a real one would make the outcome
 * depend on timing), and checks that src stops, naming the partition.
 */
static void take_partition_2(struct ctr_source *src)
{
	struct kafka_source *member = (struct kafka_source *)src;
	rd_kafka_topic_partition_list_t *taken = rd_kafka_topic_partition_list_new(1);
	struct ctr_event ev;
	struct ctr_error err = { 0 };
	int rc;

	rd_kafka_topic_partition_list_add(taken, "events", 2);
	ctr_kafka_on_rebalance(member->rk, RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS, taken, member);
	rd_kafka_topic_partition_list_destroy(taken);
	rc = src->next(src, &ev, &err);
	cr_assert_eq(rc, CTR_ESTATE, "the member is stopped (%d: %s)", rc, err.message);
	cr_assert_not_null(strstr(err.message, "events partition 2 went to another member"), "%s",
			   err.message);
}

/*
 * A partition taken from a member part-way stops it (CTR_ESTATE, naming the
 * partition). The run's final write stores what it read, the partition's
 * position too (the shard holds it: the merge refuses another shard that
 * does), and then tells the group the offsets of the partitions the member
 * still holds, not that of the one it lost: the member it went to owns its
 * committed offset from then on. The revocation is handed to the source's
 * rebalance callback as librdkafka hands it when another member joins; a
 * real second member would make the group's generation, and so whether the
 * last commit is accepted at all, depend on timing.
 */
Test(kafka_faults, a_partition_taken_part_way_is_not_committed_by_the_member_that_lost_it)
{
	struct cluster c;
	struct ctr_source_options options = { .group = "moved", .follow = 1 };
	struct ctr_source *src;
	struct ctr_event ev;
	struct ctr_error err = { 0 };
	int64_t offsets[4], stored;
	int rc = 0, every = 0, found = 0;

	alarm(BOUND_S);
	cluster_start(&c, 1);
	cr_assert_eq(ctr_source_open(c.spec, &options, &src, &err), 0, "%s", err.message);
	cr_assert_geq(src->ready_fd(src), 0);
	for (int turns = 0; turns < 6000 && !every; turns++) { /* about 60 s at most */
		rc = src->next(src, &ev, &err);
		cr_assert_geq(rc, 0, "%s", err.message);
		if (rc == CTR_SOURCE_AGAIN)
			usleep(10 * 1000);
		every = 1;
		for (int p = 0; p < 4; p++)
			every &= position_of(src, p) > 0;
	}
	cr_assert(every, "the member read some of every partition");
	take_partition_2(src);
	/* the final write: what was read is stored, then the group is told */
	stored = position_of(src, 2);
	cr_assert_gt(stored, 0, "the shard keeps the position it read partition 2 to");
	src->committed(src);
	for (int tries = 0; tries < 100 && !found; tries++) { /* the commit is asynchronous */
		group_offsets(&c, "moved", offsets);
		found = offsets[0] >= 0 && offsets[1] >= 0 && offsets[3] >= 0;
		if (!found)
			usleep(100 * 1000);
	}
	cr_assert(found, "the partitions the member holds are committed");
	cr_assert_lt(offsets[2], 0, "partition 2, taken away, committed at %lld (of %lld read) by"
		     " the member that lost it", (long long)offsets[2], (long long)stored);
	ctr_source_close(src);
	cluster_stop(&c);
}

/*
 * A bounded member's partition taken before it read any of it stops the
 * member as one taken part-way does: the member it went to may end at once
 * (a bounded member's first assignment under the cooperative protocol is
 * empty), and the partition, handed back, is not read again by this one, so
 * no shard would hold its accounts and the merge could not tell. The
 * revocation is handed to the rebalance callback just after the assignment,
 * before any message was fetched.
 */
Test(kafka_faults, a_partition_taken_before_it_was_read_stops_a_bounded_member, .timeout = 120)
{
	struct cluster c;
	struct ctr_source_options options = { .group = "taken-early" };
	struct ctr_source *src;
	struct kafka_source *member;
	struct kafka_partition *p = NULL;
	struct ctr_event ev;
	struct ctr_error err = { 0 };
	int rc;

	cluster_start(&c, 1);
	cr_assert_eq(ctr_source_open(c.spec, &options, &src, &err), 0, "%s", err.message);
	member = (struct kafka_source *)src;
	cr_assert_geq(src->ready_fd(src), 0);
	for (int turns = 0; turns < 6000 && !member->ever_assigned; turns++) { /* 60 s at most */
		rc = src->next(src, &ev, &err);
		cr_assert_eq(rc, CTR_SOURCE_AGAIN, "nothing read before the assignment (%d)", rc);
		if (!member->ever_assigned)
			usleep(10 * 1000);
	}
	p = ctr_kafka_partition_of(member, "events", 2);
	cr_assert(p != NULL && p->assigned && !p->done, "partition 2 assigned, not finished");
	cr_assert(!p->read_this_run, "nothing of partition 2 read yet");
	take_partition_2(src);
	ctr_source_close(src);
	cluster_stop(&c);
}

/*
 * A commit the group refused is made again at the next one, though the
 * positions did not move since: lag tools would otherwise show the old
 * offsets for as long as the member reads nothing new. The mock refuses the
 * first OffsetCommit (a per-partition error librdkafka does not retry).
 */
Test(kafka_faults, a_commit_the_group_refused_is_made_again, .timeout = 120)
{
	struct cluster c;
	struct ctr_source_options options = { .group = "refused" };
	struct ctr_source *src;
	struct ctr_event ev;
	struct ctr_error err = { 0 };
	int64_t told[4], offsets[4];

	cluster_start(&c, 1);
	cr_assert_eq(ctr_source_open(c.spec, &options, &src, &err), 0, "%s", err.message);
	read_and_tell(src, 200, told);
	rd_kafka_mock_push_request_errors(c.mock, API_OFFSET_COMMIT, 1,
					  RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE);
	src->committed(src);
	/* the refusal is reported through the consumer's poll, which reading serves */
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(src->next(src, &ev, &err), 1, "%s", err.message);
		usleep(10 * 1000);
	}
	group_offsets(&c, "refused", offsets);
	for (int p = 0; p < 4; p++)
		cr_assert_lt(offsets[p], 0, "partition %d committed though refused", p);
	src->committed(src); /* the same positions, told again */
	cr_assert(group_told(&c, "refused", offsets), "the refused commit was made again");
	for (int p = 0; p < 4; p++)
		cr_assert_eq(offsets[p], told[p] > 0 ? told[p] : offsets[p],
			     "partition %d: committed %lld, told %lld", p, (long long)offsets[p],
			     (long long)told[p]);
	ctr_source_close(src);
	cluster_stop(&c);
}
