/*
 * kafka_source_internal.h - the state of a Kafka source, shared by
 * source_kafka.c (reading and decoding messages), kafka_open.c (opening and
 * closing the source), kafka_partitions.c (which partitions it reads) and
 * kafka_offsets.c (how far). Not for use outside engine/.
 */
#ifndef CTR_KAFKA_SOURCE_INTERNAL_H
#define CTR_KAFKA_SOURCE_INTERNAL_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>

#include "engine/kafka_release.h"
#include "engine/source.h"
#include "events/catalog.h"
#include "events/decode.h"

#define MAX_SCHEMA_ID 64 /* schema ids a source keeps a decoder for */

struct kafka_partition {
	int64_t next;       /* offset of the next message to read */
	int64_t committed;  /* the offset last committed to Kafka */
	int64_t end;        /* a bounded run stops here: the high watermark when assigned */
	int known;          /* has a checkpoint, or was read in this run */
	int assigned;
	int done;           /* a bounded run has read it to its end */
	int read_this_run;
};

struct kafka_topic {
	char name[256];
	struct kafka_partition *partitions;
	int32_t count;
};

struct kafka_source {
	struct ctr_source base;
	rd_kafka_t *rk;
	struct kafka_topic *topics;
	size_t topic_count;
	int grouped, follow, subscribed, ever_assigned, closing;
	int check_formats;           /* not for a schema_only reader (source.h) */
	int given;                   /* an assignment with partitions was taken */
	int open;                    /* partitions assigned and not done: a bounded run ends at 0 */
	int nonblocking;             /* after ready_fd(): next() never waits */
	int wake[2];                 /* librdkafka writes to wake[1] when its queue fills */
	const struct ctr_catalog *catalog;
	struct ctr_decoder *decoders[MAX_SCHEMA_ID + 1];
	struct ctr_decoder *last_decoder;
	rd_kafka_message_t *last;    /* the message last returned: its bytes back the event */
	struct ctr_kafka_release *release; /* destroys the messages read (kafka_release.h) */
	struct ctr_checkpoint *positions;
	size_t told;                  /* positions filled by the last tell() */
	struct ctr_error fatal;      /* found inside a librdkafka callback; next() returns it */
	pthread_mutex_t log_lock;    /* librdkafka logs from its own threads */
	char last_log[512];          /* its last error line, folded into our messages */
	int log_through;             /* once open, its lines go to stderr as librdkafka prints them */
};

struct kafka_partition *ctr_kafka_partition_of(struct kafka_source *s, const char *topic,
					   int32_t partition);
/* Sets the source's fatal error (the first one stays): fmt takes topic, partition, a and b. */
void ctr_kafka_set_fatal(struct kafka_source *s, int code, const char *fmt, const char *topic,
		     int32_t partition, int64_t a, int64_t b);
/*
 * Where partition p starts (kafka_offsets.c), judged against its watermarks:
 * a checkpoint below the log start offset means events were deleted before
 * they were replayed (a fresh database is a checkpoint at 0); one past the
 * end means the topic is not the one this database was replayed from. Either
 * sets the source's fatal error and returns -1: the partition is then not
 * assigned, so librdkafka never fetches from an offset out of range.
 */
int64_t ctr_kafka_start_of(struct kafka_source *s, const char *topic, int32_t partition,
		       struct kafka_partition *p);
/* Assigns the partitions (alone) or subscribes to the topics (in a group). */
int ctr_kafka_start(struct kafka_source *s, struct ctr_error *err);
/* A bounded run has read every partition it was given to its end. */
int ctr_kafka_all_done(const struct kafka_source *s);
/* A bounded run's partition p is done once offset, the next one to read, reaches its end. */
void ctr_kafka_reached(struct kafka_source *s, struct kafka_partition *p, int64_t offset);
void ctr_kafka_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e,
			rd_kafka_topic_partition_list_t *partitions, void *opaque);
/* librdkafka's report of a commit to the group (ctr_kafka_committed): one refused is made again. */
void ctr_kafka_on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t e,
		     rd_kafka_topic_partition_list_t *offsets, void *opaque);

/* The ctr_source functions about reading messages (source_kafka.c). */
int ctr_kafka_next(struct ctr_source *src, struct ctr_event *ev, struct ctr_error *err);
void ctr_kafka_describe(struct ctr_source *src, char *buf, size_t size);
char *ctr_kafka_to_json(struct ctr_source *src, const struct ctr_event *ev);
int ctr_kafka_encode(struct ctr_source *src, int *schema_id, const void **bytes, size_t *len,
		 struct ctr_error *err);
int ctr_kafka_ready_fd(struct ctr_source *src);

/* The ctr_source functions about positions. */
int64_t ctr_kafka_lag(struct ctr_source *src);
size_t ctr_kafka_tell(struct ctr_source *src, const struct ctr_checkpoint **cps);
int ctr_kafka_seek(struct ctr_source *src, const struct ctr_checkpoint *cp, struct ctr_error *err);
int ctr_kafka_check(struct ctr_source *src, const struct ctr_checkpoint *cp, struct ctr_error *err);
void ctr_kafka_committed(struct ctr_source *src);

#endif
