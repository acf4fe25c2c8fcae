/*
 * cmd_schema.c - `contrail schema`: prints the composed Avro schema of a
 * catalog version, e.g. for another Avro implementation writing our logs.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "events/catalog.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: contrail schema [--version N]\n\n"
		     "Prints the Avro schema of the event envelope with every payload, as composed\n"
		     "from schemas/ for catalog version N (default: the current one), as one line\n"
		     "of JSON. Exit: 0 ok, 2 usage or an unknown version, 4 standard\n"
		     "output that cannot be written.\n");
}

int ctr_cmd_schema(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct ctr_error err = { 0 };
	const struct ctr_catalog *cat = ctr_catalog_default(&err);
	int opt, id = 0;

	if (cat == NULL)
		return ctr_cli_fail("schema", CTR_EXIT_FAILURE, "%s", err.message);
	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("schema", argc, argv, "", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		if (opt == 'v') {
			long version;
			if (ctr_cli_number(optarg, 1, INT_MAX, &version) != 0)
				return ctr_cli_fail("schema", CTR_EXIT_USAGE,
						    "--version must be a positive integer, not %s", optarg);
			id = (int)version;
		} else if (opt == 'h') {
			usage(stdout);
			return CTR_EXIT_OK;
		} else {
			return ctr_cli_bad_option("schema", CTR_EXIT_USAGE, opt, argv);
		}
	}
	if (optind < argc)
		return ctr_cli_fail("schema", CTR_EXIT_USAGE, "unexpected argument %s", argv[optind]);
	if (id == 0)
		id = ctr_catalog_current_id(cat);
	if (!ctr_catalog_has_id(cat, id))
		return ctr_cli_fail("schema", CTR_EXIT_USAGE, "the schema catalog has no version %d", id);
	printf("%s\n", ctr_catalog_schema_json(cat, id));
	return fflush(stdout) == 0 && !ferror(stdout) ? CTR_EXIT_OK
		: ctr_cli_fail("schema", CTR_EXIT_FAILURE, "cannot write to standard output");
}
