/*
 * cmd_hash.c - `contrail hash`: prints the projection hash of a database
 * (DOMAIN.md E4a), to compare two replays. The hash itself is projection_hash.c's.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/db.h"
#include "engine/row_digest.h"

static void usage(void)
{
	printf("usage: contrail hash --db PATH [--recompute]\n\n"
	       "Prints the projection hash (docs/schema.md): SHA-256 over each projection\n"
	       "table's row count and the sum of its row digests, as kept up to date by\n"
	       "every run. --recompute reads every row instead and checks the kept sums\n"
	       "against them: it prints the rows' hash, and says which table's sums differ.\n"
	       "Exit: 0 ok, 2 usage, 3 not a contrail database or (--recompute) kept sums\n"
	       "that differ from the rows, 4 still being built or a read of it that fails.\n");
}

/* 1 when the command line is complete, 0 after --help, -1 when it is bad (already said). */
static int parse_args(int argc, char **argv, const char **path, int *recompute)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "recompute", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("hash", argc, argv, ":", longopts) != 0)
		return -1;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		if (opt == 'd') {
			*path = optarg;
		} else if (opt == 'r') {
			*recompute = 1;
		} else if (opt == 'h') {
			usage();
			return 0;
		} else {
			ctr_cli_bad_option("hash", 0, opt, argv);
			return -1;
		}
	}
	if (optind != argc)
		ctr_cli_fail("hash", 0, "unexpected argument %s", argv[optind]);
	else if (*path == NULL)
		ctr_cli_fail("hash", 0, "--db PATH is required (see contrail hash --help)");
	else
		return 1;
	return -1;
}

int ctr_cmd_hash(int argc, char **argv)
{
	struct ctr_error err = { 0 };
	const char *path = NULL, *differs = NULL;
	char hex[65];
	sqlite3 *db;
	int recompute = 0, parsed = parse_args(argc, argv, &path, &recompute), rc;

	if (parsed <= 0)
		return parsed == 0 ? CTR_EXIT_OK : CTR_EXIT_USAGE;
	rc = ctr_db_open(path, CTR_DB_READ, &db, &err);
	if (rc != 0)
		return ctr_cli_fail("hash", ctr_cli_exit_for(rc), "%s", err.message);
	/* one read transaction: the rows and the kept sums compared as of one commit */
	rc = ctr_db_exec(db, "BEGIN", &err);
	if (rc == 0 && recompute)
		rc = ctr_projection_hash_check(db, hex, &differs, &err);
	else if (rc == 0)
		rc = ctr_projection_hash_of(db, 0, hex, &err);
	sqlite3_close(db);
	if (rc != 0)
		return ctr_cli_fail("hash", ctr_cli_exit_for(rc), "%s", err.message);
	printf("%s\n", hex);
	if (fflush(stdout) != 0 || ferror(stdout))
		return ctr_cli_fail("hash", CTR_EXIT_FAILURE, "cannot write to standard output");
	if (differs != NULL)
		return ctr_cli_fail("hash", CTR_EXIT_DATA, "%s: the kept sums differ from its rows (the hash"
				    " above is the rows'; replay --rebuild renews the sums)", differs);
	return CTR_EXIT_OK;
}
