/*
 * test_json_array_out.c - an array printed an element at a time
 * (cli/json_array_out.c) is byte for byte what json_dumpf() prints of the
 * whole array, which `invoices --format json` and `audit --format json`
 * printed before they streamed.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/json_array_out.h"

/* What json_dumpf prints of array, and what the streaming printer prints of its elements. */
static void check_alike(json_t *array)
{
	char *whole = NULL, *streamed = NULL;
	size_t whole_size = 0, streamed_size = 0;
	FILE *out = open_memstream(&whole, &whole_size);
	struct ctr_json_array_out a = { 0 };
	size_t i;
	json_t *item;

	cr_assert_not_null(out);
	json_dumpf(array, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	fclose(out);
	a.out = open_memstream(&streamed, &streamed_size);
	cr_assert_not_null(a.out);
	json_array_foreach(array, i, item)
		cr_assert_eq(ctr_json_array_put(&a, item), 0);
	ctr_json_array_end(&a);
	fclose(a.out);
	cr_assert_str_eq(streamed, whole);
	cr_assert_eq(a.count, json_array_size(array));
	free(whole);
	free(streamed);
	json_decref(array);
}

Test(json_array_out, an_empty_array_is_printed_as_json_dumpf_prints_it)
{
	check_alike(json_array());
}

Test(json_array_out, nested_objects_and_arrays_are_indented_as_in_the_whole)
{
	json_t *array = json_array();

	json_array_append_new(array, json_pack("{s:s,s:I,s:[{s:i,s:s},{s:i,s:s}],s:{s:[]}}",
					       "invoice_no", "INV-1", "total", (json_int_t)12345,
					       "lines", "line_no", 1, "kind", "full",
					       "line_no", 2, "kind", "light", "state", "none"));
	json_array_append_new(array, json_pack("{s:s,s:n,s:b}", "text", "a\nb \"quoted\" \xe6\x97\xa5",
					       "nothing", "flag", 1));
	json_array_append_new(array, json_array());
	json_array_append_new(array, json_integer(7));
	json_array_append_new(array, json_object());
	check_alike(array);
}
