/*
 * cmd_status.c - `contrail status`: what a database holds — the last run,
 * its checkpoints, row counts, rejected events by code, streams with held
 * events — as text for a person or one JSON object for a script. The report
 * is built as JSON first; the text form prints it.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_json.h"
#include "cli/cli_text.h"
#include "engine/db.h"
#include "events/json_text.h"
#include "projections/schema_sql.h"

/* Held streams listed by name; the report always gives their full count. */
#define HELD_LISTED 100

/* A report being read; the first SQLite error stops it and stays in err. */
struct reader {
	sqlite3 *db;
	struct ctr_error err;
};

/* The rows of sql (ours, no parameters) as an array of objects; empty after an error. */
static json_t *rows(struct reader *r, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	json_t *list;

	if (r->err.code != 0)
		return json_array();
	if (sqlite3_prepare_v2(r->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		ctr_db_read_error(r->db, &r->err);
		return json_array();
	}
	list = ctr_cli_json_rows(r->db, stmt, CTR_EDB, &r->err);
	sqlite3_finalize(stmt);
	return list;
}

/* The first column of the first row of sql (ours), as a new reference; null when none. */
static json_t *single(struct reader *r, const char *sql)
{
	json_t *list = rows(r, sql), *first = json_array_get(list, 0), *value = NULL;

	if (first)
		value = json_incref(json_object_iter_value(json_object_iter(first)));
	json_decref(list);
	return value ? value : json_null();
}

/* value under key in object; a value that cannot be put there stops the report (CTR_ENOMEM). */
static void put(struct reader *r, json_t *object, const char *key, json_t *value)
{
	/* a part left out would print as "none" or "-": a report that says what is not so */
	if (json_object_set_new(object, key, value) != 0 && r->err.code == 0)
		ctr_error_set(&r->err, CTR_ENOMEM, "out of memory");
}

static void count_rows(struct reader *r, json_t *counts, const char *table)
{
	char sql[128];

	/* table comes from schema_sql.c, never from input */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	put(r, counts, table, single(r, sql));
}

/* The latest run's row, or null when there is none. */
static json_t *last_run(struct reader *r)
{
	json_t *list = rows(r, "SELECT run_id, started_at, finished_at, business_date, read, applied,"
				" duplicates, rejected, released, projection_hash, source, until, rebuild"
				" FROM runs"
				" ORDER BY run_id DESC LIMIT 1");
	json_t *run = json_incref(json_array_get(list, 0));

	json_decref(list);
	return run ? run : json_null();
}

/* The whole report as one object, or NULL with r->err filled. */
static json_t *report(struct reader *r)
{
	json_t *out = json_object(), *counts = json_object();
	char held_sql[128];

	put(r, out, "last_run", last_run(r));
	/* rows judged on two dates, or not yet judged since an upgrade: the next replay judges all */
	put(r, out, "judging", single(r, "SELECT value FROM meta WHERE key = 'judging'"));
	put(r, out, "checkpoints", rows(r, "SELECT source, partition, next_offset"
		" FROM checkpoints ORDER BY source, partition"));
	for (int i = 0; ctr_hashed_tables[i].name; i++)
		count_rows(r, counts, ctr_hashed_tables[i].name);
	count_rows(r, counts, "group_companies");
	put(r, out, "rows", counts);
	put(r, out, "rejected_by_code", rows(r, "SELECT code, count(*) AS events"
		" FROM rejected_events GROUP BY code ORDER BY events DESC, code"));
	put(r, out, "held_stream_count", single(r, "SELECT count(*) FROM streams WHERE held > 0"));
	snprintf(held_sql, sizeof(held_sql), "SELECT stream, held, next_seq FROM streams"
		 " WHERE held > 0 ORDER BY stream LIMIT %d", HELD_LISTED);
	put(r, out, "held_streams", rows(r, held_sql));
	if (r->err.code == 0)
		return out;
	json_decref(out);
	return NULL;
}

static long long number(json_t *object, const char *key)
{
	return (long long)json_integer_value(json_object_get(object, key));
}

static const char *text(json_t *object, const char *key)
{
	const char *value = json_string_value(json_object_get(object, key));

	return value ? value : "-";
}

static void print_run(json_t *run)
{
	if (json_is_null(run)) {
		printf("last run          none: no runs yet\n");
		return;
	}
	printf("last run          %lld\n", number(run, "run_id"));
	printf("  started         %s\n", text(run, "started_at"));
	printf("  finished        %s\n", text(run, "finished_at"));
	printf("  business date   %s\n", text(run, "business_date"));
	printf("  source          %s\n", text(run, "source"));
	/* an auditor's run replays what was recorded by a time; a rebuild starts afresh */
	if (json_is_string(json_object_get(run, "until")))
		printf("  until           %s\n", text(run, "until"));
	if (number(run, "rebuild"))
		printf("  rebuild         yes\n");
	printf("  events          read %lld, applied %lld, duplicates %lld, rejected %lld",
	       number(run, "read"), number(run, "applied"), number(run, "duplicates"),
	       number(run, "rejected"));
	/* as the replay's summary says it: held by an earlier run, applied by this one */
	if (number(run, "released"))
		printf(", released %lld", number(run, "released"));
	putchar('\n');
	printf("  projection hash %s\n", text(run, "projection_hash"));
}

static void print_checkpoints(json_t *checkpoints)
{
	json_t *item;
	size_t i;
	int width = 6;

	printf(json_array_size(checkpoints) ? "checkpoints\n" : "checkpoints       none\n");
	json_array_foreach(checkpoints, i, item)
		if ((int)strlen(text(item, "source")) > width)
			width = (int)strlen(text(item, "source"));
	json_array_foreach(checkpoints, i, item)
		printf("  %-*s  partition %-4lld next offset %lld\n", width, text(item, "source"),
		       number(item, "partition"), number(item, "next_offset"));
}

static void print_lists(json_t *r)
{
	json_t *item;
	const char *key;
	long long held = number(r, "held_stream_count");
	size_t i;

	printf("rows\n");
	json_object_foreach(json_object_get(r, "rows"), key, item)
		printf("  %-22s %12lld\n", key, (long long)json_integer_value(item));
	printf(json_array_size(json_object_get(r, "rejected_by_code")) ? "rejected by code\n"
								       : "rejected by code  none\n");
	json_array_foreach(json_object_get(r, "rejected_by_code"), i, item)
		printf("  %-22s %12lld\n", text(item, "code"), number(item, "events"));
	printf("held streams      %lld\n", held);
	json_array_foreach(json_object_get(r, "held_streams"), i, item)
		printf("  %-22s %lld held, waiting for seq %lld\n", text(item, "stream"),
		       number(item, "held"), number(item, "next_seq"));
	if (held > HELD_LISTED)
		printf("  and %lld more\n", held - HELD_LISTED);
}

static void usage(void)
{
	printf("usage: contrail status --db PATH [--format text|json]\n\n"
	       "Reports on a contrail database: the last run (times, business date, source,\n"
	       "the --until it replayed to, a rebuild or not, counts, projection hash),\n"
	       "checkpoints, row counts of the projection tables,\n"
	       "rejected events by code and streams holding events for a missing seq (the\n"
	       "first %d by name). text is for a person; json is one object for a script.\n"
	       "Exit: 0 ok, 2 usage, 3 not a contrail database or a damaged one, 4 still being\n"
	       "built.\n", HELD_LISTED);
}

/* One option getopt_long returned: 1 when taken, 0 after --help, -1 when it is bad (said). */
static int take_option(int opt, char **argv, const char **path, const char **format)
{
	switch (opt) {
	case 'd': *path = optarg; return 1;
	case 'f': *format = optarg; return 1;
	case 'h': usage(); return 0;
	default:
		ctr_cli_bad_option("status", 0, opt, argv);
		return -1;
	}
}

/* 1 when the command line is complete, 0 after --help, -1 when it is bad (already said). */
static int parse_args(int argc, char **argv, const char **path, int *json)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	int opt, taken;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("status", argc, argv, ":", longopts) != 0)
		return -1;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		taken = take_option(opt, argv, path, &format);
		if (taken <= 0)
			return taken;
	}
	*json = strcmp(format, "json") == 0;
	if (optind != argc)
		ctr_cli_fail("status", 0, "unexpected argument %s", argv[optind]);
	else if (*path == NULL)
		ctr_cli_fail("status", 0, "--db PATH is required (see contrail status --help)");
	else if (!*json && strcmp(format, "text") != 0)
		ctr_cli_fail("status", 0, "--format must be text or json, not %s", format);
	else
		return 1;
	return -1;
}

int ctr_cmd_status(int argc, char **argv)
{
	struct reader r = { NULL, { 0 } };
	const char *path = NULL;
	int json = 0, parsed = parse_args(argc, argv, &path, &json), rc;
	json_t *out;
	char *text_json;

	if (parsed <= 0)
		return parsed == 0 ? CTR_EXIT_OK : CTR_EXIT_USAGE;
	rc = ctr_db_open(path, CTR_DB_READ, &r.db, &r.err);
	if (rc != 0)
		return ctr_cli_fail("status", ctr_cli_exit_for(rc), "%s", r.err.message);
	/* one read transaction: a report of one commit, not parts of two a replay made meanwhile */
	rc = ctr_db_exec(r.db, "BEGIN", &r.err);
	out = rc == 0 ? report(&r) : NULL;
	sqlite3_close(r.db);
	/* tables not as a replay leaves them (3); a read that fails, no memory (4) */
	if (out == NULL)
		return ctr_cli_fail("status", ctr_cli_exit_for(r.err.code), "%s", r.err.message);
	/* the whole report or none of it */
	text_json = json ? ctr_json_text(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (json ? text_json == NULL : ctr_cli_json_shown(out) != 0) {
		json_decref(out);
		return ctr_cli_fail("status", CTR_EXIT_FAILURE, "out of memory");
	}
	if (json) {
		puts(text_json);
		free(text_json);
	} else {
		print_run(json_object_get(out, "last_run"));
		if (json_is_string(json_object_get(out, "judging")))
			printf("judging           %s: some states are judged on another date or by an"
			       " older version;\n                  the next replay judges them all\n",
			       text(out, "judging"));
		print_checkpoints(json_object_get(out, "checkpoints"));
		print_lists(out);
	}
	json_decref(out);
	return fflush(stdout) == 0 && !ferror(stdout) ? CTR_EXIT_OK
		: ctr_cli_fail("status", CTR_EXIT_FAILURE, "cannot write to standard output");
}
