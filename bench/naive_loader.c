/*
 * naive_loader.c - the baseline of `make bench`: the design contrail must beat
 * by 10x. It reads a local Avro log with Avro C's generic file reader and
 * issues one SQL statement per event, in SQLite's autocommit mode (one
 * transaction per statement, WAL, synchronous=NORMAL: the settings of an
 * incremental contrail run): an UPSERT of the event's stream position. That is
 * less work than any real projection does per event, so it is a lower bound
 * on the cost of a statement-per-event loader.
 *
 * usage: naive-loader LOG.avro DB
 */
#include <avro.h>
#include <sqlite3.h>
#include <stdio.h>

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "naive-loader: %s: %s\n", what, why);
	return 1;
}

static const char *field_text(avro_value_t *record, const char *name)
{
	avro_value_t field;
	const char *text = "";
	size_t len;

	if (avro_value_get_by_name(record, name, &field, NULL) == 0)
		avro_value_get_string(&field, &text, &len);
	return text;
}

static long load(avro_file_reader_t reader, avro_value_t *event, sqlite3_stmt *upsert)
{
	long events = 0;
	avro_value_t seq;
	int64_t position;

	while (avro_file_reader_read_value(reader, event) == 0) {
		avro_value_get_by_name(event, "seq", &seq, NULL);
		avro_value_get_long(&seq, &position);
		sqlite3_bind_text(upsert, 1, field_text(event, "stream"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upsert, 2, position);
		sqlite3_bind_text(upsert, 3, field_text(event, "type"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(upsert, 4, field_text(event, "at"), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(upsert) != SQLITE_DONE)
			return -1;
		sqlite3_reset(upsert);
		events++;
	}
	return events;
}

int main(int argc, char **argv)
{
	avro_file_reader_t reader;
	avro_value_iface_t *iface;
	avro_value_t event;
	avro_schema_t schema;
	sqlite3 *db;
	sqlite3_stmt *upsert;
	long events;

	if (argc != 3)
		return fail("usage", "naive-loader LOG.avro DB");
	if (avro_file_reader(argv[1], &reader) != 0)
		return fail(argv[1], avro_strerror());
	schema = avro_file_reader_get_writer_schema(reader);
	iface = avro_generic_class_from_schema(schema);
	avro_generic_value_new(iface, &event);
	if (sqlite3_open(argv[2], &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			 " CREATE TABLE IF NOT EXISTS stream_state (stream TEXT PRIMARY KEY,"
			 " seq INTEGER, type TEXT, at TEXT) WITHOUT ROWID", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO stream_state VALUES (?, ?, ?, ?) ON CONFLICT (stream)"
			       " DO UPDATE SET seq = excluded.seq, type = excluded.type, at = excluded.at",
			       -1, &upsert, NULL) != SQLITE_OK)
		return fail(argv[2], sqlite3_errmsg(db));
	events = load(reader, &event, upsert);
	if (events < 0)
		return fail(argv[2], sqlite3_errmsg(db));
	printf("%ld events\n", events);
	sqlite3_finalize(upsert);
	sqlite3_close(db);
	avro_value_decref(&event);
	avro_value_iface_decref(iface);
	avro_schema_decref(schema);
	avro_file_reader_close(reader);
	return 0;
}
