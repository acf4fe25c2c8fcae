/*
 * kafka_offsets.c - where a Kafka source's partitions start and end: each
 * partition's log start offset and high watermark asked of its leader at
 * start (the checkpoint judged against them: events deleted before they were
 * replayed stop the run), and the end its lag is counted to as the run goes on.
 */
#include <stdio.h>
#include <time.h>

#include "engine/kafka_source_internal.h"

#define WATERMARK_TIMEOUT_MS 10000 /* as long as the metadata is waited for at start */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The log start offset and the high watermark of a partition, waited for at
 * most WATERMARK_TIMEOUT_MS in all. Not rd_kafka_query_watermark_offsets():
 * in librdkafka 2.0.2 it waits for an answer from the partition's leader
 * without looking at its timeout, so a leader down at start held the loop
 * (and SIGINT) for as long as it was down. rd_kafka_offsets_for_times() asks
 * the leader the same ListOffsets question (-2: the earliest offset, -1: the
 * latest) and keeps to its timeout.
 */
static rd_kafka_resp_err_t watermarks(struct kafka_source *s, const char *topic,
				      int32_t partition, int64_t *low, int64_t *high)
{
	const int64_t asked[2] = { RD_KAFKA_OFFSET_BEGINNING, RD_KAFKA_OFFSET_END };
	int64_t *answers[2] = { low, high }, deadline = now_ms() + WATERMARK_TIMEOUT_MS;
	rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;

	for (int i = 0; i < 2 && e == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
		rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
		int64_t left = deadline - now_ms();

		rd_kafka_topic_partition_list_add(list, topic, partition)->offset = asked[i];
		e = left > 0 ? rd_kafka_offsets_for_times(s->rk, list, (int)left)
			     : RD_KAFKA_RESP_ERR__TIMED_OUT;
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
			e = list->elems[0].err;
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR && list->elems[0].offset < 0)
			e = RD_KAFKA_RESP_ERR__TIMED_OUT; /* not answered: still what was asked */
		*answers[i] = list->elems[0].offset;
		rd_kafka_topic_partition_list_destroy(list);
	}
	return e;
}

int64_t ctr_kafka_start_of(struct kafka_source *s, const char *topic, int32_t partition,
		       struct kafka_partition *p)
{
	int64_t low = 0, high = 0;
	rd_kafka_resp_err_t e;

	e = watermarks(s, topic, partition, &low, &high);
	if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (s->fatal.code == 0)
			ctr_error_set(&s->fatal, CTR_EKAFKA, "kafka: %s partition %d: cannot read its"
				      " offsets from its leader within %d s: %s", topic, (int)partition,
				      WATERMARK_TIMEOUT_MS / 1000, rd_kafka_err2str(e));
		return -1;
	}
	if (p->next < low) {
		ctr_kafka_set_fatal(s, CTR_ESTATE, "kafka: %s partition %d: the checkpoint is at offset %lld"
			  " but the log starts at %lld: events were deleted before they were"
			  " replayed", topic, partition, p->next, low);
		return -1;
	}
	if (p->next > high) {
		ctr_kafka_set_fatal(s, CTR_ESTATE, "kafka: %s partition %d: the checkpoint is at offset %lld"
			  " but the log ends at %lld: not the topic this database was replayed"
			  " from; replay it with --rebuild", topic, partition, p->next, high);
		return -1;
	}
	p->end = high;
	p->done = !s->follow && p->next >= high;
	return p->next;
}

/*
 * Where a partition ends for its lag. A bounded run's end is the one it stops
 * at, known since the assignment. A followed partition grows past that: its
 * end is the high watermark of the fetcher's last answer, which librdkafka
 * keeps (every fetch response carries it, and one at the end of a partition
 * comes within fetch.wait.max.ms), so asking sends nothing and never waits.
 */
static int64_t lag_end(struct kafka_source *s, const char *topic, int32_t partition,
		       const struct kafka_partition *p)
{
	int64_t low, high;

	if (!s->follow || rd_kafka_get_watermark_offsets(s->rk, topic, partition, &low, &high) !=
			  RD_KAFKA_RESP_ERR_NO_ERROR)
		return p->end;
	return high > p->end ? high : p->end; /* none fetched yet: OFFSET_INVALID */
}

/*
 * -1 (not known) for a member of a group not yet given any partition (the
 * cooperative protocol's first assignment of a joining member is empty): its
 * lag is not 0 then, and a rebuild stopped in that wait has read nothing of
 * its source, which a 0 would have let it put in place.
 */
int64_t ctr_kafka_lag(struct ctr_source *src)
{
	struct kafka_source *s = (struct kafka_source *)src;
	int64_t lag = 0, end;

	if (s->grouped && !s->given)
		return -1;
	for (size_t i = 0; i < s->topic_count; i++)
		for (int32_t p = 0; p < s->topics[i].count; p++) {
			const struct kafka_partition *part = &s->topics[i].partitions[p];

			if (!part->assigned)
				continue;
			end = lag_end(s, s->topics[i].name, p, part);
			if (end > part->next)
				lag += end - part->next;
		}
	return lag;
}
