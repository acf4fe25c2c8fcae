/*
 * calendar.c - Japanese national holidays from the rules of the Act on
 * National Holidays (see calendar.h). A "national holiday" here is a day the
 * Act names (国民の祝日); the substitute (振替休日) and citizens' (国民の休日)
 * holidays are derived from those, as the Act derives them.
 */
#include "projections/calendar.h"

#include "events/timefmt.h"

/* 0 Sunday .. 6 Saturday. */
static int weekday_of(int32_t day)
{
	int w = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday */
	return w < 0 ? w + 7 : w;
}

/* The day of the nth Monday of a month. */
static int nth_monday(int year, int month, int n)
{
	int first = weekday_of(ctr_date_from_civil(year, month, 1));
	return 1 + (8 - first) % 7 + 7 * (n - 1);
}

/* The equinox days (the usual approximation of the National Astronomical Observatory, 1900-2099). */
static int equinox(int year, int autumn)
{
	double base = autumn ? (year < 1980 ? 23.2588 : 23.2488) : (year < 1980 ? 20.8357 : 20.8431);
	int leap = year < 1980 ? (year - 1983) / 4 : (year - 1980) / 4; /* C truncates, as the formula does */

	return (int)(base + 0.242194 * (year - 1980) - leap);
}

static int one_off(int year, int month, int day)
{
	return (year == 1959 && month == 4 && day == 10) ||  /* the Crown Prince's wedding */
	       (year == 1989 && month == 2 && day == 24) ||  /* the Showa Emperor's funeral */
	       (year == 1990 && month == 11 && day == 12) || /* the enthronement ceremony */
	       (year == 1993 && month == 6 && day == 9) ||   /* the Crown Prince's wedding */
	       (year == 2019 && month == 5 && day == 1) ||   /* the accession */
	       (year == 2019 && month == 10 && day == 22);   /* the enthronement ceremony */
}

/* Marine, Mountain and Sports Day, moved for the Tokyo games in 2020 and 2021. */
static int moved_days(int year, int month, int day)
{
	if (year == 2020)
		return (month == 7 && (day == 23 || day == 24)) || (month == 8 && day == 10);
	if (year == 2021)
		return (month == 7 && (day == 22 || day == 23)) || (month == 8 && day == 8);
	return 0;
}

static int summer_and_autumn(int year, int month, int day)
{
	if (year == 2020 || year == 2021)
		return moved_days(year, month, day) ||
		       (month == 9 && year >= 2003 && day == nth_monday(year, 9, 3));
	if (month == 7)
		return year >= 2003 ? day == nth_monday(year, 7, 3) : year >= 1996 && day == 20;
	if (month == 8)
		return year >= 2016 && day == 11;
	if (month == 9)
		return year >= 2003 ? day == nth_monday(year, 9, 3) : year >= 1966 && day == 15;
	if (month == 10)
		return year >= 2000 ? day == nth_monday(year, 10, 2) : year >= 1966 && day == 10;
	return 0;
}

/* A day the Act names (国民の祝日). */
static int national_holiday(int year, int month, int day)
{
	if (one_off(year, month, day))
		return 1;
	switch (month) {
	case 1:
		return day == 1 || (year >= 2000 ? day == nth_monday(year, 1, 2) : day == 15);
	case 2:
		return (year >= 1967 && day == 11) || (year >= 2020 && day == 23);
	case 3:
		return day == equinox(year, 0);
	case 4:
		return day == 29;
	case 5:
		return day == 3 || day == 5 || (year >= 2007 && day == 4);
	case 9:
		return day == equinox(year, 1) || summer_and_autumn(year, month, day);
	case 11:
		return day == 3 || day == 23;
	case 12:
		return year >= 1989 && year <= 2018 && day == 23;
	default:
		return summer_and_autumn(year, month, day);
	}
}

static int named(int32_t d)
{
	int year, month, day;

	ctr_date_to_civil(d, &year, &month, &day);
	return national_holiday(year, month, day);
}

/* 振替休日: from 1973-04-12 the Monday after a Sunday holiday; from 2007 the next day that is not one. */
static int substitute(int32_t d)
{
	int32_t start = ctr_date_from_civil(1973, 4, 12), rule_2007 = ctr_date_from_civil(2007, 1, 1);

	if (d < start || named(d))
		return 0;
	if (d < rule_2007)
		return weekday_of(d) == 1 && named(d - 1) && d - 1 >= start;
	for (int32_t back = d - 1; named(back); back--)
		if (weekday_of(back) == 0)
			return 1;
	return 0;
}

/* 国民の休日: from 1985-12-27 a day between two named holidays (not a Sunday before 2007). */
static int citizens(int32_t d)
{
	if (d < ctr_date_from_civil(1985, 12, 27) || named(d) || !named(d - 1) || !named(d + 1))
		return 0;
	return d >= ctr_date_from_civil(2007, 1, 1) || weekday_of(d) != 0;
}

int ctr_calendar_is_holiday(int32_t day)
{
	if (named(day))
		return 1;
	/* a substitute or citizens' holiday follows a named one: most days stop here */
	return named(day - 1) && (substitute(day) || citizens(day));
}

int ctr_calendar_is_business_day(int32_t day)
{
	int weekday = weekday_of(day);
	return weekday != 0 && weekday != 6 && !ctr_calendar_is_holiday(day);
}

int32_t ctr_calendar_business_day_on_or_before(int32_t day)
{
	while (!ctr_calendar_is_business_day(day))
		day--;
	return day;
}
