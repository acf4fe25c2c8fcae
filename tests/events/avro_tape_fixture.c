/*
 * avro_tape_fixture.c - the events the tests of the tape decoder read
 * (avro_tape_fixture.h).
 */
#include "tests/events/avro_tape_fixture.h"

#include <stdlib.h>
#include <string.h>

/* The current schema's encoding of one JSON line, in a buffer of its own size. */
uint8_t *encode_line(struct ctr_decoder *d, const char *line, size_t *len)
{
	struct ctr_event ev;
	const void *bytes;
	uint8_t *copy;

	ctr_decode_json(d, line, strlen(line), &ev);
	if (ev.code != CTR_CODE_OK && !ev.takes_place)
		return NULL; /* the schema cannot hold it: no encoding */
	if (ctr_decoder_encode(d, &bytes, len, NULL) != 0)
		return NULL; /* a payload that does not fill its schema */
	copy = malloc(*len);
	memcpy(copy, bytes, *len);
	return copy;
}
