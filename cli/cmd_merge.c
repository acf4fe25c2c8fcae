/*
 * cmd_merge.c - `contrail merge`: combines shard databases (one per consumer
 * of a group, each complete for its accounts) into one reporting database.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/merge.h"
#include "events/file_replace.h"

/* 1 when out names the same file as one of the shards. */
static int out_is_a_shard(const char *out, char *const *shards, int count)
{
	for (int i = 0; i < count; i++)
		if (ctr_file_same(out, shards[i]))
			return 1;
	return 0;
}

static void on_signal(int signo)
{
	(void)signo;
	ctr_merge_stop();
}

static void usage(void)
{
	printf("usage: contrail merge --out REPORT.db SHARD.db...\n\n"
	       "Combines shard databases (each replayed from its own partitions, all on one\n"
	       "--business-date) into REPORT.db, which is replaced when done. The rules that\n"
	       "look across streams are judged again over the combined rows, so the merged\n"
	       "projection hash equals that of one replay of every event.\n"
	       "REPORT.db may be an earlier report or another contrail database, not a shard.\n"
	       "Exit: 0 ok, 2 usage, 3 a shard is not a contrail database, overlaps another,\n"
	       "shares event ids with another or was judged on another date or with other\n"
	       "--expiring-days or --store-cutoff, or REPORT.db is some other kind of file;\n"
	       "4 other failure, or SIGINT or SIGTERM (REPORT.db is then left as it was).\n");
}

/*
 * The command line: --out into *out, the shards from argv[optind]. CTR_EXIT_OK,
 * CTR_CLI_HELP_SHOWN, or CTR_EXIT_USAGE after a line.
 */
static int parse(int argc, char **argv, const char **out)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("merge", argc, argv, "", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		if (opt == 'o') {
			*out = optarg;
		} else if (opt == 'h') {
			usage();
			return CTR_CLI_HELP_SHOWN;
		} else {
			return ctr_cli_bad_option("merge", CTR_EXIT_USAGE, opt, argv);
		}
	}
	if (*out == NULL || optind >= argc)
		return ctr_cli_fail("merge", CTR_EXIT_USAGE,
				    "usage: contrail merge --out REPORT.db SHARD.db...");
	for (int i = optind; i < argc; i++)
		if (argv[i][0] == '\0')
			return ctr_cli_fail("merge", CTR_EXIT_USAGE, "a shard's path is empty");
	if (out_is_a_shard(*out, argv + optind, argc - optind))
		return ctr_cli_fail("merge", CTR_EXIT_USAGE, "--out %s is one of the shards", *out);
	return CTR_EXIT_OK;
}

/* Merges the count shards into out and says what it did. */
static int run_merge(const char *out, char *const *shards, int count)
{
	struct ctr_error err = { 0 };
	struct ctr_run_result result;
	int rc;

	/* SIGINT or SIGTERM: the merge stops and removes what it built (exit 4) */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = ctr_merge(out, (const char *const *)shards, count, &result, &err);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (rc != 0)
		return ctr_cli_fail("merge", ctr_cli_exit_for(rc), "%s", err.message);
	printf("merged %d shards into %s: read %lld, applied %lld, duplicates %lld, rejected %lld\n"
	       "projection hash %s\n", count, out, (long long)result.counts.read,
	       (long long)result.counts.applied, (long long)result.counts.duplicates,
	       (long long)result.counts.rejected, result.projection_hash);
	return CTR_EXIT_OK;
}

int ctr_cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	int rc = parse(argc, argv, &out);

	if (rc != CTR_EXIT_OK)
		return rc == CTR_CLI_HELP_SHOWN ? CTR_EXIT_OK : rc;
	return run_merge(out, argv + optind, argc - optind);
}
