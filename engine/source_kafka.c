/*
 * source_kafka.c - the `kafka://BOOTSTRAP/TOPIC[,TOPIC...]` source: Kafka
 * messages in the Confluent wire format (frame.h), decoded by the schema id
 * each one carries.
 *
 * The checkpoints table is the truth about where to resume: one row per
 * topic and partition (source `kafka:TOPIC`). Kafka's committed offsets are
 * written after each committed batch, for lag tools, and never read. A
 * bounded run reads each partition up to the high watermark seen when it was
 * assigned; --follow keeps reading. Without a group every partition is
 * assigned here; with one, Kafka splits them between the group's members
 * (kafka_partitions.c).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/kafka_config.h"
#include "engine/kafka_source_internal.h"
#include "events/frame.h"

/*
 * The decoder for a schema id, made on its first message; NULL for an id the
 * catalog lacks. A decoder that cannot be made (out of memory) is an error of
 * the run, not of the message: its id is in the catalog.
 */
static int decoder_for(struct kafka_source *s, int schema_id, struct ctr_decoder **out,
		       struct ctr_error *err)
{
	const char *writer;
	int rc;

	*out = NULL;
	if (schema_id <= 0 || schema_id > MAX_SCHEMA_ID)
		return 0;
	if (s->decoders[schema_id] == NULL && ctr_catalog_has_id(s->catalog, schema_id)) {
		writer = schema_id == ctr_catalog_current_id(s->catalog)
			 ? NULL : ctr_catalog_schema_json(s->catalog, schema_id);
		rc = ctr_decoder_new(writer, 1, &s->decoders[schema_id], err);
		if (rc != 0)
			return rc;
	}
	*out = s->decoders[schema_id];
	return 0;
}

/* One message into ev. Rejections keep the whole value as their raw bytes. */
static int decode(struct kafka_source *s, const rd_kafka_message_t *msg, struct ctr_event *ev,
		  struct ctr_error *err)
{
	const uint8_t *value = msg->payload, *record;
	size_t record_len;
	char message[256];
	int schema_id = -1;
	enum ctr_code code;

	s->last_decoder = NULL;
	code = ctr_frame_parse(value, msg->len, &schema_id, &record, &record_len, message,
			       sizeof(message));
	if (code == CTR_CODE_OK) {
		if (decoder_for(s, schema_id, &s->last_decoder, err) != 0)
			return err->code;
		if (s->last_decoder != NULL) {
			ctr_decode_avro_record(s->last_decoder, record, record_len, ev);
		} else {
			code = CTR_CODE_UNKNOWN_SCHEMA;
			snprintf(message, sizeof(message), "schema id %d is not in the catalog",
				 schema_id);
		}
	}
	if (code != CTR_CODE_OK) {
		ctr_event_clear(ev);
		ctr_event_reject(ev, code, 0, "%s", message);
	}
	if (ev->code != CTR_CODE_OK && !ev->takes_place) {
		ev->raw = value ? value : (const uint8_t *)"";
		ev->raw_len = msg->len;
		ev->raw_is_avro = 0;
	}
	return 0;
}

/* An error the consumer reports: fatal when events could be skipped, else librdkafka retries. */
static int consumer_error(struct kafka_source *s, const rd_kafka_message_t *msg,
			  struct ctr_error *err)
{
	const char *topic = msg->rkt ? rd_kafka_topic_name(msg->rkt) : "";
	struct kafka_partition *p = msg->rkt ? kafka_partition_of(s, topic, msg->partition) : NULL;

	switch (msg->err) {
	case RD_KAFKA_RESP_ERR__PARTITION_EOF:
		if (p != NULL)
			kafka_reached(s, p, msg->offset);
		return 0;
	case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
	case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
		return ctr_error_set(err, CTR_ESTATE, "kafka: %s partition %d: offset %lld is out of"
				     " range: events were deleted before they were replayed (%s)",
				     topic, (int)msg->partition,
				     (long long)(p ? p->next : msg->offset), rd_kafka_message_errstr(msg));
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR__FATAL:
		return ctr_error_set(err, CTR_EKAFKA, "kafka: %s%s%s", topic, *topic ? ": " : "",
				     rd_kafka_message_errstr(msg));
	default:
		return 0; /* brokers down, timeouts: the client reconnects and retries */
	}
}

static int kafka_next(struct ctr_source *src, struct ctr_event *ev, struct ctr_error *err)
{
	struct kafka_source *s = (struct kafka_source *)src;
	rd_kafka_message_t *msg;
	struct kafka_partition *p;
	int rc;

	if (s->last) {
		ctr_kafka_release(s->release, s->last);
		s->last = NULL;
	}
	if (!s->subscribed) {
		rc = kafka_start(s, err);
		if (rc != 0)
			return rc;
	}
	for (;;) {
		if (s->fatal.code != 0) {
			*err = s->fatal;
			return err->code;
		}
		if (kafka_all_done(s))
			return 0;
		msg = rd_kafka_consumer_poll(s->rk, s->nonblocking ? 0 : 100);
		if (msg == NULL) {
			if (!s->nonblocking)
				continue;
			/* caught up: a trickle (--follow) must not keep a part block for long */
			ctr_kafka_release_flush(s->release);
			return CTR_SOURCE_AGAIN;
		}
		if (msg->err) {
			rc = consumer_error(s, msg, err);
			ctr_kafka_release(s->release, msg);
			if (rc != 0)
				return rc;
			continue;
		}
		p = kafka_partition_of(s, rd_kafka_topic_name(msg->rkt), msg->partition);
		if (p != NULL)
			kafka_reached(s, p, msg->offset);
		if (p == NULL || p->done || msg->offset < p->next) {
			/* past the bound of a bounded run, or before the position (a re-fetch) */
			ctr_kafka_release(s->release, msg);
			continue;
		}
		p->next = msg->offset + 1;
		p->known = p->read_this_run = 1;
		kafka_reached(s, p, p->next);
		s->last = msg;
		rc = decode(s, msg, ev, err);
		return rc != 0 ? rc : 1;
	}
}

/* The message last returned, which the source keeps until the next call. */
static void kafka_describe(struct ctr_source *src, char *buf, size_t size)
{
	const rd_kafka_message_t *msg = ((struct kafka_source *)src)->last;

	if (msg == NULL)
		snprintf(buf, size, "kafka:");
	else
		snprintf(buf, size, "kafka:%s/%" PRId32 "@%" PRId64, rd_kafka_topic_name(msg->rkt),
			 msg->partition, msg->offset);
}

static char *kafka_to_json(struct ctr_source *src, const struct ctr_event *ev)
{
	struct kafka_source *s = (struct kafka_source *)src;

	(void)ev;
	return s->last_decoder ? ctr_decoder_to_json(s->last_decoder) : NULL;
}

static int kafka_encode(struct ctr_source *src, int *schema_id, const void **bytes, size_t *len,
			struct ctr_error *err)
{
	struct kafka_source *s = (struct kafka_source *)src;

	if (s->last_decoder == NULL)
		return ctr_error_set(err, CTR_EINVAL, "%s: the last message did not decode",
				     ctr_source_position(src));
	*schema_id = ctr_decoder_schema_id(s->last_decoder); /* the message's own */
	return ctr_decoder_encode(s->last_decoder, bytes, len, err);
}

/* The consumer queue's readiness, for the run loop: a pipe librdkafka writes to. */
static int kafka_ready_fd(struct ctr_source *src)
{
	struct kafka_source *s = (struct kafka_source *)src;
	rd_kafka_queue_t *queue;

	if (s->wake[0] < 0) {
		if (pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0)
			return -1; /* the loop then calls next() on its idle handle */
		queue = rd_kafka_queue_get_consumer(s->rk);
		rd_kafka_queue_io_event_enable(queue, s->wake[1], "1", 1);
		rd_kafka_queue_destroy(queue);
	}
	s->nonblocking = 1;
	return s->wake[0];
}

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

static void kafka_close(struct ctr_source *src)
{
	struct kafka_source *s = (struct kafka_source *)src;
	int keep_handle = 0;

	if (s->last)
		ctr_kafka_release(s->release, s->last);
	ctr_kafka_release_free(s->release);
	s->release = NULL; /* freed: a message met from here on is destroyed at once */
	if (s->rk) {
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
		/* The handle is then left to the process's exit, and s with it: librdkafka's
		 * threads may still log through it. */
		if (!keep_handle)
			rd_kafka_destroy(s->rk);
	}
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

int ctr_source_open_kafka(const char *spec, const struct ctr_source_options *options,
			  struct ctr_source **out, struct ctr_error *err)
{
	struct kafka_source *s = calloc(1, sizeof(*s));
	char bootstrap[1024], topics[sizeof(s->base.name)];
	rd_kafka_conf_t *conf = NULL;
	int rc;

	if (s == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	snprintf(s->base.name, sizeof(s->base.name), "%s", spec);
	s->base.resumable = 1;
	s->base.next = kafka_next;
	s->base.describe = kafka_describe;
	s->base.to_json = kafka_to_json;
	s->base.encode = kafka_encode;
	s->base.ready_fd = kafka_ready_fd;
	s->base.lag = kafka_lag;
	s->base.expected = kafka_lag; /* the ends seen at assignment (followed: the latest) */
	s->base.tell = kafka_tell;
	s->base.seek = kafka_seek;
	s->base.committed = kafka_committed;
	s->base.close = kafka_close;
	s->wake[0] = s->wake[1] = -1;
	pthread_mutex_init(&s->log_lock, NULL);
	s->release = ctr_kafka_release_new(); /* without it, messages are destroyed at once */
	s->grouped = options->group != NULL;
	s->follow = options->follow;
	s->catalog = ctr_catalog_default(err);
	rc = s->catalog ? ctr_kafka_split(spec, bootstrap, sizeof(bootstrap), topics, sizeof(topics),
					  err) : err->code;
	if (rc == 0)
		rc = parse_topics(s, topics, err);
	if (rc == 0)
		rc = ctr_kafka_consumer_conf(bootstrap, options, &conf, err);
	if (rc == 0) {
		rd_kafka_conf_set_opaque(conf, s);
		rd_kafka_conf_set_log_cb(conf, on_log);
		if (s->grouped)
			rd_kafka_conf_set_rebalance_cb(conf, kafka_on_rebalance);
	}
	if (rc == 0)
		rc = ctr_kafka_new(RD_KAFKA_CONSUMER, conf, &s->rk, err); /* takes conf */
	if (rc == 0)
		rd_kafka_poll_set_consumer(s->rk);
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
