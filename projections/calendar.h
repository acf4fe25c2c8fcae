/*
 * calendar.h - the Japanese business-day calendar the invoices need (B7):
 * national holidays computed from the rules of the Act on National Holidays
 * (fixed days, Happy Monday days, the equinoxes, substitute holidays under
 * the pre-2007 and the current rule, citizens' holidays, and the one-off
 * days and moves of 1959, 1989, 1990, 1993, 2019, 2020 and 2021), for the
 * years 1955 to 2099. Days are days since 1970-01-01.
 */
#ifndef CTR_CALENDAR_H
#define CTR_CALENDAR_H

#include <stdint.h>

/* The years the rules above are right for (the equinoxes' approximation ends with 2099). */
#define CTR_CALENDAR_FIRST_YEAR 1955
#define CTR_CALENDAR_LAST_YEAR 2099

/* 1 when the day is a national, substitute or citizens' holiday. */
int ctr_calendar_is_holiday(int32_t day);
/* 1 on weekdays that are not holidays. */
int ctr_calendar_is_business_day(int32_t day);
/* The day itself when a business day, else the closest business day before it. */
int32_t ctr_calendar_business_day_on_or_before(int32_t day);

#endif
