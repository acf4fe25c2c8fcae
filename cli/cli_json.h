/*
 * cli_json.h - query results as JSON for the commands that print rows.
 */
#ifndef CTR_CLI_JSON_H
#define CTR_CLI_JSON_H

#include <jansson.h>
#include <sqlite3.h>

#include "events/error.h"

/*
 * A result column as JSON: null, an integer, a real or text (blobs as their
 * bytes), text that is not UTF-8 repaired (ctr_cli_utf8_repaired).
 */
json_t *ctr_cli_json_column(sqlite3_stmt *stmt, int column);

/*
 * The rows of stmt (prepared and bound, on db) as an array of objects keyed by
 * column name. A step that fails sets err to code with db's message, the rows
 * read before it kept: a report must not take it for the end of the rows. A
 * row or value that cannot be allocated sets err to CTR_ENOMEM, likewise.
 */
json_t *ctr_cli_json_rows(sqlite3 *db, sqlite3_stmt *stmt, int code, struct ctr_error *err);

#endif
