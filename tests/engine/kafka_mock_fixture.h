/*
 * kafka_mock_fixture.h - what the Kafka tests (test_kafka_*.c) share: a mock
 * cluster of librdkafka's in this process, with a topic "events" of 4
 * partitions holding a generated history, and a bound on a test's time.
 */
#ifndef CTR_TEST_KAFKA_MOCK_FIXTURE_H
#define CTR_TEST_KAFKA_MOCK_FIXTURE_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Kafka protocol API keys (the mock's request-error API takes them; librdkafka keeps its names private). */
#define API_FETCH 1
#define API_OFFSET_COMMIT 8
#define API_SYNC_GROUP 14

struct cluster {
	rd_kafka_t *owner;
	rd_kafka_mock_cluster_t *mock;
	char bootstrap[512], spec[600];
	char dir[64];
};

/* Starts a cluster of brokers with the topic and the history of 120 accounts, in a new c->dir. */
void cluster_start(struct cluster *c, int brokers);
/* Destroys the cluster and removes c->dir. */
void cluster_stop(struct cluster *c);

/*
 * Tests that bound themselves call alarm(BOUND_S): SIGALRM ends one that waits
 * on librdkafka for ever, and Criterion reports it crashed. Not with .timeout:
 * when two tests with one run at once and the one due later ends first, the
 * runner of Criterion 2.4 as packaged loses the record of its timeout (48
 * bytes, allocated in its timeout code), and LeakSanitizer fails `make
 * sanitize` on it.
 */
#define BOUND_S 120

#endif
