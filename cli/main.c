/*
 * main.c - the contrail binary: dispatches to one subcommand per file
 * (cli/cmd_*.c). `contrail --help` lists them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/heap.h"
#include "events/catalog.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "replay", ctr_cmd_replay, "replay a source into SQLite projections" },
	{ "ingest", ctr_cmd_ingest, "append JSON Lines events to a local Avro log" },
	{ "status", ctr_cmd_status, "show the last run, checkpoints and row counts of a database" },
	{ "export", ctr_cmd_export, "write one table of a database as CSV or JSON" },
	{ "hash", ctr_cmd_hash, "print the projection hash of a database" },
	{ "generate", ctr_cmd_generate, "write a synthetic event history as JSON Lines" },
	{ "schema", ctr_cmd_schema, "print the Avro schema of a catalog version" },
	{ "dump", ctr_cmd_dump, "print the events of a source as JSON Lines" },
	{ "broker", ctr_cmd_broker, "run a mock Kafka cluster on loopback" },
	{ "publish", ctr_cmd_publish, "produce the events of a source to a Kafka topic" },
	{ "merge", ctr_cmd_merge, "combine shard databases into one reporting database" },
	{ "invoices", ctr_cmd_invoices, "show the invoices of cloud contracts" },
	{ "diff", ctr_cmd_diff, "show the projection rows that differ between two databases" },
	{ "reconcile", ctr_cmd_reconcile, "compare the projections with expected values" },
	{ "audit", ctr_cmd_audit, "show one stream's events, their outcomes and its state after each" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: contrail COMMAND [OPTIONS]\n\n"
		     "contrail replays an event log of contracts, licenses, members, support IDs\n"
		     "and store accounts into SQLite projections.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`contrail COMMAND --help` describes a command; docs/cli.md has them all\n"
		     "and the exit codes (0 ok, 1 input refused, 2 usage, 3 bad data, 4 failure).\n");
}

/*
 * Process-wide settings, before anything allocates. SQLite's memory statistics take a global
 * mutex on every allocation; contrail never reads them. The heap: cli/heap.c.
 */
static void tune_process(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	ctr_heap_tune();
	/*
	 * A file size limit (ulimit -f) is then a write that fails (EFBIG), handled
	 * as every failed write is: the ingest cuts its half-written block off and
	 * says so. By default the kernel kills the process mid-write instead,
	 * leaving a log that ends inside a block.
	 */
	signal(SIGXFSZ, SIG_IGN);
}

/*
 * A descriptor of 0, 1 or 2 left closed by whoever started us would be the
 * first file we open (a log, a database) and take what is meant for the
 * terminal: each is held by /dev/null instead, standard input marked closed
 * for the commands that read it (ctr_cli_stdin_closed).
 */
static void hold_standard_descriptors(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 0)
			ctr_cli_stdin_closed = 1;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(CTR_EXIT_FAILURE);
	}
}

/*
 * What a command wrote to standard output reaches it only when flushed: a
 * summary or a report lost there (a full disk, say) is a
 * failure, exit 4, even of a command that did all else. One that failed
 * already has said why.
 */
static int output_written(const char *command, int code)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return code;
	if (code != CTR_EXIT_OK && code != CTR_EXIT_FINDINGS)
		return code;
	/* the words of the commands that check their own reports (export, schema, ...) */
	fprintf(stderr, "contrail%s%s: cannot write to standard output\n", command ? " " : "",
		command ? command : "");
	return CTR_EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	hold_standard_descriptors();
	tune_process();
	if (argc < 2) {
		usage(stderr);
		return CTR_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return output_written(NULL, CTR_EXIT_OK);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			int code = commands[i].run(argc - 1, argv + 1);
			ctr_catalog_default_free();
			return output_written(commands[i].name, code);
		}
	}
	ctr_cli_note("contrail: unknown command %s (see contrail --help)", argv[1]);
	return CTR_EXIT_USAGE;
}
