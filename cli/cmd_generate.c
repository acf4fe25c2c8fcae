/*
 * cmd_generate.c - `contrail generate`: writes a synthetic history as JSON
 * Lines, for the demo, the tests and the benchmarks.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/generate.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: contrail generate --accounts N [--seed S] [--out FILE]\n\n"
		"Writes a realistic synthetic history of N accounts as JSON Lines (standard\n"
		"output, or FILE): contracts with products, environments, allocations and\n"
		"members; customer numbers with support ids and suspensions; store accounts;\n"
		"cloud seats and cancellations; migrations. About 25 events per account; a few\n"
		"percent are bad or duplicate (bad JSON, unknown streams, over-allocations,\n"
		"sequence gaps, redeliveries, ...). The same seed and N give the same bytes.\n"
		"  --accounts N   1 to 10,000,000\n"
		"  --seed S       an unsigned 64-bit number (default 1)\n"
		"Exit: 0 ok, 2 usage, 4 cannot write.\n");
}

static int parse_number(const char *text, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(text, &end, 10);
	return *text && *text != '-' && *end == '\0' && errno == 0 && *out <= max ? 0 : -1;
}

int ctr_cmd_generate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' }, { "accounts", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long seed = 1, accounts = 0;
	struct ctr_generate_stats stats;
	struct ctr_error err = { 0 };
	const char *out_path = NULL;
	FILE *out = stdout;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 's' && parse_number(optarg, ~0ULL, &seed) != 0)
			return ctr_cli_fail("generate", CTR_EXIT_USAGE, "--seed must be an unsigned integer");
		if (opt == 'a' && (parse_number(optarg, 10000000, &accounts) != 0 || accounts == 0))
			return ctr_cli_fail("generate", CTR_EXIT_USAGE, "--accounts must be an integer from 1 to 10000000");
		if (opt == 'o')
			out_path = optarg;
		if (opt == 'h') {
			usage(stdout);
			return CTR_EXIT_OK;
		}
		if (opt == '?' || opt == ':')
			return ctr_cli_fail("generate", CTR_EXIT_USAGE, "unknown or incomplete option %s", argv[optind - 1]);
	}
	if (accounts == 0 || optind != argc)
		return ctr_cli_fail("generate", CTR_EXIT_USAGE, "usage: contrail generate --accounts N [--seed S] [--out FILE]");
	if (out_path && strcmp(out_path, "-") != 0 && (out = fopen(out_path, "w")) == NULL)
		return ctr_cli_fail("generate", CTR_EXIT_FAILURE, "cannot write %s: %s", out_path, strerror(errno));
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	rc = ctr_generate(out, seed, (long)accounts, &stats, &err);
	if (fflush(out) != 0 && rc == 0)
		rc = ctr_error_set(&err, CTR_EIO, "cannot write %s", out_path ? out_path : "the output");
	if (out != stdout)
		fclose(out);
	if (rc != 0)
		return ctr_cli_fail("generate", CTR_EXIT_FAILURE, "%s", err.message);
	fprintf(stderr, "generated %ld events for %llu accounts (%ld bad, %ld duplicates)\n",
		stats.events, accounts, stats.bad, stats.duplicates);
	return CTR_EXIT_OK;
}
