/*
 * test_validate.c - the field formats judged at replay (E6, S1; events/validate.c),
 * at their edges: lengths, character sets, separators.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "events/validate.h"

/* An id of len characters, all c. */
static const char *id_of(size_t len, char c)
{
	static char text[128];

	memset(text, c, len);
	text[len] = '\0';
	return text;
}

Test(validate, event_ids_are_1_to_64_of_letters_digits_and_dot_underscore_colon_dash)
{
	cr_assert(ctr_format_ok("event_id", "e-124511-31"));
	cr_assert(ctr_format_ok("event_id", "A.b_c:D-9"));
	cr_assert(ctr_format_ok("event_id", id_of(1, 'x')));
	cr_assert(ctr_format_ok("event_id", id_of(64, 'x')));
	cr_assert_not(ctr_format_ok("event_id", id_of(65, 'x')));
	cr_assert_not(ctr_format_ok("event_id", id_of(100, 'x')));
	cr_assert_not(ctr_format_ok("event_id", ""));
	cr_assert_not(ctr_format_ok("event_id", "e 1"));
	cr_assert_not(ctr_format_ok("event_id", "e1/2"));
	cr_assert_not(ctr_format_ok("event_id", "e\xc3\xa91"));
	cr_assert_not(ctr_format_ok("event_id", "e1\n"));
}

Test(validate, customer_numbers_and_support_ids_have_fixed_shapes)
{
	cr_assert(ctr_format_ok("customer_no", "124511"));
	cr_assert_not(ctr_format_ok("customer_no", "12451"));
	cr_assert_not(ctr_format_ok("customer_no", "1245110"));
	cr_assert_not(ctr_format_ok("customer_no", "12451a"));
	cr_assert(ctr_format_ok("support_id", "0054-29495"));
	cr_assert_not(ctr_format_ok("support_id", "0054_29495"));
	cr_assert_not(ctr_format_ok("support_id", "054-294950"));
	cr_assert_not(ctr_format_ok("support_id", "0054-2949"));
}

Test(validate, emails_dates_and_timestamps)
{
	cr_assert(ctr_format_ok("email", "aya.mori@asahi124975.example.co.jp"));
	cr_assert_not(ctr_format_ok("email", "aya.mori.example.co.jp"));
	cr_assert_not(ctr_format_ok("email", "@example.co.jp"));
	cr_assert_not(ctr_format_ok("email", "a@b@c"));
	cr_assert_not(ctr_format_ok("email", "a b@c"));
	cr_assert(ctr_format_ok("date", "2024-02-29"));
	cr_assert_not(ctr_format_ok("date", "2023-02-29"));
	cr_assert(ctr_format_ok("timestamp", "2025-01-24T16:44:41+09:00"));
	cr_assert_not(ctr_format_ok("timestamp", "2025-01-24 16:44:41"));
	/* a name that is no format checks nothing */
	cr_assert(ctr_format_ok("no_such_format", "anything"));
}
