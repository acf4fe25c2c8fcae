/*
 * test_timefmt.c - dates and RFC 3339 timestamps (events/timefmt.c).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "events/timefmt.h"

Test(timefmt, dates_round_trip_through_day_numbers)
{
	int ok;
	char text[11];

	cr_assert_eq(ctr_date_parse("1970-01-01", &ok), 0);
	cr_assert(ok);
	cr_assert_eq(ctr_date_parse("2024-02-29", &ok), 19782);
	ctr_date_format(19782, text);
	cr_assert_str_eq(text, "2024-02-29");
}

Test(timefmt, impossible_dates_are_refused)
{
	int ok;

	ctr_date_parse("2023-02-29", &ok);
	cr_assert_not(ok);
	ctr_date_parse("2023-13-01", &ok);
	cr_assert_not(ok);
	ctr_date_parse("2023-1-01", &ok);
	cr_assert_not(ok);
	ctr_date_parse("2023-01-01T00:00", &ok);
	cr_assert_not(ok);
}

Test(timefmt, timestamps_with_different_offsets_compare_as_instants)
{
	int ok1, ok2;
	int64_t tokyo = ctr_timestamp_parse("2023-02-01T10:00:00+09:00", &ok1);
	int64_t utc = ctr_timestamp_parse("2023-02-01T01:00:00Z", &ok2);

	cr_assert(ok1 && ok2);
	cr_assert_eq(tokyo, utc);
	cr_assert_eq(ctr_timestamp_parse("2023-02-01T01:00:00.5Z", &ok1) - utc, 500000);
}

Test(timefmt, timestamps_need_an_offset)
{
	int ok;

	ctr_timestamp_parse("2023-02-01T10:00:00", &ok);
	cr_assert_not(ok);
	ctr_timestamp_parse("2023-02-01 10:00:00+09:00", &ok);
	cr_assert_not(ok);
	ctr_timestamp_parse("2023-02-01T25:00:00+09:00", &ok);
	cr_assert_not(ok);
}

/* The date in Japan of a timestamp, which must parse. */
static void date_in_japan(const char *timestamp, char text[11])
{
	int ok;

	ctr_date_format(ctr_date_in_japan(ctr_timestamp_parse(timestamp, &ok)), text);
	cr_assert(ok, "%s", timestamp);
}

/* K3, B7: an instant whose date in Japan needs a fifth digit of year is no time we can write */
Test(timefmt, an_instant_is_refused_where_its_date_in_japan_leaves_years_0000_to_9999)
{
	char text[11];
	int ok;

	date_in_japan("9999-12-31T14:59:59.999999Z", text);
	cr_assert_str_eq(text, "9999-12-31");
	date_in_japan("9999-12-31T23:59:59+09:00", text);
	cr_assert_str_eq(text, "9999-12-31");
	date_in_japan("0000-01-01T00:00:00+09:00", text);
	cr_assert_str_eq(text, "0000-01-01");
	ctr_timestamp_parse("9999-12-31T15:00:00Z", &ok);
	cr_assert_not(ok);
	ctr_timestamp_parse("0000-01-01T08:59:59+18:00", &ok);
	cr_assert_not(ok);
}

/*
 * Every prefix of a timestamp is refused, each in a block of its own size so
 * that `make sanitize` sees a read past its end; and a leap day is a day.
 */
Test(timefmt, a_timestamp_cut_short_anywhere_is_refused)
{
	const char *whole = "2024-02-29T10:00:00.25+09:00";
	int ok;

	for (size_t len = 0; len < strlen(whole); len++) {
		char *prefix = strndup(whole, len);
		cr_assert_not_null(prefix);
		ctr_timestamp_parse(prefix, &ok);
		cr_assert_not(ok, "%s", prefix);
		ctr_date_parse(prefix, &ok);
		cr_assert_eq(ok, len == 10, "%s", prefix);
		free(prefix);
	}
	cr_assert_eq(ctr_timestamp_parse(whole, &ok),
		     (int64_t)ctr_date_from_civil(2024, 2, 29) * 86400000000LL + 3600000000LL + 250000);
	cr_assert(ok);
	ctr_timestamp_parse("2023-02-29T10:00:00+09:00", &ok);
	cr_assert_not(ok);
}

/* An instant's date in Japan (UTC+9) turns at 15:00 UTC, before 1970 as after it. */
Test(timefmt, the_date_in_japan_turns_at_midnight_there)
{
	int ok;

	cr_assert_eq(ctr_date_in_japan(ctr_timestamp_parse("2024-03-31T23:59:59+09:00", &ok)),
		     ctr_date_from_civil(2024, 3, 31));
	cr_assert_eq(ctr_date_in_japan(ctr_timestamp_parse("2024-03-31T15:00:00Z", &ok)),
		     ctr_date_from_civil(2024, 4, 1));
	cr_assert_eq(ctr_date_in_japan(ctr_timestamp_parse("1969-12-31T10:00:00+09:00", &ok)),
		     ctr_date_from_civil(1969, 12, 31));
	cr_assert_eq(ctr_date_in_japan(ctr_timestamp_parse("1960-06-15T00:00:00.000001+09:00", &ok)),
		     ctr_date_from_civil(1960, 6, 15));
	cr_assert_eq(ctr_date_in_japan(ctr_timestamp_parse("1960-06-14T23:59:59.999999+09:00", &ok)),
		     ctr_date_from_civil(1960, 6, 14));
}
