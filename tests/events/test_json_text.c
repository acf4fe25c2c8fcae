/*
 * test_json_text.c - ctr_json_text when the JSON library's allocations fail:
 * each of them failed in turn (json_set_alloc_funcs), the text is either
 * NULL or the whole of what an undisturbed dump gives, never a text with a
 * key cut short (what json_dumps returns when a key's write fails). The
 * same with each of the text's own allocations failed in turn.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "events/json_text.h"
#include "tests/events/alloc_fail.h"

static long allocations_left = -1; /* < 0: none fails */
static int failed;

static void *failing_malloc(size_t size)
{
	if (allocations_left >= 0 && allocations_left-- == 0) {
		failed = 1;
		return NULL;
	}
	return malloc(size);
}

/* keys long enough that writing one grows a buffer */
static json_t *invoice_like(void)
{
	json_error_t error;
	json_t *value = json_loads("{\"an_invoice_number_of_some_length\": \"INV-C-1-2024-01\","
				   " \"lines\": [{\"line_no\": 1, \"kind\": \"seats_full\"},"
				   " {\"line_no\": 2, \"kind_of_line_with_a_long_key\": \"seats_light\"}],"
				   " \"status\": \"issued\"}", JSON_PRESERVE_ORDER, &error);

	cr_assert_not_null(value, "%s", error.text);
	return value;
}

Test(json_text, a_failed_allocation_gives_null_or_the_whole_text)
{
	json_t *value = invoice_like();
	char *whole, *text;
	long n;

	whole = ctr_json_text(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	cr_assert_not_null(whole);
	text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	cr_assert_str_eq(whole, text, "not what json_dumps gives");
	free(text);
	json_set_alloc_funcs(failing_malloc, free);
	for (n = 0;; n++) {
		failed = 0;
		allocations_left = n;
		text = ctr_json_text(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		allocations_left = -1;
		if (!failed) {
			cr_assert_str_eq(text, whole);
			free(text);
			break; /* past the dump's last allocation */
		}
		if (text != NULL)
			cr_assert_str_eq(text, whole, "allocation %ld failed", n);
		free(text);
	}
	json_set_alloc_funcs(malloc, free);
	cr_assert_gt(n, 0, "the dump allocated nothing: the sweep tested nothing");
	json_decref(value);
	free(whole);
}

Test(json_text, a_failed_growth_of_the_text_gives_null)
{
	json_t *value = invoice_like();
	char *whole = ctr_json_text(value, JSON_INDENT(2)), *text;
	long n;

	cr_assert_not_null(whole);
	for (n = 0;; n++) {
		alloc_fail_after(n);
		text = ctr_json_text(value, JSON_INDENT(2));
		if (!alloc_fail_disarm()) {
			cr_assert_str_eq(text, whole);
			free(text);
			break;
		}
		cr_assert_null(text, "allocation %ld failed, yet a text came back: %s", n, text);
	}
	cr_assert_gt(n, 0, "the text grew without an allocation");
	json_decref(value);
	free(whole);
}
