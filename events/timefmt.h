/*
 * timefmt.h - business dates and RFC 3339 timestamps.
 *
 * Dates are days since 1970-01-01; timestamps are microseconds since the Unix
 * epoch in UTC, so timestamps written with different offsets compare right.
 */
#ifndef CTR_TIMEFMT_H
#define CTR_TIMEFMT_H

#include <stdint.h>

/* Days since 1970-01-01 of a valid YYYY-MM-DD, or 0 with *ok = 0. */
int32_t ctr_date_parse(const char *text, int *ok);
/* Writes YYYY-MM-DD (11 bytes with the NUL). */
void ctr_date_format(int32_t days, char out[11]);
/* Days from a civil date (proleptic Gregorian). */
int32_t ctr_date_from_civil(int year, int month, int day);
void ctr_date_to_civil(int32_t days, int *year, int *month, int *day);

/*
 * Microseconds since the epoch (UTC) of an RFC 3339 timestamp with offset,
 * whose date in Japan is in years 0000-9999 (the dates we write); else 0
 * with *ok = 0.
 */
int64_t ctr_timestamp_parse(const char *text, int *ok);

/* The date in Japan (UTC+9) of an instant in microseconds since the epoch, before 1970 too. */
int32_t ctr_date_in_japan(int64_t us);

/* Today's date in Japan (UTC+9), the default business date (E5). */
int32_t ctr_date_today_japan(void);

#endif
