/*
 * kafka_open.c - a Kafka source opened and closed (see source_kafka.c): its
 * topics parsed from the spec and their partitions counted from the cluster's
 * metadata, its consumer made, librdkafka's log lines kept until it is open;
 * and all of it let go at the end, the consumer handle left to the process's
 * exit where destroying it would assert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/kafka_config.h"
#include "engine/kafka_source_internal.h"

/*
 * Whether the group chose an assignor (answered our JoinGroup) that has not
 * given this member an assignment yet. rd_kafka_destroy() then asserts in
 * librdkafka 2.0.2 (its issue 4312, fixed in 2.3.0): the sticky assignors
 * destroy a state they have not made. A stop during a rebalance that waits
 * for another member's SyncGroup meets it.
 */
static int joined_unassigned(struct kafka_source *s)
{
	const char *protocol;

	if (!s->grouped || !s->subscribed || s->ever_assigned)
		return 0;
	protocol = rd_kafka_rebalance_protocol(s->rk);
	return protocol != NULL && strcmp(protocol, "NONE") != 0;
}

/*
 * Leaves the group and destroys the consumer: 1 when its handle must be kept
 * instead (joined_unassigned()), left to the process's exit, and s with it:
 * librdkafka's threads may still log through it.
 */
static int close_consumer(struct kafka_source *s)
{
	int keep_handle;

	s->closing = 1;
	if (s->wake[1] >= 0) { /* no more writes to the pipe about to be closed */
		rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(s->rk);
		rd_kafka_queue_io_event_enable(queue, -1, NULL, 0);
		rd_kafka_queue_destroy(queue);
	}
	keep_handle = joined_unassigned(s);
	if (s->subscribed)
		rd_kafka_consumer_close(s->rk); /* leaves the group either way */
	keep_handle |= joined_unassigned(s);
	if (!keep_handle)
		rd_kafka_destroy(s->rk);
	return keep_handle;
}

/* What reading needed: the wake pipe, the decoders, the topics and positions. */
static void free_reading(struct kafka_source *s)
{
	for (int i = 0; i < 2; i++)
		if (s->wake[i] >= 0)
			close(s->wake[i]);
	for (int i = 0; i <= MAX_SCHEMA_ID; i++)
		ctr_decoder_free(s->decoders[i]);
	for (size_t i = 0; i < s->topic_count; i++)
		free(s->topics[i].partitions);
	free(s->topics);
	s->topics = NULL;
	s->topic_count = 0;
	free(s->positions);
	s->positions = NULL;
}

static void kafka_close(struct ctr_source *src)
{
	struct kafka_source *s = (struct kafka_source *)src;
	int keep_handle = 0;

	if (s->last)
		ctr_kafka_release(s->release, s->last);
	ctr_kafka_release_free(s->release);
	s->release = NULL; /* freed: a message met from here on is destroyed at once */
	if (s->rk)
		keep_handle = close_consumer(s);
	free_reading(s);
	if (keep_handle) {
		pthread_mutex_lock(&s->log_lock);
		s->log_through = 0;
		pthread_mutex_unlock(&s->log_lock);
		return;
	}
	pthread_mutex_destroy(&s->log_lock);
	free(s);
}

/*
 * librdkafka's log lines. Until the source is open they are kept, not printed:
 * a broker that cannot be reached then ends in one line that quotes the last
 * of them. After that they reach stderr as librdkafka prints them, so an
 * operator sees a broker going away while a replay waits for it.
 */
static void on_log(const rd_kafka_t *rk, int level, const char *facility, const char *line)
{
	struct kafka_source *s = rd_kafka_opaque(rk);
	int through;

	pthread_mutex_lock(&s->log_lock);
	if (level <= 3)
		snprintf(s->last_log, sizeof(s->last_log), "%s", line);
	through = s->log_through;
	pthread_mutex_unlock(&s->log_lock);
	if (through)
		rd_kafka_log_print(rk, level, facility, line);
}

static const char *last_log(struct kafka_source *s, char *out, size_t size)
{
	pthread_mutex_lock(&s->log_lock);
	snprintf(out, size, "%s%s%s", *s->last_log ? " (" : "", s->last_log, *s->last_log ? ")" : "");
	pthread_mutex_unlock(&s->log_lock);
	return out;
}

/* The partition counts of the topics, from the cluster's metadata. */
static int describe_topics(struct kafka_source *s, struct ctr_error *err)
{
	const struct rd_kafka_metadata *md = NULL;
	size_t total = 0;
	char why[600];

	for (size_t i = 0; i < s->topic_count; i++) {
		struct kafka_topic *t = &s->topics[i];
		rd_kafka_topic_t *handle = rd_kafka_topic_new(s->rk, t->name, NULL);
		rd_kafka_resp_err_t e = handle ? rd_kafka_metadata(s->rk, 0, handle, &md, 10000)
					       : rd_kafka_last_error();

		if (handle)
			rd_kafka_topic_destroy(handle);
		if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
			return ctr_error_set(err, CTR_EKAFKA, "kafka: cannot read the metadata of %s"
					     " from %s: %s%s", t->name, s->base.name,
					     rd_kafka_err2str(e), last_log(s, why, sizeof(why)));
		if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt <= 0) {
			e = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
			rd_kafka_metadata_destroy(md);
			return ctr_error_set(err, CTR_EINVAL, "kafka: topic %s: %s", t->name,
					     e ? rd_kafka_err2str(e) : "no partitions");
		}
		t->count = md->topics[0].partition_cnt;
		rd_kafka_metadata_destroy(md);
		t->partitions = calloc((size_t)t->count, sizeof(*t->partitions));
		if (t->partitions == NULL)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory");
		total += (size_t)t->count;
	}
	s->positions = calloc(total, sizeof(*s->positions));
	return s->positions ? 0 : ctr_error_set(err, CTR_ENOMEM, "out of memory");
}

static int parse_topics(struct kafka_source *s, const char *list, struct ctr_error *err)
{
	const char *at = list;

	while (*at) {
		size_t len = strcspn(at, ",");
		struct kafka_topic *grown;

		if (len == 0 || len >= sizeof(s->topics[0].name))
			return ctr_error_set(err, CTR_EINVAL, "%s: a topic name is empty or too long",
					     s->base.name);
		grown = realloc(s->topics, (s->topic_count + 1) * sizeof(*grown));
		if (grown == NULL)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory");
		s->topics = grown;
		memset(&s->topics[s->topic_count], 0, sizeof(*grown));
		memcpy(s->topics[s->topic_count].name, at, len);
		s->topic_count++;
		at += len + (at[len] == ',');
	}
	return 0;
}

/* The source as it is before anything is asked of the cluster. */
static void init_source(struct kafka_source *s, const char *spec,
			const struct ctr_source_options *options)
{
	snprintf(s->base.name, sizeof(s->base.name), "%s", spec);
	s->base.resumable = 1;
	s->base.next = ctr_kafka_next;
	s->base.describe = ctr_kafka_describe;
	s->base.to_json = ctr_kafka_to_json;
	s->base.encode = ctr_kafka_encode;
	s->base.ready_fd = ctr_kafka_ready_fd;
	s->base.lag = ctr_kafka_lag;
	s->base.expected = ctr_kafka_lag; /* the ends seen at assignment (followed: the latest) */
	s->base.tell = ctr_kafka_tell;
	s->base.seek = ctr_kafka_seek;
	s->base.check = ctr_kafka_check;
	s->base.committed = ctr_kafka_committed;
	s->base.close = kafka_close;
	s->wake[0] = s->wake[1] = -1;
	pthread_mutex_init(&s->log_lock, NULL);
	s->release = ctr_kafka_release_new(); /* without it, messages are destroyed at once */
	s->grouped = options->group != NULL;
	s->follow = options->follow;
	s->check_formats = !options->schema_only;
}

/* The consumer, its callbacks given s (a group's rebalances and commits among them). */
static int make_consumer(struct kafka_source *s, const char *bootstrap,
			 const struct ctr_source_options *options, struct ctr_error *err)
{
	rd_kafka_conf_t *conf = NULL;
	int rc = ctr_kafka_consumer_conf(bootstrap, options, &conf, err);

	if (rc != 0)
		return rc;
	rd_kafka_conf_set_opaque(conf, s);
	rd_kafka_conf_set_log_cb(conf, on_log);
	if (s->grouped) {
		rd_kafka_conf_set_rebalance_cb(conf, ctr_kafka_on_rebalance);
		rd_kafka_conf_set_offset_commit_cb(conf, ctr_kafka_on_commit);
	}
	rc = ctr_kafka_new(RD_KAFKA_CONSUMER, conf, &s->rk, err); /* takes conf */
	if (rc == 0)
		rd_kafka_poll_set_consumer(s->rk);
	return rc;
}

int ctr_source_open_kafka(const char *spec, const struct ctr_source_options *options,
			  struct ctr_source **out, struct ctr_error *err)
{
	struct kafka_source *s = calloc(1, sizeof(*s));
	char bootstrap[1024], topics[sizeof(s->base.name)];
	int rc;

	if (s == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	init_source(s, spec, options);
	s->catalog = ctr_catalog_default(err);
	rc = s->catalog ? ctr_kafka_split(spec, bootstrap, sizeof(bootstrap), topics, sizeof(topics),
					  err) : err->code;
	if (rc == 0)
		rc = parse_topics(s, topics, err);
	if (rc == 0)
		rc = make_consumer(s, bootstrap, options, err);
	if (rc == 0)
		rc = describe_topics(s, err);
	if (rc != 0) {
		kafka_close(&s->base);
		return rc;
	}
	pthread_mutex_lock(&s->log_lock);
	s->log_through = 1;
	pthread_mutex_unlock(&s->log_lock);
	*out = &s->base;
	return 0;
}
