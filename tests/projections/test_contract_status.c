/*
 * test_contract_status.c - L5: a contract's status and days_left on a date.
 */
#include <criterion/criterion.h>

#include "events/timefmt.h"
#include "projections/contract_sql.h"

static const char *status(int cloud, const char *end, const char *cancel, const char *on,
			  int64_t *days, int *has_days)
{
	int ok;
	return ctr_contract_status(cloud, end, cancel, ctr_date_parse(on, &ok), 90, days, has_days);
}

Test(contract_status, expiring_within_90_days_of_the_end)
{
	int64_t days;
	int has;

	cr_assert_str_eq(status(0, "2023-08-30", NULL, "2023-06-01", &days, &has), "expiring");
	cr_assert_eq(days, 90);
	cr_assert_str_eq(status(0, "2023-08-31", NULL, "2023-06-01", &days, &has), "active");
	cr_assert_str_eq(status(0, "2023-06-01", NULL, "2023-06-01", &days, &has), "expiring");
	cr_assert_eq(days, 0);
}

Test(contract_status, expired_the_day_after_its_end)
{
	int64_t days;
	int has;

	cr_assert_str_eq(status(0, "2023-05-31", NULL, "2023-06-01", &days, &has), "expired");
	cr_assert_eq(days, -1);
}

Test(contract_status, a_cloud_contract_has_no_end_until_cancelled)
{
	int64_t days;
	int has;

	cr_assert_str_eq(status(1, NULL, NULL, "2023-06-01", &days, &has), "active");
	cr_assert_not(has);
	cr_assert_str_eq(status(1, NULL, "2023-06-30", "2023-06-01", &days, &has), "expiring");
	cr_assert_eq(days, 29);
	cr_assert_str_eq(status(1, NULL, "2023-05-31", "2023-06-01", &days, &has), "cancelled");
}
