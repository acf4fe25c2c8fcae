/*
 * test_kafka_faults.c - a Kafka replay under faults (issue 3), against
 * librdkafka's mock cluster in this process: request errors injected with the
 * mock's API part-way through a replay, and a broker taken down and brought
 * back. Each replay ends with the projection hash and the counts of an
 * undisturbed replay of the same topic: nothing lost, nothing counted twice.
 * A partition's leader down as the replay starts is waited for, within a
 * bound. A consumer group's offsets are tested in test_kafka_group.c, a
 * follower's lag in test_kafka_follow.c, on the same mock cluster
 * (kafka_mock_fixture.h).
 */
#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/source.h"
#include "tests/engine/kafka_mock_fixture.h"
#include "tests/engine/replay_fixture.h"

/* Small fetches, so that most of the topic is fetched after a fault is injected. */
static const char *const small_fetches[] = {
	"queued.min.messages=1500", "queued.max.messages.kbytes=1024",
	"fetch.message.max.bytes=16384", "fetch.max.bytes=65536", "message.max.bytes=65536",
	"log_level=2", /* the broker taken down is logged as an error otherwise */
};

struct fault {
	struct cluster *cluster;
	int batches;
	void (*inject)(struct fault *f);
	pthread_t restarter;
	int restarting;
};

static void after_flush(void *ctx, sqlite3 *db)
{
	struct fault *f = ctx;

	(void)db;
	if (f != NULL && ++f->batches == 2)
		f->inject(f);
}

static void replay(struct cluster *c, const char *name, struct fault *f,
		   struct ctr_run_result *result)
{
	struct ctr_source_options source = { 0 };
	struct ctr_replay_options options;
	struct ctr_error err = { 0 };
	char db[128];

	snprintf(db, sizeof(db), "%s/%s.db", c->dir, name);
	options = replay_fixture_options(db);
	options.batch = 300;
	if (f != NULL) {
		source.settings = small_fetches;
		source.settings_count = sizeof(small_fetches) / sizeof(small_fetches[0]);
	}
	options.source_options = &source;
	options.after_flush = after_flush;
	options.observe_ctx = f;
	cr_assert_eq(ctr_replay(c->spec, &options, result, &err), 0, "%s", err.message);
}

static void assert_same_run(const struct ctr_run_result *a, const struct ctr_run_result *b)
{
	cr_assert_str_eq(a->projection_hash, b->projection_hash);
	cr_assert_eq(a->counts.read, b->counts.read);
	cr_assert_eq(a->counts.applied, b->counts.applied);
	cr_assert_eq(a->counts.duplicates, b->counts.duplicates);
	cr_assert_eq(a->counts.rejected, b->counts.rejected);
}

static void fetch_errors(struct fault *f)
{
	rd_kafka_mock_broker_push_request_error_rtts(f->cluster->mock, 1, API_FETCH, 5,
		RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0,
		RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 50,
		RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, 0,
		RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0,
		RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 0);
}

Test(kafka_faults, request_errors_mid_replay, .timeout = 120)
{
	struct cluster c;
	struct ctr_run_result calm, disturbed;
	struct fault f = { .cluster = &c, .inject = fetch_errors };
	size_t left = 99;

	cluster_start(&c, 1);
	replay(&c, "calm", NULL, &calm);
	cr_assert_gt(calm.counts.read, 1000, "the history spans several batches");
	replay(&c, "disturbed", &f, &disturbed);
	cr_assert_geq(f.batches, 2, "the errors were injected part-way");
	cr_assert_eq(rd_kafka_mock_broker_error_stack_cnt(c.mock, 1, API_FETCH, &left), 0);
	cr_assert_eq(left, 0, "every injected error met a fetch of the replay");
	assert_same_run(&calm, &disturbed);
	cluster_stop(&c);
}

static void *bring_back(void *arg)
{
	struct fault *f = arg;

	usleep(1500 * 1000);
	rd_kafka_mock_broker_set_up(f->cluster->mock, 1);
	return NULL;
}

static void broker_down(struct fault *f)
{
	rd_kafka_mock_broker_set_down(f->cluster->mock, 1);
	f->restarting = pthread_create(&f->restarter, NULL, bring_back, f) == 0;
}

Test(kafka_faults, broker_down_and_back, .timeout = 120)
{
	struct cluster c;
	struct ctr_run_result calm, disturbed;
	struct fault f = { .cluster = &c, .inject = broker_down };

	cluster_start(&c, 1);
	replay(&c, "calm", NULL, &calm);
	replay(&c, "disturbed", &f, &disturbed);
	cr_assert(f.restarting, "the broker went down part-way");
	pthread_join(f.restarter, NULL);
	assert_same_run(&calm, &disturbed);
	cluster_stop(&c);
}

/* Partition 1's leader is broker 2, taken down before the replay starts; broker 1 leads the others. */
static void leader_down(struct cluster *c)
{
	for (int p = 0; p < 4; p++)
		cr_assert_eq(rd_kafka_mock_partition_set_leader(c->mock, "events", p, p == 1 ? 2 : 1),
			     RD_KAFKA_RESP_ERR_NO_ERROR);
	cr_assert_eq(rd_kafka_mock_broker_set_down(c->mock, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * A replay that starts while a partition's leader is down waits for its
 * offsets as long as it waits for metadata (10 s), then stops with one error
 * naming the partition (CTR_EKAFKA: exit 4, Kafka unreachable).
 */
Test(kafka_faults, a_leader_down_at_start_stops_the_replay_after_the_wait)
{
	struct cluster c;
	struct ctr_source_options source = {
		.settings = small_fetches,
		.settings_count = sizeof(small_fetches) / sizeof(small_fetches[0]),
	};
	struct ctr_replay_options options = { 0 };
	struct ctr_run_result result;
	struct ctr_error err = { 0 };
	struct timespec start;
	char db[128];
	double waited;
	int rc;

	alarm(BOUND_S);
	cluster_start(&c, 2);
	leader_down(&c);
	snprintf(db, sizeof(db), "%s/down.db", c.dir);
	options = replay_fixture_options(db);
	options.source_options = &source;
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = ctr_replay(c.spec, &options, &result, &err);
	waited = seconds_since(&start);
	cr_assert_eq(rc, CTR_EKAFKA, "%d: %s", rc, err.message);
	cr_assert_not_null(strstr(err.message, "events partition 1: cannot read its offsets"), "%s",
			   err.message);
	cr_assert_geq(waited, 9.0, "it waited for the leader (%.1f s)", waited);
	cr_assert_leq(waited, 30.0, "it waited %.1f s", waited);
	cr_assert_eq(rd_kafka_mock_broker_set_up(c.mock, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
	cluster_stop(&c);
}

static void *leader_back(void *arg)
{
	struct cluster *c = arg;

	usleep(3000 * 1000);
	rd_kafka_mock_broker_set_up(c->mock, 2);
	return NULL;
}

static void nothing_more(struct fault *f)
{
	(void)f;
}

/* A leader back within that wait: the replay goes on and ends as an undisturbed one. */
Test(kafka_faults, a_leader_back_within_the_wait_lets_the_replay_go_on)
{
	struct cluster c;
	struct ctr_run_result calm, disturbed;
	struct fault f = { .cluster = &c, .inject = nothing_more }; /* the fault is before the start */
	pthread_t restarter;

	alarm(BOUND_S);
	cluster_start(&c, 2);
	replay(&c, "calm", NULL, &calm);
	leader_down(&c);
	cr_assert_eq(pthread_create(&restarter, NULL, leader_back, &c), 0);
	replay(&c, "disturbed", &f, &disturbed);
	pthread_join(restarter, NULL);
	assert_same_run(&calm, &disturbed);
	cluster_stop(&c);
}
