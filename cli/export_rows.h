/*
 * export_rows.h - the rows of a query written as `contrail export` writes
 * them: CSV (RFC 4180, a header line, CRLF line ends) or a JSON array of
 * objects, binary columns in base64 in both.
 */
#ifndef CTR_EXPORT_ROWS_H
#define CTR_EXPORT_ROWS_H

#include <sqlite3.h>
#include <stdio.h>

#include "events/error.h"

/*
 * Steps stmt to the end, writing every row to out as JSON (json 1) or CSV;
 * CTR_ENOMEM, or CTR_ECORRUPT with db's message when a step fails. Whether
 * out took the bytes is for the caller to ask (ferror, fflush).
 */
int ctr_export_rows(sqlite3 *db, sqlite3_stmt *stmt, int json, FILE *out, struct ctr_error *err);

#endif
