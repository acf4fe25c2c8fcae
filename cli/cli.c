/*
 * cli.c - what the subcommands share: the one-line error, options given
 * twice or empty, and the exit code for a library error (see cli.h).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/db.h"
#include "engine/source.h"
#include "events/error.h"
#include "events/timefmt.h"
#include "events/utf8.h"
#include "projections/calendar.h"

#include <jansson.h>
#include <sqlite3.h>

int ctr_cli_stdin_closed;

static const char *escape_of(const unsigned char *c, char buf[8], size_t *used);

/*
 * A line's values (a path, an option's argument) may hold control characters:
 * they are shown escaped, as ctr_cli_shown() has them, so that the line stays
 * one line and nothing reaches the terminal as an escape. A backslash is left
 * as it is: a value in the message may be shown already.
 */
static void line_out(const char *fmt, va_list ap)
{
	char *line = NULL, buf[8];
	size_t used;
	int made = vasprintf(&line, fmt, ap);

	for (const unsigned char *c = made >= 0 ? (const unsigned char *)line : NULL; c && *c; c += used) {
		const char *escape = escape_of(c, buf, &used);
		if (escape && *c != '\\')
			fputs(escape, stderr);
		else
			fwrite(c, 1, used, stderr);
	}
	if (made < 0) /* no memory for the line: its pattern says what it was about */
		fputs(fmt, stderr);
	fputc('\n', stderr);
	free(made >= 0 ? line : NULL);
}

int ctr_cli_fail(const char *command, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "contrail %s: ", command);
	va_start(ap, fmt);
	line_out(fmt, ap);
	va_end(ap);
	return code;
}

void ctr_cli_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_out(fmt, ap);
	va_end(ap);
}

_Noreturn void ctr_cli_help_exit(const char *command)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		exit(CTR_EXIT_OK);
	exit(ctr_cli_fail(command, CTR_EXIT_FAILURE, "cannot write to standard output"));
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

/* The entry of longopts that getopt_long takes name (up to '=' or its end) for, or NULL. */
static const struct option *long_option(const struct option *longopts, const char *name)
{
	size_t length = strcspn(name, "=");
	const struct option *found = NULL;

	for (const struct option *o = longopts; o->name != NULL; o++)
		if (strncmp(o->name, name, length) == 0 && strlen(o->name) == length)
			return o; /* exact, wherever it is in the table */
	for (const struct option *o = longopts; o->name != NULL; o++) {
		if (strncmp(o->name, name, length) != 0)
			continue;
		if (found != NULL && found->val != o->val)
			return NULL; /* ambiguous: getopt_long says so itself */
		found = o;
	}
	return found;
}

int ctr_cli_check_options(const char *command, int argc, char **argv, const char *shortopts,
		      const struct option *longopts)
{
	const struct option *given[64];
	size_t count = 0;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *arg = argv[i];
		const struct option *o;
		const char *letter;

		if (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0' && arg[2] == '\0') {
			letter = strchr(shortopts, arg[1]);
			i += letter != NULL && letter[1] == ':'; /* its value is the next word */
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 || (o = long_option(longopts, arg + 2)) == NULL ||
		    o->has_arg != required_argument)
			continue;
		const char *value = strchr(arg, '=');

		value = value != NULL ? value + 1 : ++i < argc ? argv[i] : NULL;
		if (value != NULL && value[0] == '\0')
			return ctr_cli_fail(command, CTR_EXIT_USAGE, "--%s needs a value", o->name);
		for (size_t k = 0; k < count; k++)
			if (given[k]->val == o->val)
				return ctr_cli_fail(command, CTR_EXIT_USAGE, "--%s is given twice",
						    o->name);
		if (count < sizeof(given) / sizeof(given[0]))
			given[count++] = o;
	}
	return 0;
}

int ctr_cli_number(const char *text, long min, long max, long *out)
{
	char *end;
	long value;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (*end != '\0' || errno == ERANGE || value < min || value > max)
		return -1;
	*out = value;
	return 0;
}

int ctr_cli_business_date(const char *command, const char *text, struct ctr_replay_options *o)
{
	int ok;
	int32_t day = ctr_date_parse(text, &ok);

	if (!ok)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--business-date %s is not a date"
				    " (YYYY-MM-DD)", text);
	if (day < ctr_date_from_civil(CTR_CALENDAR_FIRST_YEAR, 1, 1) ||
	    day > ctr_date_from_civil(CTR_CALENDAR_LAST_YEAR, 12, 31))
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--business-date %s is outside the years"
				    " the holiday calendar covers (%d to %d)", text,
				    CTR_CALENDAR_FIRST_YEAR, CTR_CALENDAR_LAST_YEAR);
	o->business_date = day;
	return 0;
}

int ctr_cli_until(const char *command, const char *text, struct ctr_replay_options *o)
{
	int ok;

	o->until_us = ctr_timestamp_parse(text, &ok);
	if (!ok)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--until %s is not an RFC 3339"
				    " timestamp with an offset, its date in Japan in years"
				    " 0000-9999", text);
	o->has_until = 1;
	o->until_text = text;
	return 0;
}

int ctr_cli_expiring_days(const char *command, const char *text, struct ctr_replay_options *o)
{
	long days;

	if (ctr_cli_number(text, 0, 100000, &days) != 0)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--expiring-days must be an integer"
				    " from 0 to 100000");
	o->expiring_days = (int)days;
	return 0;
}

int ctr_cli_store_cutoff(const char *command, const char *text, struct ctr_replay_options *o)
{
	int ok;

	o->store_cutoff = ctr_date_parse(text, &ok);
	return ok ? 0 : ctr_cli_fail(command, CTR_EXIT_USAGE, "--store-cutoff %s is not a date"
				     " (YYYY-MM-DD)", text);
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

/*
 * How the character at c is written in a report: *used its bytes, and its
 * escape in buf, or NULL when it is written as it is. A backslash, C0's and
 * C1's control characters and DEL: each could end a line, move a cursor or
 * read as another escape.
 */
static const char *escape_of(const unsigned char *c, char buf[8], size_t *used)
{
	*used = 1;
	switch (*c) {
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default: break;
	}
	if (*c < 0x20 || *c == 0x7f) {
		snprintf(buf, 8, "\\x%02x", *c);
		return buf;
	}
	if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) { /* U+0080 to U+009F in UTF-8 */
		snprintf(buf, 8, "\\u%04x", c[1]);
		*used = 2;
		return buf;
	}
	return NULL;
}

void ctr_cli_one_line(FILE *out, const char *text, char separator)
{
	const unsigned char *c = (const unsigned char *)text;
	const char *escape;
	char buf[8];
	size_t used;

	while (*c) {
		if (separator && *c == (unsigned char)separator) {
			fputc('\\', out);
			fputc(*c++, out);
			continue;
		}
		escape = escape_of(c, buf, &used);
		if (escape)
			fputs(escape, out);
		else
			fputc(*c, out);
		c += used;
	}
}

char *ctr_cli_shown(const char *text)
{
	char *shown = malloc(4 * strlen(text) + 1), *p = shown; /* "\\x1b" is the longest, 4 a byte */
	const unsigned char *c = (const unsigned char *)text;
	const char *escape;
	char buf[8];
	size_t used;

	if (shown == NULL)
		return NULL;
	while (*c) {
		escape = escape_of(c, buf, &used);
		if (escape) {
			p = stpcpy(p, escape);
		} else {
			*p++ = (char)*c;
		}
		c += used;
	}
	*p = '\0';
	return shown;
}

/* 1 when ctr_cli_shown() would write text otherwise. */
static int needs_escape(const char *text)
{
	char buf[8];
	size_t used;

	for (const unsigned char *c = (const unsigned char *)text; *c; c += used)
		if (escape_of(c, buf, &used) != NULL)
			return 1;
	return 0;
}

int ctr_cli_json_shown(json_t *value)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(value)) {
		const char *text = json_string_value(value);
		char *shown;
		int rc;

		if (!needs_escape(text))
			return 0;
		shown = ctr_cli_shown(text);
		rc = shown ? json_string_set(value, shown) : -1;
		free(shown);
		return rc;
	}
	if (json_is_object(value)) {
		json_object_foreach(value, key, item)
			if (ctr_cli_json_shown(item) != 0)
				return -1;
	} else if (json_is_array(value)) {
		json_array_foreach(value, i, item)
			if (ctr_cli_json_shown(item) != 0)
				return -1;
	}
	return 0;
}

char *ctr_cli_utf8_repaired(const char *text, size_t len)
{
	const uint8_t *bytes = (const uint8_t *)text;
	char *fixed = malloc(3 * len + 1), *p = fixed;

	if (fixed == NULL)
		return NULL;
	for (size_t i = 0, step; i < len; i += step) {
		step = bytes[i] < 0x80 ? 1 : ctr_utf8_sequence(bytes + i, len - i);
		if (step == 0 || bytes[i] == 0) {
			memcpy(p, "\xef\xbf\xbd", 3), p += 3, step = 1;
		} else {
			memcpy(p, bytes + i, step), p += step;
		}
	}
	*p = '\0';
	return fixed;
}

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

int ctr_cli_source_is_file(const char *source, const char *path)
{
	const char *named = strncmp(source, "file:", 5) == 0	 ? source + 5
			    : strncmp(source, "jsonl:", 6) == 0 ? source + 6
								 : NULL;
	struct stat a, b;

	return named != NULL && strcmp(named, "-") != 0 && stat(named, &a) == 0 &&
	       stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ctr_cli_check_source(const char *command, const char *source)
{
	struct ctr_error err = { 0 };

	if (ctr_source_check_spec(source, &err) != 0)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "%s", err.message);
	/* closed, it reads as /dev/null (main.c): no events is not what was meant */
	if (strcmp(source, "jsonl:-") == 0 && ctr_cli_stdin_closed)
		return ctr_cli_fail(command, CTR_EXIT_DATA, "cannot read -: %s", strerror(EBADF));
	return CTR_EXIT_OK;
}
