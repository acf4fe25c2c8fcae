/*
 * fuzz_json.c - fuzz target: one JSON Lines line through the JSON decoder.
 * Every input ends as an accepted event or a rejection with its code (E3, E6);
 * an accepted one is the same event after a trip through Avro and back to
 * JSON (fuzz_check.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctr_decoder *json, *avro, *again;
	const uint8_t *newline = memchr(data, '\n', size);
	struct ctr_event ev;

	if (json == NULL) {
		fuzz_keep_decoder(&json, NULL);
		fuzz_keep_decoder(&avro, NULL);
		fuzz_keep_decoder(&again, NULL);
	}
	/* the line readers never hand on a line feed: the line ends there */
	if (newline != NULL)
		size = (size_t)(newline - data);
	ctr_decode_json(json, (const char *)data, size, &ev);
	fuzz_check_outcome(&ev);
	if (ev.code == CTR_CODE_OK)
		fuzz_check_round_trip(json, &ev, again, avro);
	return 0;
}
