/*
 * kafka_partitions.c - which partitions a Kafka source reads and how far:
 * the assignment alone or in a group (rebalances), when a bounded run is done,
 * and the positions the engine stores and Kafka is told of. Where each starts
 * and ends is kafka_offsets.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kafka_source_internal.h"

static struct kafka_topic *topic_named(struct kafka_source *s, const char *name)
{
	for (size_t i = 0; i < s->topic_count; i++)
		if (strcmp(s->topics[i].name, name) == 0)
			return &s->topics[i];
	return NULL;
}

struct kafka_partition *ctr_kafka_partition_of(struct kafka_source *s, const char *topic,
					    int32_t partition)
{
	struct kafka_topic *t = topic_named(s, topic);

	return t && partition >= 0 && partition < t->count ? &t->partitions[partition] : NULL;
}

void ctr_kafka_set_fatal(struct kafka_source *s, int code, const char *fmt, const char *topic,
		     int32_t partition, int64_t a, int64_t b)
{
	if (s->fatal.code == 0)
		ctr_error_set(&s->fatal, code, fmt, topic, (int)partition, (long long)a, (long long)b);
}

/* 1 when this database holds a checkpoint of some partition of topic (or read one in this run). */
static int topic_known(const struct kafka_source *s, const char *topic)
{
	for (size_t t = 0; t < s->topic_count; t++) {
		if (strcmp(s->topics[t].name, topic) != 0)
			continue;
		for (int32_t i = 0; i < s->topics[t].count; i++)
			if (s->topics[t].partitions[i].known)
				return 1;
	}
	return 0;
}

/*
 * A shard's first partitions in a run must be ones it read before, unless it
 * read none of the topic yet: a group's members get whatever the assignor
 * hands them when they start, and a shard that took a partition another
 * shard holds would overlap it (and the merge refuse both).
 */
static int foreign_partition(struct kafka_source *s, const rd_kafka_topic_partition_t *tp,
			     const struct kafka_partition *p)
{
	if (!s->grouped || s->given || p->known || !topic_known(s, tp->topic))
		return 0;
	if (s->fatal.code == 0)
		ctr_error_set(&s->fatal, CTR_ESTATE, "kafka: %s partition %d: the group gave this shard"
			      " a partition it has not read, beside others it has: its members split"
			      " the partitions otherwise than when the shards were made; replay every"
			      " shard of the group with --rebuild", tp->topic, (int)tp->partition);
	return 1;
}

/*
 * Offsets for offered partitions: ours, from the checkpoints. None at all once
 * one of them is refused (and the rest are not asked about): the run stops
 * before it reads anything.
 */
static rd_kafka_topic_partition_list_t *plan(struct kafka_source *s,
					     const rd_kafka_topic_partition_list_t *offered)
{
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(offered->cnt);

	for (int i = 0; i < offered->cnt && s->fatal.code == 0; i++) {
		const rd_kafka_topic_partition_t *tp = &offered->elems[i];
		struct kafka_partition *p = ctr_kafka_partition_of(s, tp->topic, tp->partition);

		if (p == NULL || foreign_partition(s, tp, p) ||
		    ctr_kafka_start_of(s, tp->topic, tp->partition, p) < 0)
			continue;
		p->assigned = 1;
		p->committed = -1; /* the group's offset may be behind the checkpoint: tell it */
		s->open += !p->done;
		rd_kafka_topic_partition_list_add(list, tp->topic, tp->partition)->offset = p->next;
	}
	if (s->fatal.code != 0 && list->cnt > 0) {
		for (int i = 0; i < list->cnt; i++) {
			struct kafka_partition *p = ctr_kafka_partition_of(s, list->elems[i].topic,
								       list->elems[i].partition);
			s->open -= !p->done;
			p->assigned = 0;
		}
		rd_kafka_topic_partition_list_destroy(list);
		list = rd_kafka_topic_partition_list_new(0);
	}
	return list;
}

static int cooperative(struct kafka_source *s)
{
	const char *protocol = s->grouped ? rd_kafka_rebalance_protocol(s->rk) : NULL;

	return protocol != NULL && strcmp(protocol, "COOPERATIVE") == 0;
}

static void check_assign(struct kafka_source *s, rd_kafka_error_t *error, rd_kafka_resp_err_t e)
{
	if (error != NULL) {
		if (s->fatal.code == 0)
			ctr_error_set(&s->fatal, CTR_EKAFKA, "kafka: cannot assign partitions: %s",
				      rd_kafka_error_string(error));
		rd_kafka_error_destroy(error);
	} else if (e != RD_KAFKA_RESP_ERR_NO_ERROR && s->fatal.code == 0) {
		ctr_error_set(&s->fatal, CTR_EKAFKA, "kafka: cannot assign partitions: %s",
			      rd_kafka_err2str(e));
	}
}

/*
 * A bounded run in a group reads the partitions of the first assignment that
 * gave it any: ones handed over later come from a member that finished (or
 * failed) and are not this shard's. (Waiting for the first message instead
 * let a member that was slow to fetch take over a finished member's
 * partitions and read them a second time.)
 */
static void assign(struct kafka_source *s, const rd_kafka_topic_partition_list_t *offered)
{
	rd_kafka_topic_partition_list_t *none = rd_kafka_topic_partition_list_new(0);
	rd_kafka_topic_partition_list_t *list =
		s->grouped && !s->follow && s->given ? none : plan(s, offered);

	s->given |= list->cnt > 0;

	if (cooperative(s))
		check_assign(s, rd_kafka_incremental_assign(s->rk, list), 0);
	else
		check_assign(s, NULL, rd_kafka_assign(s->rk, list));
	if (list != none)
		rd_kafka_topic_partition_list_destroy(list);
	rd_kafka_topic_partition_list_destroy(none);
	s->ever_assigned = 1;
}

/*
 * A shard is complete for its accounts only when each of its partitions was
 * read from the start by this consumer: a partition taken away part-way
 * stops the run (what was read is stored as the shard's checkpoint, so the
 * merge refuses two shards holding one partition; Kafka is not told of it
 * again, ctr_kafka_committed()).
 */
static void revoke_partitions(struct kafka_source *s, const rd_kafka_topic_partition_list_t *taken)
{
	rd_kafka_topic_partition_list_t *ours = rd_kafka_topic_partition_list_new(taken->cnt);

	for (int i = 0; i < taken->cnt; i++) {
		struct kafka_partition *p = ctr_kafka_partition_of(s, taken->elems[i].topic,
							 taken->elems[i].partition);
		if (p == NULL || !p->assigned)
			continue; /* handed over after the start and never read */
		rd_kafka_topic_partition_list_add(ours, taken->elems[i].topic, taken->elems[i].partition);
		p->assigned = 0;
		s->open -= !p->done;
		/*
		 * A bounded member's partition not read to its end is missing from its
		 * shard, read or not: the member it went to may end at once (a bounded
		 * one's first assignment under the cooperative protocol is empty), and the
		 * partition, handed back, is not read again here (assign()).
		 */
		if ((p->read_this_run || !s->follow) && !p->done && !s->closing)
			ctr_kafka_set_fatal(s, CTR_ESTATE, "kafka: %s partition %d went to another member of the"
				  " group at offset %lld of %lld; this shard is incomplete for its"
				  " accounts: start the members together and run again",
				  taken->elems[i].topic, taken->elems[i].partition, p->next, p->end);
	}
	if (cooperative(s))
		check_assign(s, rd_kafka_incremental_unassign(s->rk, ours), 0);
	else
		check_assign(s, NULL, rd_kafka_assign(s->rk, NULL));
	rd_kafka_topic_partition_list_destroy(ours);
}

void ctr_kafka_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e,
			 rd_kafka_topic_partition_list_t *partitions, void *opaque)
{
	struct kafka_source *s = opaque;

	(void)rk;
	if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
		assign(s, partitions);
	else
		revoke_partitions(s, partitions);
}

/* Without a group: every partition of every topic, assigned here. */
static void assign_all(struct kafka_source *s)
{
	rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_new(64);

	for (size_t i = 0; i < s->topic_count; i++)
		for (int32_t p = 0; p < s->topics[i].count; p++)
			rd_kafka_topic_partition_list_add(all, s->topics[i].name, p);
	assign(s, all);
	rd_kafka_topic_partition_list_destroy(all);
}

int ctr_kafka_start(struct kafka_source *s, struct ctr_error *err)
{
	rd_kafka_topic_partition_list_t *topics;
	rd_kafka_resp_err_t e;

	s->subscribed = 1;
	if (!s->grouped) {
		assign_all(s);
		return 0;
	}
	topics = rd_kafka_topic_partition_list_new((int)s->topic_count);
	for (size_t i = 0; i < s->topic_count; i++)
		rd_kafka_topic_partition_list_add(topics, s->topics[i].name, RD_KAFKA_PARTITION_UA);
	e = rd_kafka_subscribe(s->rk, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
		return ctr_error_set(err, CTR_EKAFKA, "kafka: cannot subscribe: %s",
				     rd_kafka_err2str(e));
	return 0;
}

int ctr_kafka_all_done(const struct kafka_source *s)
{
	return !s->follow && (!s->grouped || s->ever_assigned) && s->open == 0;
}

void ctr_kafka_reached(struct kafka_source *s, struct kafka_partition *p, int64_t offset)
{
	if (s->follow || p->done || offset < p->end)
		return;
	p->done = 1;
	s->open -= p->assigned;
}

size_t ctr_kafka_tell(struct ctr_source *src, const struct ctr_checkpoint **cps)
{
	struct kafka_source *s = (struct kafka_source *)src;
	size_t count = 0;

	for (size_t i = 0; i < s->topic_count; i++) {
		const struct kafka_topic *t = &s->topics[i];

		for (int32_t p = 0; p < t->count; p++) {
			const struct kafka_partition *part = &t->partitions[p];

			/* a partition handed to this run with nothing to read (empty) is the
			 * shard's as much as one it read: without its checkpoint, a later run of
			 * the group would take its first events for another shard's partition */
			if (!part->known && !(part->assigned && part->next >= part->end))
				continue;
			struct ctr_checkpoint *cp = &s->positions[count++];
			memset(cp, 0, sizeof(*cp));
			snprintf(cp->source, sizeof(cp->source), "kafka:%s", t->name);
			cp->partition = p;
			cp->next_offset = t->partitions[p].next;
		}
	}
	s->told = count;
	*cps = s->positions;
	return count;
}

/*
 * In *topic, cp's topic when it is one of ours (NULL: another source's);
 * CTR_ESTATE when it names a partition the topic does not have.
 */
static int topic_of(struct kafka_source *s, const struct ctr_checkpoint *cp,
		    struct kafka_topic **topic, struct ctr_error *err)
{
	struct kafka_topic *t = strncmp(cp->source, "kafka:", 6) == 0 ? topic_named(s, cp->source + 6)
									 : NULL;

	*topic = t;
	if (t != NULL && (cp->partition < 0 || cp->partition >= t->count))
		return ctr_error_set(err, CTR_ESTATE, "kafka: %s has %d partitions but this database"
				     " has a checkpoint for partition %lld: not the topic it was"
				     " replayed from; replay it with --rebuild", t->name, (int)t->count,
				     (long long)cp->partition);
	return 0;
}

int ctr_kafka_check(struct ctr_source *src, const struct ctr_checkpoint *cp,
		    struct ctr_error *err)
{
	struct kafka_topic *t;

	return topic_of((struct kafka_source *)src, cp, &t, err);
}

int ctr_kafka_seek(struct ctr_source *src, const struct ctr_checkpoint *cp,
		      struct ctr_error *err)
{
	struct kafka_source *s = (struct kafka_source *)src;
	struct kafka_topic *t;
	int rc = topic_of(s, cp, &t, err);

	if (rc != 0 || t == NULL)
		return rc; /* another topic, or another source's */
	t->partitions[cp->partition].next = cp->next_offset;
	t->partitions[cp->partition].committed = -1; /* what the group holds is not known */
	t->partitions[cp->partition].known = 1;
	return 0;
}

/*
 * After SQLite committed the positions of the last tell(): Kafka's committed
 * offsets follow, for lag tools (the loop has read further meanwhile). Only
 * those of the partitions this member holds: one taken away belongs to the
 * member it went to, whose commits an older position from here would undo
 * (the batch that held it may be committed after the rebalance). Those held
 * are committed once a run even when nothing new was read: the group may
 * never have been told them (a run without --group, a commit lost to a kill
 * or a rebalance).
 */
void ctr_kafka_committed(struct ctr_source *src)
{
	struct kafka_source *s = (struct kafka_source *)src;
	rd_kafka_topic_partition_list_t *list;

	if (!s->grouped)
		return;
	list = rd_kafka_topic_partition_list_new(64);
	for (size_t i = 0; i < s->told; i++) {
		const struct ctr_checkpoint *cp = &s->positions[i];
		struct kafka_topic *t = topic_named(s, cp->source + 6);
		struct kafka_partition *part = &t->partitions[cp->partition];

		if (!part->assigned || part->committed == cp->next_offset)
			continue;
		rd_kafka_topic_partition_list_add(list, t->name, (int32_t)cp->partition)->offset =
			cp->next_offset;
		part->committed = cp->next_offset;
	}
	if (list->cnt > 0)
		rd_kafka_commit(s->rk, list, 1);
	rd_kafka_topic_partition_list_destroy(list);
}

/*
 * A commit the group refused (a rebalance's new generation, a broker down) is
 * forgotten, so that the next ctr_kafka_committed() makes it again rather than
 * take the offset for told. Called from the consumer's poll, on the loop.
 */
void ctr_kafka_on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t e,
		     rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
	struct kafka_source *s = opaque;

	(void)rk;
	for (int i = 0; offsets != NULL && i < offsets->cnt; i++) {
		const rd_kafka_topic_partition_t *elem = &offsets->elems[i];
		struct kafka_partition *p = ctr_kafka_partition_of(s, elem->topic, elem->partition);

		if ((e != RD_KAFKA_RESP_ERR_NO_ERROR || elem->err != RD_KAFKA_RESP_ERR_NO_ERROR) &&
		    p != NULL && p->committed == elem->offset)
			p->committed = -1;
	}
}
