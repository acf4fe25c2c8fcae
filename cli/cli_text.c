/*
 * cli_text.c - how values are written in reports read by people and by
 * scripts: CSV fields, one-line values with their control characters escaped,
 * and text that is not UTF-8 made so (see cli_text.h).
 */
#include "cli/cli_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events/utf8.h"

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

const char *ctr_cli_escape_of(const unsigned char *c, char buf[8], size_t *used)
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
		escape = ctr_cli_escape_of(c, buf, &used);
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
		escape = ctr_cli_escape_of(c, buf, &used);
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
		if (ctr_cli_escape_of(c, buf, &used) != NULL)
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

void ctr_cli_refused(const char *where, long line, enum ctr_code code, const char *message,
		     const char *after)
{
	ctr_cli_one_line(stderr, where, 0);
	if (line > 0)
		fprintf(stderr, ":%ld", line);
	fprintf(stderr, ": %s: ", ctr_code_name(code));
	ctr_cli_one_line(stderr, message, 0);
	if (after != NULL)
		fputs(after, stderr);
	fputc('\n', stderr);
}
