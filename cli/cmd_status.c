/*
 * cmd_status.c - `contrail status`: what a database holds — the last run,
 * its checkpoints, row counts, rejected events by code, streams with held
 * events — as text for a person or JSON for a script.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/db.h"

static const char *const counted_tables[] = {
	"contracts", "contract_products", "environments", "allocations", "members",
	"group_companies", "customers", "support_ids", "store_accounts", "invoices", "invoice_lines", "rejected_events", NULL,
};

/* Rows of sql as an array of objects (sql is ours, with no parameters). */
static json_t *rows(sqlite3 *db, const char *sql)
{
	json_t *list = json_array();
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return list;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		json_t *row = json_object();
		for (int i = 0; i < sqlite3_column_count(stmt); i++) {
			json_t *value = sqlite3_column_type(stmt, i) == SQLITE_INTEGER
				? json_integer(sqlite3_column_int64(stmt, i))
				: sqlite3_column_type(stmt, i) == SQLITE_NULL
				? json_null() : json_string((const char *)sqlite3_column_text(stmt, i));
			json_object_set_new(row, sqlite3_column_name(stmt, i), value);
		}
		json_array_append_new(list, row);
	}
	sqlite3_finalize(stmt);
	return list;
}

static json_t *report(sqlite3 *db)
{
	json_t *out = json_object(), *counts = json_object();
	char sql[128];

	json_t *runs = rows(db, "SELECT * FROM runs ORDER BY run_id DESC LIMIT 1");
	json_t *last = json_array_get(runs, 0);

	json_object_set(out, "last_run", last ? last : json_null());
	json_decref(runs);
	json_object_set_new(out, "checkpoints", rows(db, "SELECT source, partition, next_offset"
							 " FROM checkpoints ORDER BY source, partition"));
	for (int i = 0; counted_tables[i]; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) AS n FROM %s", counted_tables[i]);
		json_t *r = rows(db, sql);
		json_object_set(counts, counted_tables[i], json_object_get(json_array_get(r, 0), "n"));
		json_decref(r);
	}
	json_object_set_new(out, "rows", counts);
	json_object_set_new(out, "rejected_by_code", rows(db, "SELECT code, count(*) AS events"
		" FROM rejected_events GROUP BY code ORDER BY events DESC, code"));
	json_object_set_new(out, "held_streams", rows(db, "SELECT stream, held, next_seq FROM streams"
		" WHERE held > 0 ORDER BY stream LIMIT 100"));
	return out;
}

static void print_text(json_t *r)
{
	json_t *run = json_object_get(r, "last_run"), *item;
	const char *key;
	size_t i;

	if (json_is_null(run)) {
		printf("no runs yet\n");
	} else {
		printf("last run      %lld, %s to %s\n", (long long)json_integer_value(json_object_get(run, "run_id")),
		       json_string_value(json_object_get(run, "started_at")),
		       json_string_value(json_object_get(run, "finished_at")));
		printf("business date %s\n", json_string_value(json_object_get(run, "business_date")));
		printf("events        read %lld, applied %lld, duplicates %lld, rejected %lld\n",
		       (long long)json_integer_value(json_object_get(run, "read")),
		       (long long)json_integer_value(json_object_get(run, "applied")),
		       (long long)json_integer_value(json_object_get(run, "duplicates")),
		       (long long)json_integer_value(json_object_get(run, "rejected")));
		printf("hash          %s\n", json_string_value(json_object_get(run, "projection_hash")));
	}
	json_array_foreach(json_object_get(r, "checkpoints"), i, item)
		printf("checkpoint    %s: %lld events\n", json_string_value(json_object_get(item, "source")),
		       (long long)json_integer_value(json_object_get(item, "next_offset")));
	printf("rows\n");
	json_object_foreach(json_object_get(r, "rows"), key, item)
		printf("  %-20s %lld\n", key, (long long)json_integer_value(item));
	printf("rejected by code\n");
	json_array_foreach(json_object_get(r, "rejected_by_code"), i, item)
		printf("  %-24s %lld\n", json_string_value(json_object_get(item, "code")),
		       (long long)json_integer_value(json_object_get(item, "events")));
	json_array_foreach(json_object_get(r, "held_streams"), i, item)
		printf("held          %s: %lld events wait for seq %lld\n",
		       json_string_value(json_object_get(item, "stream")),
		       (long long)json_integer_value(json_object_get(item, "held")),
		       (long long)json_integer_value(json_object_get(item, "next_seq")));
}

int ctr_cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct ctr_error err = { 0 };
	const char *path = NULL, *format = "text";
	sqlite3 *db;
	json_t *r;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'd') {
			path = optarg;
		} else if (opt == 'f') {
			format = optarg;
		} else if (opt == 'h') {
			printf("usage: contrail status --db PATH [--format text|json]\n\n"
			       "The last run, checkpoints, row counts, rejected events by code and streams\n"
			       "with held events. Exit: 0 ok, 2 usage, 3 not a contrail database.\n");
			return CTR_EXIT_OK;
		} else {
			return ctr_cli_fail("status", CTR_EXIT_USAGE, "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	if (path == NULL || optind != argc)
		return ctr_cli_fail("status", CTR_EXIT_USAGE, "usage: contrail status --db PATH [--format text|json]");
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return ctr_cli_fail("status", CTR_EXIT_USAGE, "--format must be text or json");
	rc = ctr_db_open(path, CTR_DB_READ, &db, &err);
	if (rc != 0)
		return ctr_cli_fail("status", ctr_cli_exit_for(rc), "%s", err.message);
	r = report(db);
	sqlite3_close(db);
	if (strcmp(format, "json") == 0)
		json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER), putchar('\n');
	else
		print_text(r);
	json_decref(r);
	return CTR_EXIT_OK;
}
