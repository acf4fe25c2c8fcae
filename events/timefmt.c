/*
 * timefmt.c - parsing and formatting of dates and RFC 3339 timestamps
 * (see timefmt.h). Strict: a value that is not exactly the format is rejected.
 */
#include "events/timefmt.h"

#include <time.h>

#define DAY_US 86400000000LL
#define JAPAN_US (9 * 3600 * 1000000LL) /* Japan is UTC+9 all year */

/*
 * The two decimal digits at text, or -1. The second is read only when the
 * first is a digit, so that a string ending early is never read past its end;
 * callers check the characters of a value in order for the same reason.
 */
static inline int two_digits(const char *text)
{
	unsigned tens = (unsigned)(unsigned char)text[0] - '0', ones;

	if (tens > 9)
		return -1;
	ones = (unsigned)(unsigned char)text[1] - '0';
	return ones > 9 ? -1 : (int)(tens * 10 + ones);
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 ? 28 + leap : days[month - 1];
}

/* Howard Hinnant's days_from_civil. */
int32_t ctr_date_from_civil(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void ctr_date_to_civil(int32_t days, int *year, int *month, int *day)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;

	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp + (mp < 10 ? 3 : -9);
	*year = yoe + era * 400 + (*month <= 2);
}

static int parse_civil(const char *text, int *year, int *month, int *day)
{
	int century, rest;

	/* each part read only once the text before it matched: a short text ends at its NUL */
	century = two_digits(text);
	if (century < 0)
		return 0;
	rest = two_digits(text + 2);
	if (rest < 0 || text[4] != '-')
		return 0;
	*month = two_digits(text + 5);
	if (*month < 0 || text[7] != '-')
		return 0;
	*day = two_digits(text + 8);
	if (*day < 0)
		return 0;
	*year = century * 100 + rest;
	/* every month has 28 days: the month's own length is needed only past them */
	return *month >= 1 && *month <= 12 && *day >= 1 &&
	       (*day <= 28 || *day <= days_in_month(*year, *month));
}

int32_t ctr_date_parse(const char *text, int *ok)
{
	int year, month, day;

	*ok = parse_civil(text, &year, &month, &day) && text[10] == '\0';
	return *ok ? ctr_date_from_civil(year, month, day) : 0;
}

void ctr_date_format(int32_t days, char out[11])
{
	int year, month, day;

	ctr_date_to_civil(days, &year, &month, &day);
	if (year < 0 || year > 9999)
		year = 0;
	out[0] = (char)('0' + year / 1000);
	out[1] = (char)('0' + year / 100 % 10);
	out[2] = (char)('0' + year / 10 % 10);
	out[3] = (char)('0' + year % 10);
	out[4] = '-';
	out[5] = (char)('0' + month / 10);
	out[6] = (char)('0' + month % 10);
	out[7] = '-';
	out[8] = (char)('0' + day / 10);
	out[9] = (char)('0' + day % 10);
	out[10] = '\0';
}

/* "HH:MM:SS" with an optional fraction; returns the characters consumed or 0. */
static int parse_clock(const char *text, int64_t *micros)
{
	int hour, minute, second, used = 8;
	int64_t fraction = 0, scale = 100000;

	hour = two_digits(text);
	if (hour < 0 || text[2] != ':')
		return 0;
	minute = two_digits(text + 3);
	if (minute < 0 || text[5] != ':')
		return 0;
	second = two_digits(text + 6);
	if (second < 0 || hour > 23 || minute > 59 || second > 60)
		return 0;
	if (text[8] == '.') {
		used = 9;
		while (text[used] >= '0' && text[used] <= '9') {
			fraction += (text[used] - '0') * scale;
			scale /= 10;
			used++;
		}
		if (used == 9)
			return 0;
	}
	*micros = ((int64_t)hour * 3600 + minute * 60 + second) * 1000000 + fraction;
	return used;
}

/* 0000-01-01 and 9999-12-31 in days since 1970-01-01: the dates four digits write */
#define FIRST_DAY (-719528)
#define LAST_DAY 2932896

int64_t ctr_timestamp_parse(const char *text, int *ok)
{
	int year, month, day, offset_hours, offset_minutes, used;
	int64_t micros, offset = 0;
	const char *zone;

	*ok = 0;
	if (!parse_civil(text, &year, &month, &day) || (text[10] != 'T' && text[10] != 't'))
		return 0;
	used = parse_clock(text + 11, &micros);
	if (used == 0)
		return 0;
	zone = text + 11 + used;
	if ((zone[0] == 'Z' || zone[0] == 'z') && zone[1] == '\0') {
		offset = 0;
	} else if ((zone[0] == '+' || zone[0] == '-') &&
		   (offset_hours = two_digits(zone + 1)) >= 0 && zone[3] == ':' &&
		   (offset_minutes = two_digits(zone + 4)) >= 0 && zone[6] == '\0' &&
		   offset_hours < 24 && offset_minutes < 60) {
		offset = ((int64_t)offset_hours * 3600 + offset_minutes * 60) * 1000000;
		if (zone[0] == '-')
			offset = -offset;
	} else {
		return 0;
	}
	micros += (int64_t)ctr_date_from_civil(year, month, day) * DAY_US - offset;
	/* dates are written with four digits: an instant whose date in Japan has five is no time */
	if (micros < FIRST_DAY * DAY_US - JAPAN_US || micros >= (LAST_DAY + 1) * DAY_US - JAPAN_US)
		return 0;
	*ok = 1;
	return micros;
}

int32_t ctr_date_in_japan(int64_t us)
{
	int64_t local = us + JAPAN_US;

	/* floored: C's division truncates toward zero, which puts instants before 1970 a day late */
	return (int32_t)(local / DAY_US - (local % DAY_US < 0));
}

int32_t ctr_date_today_japan(void)
{
	return ctr_date_in_japan((int64_t)time(NULL) * 1000000);
}
