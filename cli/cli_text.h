/*
 * cli_text.h - how values are written in reports: CSV fields, values kept on
 * one line with their control characters escaped, text made UTF-8.
 */
#ifndef CTR_CLI_TEXT_H
#define CTR_CLI_TEXT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "events/codes.h"

/* Writes one CSV field (RFC 4180: quoted when it holds a comma, quote, CR or LF). */
void ctr_cli_csv_field(FILE *out, const char *text);

/*
 * Writes text on one line as ctr_cli_shown() has it, and the character
 * separator (0: none) after a backslash too, so that a report of one item a
 * line stays so and splits back into its values (diff, reconcile).
 */
void ctr_cli_one_line(FILE *out, const char *text, char separator);

/*
 * text for a report read by a person, malloc()ed (NULL when out of memory): a
 * backslash as \\, a line feed, carriage return and tab as \n, \r and \t, the
 * other control characters of C0 and DEL as \xNN and those of C1 as \u00NN, so
 * that a value cannot make a line of its own or reach a terminal as an escape.
 */
char *ctr_cli_shown(const char *text);

/* Every string in value (an object's, an array's, itself) as ctr_cli_shown() has it; -1 when out of memory. */
int ctr_cli_json_shown(json_t *value);

/*
 * text[0..len) as a malloc()ed string of UTF-8 (NULL when out of memory): each
 * byte that begins no valid sequence, and NUL, becomes U+FFFD. What contrail
 * stores from its events is UTF-8 already; a source's path may not be.
 */
char *ctr_cli_utf8_repaired(const char *text, size_t len);

/*
 * An event a command did not take, as one line on stderr: "WHERE: CODE:
 * MESSAGE", with ":LINE" after WHERE when line > 0 and after (NULL: nothing)
 * at the end. WHERE and MESSAGE, which may quote the event, are written as
 * ctr_cli_one_line() has them: shown, not obeyed, by a terminal.
 */
void ctr_cli_refused(const char *where, long line, enum ctr_code code, const char *message,
		     const char *after);

/*
 * How the character at c is written in a report: *used its bytes, and its
 * escape in buf, or NULL when it is written as it is. A backslash, C0's and
 * C1's control characters and DEL: each could end a line, move a cursor or
 * read as another escape.
 */
const char *ctr_cli_escape_of(const unsigned char *c, char buf[8], size_t *used);

#endif
