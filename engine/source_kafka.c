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
 * (kafka_partitions.c). This file reads and decodes the messages; the source
 * is opened and closed in kafka_open.c.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

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
		rc = ctr_decoder_new(writer, s->check_formats, &s->decoders[schema_id], err);
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
			/* the header's 4 bytes as they are, not as a negative number */
			snprintf(message, sizeof(message), "schema id %u is not in the catalog",
				 (unsigned)schema_id);
		}
	}
	if (code != CTR_CODE_OK) {
		ctr_event_clear(ev);
		ctr_event_reject(ev, code, 0, "%s", message);
	}
	if (!ctr_event_takes_place(ev)) {
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
	struct kafka_partition *p = msg->rkt ? ctr_kafka_partition_of(s, topic, msg->partition) : NULL;

	switch (msg->err) {
	case RD_KAFKA_RESP_ERR__PARTITION_EOF:
		if (p != NULL)
			ctr_kafka_reached(s, p, msg->offset);
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

/*
 * The next message without an error: 1; 0 when every partition is done;
 * CTR_SOURCE_AGAIN when none has come (once the run's loop waits on ready_fd());
 * negative with err on an error that stops the run.
 */
static int poll_message(struct kafka_source *s, rd_kafka_message_t **out,
			struct ctr_error *err)
{
	rd_kafka_message_t *msg;
	int rc;

	for (;;) {
		if (s->fatal.code != 0) {
			*err = s->fatal;
			return err->code;
		}
		if (ctr_kafka_all_done(s))
			return 0;
		msg = rd_kafka_consumer_poll(s->rk, s->nonblocking ? 0 : 100);
		if (msg == NULL) {
			if (!s->nonblocking)
				continue;
			/* caught up: a trickle (--follow) must not keep a part block for long */
			ctr_kafka_release_flush(s->release);
			return CTR_SOURCE_AGAIN;
		}
		if (!msg->err) {
			*out = msg;
			return 1;
		}
		rc = consumer_error(s, msg, err);
		ctr_kafka_release(s->release, msg);
		if (rc != 0)
			return rc;
	}
}

/*
 * The partition msg is read for; NULL when it is past the bound of a bounded
 * run, or before the position (a re-fetch).
 */
static struct kafka_partition *partition_to_read(struct kafka_source *s,
						 const rd_kafka_message_t *msg)
{
	struct kafka_partition *p = ctr_kafka_partition_of(s, rd_kafka_topic_name(msg->rkt),
							   msg->partition);

	if (p != NULL)
		ctr_kafka_reached(s, p, msg->offset);
	if (p == NULL || p->done || msg->offset < p->next)
		return NULL;
	return p;
}

/* msg read: p's position moved past it, and msg kept until the next call. */
static int read_message(struct kafka_source *s, struct kafka_partition *p,
			rd_kafka_message_t *msg, struct ctr_event *ev, struct ctr_error *err)
{
	int rc;

	p->next = msg->offset + 1;
	p->known = p->read_this_run = 1;
	ctr_kafka_reached(s, p, p->next);
	s->last = msg;
	rc = decode(s, msg, ev, err);
	/* a failure (no memory for its decoder) is not the message read: the run's
	 * final write stores the checkpoint, and the next run must read it again */
	if (rc != 0)
		p->next = msg->offset;
	return rc != 0 ? rc : 1;
}

int ctr_kafka_next(struct ctr_source *src, struct ctr_event *ev, struct ctr_error *err)
{
	struct kafka_source *s = (struct kafka_source *)src;
	rd_kafka_message_t *msg = NULL;
	struct kafka_partition *p;
	int rc;

	if (s->last) {
		ctr_kafka_release(s->release, s->last);
		s->last = NULL;
	}
	if (!s->subscribed) {
		rc = ctr_kafka_start(s, err);
		if (rc != 0)
			return rc;
	}
	for (;;) {
		rc = poll_message(s, &msg, err);
		if (rc != 1)
			return rc;
		p = partition_to_read(s, msg);
		if (p != NULL)
			return read_message(s, p, msg, ev, err);
		ctr_kafka_release(s->release, msg);
	}
}

/* The message last returned, which the source keeps until the next call. */
void ctr_kafka_describe(struct ctr_source *src, char *buf, size_t size)
{
	const rd_kafka_message_t *msg = ((struct kafka_source *)src)->last;

	if (msg == NULL)
		snprintf(buf, size, "kafka:");
	else
		snprintf(buf, size, "kafka:%s/%" PRId32 "@%" PRId64, rd_kafka_topic_name(msg->rkt),
			 msg->partition, msg->offset);
}

char *ctr_kafka_to_json(struct ctr_source *src, const struct ctr_event *ev)
{
	struct kafka_source *s = (struct kafka_source *)src;

	(void)ev;
	return s->last_decoder ? ctr_decoder_to_json(s->last_decoder) : NULL;
}

int ctr_kafka_encode(struct ctr_source *src, int *schema_id, const void **bytes, size_t *len,
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
int ctr_kafka_ready_fd(struct ctr_source *src)
{
	struct kafka_source *s = (struct kafka_source *)src;
	rd_kafka_queue_t *queue;

	if (s->wake[0] < 0) {
		if (pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0)
			return -1; /* the loop then calls next() on its idle handle */
		queue = rd_kafka_queue_get_consumer(s->rk);
		if (queue == NULL) { /* no group: librdkafka made no consumer queue to watch */
			close(s->wake[0]);
			close(s->wake[1]);
			s->wake[0] = s->wake[1] = -1;
			return -1;
		}
		rd_kafka_queue_io_event_enable(queue, s->wake[1], "1", 1);
		rd_kafka_queue_destroy(queue);
	}
	s->nonblocking = 1;
	return s->wake[0];
}
