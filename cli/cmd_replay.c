/*
 * cmd_replay.c - `contrail replay`: replays a source into a database and
 * prints what the run did. SIGINT and SIGTERM commit what was read and stop.
 */
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_kafka.h"
#include "cli/heap.h"
#include "engine/db.h"
#include "engine/engine.h"
#include "events/timefmt.h"
#include "projections/projections.h"

static volatile sig_atomic_t stop_requested; /* set by the run loop on SIGINT or SIGTERM */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: contrail replay --source SRC --db PATH [--business-date YYYY-MM-DD]\n"
		"                       [--until TIMESTAMP] [--rebuild] [--batch N]\n"
		"                       [--expiring-days N] [--store-cutoff YYYY-MM-DD]\n"
		"                       [--group G] [--follow] [-X key=value]...\n\n"
		"Replays the events of SRC into the SQLite projections in PATH.\n"
		"  --source SRC         file:PATH (a local Avro log), jsonl:PATH, jsonl:- or\n"
		"                       kafka://BOOTSTRAP/TOPIC[,TOPIC...]\n"
		"  --db PATH            the database; created when missing\n"
		"  --business-date D    the date states are judged on, 1955-01-01 to 2099-12-31\n"
		"                       (default: today in Japan)\n"
		"  --until T            replay only events recorded at or before T (RFC 3339);\n"
		"                       such a run stores no checkpoint\n"
		"  --rebuild            build a new database from the whole source and rename it\n"
		"                       over PATH when done (readers never see a partial one)\n"
		"  --batch N            events per transaction (default %d; %d for a rebuild)\n"
		"  --expiring-days N    contracts ending within N days are `expiring` (default 90)\n"
		"  --store-cutoff D     migrated store accounts without orders or quotes valid on D\n"
		"                       are deactivated from D (default 2024-10-31)\n"
		"Kafka sources:\n"
		"  --group G            join consumer group G: the group's members split the\n"
		"                       partitions, each into its own database (contrail merge\n"
		"                       combines them); offsets are also committed to G\n"
		"  --follow             keep reading past the ends seen at start, until SIGINT\n"
		"                       or SIGTERM\n"
		"  -X key=value         a librdkafka setting (security.protocol, sasl.*, ssl.*)\n"
		"Without --follow a Kafka replay reads each partition to the end it had at start.\n"
		"An incremental run (no --rebuild) resumes from the checkpoints of SRC.\n"
		"SIGINT and SIGTERM commit what was read and exit 0.\n"
		"Exit: 0 done (rejected events are in rejected_events), 2 usage, 3 corrupt or\n"
		"foreign log or database, Kafka events deleted before they were replayed, or a\n"
		"partition taken from this group member part-way; 4 other failure (Kafka\n"
		"unreachable).\n",
		CTR_DEFAULT_BATCH, CTR_REBUILD_BATCH);
}

static void progress(const struct ctr_progress *p, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "\r\033[Kreplaying: %lld read, %lld applied, %lld rejected, %.0f events/s",
		(long long)p->counts->read, (long long)p->counts->applied,
		(long long)p->counts->rejected, p->events_per_second);
	if (p->lag >= 0)
		fprintf(stderr, ", lag %lld", (long long)p->lag);
}

/* The options together: a source and a database, not one file; Kafka's options only for Kafka. */
static int check_together(const struct ctr_replay_options *o, const char *source,
			  struct ctr_cli_kafka_args *sa)
{
	int rc, kafka;

	if (source == NULL || o->db_path == NULL)
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "--source and --db are required");
	rc = ctr_cli_check_source("replay", source);
	if (rc != CTR_EXIT_OK)
		return rc;
	if (ctr_cli_source_is_file(source, o->db_path))
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "--source %s and --db %s are one file",
				    source, o->db_path);
	kafka = strncmp(source, "kafka://", 8) == 0;
	if (sa->options.group != NULL && strspn(sa->options.group, " \t\r\n") == strlen(sa->options.group))
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "--group needs a name, not blanks");
	if (!kafka && (sa->options.group || sa->options.follow || sa->options.settings_count))
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "--group, --follow and -X are for kafka:// sources");
	if (sa->options.follow && o->has_until)
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "--follow and --until do not go together");
	/*
	 * Kafka's assignor splits each topic's partitions among the members on its
	 * own: an account's streams in two topics would go to two shards, neither
	 * complete for the account (docs/kafka.md).
	 */
	if (kafka && sa->options.group != NULL && strchr(strchr(source + 8, '/'), ',') != NULL)
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "--group reads one topic (a group's"
				    " members would split an account's streams in several topics between"
				    " shards): publish them to one topic, or replay without --group");
	return ctr_cli_kafka_check("replay", source, sa);
}

/* --batch N: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line. */
static int take_batch(const char *text, struct ctr_replay_options *o)
{
	long number;

	if (ctr_cli_number(text, 1, LONG_MAX, &number) != 0)
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "--batch must be a positive integer");
	o->batch = number;
	return CTR_EXIT_OK;
}

/* One option getopt_long returned: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line. */
static int take_option(int opt, char **argv, struct ctr_replay_options *o, const char **source,
		       struct ctr_cli_kafka_args *sa)
{
	switch (opt) {
	case 'g': sa->options.group = optarg; break;
	case 'f': sa->options.follow = 1; break;
	case 'X': return ctr_cli_kafka_add("replay", sa, optarg);
	case 's': *source = optarg; break;
	case 'd': o->db_path = optarg; break;
	case 'r': o->rebuild = 1; break;
	case 'h': usage(stdout); ctr_cli_help_exit("replay");
	case 'b': return ctr_cli_business_date("replay", optarg, o);
	case 'u': return ctr_cli_until("replay", optarg, o);
	case 'n': return take_batch(optarg, o);
	case 'c': return ctr_cli_store_cutoff("replay", optarg, o);
	case 'e': return ctr_cli_expiring_days("replay", optarg, o);
	default:
		return ctr_cli_bad_option("replay", CTR_EXIT_USAGE, opt, argv);
	}
	return CTR_EXIT_OK;
}

static int parse(int argc, char **argv, struct ctr_replay_options *o, const char **source,
		 struct ctr_cli_kafka_args *sa)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' }, { "db", required_argument, NULL, 'd' },
		{ "business-date", required_argument, NULL, 'b' },
		{ "until", required_argument, NULL, 'u' }, { "rebuild", no_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'n' },
		{ "expiring-days", required_argument, NULL, 'e' },
		{ "store-cutoff", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' }, { "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt, rc;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("replay", argc, argv, "X:", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":X:h", longopts, NULL);
		if (opt == -1)
			break;
		rc = take_option(opt, argv, o, source, sa);
		if (rc != CTR_EXIT_OK)
			return rc;
	}
	if (optind < argc)
		return ctr_cli_fail("replay", CTR_EXIT_USAGE, "unexpected argument %s", argv[optind]);
	return check_together(o, *source, sa);
}

int ctr_cmd_replay(int argc, char **argv)
{
	struct ctr_replay_options options = { .expiring_days = CTR_DEFAULT_EXPIRING_DAYS };
	struct ctr_run_result result;
	struct ctr_error err = { 0 };
	struct ctr_cli_kafka_args source_args;
	const char *source = NULL;
	int rc, ok, tty = isatty(STDERR_FILENO);

	ctr_cli_kafka_args_init(&source_args);

	options.business_date = ctr_date_today_japan();
	options.store_cutoff = ctr_date_parse(CTR_DEFAULT_STORE_CUTOFF, &ok);
	rc = parse(argc, argv, &options, &source, &source_args);
	if (rc != CTR_EXIT_OK)
		return rc;
	/* best effort: without the pool SQLite allocates its buffers as usual */
	(void)ctr_heap_sqlite_pages(CTR_DB_PAGE_BUFFERS);
	options.progress = tty ? progress : NULL;
	options.stop = &stop_requested;
	options.source_options = &source_args.options;
	rc = ctr_replay(source, &options, &result, &err);
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (result.partial_line_left)
		ctr_cli_note("contrail replay: %s: the last line (%lld bytes) has no newline and is not"
			     " whole JSON; left for the next run", source,
			     (long long)result.partial_line_left);
	if (rc != 0)
		return ctr_cli_fail("replay", ctr_cli_exit_for(rc), "%s", err.message);
	printf("run %lld%s: read %lld, applied %lld, duplicates %lld, rejected %lld",
	       (long long)result.run_id, result.interrupted ? " (interrupted)" : "",
	       (long long)result.counts.read, (long long)result.counts.applied,
	       (long long)result.counts.duplicates, (long long)result.counts.rejected);
	if (result.counts.released)
		printf(", released %lld", (long long)result.counts.released);
	if (result.counts.skipped)
		printf(", after --until %lld", (long long)result.counts.skipped);
	printf("\nprojection hash %s\n", result.projection_hash);
	return CTR_EXIT_OK;
}
