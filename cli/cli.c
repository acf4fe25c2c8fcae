/*
 * cli.c - what the subcommands share: the one-line error and the exit code
 * for a library error (see cli.h).
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/db.h"
#include "events/error.h"

#include <jansson.h>
#include <sqlite3.h>

int ctr_cli_fail(const char *command, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "contrail %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int ctr_cli_exit_for(int error_code)
{
	switch (error_code) {
	case CTR_ECORRUPT:
	case CTR_ESCHEMA:
	case CTR_EINVAL:
	case CTR_ESTATE:
	case CTR_EIO:
		return CTR_EXIT_DATA;
	default:
		return CTR_EXIT_FAILURE;
	}
}

void ctr_cli_csv_field(FILE *out, const char *text)
{
	if (strpbrk(text, ",\"\r\n") == NULL) {
		fputs(text, out);
		return;
	}
	fputc('"', out);
	for (; *text; text++) {
		if (*text == '"')
			fputc('"', out);
		fputc(*text, out);
	}
	fputc('"', out);
}

void ctr_cli_one_line(FILE *out, const char *text, char separator)
{
	for (; *text; text++) {
		if (*text == '\\' || (separator && *text == separator))
			fprintf(out, "\\%c", *text);
		else if (*text == '\n')
			fputs("\\n", out);
		else if (*text == '\r')
			fputs("\\r", out);
		else
			fputc(*text, out);
	}
}

json_t *ctr_cli_json_column(sqlite3_stmt *stmt, int column)
{
	switch (sqlite3_column_type(stmt, column)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(stmt, column));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(stmt, column));
	default:
		return json_stringn((const char *)sqlite3_column_text(stmt, column),
				    (size_t)sqlite3_column_bytes(stmt, column));
	}
}

json_t *ctr_cli_json_rows(sqlite3 *db, sqlite3_stmt *stmt, int code, struct ctr_error *err)
{
	json_t *list = json_array();
	int step;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		json_t *row = json_object();
		for (int i = 0; i < sqlite3_column_count(stmt); i++)
			json_object_set_new(row, sqlite3_column_name(stmt, i), ctr_cli_json_column(stmt, i));
		json_array_append_new(list, row);
	}
	if (step != SQLITE_DONE)
		ctr_db_error(db, code, err);
	return list;
}
