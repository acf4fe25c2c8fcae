/*
 * generate_time.c - business days and times in Japan for the generator: civil
 * dates, month arithmetic, office hours, and fast RFC 3339 formatting (the
 * generator writes millions of timestamps, so no strftime).
 */
#include "cli/generate_internal.h"

#include "projections/calendar.h"

#define JAPAN_OFFSET (9 * 3600)

/* Howard Hinnant's days_from_civil. */
int32_t gen_days(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(month > 2 ? month - 3 : month + 9) + 2) / 5 + (unsigned)day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void gen_civil(int32_t days, int *year, int *month, int *day)
{
	int32_t z = days + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)m;
	*year = (int)yoe + era * 400 + (m <= 2);
}

int32_t gen_day_of(int64_t at)
{
	return (int32_t)((at + JAPAN_OFFSET) / GEN_DAY);
}

int64_t gen_time_of(int32_t day, long seconds)
{
	return (int64_t)day * GEN_DAY - JAPAN_OFFSET + seconds;
}

static int month_length(int year, int month)
{
	static const int lengths[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return lengths[month - 1] + (month == 2 && leap);
}

/* The same day of the month months later, or that month's last day. */
int32_t gen_add_months(int32_t day, int months)
{
	int y, m, d, total;

	gen_civil(day, &y, &m, &d);
	total = y * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	if (d > month_length(y, m))
		d = month_length(y, m);
	return gen_days(y, m, d);
}

int32_t gen_month_end(int32_t day)
{
	int y, m, d;

	gen_civil(day, &y, &m, &d);
	return gen_days(y, m, month_length(y, m));
}

/* A day the office is closed: a weekend, a national holiday, the year-end closure (29/12-3/1). */
static int closed(int32_t day)
{
	int weekday = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday; 0 is Sunday */
	int y, m, d;

	gen_civil(day, &y, &m, &d);
	return weekday == 0 || weekday == 6 || (m == 12 && d >= 29) || (m == 1 && d <= 3) ||
	       ctr_calendar_is_holiday(day);
}

/*
 * Work falling on a closed day is mostly done on one of the five open days
 * after it, spread evenly: moved to the next open day, Mondays would hold
 * about three days' work.
 */
int64_t gen_office_time(struct gen *g, int32_t day)
{
	if (closed(day) && gen_chance(g, 95)) {
		long later = gen_range(g, 0, 4);
		do
			day++;
		while (closed(day) || later-- > 0);
	}
	return gen_time_of(day, 9 * 3600 + gen_range(g, 0, 10 * 3600 - 1));
}

int64_t gen_after(struct gen *g, int64_t at, int min_days, int max_days)
{
	int64_t next;

	if (max_days == 0)
		return at + gen_range(g, 300, 3 * 3600);
	next = gen_office_time(g, gen_day_of(at) + (int32_t)gen_range(g, min_days, max_days));
	return next > at ? next : at + gen_range(g, 300, 3600);
}

static void two(char *out, int value)
{
	out[0] = (char)('0' + value / 10);
	out[1] = (char)('0' + value % 10);
}

void gen_format_date(int32_t day, char out[10])
{
	int y, m, d;

	gen_civil(day, &y, &m, &d);
	two(out, y / 100);
	two(out + 2, y % 100);
	out[4] = '-';
	two(out + 5, m);
	out[7] = '-';
	two(out + 8, d);
}

void gen_format_time(int64_t at, char out[25])
{
	int64_t local = at + JAPAN_OFFSET;
	int seconds = (int)(local % GEN_DAY);

	gen_format_date((int32_t)(local / GEN_DAY), out);
	out[10] = 'T';
	two(out + 11, seconds / 3600);
	out[13] = ':';
	two(out + 14, seconds / 60 % 60);
	out[16] = ':';
	two(out + 17, seconds % 60);
	out[19] = '+';
	two(out + 20, 9);
	out[22] = ':';
	two(out + 23, 0);
}
