/*
 * cmd_hash.c - `contrail hash`: prints the projection hash of a database
 * (DOMAIN.md E4a), to compare two replays.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/db.h"
#include "engine/row_digest.h"

int ctr_cmd_hash(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "recompute", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct ctr_error err = { 0 };
	const char *path = NULL;
	char hex[65];
	sqlite3 *db;
	int opt, rc, recompute = 0;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'd') {
			path = optarg;
		} else if (opt == 'r') {
			recompute = 1;
		} else if (opt == 'h') {
			printf("usage: contrail hash --db PATH [--recompute]\n\n"
			       "Prints the projection hash (docs/schema.md): SHA-256 over each projection\n"
			       "table's row count and the sum of its row digests, as kept up to date by\n"
			       "every run. --recompute reads every row instead, to check the kept sums.\n"
			       "Exit: 0 ok, 2 usage, 3 not a contrail database.\n");
			return CTR_EXIT_OK;
		} else {
			return ctr_cli_fail("hash", CTR_EXIT_USAGE, "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	if (path == NULL || optind != argc)
		return ctr_cli_fail("hash", CTR_EXIT_USAGE, "usage: contrail hash --db PATH");
	rc = ctr_db_open(path, CTR_DB_READ, &db, &err);
	if (rc != 0)
		return ctr_cli_fail("hash", ctr_cli_exit_for(rc), "%s", err.message);
	rc = ctr_projection_hash_of(db, recompute, hex, &err);
	sqlite3_close(db);
	if (rc != 0)
		return ctr_cli_fail("hash", ctr_cli_exit_for(rc), "%s", err.message);
	printf("%s\n", hex);
	return CTR_EXIT_OK;
}
