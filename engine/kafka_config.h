/*
 * kafka_config.h - what the Kafka commands share: reading a
 * kafka://BOOTSTRAP/TOPIC spec, passing -X settings through to librdkafka,
 * and the consumer settings a replay needs.
 */
#ifndef CTR_KAFKA_CONFIG_H
#define CTR_KAFKA_CONFIG_H

#include <librdkafka/rdkafka.h>

#include "engine/source.h"
#include "events/error.h"

#define CTR_KAFKA_TOPIC_MAX 249 /* Kafka's own limit on a topic's name */

/* Whether Kafka takes name for a topic: 1 to CTR_KAFKA_TOPIC_MAX of [A-Za-z0-9._-], not . or .. */
int ctr_kafka_topic_name_ok(const char *name);

/*
 * Splits kafka://BOOTSTRAP/TOPIC[,TOPIC...] into the bootstrap servers and
 * the topic list (either output may be NULL; engine/kafka_spec.c). CTR_EINVAL
 * when malformed: a server not HOST[:PORT] with a port from 1 to 65535, a
 * topic name Kafka would refuse (empty, over CTR_KAFKA_TOPIC_MAX, other
 * characters than [A-Za-z0-9._-], "." or ".."), an empty one of either (two
 * commas, one at an end).
 */
int ctr_kafka_split(const char *spec, char *bootstrap, size_t bootstrap_size, char *topics,
		    size_t topics_size, struct ctr_error *err);

/* Applies one "key=value" setting to conf. */
int ctr_kafka_set(rd_kafka_conf_t *conf, const char *setting, struct ctr_error *err);

/*
 * A consumer's settings: ours for a checkpointed replay (no automatic
 * commits or offset resets, short fetch waits, a deep prefetch queue), then
 * options->settings over them, then the group.
 */
int ctr_kafka_consumer_conf(const char *bootstrap, const struct ctr_source_options *options,
			    rd_kafka_conf_t **out, struct ctr_error *err);

/* rd_kafka_new() with an error; conf is taken in every case. */
int ctr_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, rd_kafka_t **out,
		  struct ctr_error *err);

#endif
