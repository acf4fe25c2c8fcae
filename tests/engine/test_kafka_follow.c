/*
 * test_kafka_follow.c - a Kafka source under --follow, against librdkafka's
 * mock cluster (kafka_mock_fixture.h): its lag counts the messages produced
 * after it caught up, before they are read.
 */
#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/source.h"
#include "tests/engine/kafka_mock_fixture.h"

/* count messages more on the topic (not events: the lag counts messages). */
static void produce_more(struct cluster *c, int count)
{
	char message[256], key[16];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *producer;

	rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstrap, message, sizeof(message));
	producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, message, sizeof(message));
	cr_assert_not_null(producer, "%s", message);
	for (int i = 0; i < count; i++) {
		snprintf(key, sizeof(key), "%d", i);
		cr_assert_eq(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("events"),
					       RD_KAFKA_V_KEY(key, strlen(key)),
					       RD_KAFKA_V_VALUE("late", 4),
					       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
			     RD_KAFKA_RESP_ERR_NO_ERROR);
	}
	cr_assert_eq(rd_kafka_flush(producer, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
	rd_kafka_destroy(producer);
}

/* Reads src until it has had nothing new for a second; returns the events read. */
static long read_until_quiet(struct ctr_source *src)
{
	struct ctr_event ev;
	struct ctr_error err = { 0 };
	long read = 0;
	int idle = 0, rc;

	while (idle < 100) {
		rc = src->next(src, &ev, &err);
		cr_assert_geq(rc, 0, "%s", err.message);
		if (rc == 1) {
			read++;
			idle = 0;
		} else {
			idle++;
			usleep(10 * 1000);
		}
	}
	return read;
}

/*
 * Under --follow the lag counts the messages past the position up to the
 * partitions' ends as the consumer last saw them, not the ends they had when
 * assigned: messages produced after the follower caught up show in it before
 * they are read.
 */
Test(kafka_faults, a_follower_s_lag_counts_messages_produced_since_it_caught_up)
{
	struct cluster c;
	struct ctr_source_options options = { .follow = 1 };
	struct ctr_source *src;
	struct ctr_error err = { 0 };
	int64_t lag = 0;

	alarm(BOUND_S);
	cluster_start(&c, 1);
	cr_assert_eq(ctr_source_open(c.spec, &options, &src, &err), 0, "%s", err.message);
	cr_assert_geq(src->ready_fd(src), 0);
	cr_assert_gt(read_until_quiet(src), 1000);
	cr_assert_eq(src->lag(src), 0, "caught up");
	produce_more(&c, 40);
	for (int tries = 0; tries < 200 && lag < 40; tries++) { /* fetched in the background */
		usleep(100 * 1000);
		lag = src->lag(src);
	}
	cr_assert_eq(lag, 40, "the lag of 40 messages produced since");
	cr_assert_eq(read_until_quiet(src), 40);
	cr_assert_eq(src->lag(src), 0, "caught up again");
	ctr_source_close(src);
	cluster_stop(&c);
}
