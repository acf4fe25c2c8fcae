/*
 * history_fixture.h - a generated history (seed 11, faults and all) written
 * whole and cut in two at a line boundary, for tests that replay it in one run
 * and in two.
 */
#ifndef CTR_TESTS_HISTORY_FIXTURE_H
#define CTR_TESTS_HISTORY_FIXTURE_H

/* The history of accounts accounts into whole; its first and second halves into first and second. */
void history_fixture_write(long accounts, const char *whole, const char *first,
			   const char *second);

#endif
