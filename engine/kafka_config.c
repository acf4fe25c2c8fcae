/*
 * kafka_config.c - Kafka specs and settings (see kafka_config.h).
 */
#include "engine/kafka_config.h"

#include <stdio.h>
#include <string.h>

int ctr_kafka_set(rd_kafka_conf_t *conf, const char *setting, struct ctr_error *err)
{
	const char *eq = strchr(setting, '=');
	char key[256], message[256];

	if (eq == NULL || eq == setting || (size_t)(eq - setting) >= sizeof(key))
		return ctr_error_set(err, CTR_EINVAL, "-X %s: expected key=value", setting);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - setting), setting);
	if (rd_kafka_conf_set(conf, key, eq + 1, message, sizeof(message)) != RD_KAFKA_CONF_OK) {
		size_t len = strlen(message);
		while (len > 0 && message[len - 1] == '\n') /* some of librdkafka's end in one */
			message[--len] = '\0';
		return ctr_error_set(err, CTR_EINVAL, "-X %s: %s", key, message);
	}
	return 0;
}

int ctr_kafka_consumer_conf(const char *bootstrap, const struct ctr_source_options *options,
			    rd_kafka_conf_t **out, struct ctr_error *err)
{
	/*
	 * Offsets live in the checkpoints table, so librdkafka neither commits nor
	 * resets them on its own: a reset would skip deleted events silently. The
	 * fetch and queue sizes keep a catch-up replay from stalling (PITFALLS).
	 */
	static const char *const ours[] = {
		"enable.auto.commit=false", "enable.auto.offset.store=false",
		"auto.offset.reset=error", "enable.partition.eof=true",
		"fetch.wait.max.ms=10", "queued.min.messages=1000000",
		"queued.max.messages.kbytes=32768", "fetch.max.bytes=52428800",
		"partition.assignment.strategy=cooperative-sticky", "client.id=contrail",
		"log_level=3", /* warnings such as a commit lost in a rebalance are expected */
	};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char setting[1100];
	int rc;

	snprintf(setting, sizeof(setting), "bootstrap.servers=%s", bootstrap);
	rc = ctr_kafka_set(conf, setting, err);
	for (size_t i = 0; rc == 0 && i < sizeof(ours) / sizeof(ours[0]); i++)
		rc = ctr_kafka_set(conf, ours[i], err);
	for (size_t i = 0; rc == 0 && i < options->settings_count; i++)
		rc = ctr_kafka_set(conf, options->settings[i], err);
	if (rc == 0) {
		/* librdkafka assigns partitions only in a group; without one it never joins it */
		snprintf(setting, sizeof(setting), "group.id=%s",
			 options->group ? options->group : "contrail-unjoined");
		rc = ctr_kafka_set(conf, setting, err);
	}
	if (rc != 0) {
		rd_kafka_conf_destroy(conf);
		return rc;
	}
	*out = conf;
	return 0;
}

int ctr_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, rd_kafka_t **out,
		  struct ctr_error *err)
{
	char message[512];

	*out = rd_kafka_new(type, conf, message, sizeof(message));
	if (*out == NULL) {
		rd_kafka_conf_destroy(conf);
		return ctr_error_set(err, CTR_EKAFKA, "kafka: %s", message);
	}
	return 0;
}
