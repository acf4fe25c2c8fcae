/*
 * kafka_mock_fixture.c - the mock cluster the Kafka tests share
 * (kafka_mock_fixture.h): started with its topic, filled with a generated
 * history in the Confluent wire format, and stopped.
 */
#include "tests/engine/kafka_mock_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/generate.h"
#include "engine/source.h"
#include "events/frame.h"

static void produce_history(struct cluster *c, long accounts)
{
	char path[128], message[256];
	struct ctr_generate_stats stats;
	struct ctr_error err = { 0 };
	struct ctr_source *src;
	struct ctr_event ev;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *producer;
	uint8_t frame[CTR_FRAME_HEADER + 65536];
	FILE *out;

	snprintf(path, sizeof(path), "%s/history.jsonl", c->dir);
	out = fopen(path, "w");
	cr_assert_not_null(out);
	cr_assert_eq(ctr_generate(out, 41, accounts, &stats, &err), 0, "%s", err.message);
	fclose(out);
	rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstrap, message, sizeof(message));
	producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, message, sizeof(message));
	cr_assert_not_null(producer, "%s", message);
	snprintf(path, sizeof(path), "jsonl:%s/history.jsonl", c->dir);
	cr_assert_eq(ctr_source_open(path, NULL, &src, &err), 0, "%s", err.message);
	while (src->next(src, &ev, &err) > 0) {
		const void *record;
		size_t len;
		int schema_id;

		if (ev.code != CTR_CODE_OK)
			continue;
		cr_assert_eq(src->encode(src, &schema_id, &record, &len, &err), 0, "%s", err.message);
		cr_assert_leq(len, sizeof(frame) - CTR_FRAME_HEADER);
		ctr_frame_header(frame, schema_id);
		memcpy(frame + CTR_FRAME_HEADER, record, len);
		cr_assert_eq(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("events"),
					       RD_KAFKA_V_KEY(ev.account, strlen(ev.account)),
					       RD_KAFKA_V_VALUE(frame, len + CTR_FRAME_HEADER),
					       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
			     RD_KAFKA_RESP_ERR_NO_ERROR);
		rd_kafka_poll(producer, 0);
	}
	ctr_source_close(src);
	cr_assert_eq(rd_kafka_flush(producer, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
	rd_kafka_destroy(producer);
}

void cluster_start(struct cluster *c, int brokers)
{
	char message[256];

	snprintf(c->dir, sizeof(c->dir), "/tmp/contrail-kafka-XXXXXX");
	cr_assert_not_null(mkdtemp(c->dir));
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	rd_kafka_conf_set(conf, "log_level", "3", message, sizeof(message));
	c->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, message, sizeof(message));
	cr_assert_not_null(c->owner, "%s", message);
	c->mock = rd_kafka_mock_cluster_new(c->owner, brokers);
	cr_assert_not_null(c->mock);
	cr_assert_eq(rd_kafka_mock_topic_create(c->mock, "events", 4, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
	snprintf(c->bootstrap, sizeof(c->bootstrap), "%s", rd_kafka_mock_cluster_bootstraps(c->mock));
	snprintf(c->spec, sizeof(c->spec), "kafka://%s/events", c->bootstrap);
	produce_history(c, 120);
}

void cluster_stop(struct cluster *c)
{
	char command[128];

	rd_kafka_mock_cluster_destroy(c->mock);
	rd_kafka_destroy(c->owner);
	snprintf(command, sizeof(command), "rm -rf %s", c->dir);
	cr_assert_eq(system(command), 0);
}
