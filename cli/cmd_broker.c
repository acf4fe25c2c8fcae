/*
 * cmd_broker.c - `contrail broker`: librdkafka's built-in mock cluster on
 * loopback, a real Kafka-protocol endpoint for development and tests. It
 * prints its bootstrap servers as one line and runs until SIGINT or SIGTERM.
 */
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/kafka_config.h"

#define MAX_TOPICS 32

static volatile sig_atomic_t stopping;

static void on_signal(int signo)
{
	(void)signo;
	stopping = 1;
}

static void usage(void)
{
	printf("usage: contrail broker [--brokers N] [--topic NAME --partitions P]...\n\n"
	       "Starts librdkafka's mock Kafka cluster on loopback, prints its bootstrap servers\n"
	       "as one line on stdout, and runs until SIGINT or SIGTERM. Topics are created with\n"
	       "the partitions given (default 1).\n"
	       "The mock keeps only about 5 MB per partition and drops older messages: give a\n"
	       "topic enough partitions for what it must hold (64 for a million events).\n"
	       "Exit: 0 stopped by a signal, 2 usage, 4 the cluster could not start.\n");
}

struct topics {
	const char *names[MAX_TOPICS];
	int partitions[MAX_TOPICS];
	int count;
};

/* text as a whole number from min to max, or 0 (none of ours may be 0) */
static int whole_number(const char *text, int min, int max)
{
	long value;

	return ctr_cli_number(text, min, max, &value) == 0 ? (int)value : 0;
}

static const struct option longopts[] = {
	{ "brokers", required_argument, NULL, 'b' }, { "topic", required_argument, NULL, 't' },
	{ "partitions", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --topic NAME: a topic of one partition until its --partitions says otherwise. */
static int add_topic(struct topics *t, const char *name)
{
	if (!ctr_kafka_topic_name_ok(name))
		return ctr_cli_fail("broker", CTR_EXIT_USAGE, "--topic %s is not a Kafka topic name"
				    " (1 to %d letters, digits, '.', '_' or '-';"
				    " not \".\" or \"..\")", name, CTR_KAFKA_TOPIC_MAX);
	for (int i = 0; i < t->count; i++)
		if (strcmp(t->names[i], name) == 0)
			return ctr_cli_fail("broker", CTR_EXIT_USAGE, "--topic %s is named twice",
					    name);
	t->names[t->count] = name;
	t->partitions[t->count++] = 1;
	return CTR_EXIT_OK;
}

/* The line for an option that is unknown, bad, repeated or out of place: CTR_EXIT_USAGE. */
static int misplaced(int opt, char **argv)
{
	const char *name = argv[optind - 1];

	for (const struct option *o = longopts; o->name != NULL && optarg != NULL; o++)
		if (o->val == opt)
			name = o->name;
	return ctr_cli_fail("broker", CTR_EXIT_USAGE, "bad, repeated or misplaced %s%s%s%s"
			    " (--brokers 1-16, once; each --topic NAME followed by at most one"
			    " --partitions 1-1024)", optarg ? "--" : "option ", name,
			    optarg ? " " : "", optarg ? optarg : "");
}

/*
 * One option getopt_long returned: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line.
 * *given_partitions: whether the last topic has had its --partitions.
 */
static int take_option(int opt, char **argv, int *brokers, struct topics *t,
		       int *given_partitions)
{
	if (opt == 'b' && *brokers == 0) {
		*brokers = whole_number(optarg, 1, 16);
		if (*brokers != 0)
			return CTR_EXIT_OK;
	}
	if (opt == 't' && t->count < MAX_TOPICS && *optarg != '\0') {
		*given_partitions = 0;
		return add_topic(t, optarg);
	}
	if (opt == 'p' && t->count > 0 && !*given_partitions) {
		int *last = &t->partitions[t->count - 1]; /* the last topic's */

		*given_partitions = 1;
		*last = whole_number(optarg, 1, 1024);
		if (*last != 0)
			return CTR_EXIT_OK;
	}
	if (opt == 'h') {
		usage();
		ctr_cli_help_exit("broker");
	}
	return misplaced(opt, argv);
}

static int parse(int argc, char **argv, int *brokers, struct topics *t)
{
	int opt, rc, given_partitions = 0;

	opterr = 0;
	optind = 0; /* a full rescan: the command may run more than once in a process */
	/* --topic and each topic's --partitions repeat by design; --brokers does not */
	for (;;) {
		opt = getopt_long(argc, argv, "h", longopts, NULL);
		if (opt == -1)
			break;
		rc = take_option(opt, argv, brokers, t, &given_partitions);
		if (rc != CTR_EXIT_OK)
			return rc;
	}
	if (optind != argc)
		return ctr_cli_fail("broker", CTR_EXIT_USAGE, "unexpected argument %s", argv[optind]);
	return CTR_EXIT_OK;
}

int ctr_cmd_broker(int argc, char **argv)
{
	struct topics topics = { .count = 0 };
	rd_kafka_mock_cluster_t *cluster;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char message[512];
	int brokers = 0, rc = parse(argc, argv, &brokers, &topics); /* 0: not given */
	rd_kafka_t *rk;

	if (rc != CTR_EXIT_OK) {
		rd_kafka_conf_destroy(conf);
		return rc;
	}
	/* the cluster's own client connects to nothing: quiet its warning about that */
	rd_kafka_conf_set(conf, "log_level", "3", message, sizeof(message));
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, message, sizeof(message));
	if (rk == NULL)
		return ctr_cli_fail("broker", CTR_EXIT_FAILURE, "cannot start: %s", message);
	cluster = rd_kafka_mock_cluster_new(rk, brokers ? brokers : 1);
	if (cluster == NULL) {
		rd_kafka_destroy(rk);
		return ctr_cli_fail("broker", CTR_EXIT_FAILURE, "cannot start the mock cluster");
	}
	for (int i = 0; i < topics.count && rc == CTR_EXIT_OK; i++)
		if (rd_kafka_mock_topic_create(cluster, topics.names[i], topics.partitions[i], 1) !=
		    RD_KAFKA_RESP_ERR_NO_ERROR)
			rc = ctr_cli_fail("broker", CTR_EXIT_FAILURE, "cannot create topic %s", topics.names[i]);
	if (rc == CTR_EXIT_OK) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
		fflush(stdout);
		while (!stopping)
			usleep(100 * 1000);
	}
	rd_kafka_mock_cluster_destroy(cluster);
	rd_kafka_destroy(rk);
	return rc;
}
