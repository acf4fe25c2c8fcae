/*
 * cmd_audit.c - `contrail audit`: every event of one stream in order, with
 * what happened to it (applied, duplicate, held, or rejected with its code)
 * and the stream's state after it. The stream is replayed alone into a
 * database in memory, one event per transaction; --until shows what was
 * known at a time and --business-date judges the states on a date (E5).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/audit.h"
#include "cli/cli.h"
#include "cli/cli_kafka.h"
#include "cli/cli_text.h"
#include "cli/json_array_out.h"
#include "engine/engine.h"
#include "engine/source.h"
#include "events/timefmt.h"
#include "projections/projections.h"

struct audit {
	const char *stream;
	int json;
	json_t *pending;  /* outcomes since the last commit */
	struct ctr_json_array_out entries; /* json: printed as each state is read */
	long number;
	struct ctr_error read_failed; /* the first state that could not be read: the audit fails */
};

static void observe(void *ctx, const struct ctr_event *ev, const char *outcome, const char *code,
		    const char *message)
{
	struct audit *a = ctx;

	json_array_append_new(a->pending, json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s}",
		"number", (json_int_t)++a->number, "event_id", ev->id, "type", ev->type,
		"seq", (json_int_t)ev->seq, "at", ev->at, "recorded", ev->recorded,
		"outcome", outcome, "code", code, "message", message));
}

static void print_text(const json_t *entry, const json_t *state)
{
	const char *code = json_string_value(json_object_get(entry, "code"));
	const char *at = json_string_value(json_object_get(entry, "at"));
	const char *recorded = json_string_value(json_object_get(entry, "recorded"));

	printf("#%lld %s %s seq %lld at %s",
	       (long long)json_integer_value(json_object_get(entry, "number")),
	       json_string_value(json_object_get(entry, "event_id")),
	       json_string_value(json_object_get(entry, "type")),
	       (long long)json_integer_value(json_object_get(entry, "seq")), at);
	/* what --until compares: worth a look when it is not the event's own time */
	if (recorded && strcmp(recorded, at) != 0)
		printf(" recorded %s", recorded);
	printf(": %s", json_string_value(json_object_get(entry, "outcome")));
	if (code && *code)
		printf(" %s (%s)", code, json_string_value(json_object_get(entry, "message")));
	putchar('\n');
	ctr_audit_print_state(state);
}

/*
 * Text's last line: what was read, of which stream (shown as its entries are),
 * as known when and judged on which date, for the report to say what it shows.
 */
static int print_end(const struct ctr_run_result *result, const struct audit *a,
		     const struct ctr_replay_options *o)
{
	char *stream = ctr_cli_shown(a->stream);
	char *until = o->has_until ? ctr_cli_shown(o->until_text) : NULL;
	char date[16];

	if (stream == NULL || (o->has_until && until == NULL)) {
		free(stream);
		return -1;
	}
	ctr_date_format(o->business_date, date);
	printf("%lld events of %s%s%s, judged on %s\n", (long long)result->counts.read, stream,
	       until ? " recorded at or before " : "", until ? until : "", date);
	free(stream);
	free(until);
	return 0;
}

static void after_flush(void *ctx, sqlite3 *db)
{
	struct audit *a = ctx;
	json_t *state, *entry;
	size_t i;

	if (json_array_size(a->pending) == 0)
		return;
	state = a->read_failed.code ? NULL : ctr_audit_state(db, a->stream, &a->read_failed);
	if (state == NULL) { /* the audit fails at its end: what is pending will not be shown */
		json_array_clear(a->pending);
		return;
	}
	/* a person's text shows a value's control characters, not their effect (ctr_cli_shown) */
	if (!a->json && (ctr_cli_json_shown(a->pending) != 0 || ctr_cli_json_shown(state) != 0)) {
		ctr_error_set(&a->read_failed, CTR_ENOMEM, "out of memory");
		json_array_clear(a->pending);
		json_decref(state);
		return;
	}
	json_array_foreach(a->pending, i, entry) {
		if (a->json) {
			if (json_object_set(entry, "state", state) != 0 ||
			    ctr_json_array_put(&a->entries, entry) != 0) {
				ctr_error_set(&a->read_failed, CTR_ENOMEM, "out of memory");
				break;
			}
		} else {
			print_text(entry, i + 1 == json_array_size(a->pending) ? state : NULL);
		}
	}
	json_decref(state);
	json_array_clear(a->pending);
}

static void usage(void)
{
	printf("usage: contrail audit --source SRC --stream ID [--until T] [--business-date D]\n"
	       "                      [--expiring-days N] [--store-cutoff D] [--format text|json]\n"
	       "                      [-X key=value]...\n\n"
	       "Every event of stream ID in order, with its outcome (applied, duplicate, held,\n"
	       "or rejected with its code and message) and the stream's state after it: a\n"
	       "contract's products, environments and members; a customer's support ids and\n"
	       "suspension reasons; a store account's state. --until T shows what was known\n"
	       "at T, --business-date D judges the states on D (default today in Japan),\n"
	       "--expiring-days and --store-cutoff as a replay's do (contrail replay --help);\n"
	       "-X passes a librdkafka setting to a kafka:// source's consumer (SASL, TLS).\n"
	       "Exit: 0 ok, 2 usage, 3 unreadable or corrupt source, 4 any other failure\n"
	       "(output that cannot be written among them).\n");
}

/* --format text or json: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line. */
static int take_format(struct audit *a, char **argv, const char *format)
{
	a->json = strcmp(format, "json") == 0;
	if (a->json || strcmp(format, "text") == 0)
		return CTR_EXIT_OK;
	return ctr_cli_fail("audit", CTR_EXIT_USAGE, "bad value for %s: %s", argv[optind - 2],
			    format);
}

/* One option getopt_long returned: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line. */
static int take_option(int opt, char **argv, struct ctr_replay_options *o, const char **source,
		       struct audit *a, struct ctr_cli_kafka_args *kafka)
{
	switch (opt) {
	case 's':
		*source = optarg;
		return CTR_EXIT_OK;
	case 'X': return ctr_cli_kafka_add("audit", kafka, optarg);
	case 't':
		a->stream = optarg;
		return CTR_EXIT_OK;
	case 'u': return ctr_cli_until("audit", optarg, o);
	case 'b': return ctr_cli_business_date("audit", optarg, o);
	case 'e': return ctr_cli_expiring_days("audit", optarg, o);
	case 'c': return ctr_cli_store_cutoff("audit", optarg, o);
	case 'f': return take_format(a, argv, optarg);
	case 'h':
		usage();
		ctr_cli_help_exit("audit");
	default:
		return ctr_cli_bad_option("audit", CTR_EXIT_USAGE, opt, argv);
	}
}

static int parse(int argc, char **argv, struct ctr_replay_options *o, const char **source,
		 struct audit *a, struct ctr_cli_kafka_args *kafka)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' }, { "stream", required_argument, NULL, 't' },
		{ "until", required_argument, NULL, 'u' }, { "business-date", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ "expiring-days", required_argument, NULL, 'e' },
		{ "store-cutoff", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("audit", argc, argv, "X:", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":X:h", longopts, NULL);
		if (opt == -1)
			break;
		rc = take_option(opt, argv, o, source, a, kafka);
		if (rc != CTR_EXIT_OK)
			return rc;
	}
	if (*source == NULL || a->stream == NULL || optind != argc)
		return ctr_cli_fail("audit", CTR_EXIT_USAGE, "usage: contrail audit --source SRC --stream ID");
	rc = ctr_cli_check_source("audit", *source);
	return rc != CTR_EXIT_OK ? rc : ctr_cli_kafka_check("audit", *source, kafka);
}

int ctr_cmd_audit(int argc, char **argv)
{
	struct ctr_replay_options options = { .expiring_days = CTR_DEFAULT_EXPIRING_DAYS, .batch = 1, .db_path = ":memory:" };
	struct audit a = { 0 };
	struct ctr_cli_kafka_args kafka;
	struct ctr_run_result result;
	struct ctr_error err = { 0 };
	const char *source = NULL;
	int rc, ok;

	options.business_date = ctr_date_today_japan();
	options.store_cutoff = ctr_date_parse(CTR_DEFAULT_STORE_CUTOFF, &ok);
	ctr_cli_kafka_args_init(&kafka);
	rc = parse(argc, argv, &options, &source, &a, &kafka);
	if (rc != CTR_EXIT_OK)
		return rc;
	options.source_options = &kafka.options;
	options.only_stream = a.stream;
	options.observe = observe;
	options.after_flush = after_flush;
	options.observe_ctx = &a;
	a.pending = json_array();
	a.entries.out = stdout;
	rc = ctr_replay(source, &options, &result, &err);
	if (rc == 0 && a.read_failed.code != 0) {
		rc = a.read_failed.code;
		err = a.read_failed;
	}
	/* ended after a failure too: the entries printed stay a whole array (the exit says it failed) */
	if (a.json && (rc == 0 || a.entries.count > 0))
		ctr_json_array_end(&a.entries);
	else if (rc == 0 && print_end(&result, &a, &options) != 0)
		rc = ctr_error_set(&err, CTR_ENOMEM, "out of memory");
	json_decref(a.pending);
	if (rc != 0)
		return ctr_cli_fail("audit", ctr_cli_exit_for(rc), "%s", err.message);
	/* the entries are printed as the replay goes: a write that failed on the way stays in ferror */
	return fflush(stdout) == 0 && !ferror(stdout) ? CTR_EXIT_OK
		: ctr_cli_fail("audit", CTR_EXIT_FAILURE, "cannot write to standard output");
}
