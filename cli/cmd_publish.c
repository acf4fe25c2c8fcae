/*
 * cmd_publish.c - `contrail publish`: produces the events of a source to a
 * Kafka topic. Key: the event's account (every stream of an account lands in
 * one partition). Value: the Confluent wire format — magic byte 0, the 4-byte
 * big-endian schema id from our catalog, the Avro binary record. A local log
 * keeps its records and its schema id; JSON Lines are encoded in the current
 * schema. Idempotent producer; every delivery report is checked.
 */
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "engine/kafka_config.h"
#include "engine/source.h"
#include "events/catalog.h"
#include "events/frame.h"

#define PUBLISH_MESSAGE_MAX "2097152" /* twice an event's 1 MiB: the broker's limit decides */

struct publish {
	const char *to, *source;
	char topic[256];
	rd_kafka_conf_t *conf;
	long sent, refused, failed;
	uint8_t *frame;
	size_t frame_cap;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	struct publish *p = opaque;

	(void)rk;
	if (msg->err)
		p->failed++;
}

static void usage(void)
{
	printf("usage: contrail publish --to kafka://BOOTSTRAP/TOPIC [-X key=value]... SOURCE\n\n"
	       "Produces the events of SOURCE (file:PATH or jsonl:PATH|-) to TOPIC. The key is the\n"
	       "event's account; the value is the Confluent wire format: byte 0, the schema id\n"
	       "(4 bytes, big endian) from the schema catalog, the Avro record. Formats are left\n"
	       "to the replay that reads the topic. Events that do not decode, have an empty\n"
	       "account (no key) or are too large for the producer are reported on stderr and\n"
	       "not sent. -X passes a librdkafka setting (security.protocol, sasl.*, ssl.*, ...),\n"
	       "as kcat does; message.max.bytes is 2 MiB unless -X sets it.\n"
	       "Exit: 0 every event delivered, 1 some not sent or not delivered (counted on\n"
	       "stderr; a broker that cannot be reached delivers nothing), 2 usage, 3 unreadable\n"
	       "source, 4 the Kafka client could not start (a setting it refuses, such as a\n"
	       "missing ssl.ca.location).\n");
}

/* One librdkafka setting, "key=value"; a bad one is a bad command line. */
static int set(rd_kafka_conf_t *conf, const char *setting)
{
	struct ctr_error err = { 0 };

	if (ctr_kafka_set(conf, setting, &err) != 0)
		return ctr_cli_fail("publish", CTR_EXIT_USAGE, "%s", err.message);
	return CTR_EXIT_OK;
}

/*
 * SOURCE, a local log or JSON Lines: a topic is replayed, not published again
 * (into itself it would double).
 */
static int check_source(const char *source)
{
	if (strncmp(source, "file:", 5) != 0 && strncmp(source, "jsonl:", 6) != 0)
		return ctr_cli_fail("publish", CTR_EXIT_USAGE, "%s is not a source publish"
				    " reads: use file:PATH, jsonl:PATH or jsonl:-", source);
	return ctr_cli_check_source("publish", source);
}

/* --to kafka://BOOTSTRAP/TOPIC: its one topic into p->topic, its servers into p->conf. */
static int take_destination(struct publish *p)
{
	struct ctr_error err = { 0 };
	char bootstrap[1024], setting[1100];

	if (ctr_kafka_split(p->to, bootstrap, sizeof(bootstrap), p->topic, sizeof(p->topic),
			    &err) != 0)
		return ctr_cli_fail("publish", CTR_EXIT_USAGE, "--to %s", err.message);
	if (strchr(p->topic, ',') != NULL)
		return ctr_cli_fail("publish", CTR_EXIT_USAGE,
				    "--to must be kafka://BOOTSTRAP/TOPIC");
	snprintf(setting, sizeof(setting), "bootstrap.servers=%s", bootstrap);
	return set(p->conf, setting);
}

static int parse(int argc, char **argv, struct publish *p)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;

	opterr = 0;
	optind = 0; /* a full rescan: the command may run more than once in a process */
	if (ctr_cli_check_options("publish", argc, argv, "X:", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":X:h", longopts, NULL);
		if (opt == -1)
			break;
		if (opt == 't') {
			p->to = optarg;
		} else if (opt == 'X') {
			rc = set(p->conf, optarg);
			if (rc != CTR_EXIT_OK)
				return rc;
		} else if (opt == 'h') {
			usage();
			ctr_cli_help_exit("publish");
		} else {
			return ctr_cli_bad_option("publish", CTR_EXIT_USAGE, opt, argv);
		}
	}
	if (p->to == NULL || optind != argc - 1)
		return ctr_cli_fail("publish", CTR_EXIT_USAGE,
				    "usage: contrail publish --to kafka://BOOTSTRAP/TOPIC SOURCE");
	p->source = argv[optind];
	rc = check_source(p->source);
	return rc != CTR_EXIT_OK ? rc : take_destination(p);
}

/* The Confluent frame of one event: 0, the schema id, the record. */
static const uint8_t *frame(struct publish *p, int schema_id, const void *record, size_t len)
{
	if (len + CTR_FRAME_HEADER > p->frame_cap) {
		uint8_t *bigger = realloc(p->frame, (len + CTR_FRAME_HEADER) * 2);
		if (bigger == NULL)
			return NULL;
		p->frame = bigger;
		p->frame_cap = (len + CTR_FRAME_HEADER) * 2;
	}
	ctr_frame_header(p->frame, schema_id);
	memcpy(p->frame + CTR_FRAME_HEADER, record, len);
	return p->frame;
}

/* 1 when ev may be sent; else 0, said on stderr and counted as refused. */
static int sendable(struct publish *p, struct ctr_source *src, const struct ctr_event *ev)
{
	if (ev->code != CTR_CODE_OK) {
		ctr_cli_refused(ctr_source_position(src), 0, ev->code, ev->message, " (not sent)");
		p->refused++;
		return 0;
	}
	if (ev->account[0] == '\0') {
		/* librdkafka would scatter a keyless event: its stream would span shards */
		ctr_cli_refused(ctr_source_position(src), 0, CTR_CODE_BAD_FORMAT,
				"account: empty, so no partition key", " (not sent)");
		p->refused++;
		return 0;
	}
	return 1;
}

/*
 * Produces one event's frame under its account's key, waiting while the
 * producer's queue is full: 0 when it was sent or refused alone, else the error.
 */
static int produce(struct publish *p, rd_kafka_t *rk, struct ctr_source *src,
		   const char *account, const uint8_t *value, size_t size, struct ctr_error *err)
{
	for (;;) {
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(p->topic),
			RD_KAFKA_V_KEY(account, strlen(account)),
			RD_KAFKA_V_VALUE((void *)value, size),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
			p->sent++;
			return 0;
		}
		if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) { /* this event alone: -X's limit */
			ctr_cli_one_line(stderr, ctr_source_position(src), 0);
			fprintf(stderr, ": kafka: %s (not sent)\n", rd_kafka_err2str(e));
			p->refused++;
			return 0;
		}
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			return ctr_error_set(err, CTR_EKAFKA, "kafka: %s", rd_kafka_err2str(e));
		rd_kafka_poll(rk, 100); /* the queue drains as deliveries are reported */
	}
}

static int produce_all(struct publish *p, rd_kafka_t *rk, struct ctr_source *src,
		       struct ctr_error *err)
{
	struct ctr_event ev;
	const void *record;
	const uint8_t *value;
	size_t len;
	int rc, schema_id;

	for (;;) {
		rc = src->next(src, &ev, err);
		if (rc <= 0)
			break;
		if (!sendable(p, src, &ev))
			continue;
		if (src->encode(src, &schema_id, &record, &len, err) != 0)
			return err->code;
		value = frame(p, schema_id, record, len);
		if (value == NULL)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory");
		rc = produce(p, rk, src, ev.account, value, len + CTR_FRAME_HEADER, err);
		if (rc != 0)
			return rc;
		rd_kafka_poll(rk, 0);
	}
	return rc;
}

/*
 * The producer's settings around the command line's, idempotence last whatever
 * -X says: CTR_EXIT_OK, or the exit code after a line.
 */
static int configure_producer(struct publish *p, int argc, char **argv)
{
	/*
	 * librdkafka's own limit is 1,000,000 bytes, below the 1 MiB an event may
	 * take (E6) with its frame and key: the broker's limit decides instead
	 * (1 MiB and 12 bytes by default), reported per event; -X may lower it.
	 */
	int rc = set(p->conf, "message.max.bytes=" PUBLISH_MESSAGE_MAX);

	if (rc == CTR_EXIT_OK)
		rc = parse(argc, argv, p);
	if (rc == CTR_EXIT_OK)
		rc = set(p->conf, "enable.idempotence=true");
	if (rc != CTR_EXIT_OK)
		return rc;
	rd_kafka_conf_set_dr_msg_cb(p->conf, on_delivery);
	rd_kafka_conf_set_opaque(p->conf, p);
	return CTR_EXIT_OK;
}

int ctr_cmd_publish(int argc, char **argv)
{
	struct publish p = { .conf = rd_kafka_conf_new() };
	struct ctr_error err = { 0 };
	struct ctr_source *src = NULL;
	rd_kafka_t *rk = NULL;
	/* formats are the replay's to judge: an event that decodes is sent (source.h) */
	const struct ctr_source_options schema_only = { .schema_only = 1 };
	int rc = configure_producer(&p, argc, argv);

	if (rc != CTR_EXIT_OK) {
		rd_kafka_conf_destroy(p.conf);
		return rc;
	}
	rc = ctr_source_open(p.source, &schema_only, &src, &err);
	if (rc != 0) {
		rd_kafka_conf_destroy(p.conf);
		return ctr_cli_fail("publish", ctr_cli_exit_for(rc), "%s", err.message);
	}
	if (ctr_kafka_new(RD_KAFKA_PRODUCER, p.conf, &rk, &err) != 0) {
		ctr_source_close(src);
		return ctr_cli_fail("publish", CTR_EXIT_FAILURE, "%s", err.message);
	}
	rc = produce_all(&p, rk, src, &err);
	if (rd_kafka_flush(rk, 60 * 1000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		p.failed += rd_kafka_outq_len(rk);
	rd_kafka_destroy(rk);
	ctr_source_close(src);
	free(p.frame);
	if (rc < 0)
		return ctr_cli_fail("publish", ctr_cli_exit_for(rc), "%s", err.message);
	ctr_cli_note("published %ld events to %s; %ld not delivered, %ld not sent", p.sent - p.failed,
		     p.to, p.failed, p.refused);
	return p.failed || p.refused ? CTR_EXIT_FINDINGS : CTR_EXIT_OK;
}
