/*
 * cmd_generate.c - `contrail generate`: writes a synthetic history as JSON
 * Lines (cli/generate.h) for the demo, the tests and the benchmarks, and a
 * one-line summary on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/generate.h"
#include "cli/output_file.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: contrail generate --accounts N [--seed S] [--out FILE]\n\n"
		"Writes a synthetic history of N accounts as JSON Lines, about 40 events per\n"
		"account: contracts with products, environments, allocations and members,\n"
		"renewals, cloud seats and cancellations, migrations; customer numbers with\n"
		"support ids and suspensions; web-store accounts. A few percent are bad or\n"
		"duplicate (malformed lines, unknown streams, over-allocations, sequence gaps,\n"
		"redeliveries, ...). The same seed and N give the same bytes.\n\n"
		"  --accounts N   1 to 10000000 (required)\n"
		"  --seed S       an unsigned 64-bit number (default 1)\n"
		"  --out FILE     where to write, put in place only once whole and synced;\n"
		"                 - or absent: standard output\n\n"
		"Exit: 0 ok, 2 bad command line, 4 the output could not be written, or SIGINT\n"
		"or SIGTERM (FILE is then left as it was).\n");
}

/* A decimal number in [min, max]; 0 ok, -1 not one. */
static int parse_number(const char *text, unsigned long long min, unsigned long long max,
			unsigned long long *out)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(text, &end, 10);
	return *end == '\0' && errno == 0 && *out >= min && *out <= max ? 0 : -1;
}

struct options {
	unsigned long long seed, accounts;
	const char *out_path;
	int help;
};

/* Returns 0, or the exit code of a bad command line (the message is printed). */
static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' }, { "accounts", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	optind = 0; /* a full rescan: the command may run more than once in a process */
	if (ctr_cli_check_options("generate", argc, argv, ":", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		if (opt == 's' && parse_number(optarg, 0, ~0ULL, &o->seed) != 0)
			return ctr_cli_fail("generate", CTR_EXIT_USAGE, "--seed must be an unsigned 64-bit integer");
		if (opt == 'a' && parse_number(optarg, 1, CTR_GENERATE_MAX_ACCOUNTS, &o->accounts) != 0)
			return ctr_cli_fail("generate", CTR_EXIT_USAGE,
					    "--accounts must be a positive integer up to %ld",
					    CTR_GENERATE_MAX_ACCOUNTS);
		if (opt == 'o')
			o->out_path = optarg;
		if (opt == 'h')
			o->help = 1;
		if (opt == ':' || opt == '?')
			return ctr_cli_bad_option("generate", CTR_EXIT_USAGE, opt, argv);
	}
	if (o->help)
		return 0;
	if (optind != argc)
		return ctr_cli_fail("generate", CTR_EXIT_USAGE, "unexpected argument %s", argv[optind]);
	if (o->accounts == 0)
		return ctr_cli_fail("generate", CTR_EXIT_USAGE, "--accounts is required");
	return 0;
}

int ctr_cmd_generate(int argc, char **argv)
{
	struct options o = { .seed = 1 };
	struct ctr_generate_stats stats;
	struct ctr_output_file output;
	struct ctr_error err = { 0 };
	int rc = parse(argc, argv, &o), write_errno;

	if (rc != 0)
		return rc;
	if (o.help) {
		usage(stdout);
		return CTR_EXIT_OK;
	}
	if (ctr_output_file_open(&output, o.out_path, &err) != 0)
		return ctr_cli_fail("generate", CTR_EXIT_FAILURE, "%s", err.message);
	setvbuf(output.out, NULL, _IOFBF, 1 << 20);
	errno = 0;
	rc = ctr_generate(output.out, o.seed, (long)o.accounts, &stats, &err);
	write_errno = errno;
	/*
	 * a history cut short is no history: FILE is put in place whole or not at all, and
	 * one a signal stopped is said so by the close (CTR_EINTR, cli/output_file.h)
	 */
	if (ctr_output_file_close(&output, rc == 0, &err) != 0)
		return ctr_cli_fail("generate", CTR_EXIT_FAILURE, "%s", err.message);
	if (rc == CTR_EIO)
		return ctr_cli_fail("generate", CTR_EXIT_FAILURE, "cannot write %s%s: %s",
				    output.path ? "" : "to ", output.name,
				    write_errno ? strerror(write_errno) : "write error");
	if (rc != 0)
		return ctr_cli_fail("generate", CTR_EXIT_FAILURE, "%s", err.message);
	ctr_cli_note("generated %ld event%s for %llu account%s (%ld bad, %ld duplicate%s)",
		     stats.events, stats.events == 1 ? "" : "s", o.accounts,
		     o.accounts == 1 ? "" : "s", stats.bad, stats.duplicates,
		     stats.duplicates == 1 ? "" : "s");
	return CTR_EXIT_OK;
}
