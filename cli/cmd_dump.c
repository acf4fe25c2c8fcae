/*
 * cmd_dump.c - `contrail dump`: prints the events of a source as JSON Lines,
 * the way back from a local Avro log to text. Events that do not decode are
 * reported on stderr with their position and code.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_kafka.h"
#include "cli/cli_text.h"
#include "engine/source.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: contrail dump --source SRC [-X key=value]...\n\n"
		     "Prints every event of SRC (file:PATH, jsonl:PATH, jsonl:- or\n"
		     "kafka://BOOTSTRAP/TOPIC, read to its end) as one JSON line, in the current\n"
		     "schema. Events that do not decode go to stderr as `POSITION: code: message`;\n"
		     "formats are left to a replay (an event with a bad date is printed as it is).\n"
		     "An event whose JSON line would be over 1 MiB is not printed (stderr says so).\n"
		     "-X passes a librdkafka setting to a kafka:// source's consumer (SASL, TLS).\n"
		     "Exit: 0 ok, 1 some events did not decode or were not printed, 2 usage, 3\n"
		     "unreadable or corrupt source, 4 other failure (Kafka unreachable, output that\n"
		     "cannot be written, memory).\n");
}

/* One event that is not printed: `POSITION: code: message` on stderr. */
static void refuse(struct ctr_source *src, enum ctr_code code, const char *message, long *bad)
{
	ctr_cli_refused(ctr_source_position(src), 0, code, message, NULL);
	(*bad)++;
}

static int dump(struct ctr_source *src, long *bad, struct ctr_error *err)
{
	struct ctr_event ev;
	char message[160];
	int rc;

	for (;;) {
		rc = src->next(src, &ev, err);
		if (rc <= 0)
			break;
		char *line;
		if (ev.code != CTR_CODE_OK) {
			refuse(src, ev.code, ev.message, bad);
			continue;
		}
		line = src->to_json(src, &ev);
		if (line == NULL) {
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
			break;
		}
		/*
		 * A record within 1 MiB may take more as JSON (defaults filled in, a control
		 * character escaped in six bytes): printed, its line would be too_large to a
		 * replay or ingest of the dump, where the source's replay applies it (E6).
		 */
		size_t len = strlen(line);
		if (len > CTR_EVENT_MAX_BYTES) {
			snprintf(message, sizeof(message), "as a JSON line it takes %zu bytes, over the"
				 " 1 MiB a line may hold (its record takes %zu): not printed", len,
				 ev.raw_len);
			refuse(src, CTR_CODE_TOO_LARGE, message, bad);
		} else {
			printf("%s\n", line);
		}
		free(line);
	}
	return rc;
}

/*
 * The command line: --source into *spec, -X into kafka. CTR_EXIT_OK,
 * CTR_CLI_HELP_SHOWN, or the exit code after a line.
 */
static int parse(int argc, char **argv, const char **spec, struct ctr_cli_kafka_args *kafka)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt, rc;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("dump", argc, argv, "X:", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":X:h", longopts, NULL);
		if (opt == -1)
			break;
		if (opt == 's') {
			*spec = optarg;
		} else if (opt == 'X') {
			if (ctr_cli_kafka_add("dump", kafka, optarg) != CTR_EXIT_OK)
				return CTR_EXIT_USAGE;
		} else if (opt == 'h') {
			usage(stdout);
			return CTR_CLI_HELP_SHOWN;
		} else {
			return ctr_cli_bad_option("dump", CTR_EXIT_USAGE, opt, argv);
		}
	}
	if (*spec == NULL || optind != argc)
		return ctr_cli_fail("dump", CTR_EXIT_USAGE, "usage: contrail dump --source SRC");
	rc = ctr_cli_check_source("dump", *spec);
	return rc != CTR_EXIT_OK ? rc : ctr_cli_kafka_check("dump", *spec, kafka);
}

int ctr_cmd_dump(int argc, char **argv)
{
	struct ctr_error err = { 0 };
	struct ctr_source *src = NULL;
	struct ctr_cli_kafka_args kafka;
	const char *spec = NULL;
	long bad = 0;
	int rc;

	ctr_cli_kafka_args_init(&kafka);
	/* formats are a replay's to judge: an event that decodes is printed (source.h) */
	kafka.options.schema_only = 1;
	rc = parse(argc, argv, &spec, &kafka);
	if (rc != CTR_EXIT_OK)
		return rc == CTR_CLI_HELP_SHOWN ? CTR_EXIT_OK : rc;
	rc = ctr_source_open(spec, &kafka.options, &src, &err);
	if (rc == 0)
		rc = dump(src, &bad, &err);
	ctr_source_close(src);
	if (rc < 0)
		return ctr_cli_fail("dump", ctr_cli_exit_for(rc), "%s", err.message);
	if (fflush(stdout) != 0 || ferror(stdout))
		return ctr_cli_fail("dump", CTR_EXIT_FAILURE, "cannot write to standard output");
	return bad ? CTR_EXIT_FINDINGS : CTR_EXIT_OK;
}
