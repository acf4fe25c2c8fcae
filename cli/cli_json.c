/*
 * cli_json.c - query results as JSON, for the commands that print rows
 * (export, status, audit; see cli_json.h).
 */
#include "cli/cli_json.h"

#include <stdlib.h>

#include "cli/cli_text.h"
#include "engine/db.h"

json_t *ctr_cli_json_column(sqlite3_stmt *stmt, int column)
{
	const char *text;
	size_t len;
	char *repaired;
	json_t *value;

	switch (sqlite3_column_type(stmt, column)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(stmt, column));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(stmt, column));
	default:
		text = (const char *)sqlite3_column_text(stmt, column);
		len = (size_t)sqlite3_column_bytes(stmt, column);
		value = text ? json_stringn(text, len) : NULL;
		if (value != NULL || text == NULL)
			return value;
		/* not UTF-8 (jansson refuses it): a key left out would be worse than U+FFFD */
		repaired = ctr_cli_utf8_repaired(text, len);
		value = repaired ? json_string(repaired) : NULL;
		free(repaired);
		return value;
	}
}

json_t *ctr_cli_json_rows(sqlite3 *db, sqlite3_stmt *stmt, int code, struct ctr_error *err)
{
	json_t *list = json_array();
	int step = SQLITE_DONE, lost = list == NULL;

	while (!lost && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		json_t *row = json_object();

		for (int i = 0; row != NULL && i < sqlite3_column_count(stmt); i++) {
			json_t *value = ctr_cli_json_column(stmt, i);

			if (json_object_set_new(row, sqlite3_column_name(stmt, i), value) != 0) {
				json_decref(row);
				row = NULL;
			}
		}
		lost = json_array_append_new(list, row) != 0;
	}
	/* a row left out would read as one that is not there */
	if (lost)
		ctr_error_set(err, CTR_ENOMEM, "out of memory");
	else if (step != SQLITE_DONE)
		ctr_db_error(db, code, err);
	return list;
}
