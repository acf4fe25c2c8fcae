/*
 * test_calendar.c - the holiday calendar (projections/calendar.c) against a
 * public list of Japanese holidays (tests/data/holidays_jp.csv, 1970-2050):
 * every day of those years is a holiday exactly when the list says so.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "events/timefmt.h"
#include "projections/calendar.h"

#define FIRST_YEAR 1970
#define LAST_YEAR 2050
#define DAYS (366 * (LAST_YEAR - FIRST_YEAR + 1))

static unsigned char listed[DAYS];

static void load_list(void)
{
	FILE *fp = fopen("tests/data/holidays_jp.csv", "r");
	char line[256];
	int ok;

	cr_assert_not_null(fp, "run the tests from the project's top directory");
	while (fgets(line, sizeof(line), fp)) {
		line[10] = '\0';
		int32_t day = ctr_date_parse(line, &ok);
		if (ok)
			listed[day - ctr_date_from_civil(FIRST_YEAR, 1, 1)] = 1;
	}
	fclose(fp);
}

Test(calendar, every_day_from_1970_to_2050_matches_the_public_list)
{
	int32_t first = ctr_date_from_civil(FIRST_YEAR, 1, 1), last = ctr_date_from_civil(LAST_YEAR, 12, 31);
	char text[11];
	int wrong = 0;

	load_list();
	for (int32_t day = first; day <= last; day++) {
		if (ctr_calendar_is_holiday(day) != listed[day - first]) {
			ctr_date_format(day, text);
			if (wrong++ < 20)
				cr_log_error("%s: contrail says %d, the list %d", text,
					     ctr_calendar_is_holiday(day), listed[day - first]);
		}
	}
	cr_assert_eq(wrong, 0, "%d days differ", wrong);
}

static int32_t day_of(const char *text)
{
	int ok;
	return ctr_date_parse(text, &ok);
}

Test(calendar, one_off_days_before_the_list_begins)
{
	cr_assert(ctr_calendar_is_holiday(day_of("1959-04-10")));
	cr_assert_not(ctr_calendar_is_holiday(day_of("1960-04-10")));
	cr_assert(ctr_calendar_is_holiday(day_of("1955-01-15")));
	cr_assert_not(ctr_calendar_is_holiday(day_of("1965-09-15"))); /* Respect for the Aged from 1966 */
}

Test(calendar, business_days_step_back_over_weekends_and_holidays)
{
	/* 2025-05-31 is a Saturday; Golden Week 2025: 05-03 Sat .. 05-06 substitute Tuesday */
	cr_assert_eq(ctr_calendar_business_day_on_or_before(day_of("2025-05-31")), day_of("2025-05-30"));
	cr_assert_eq(ctr_calendar_business_day_on_or_before(day_of("2025-05-06")), day_of("2025-05-02"));
	cr_assert(ctr_calendar_is_business_day(day_of("2025-05-07")));
	/* 2099 is computed from the rules: New Year's Day is a Thursday */
	cr_assert_eq(ctr_calendar_business_day_on_or_before(day_of("2099-01-01")), day_of("2098-12-31"));
}
