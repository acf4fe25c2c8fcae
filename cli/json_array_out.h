/*
 * json_array_out.h - a JSON array printed an element at a time, byte for
 * byte as json_dumpf() prints the whole array with JSON_INDENT(2) and the
 * keys in order, so that a long report (every invoice, an audit's every
 * entry with its state) does not first build all of it in memory.
 */
#ifndef CTR_JSON_ARRAY_OUT_H
#define CTR_JSON_ARRAY_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Zeroed, with out set, it is an array not yet begun. */
struct ctr_json_array_out {
	FILE *out;
	size_t count; /* elements printed */
};

/* Prints item as the array's next element: 0, or -1 out of memory (nothing printed). */
int ctr_json_array_put(struct ctr_json_array_out *array, const json_t *item);
/* Ends the array ("[]" when it had no element), with a newline. */
void ctr_json_array_end(struct ctr_json_array_out *array);

#endif
