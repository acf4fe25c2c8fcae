/*
 * avro_tape_fixture.h - what the tests of the tape decoder (test_avro_tape.c,
 * test_avro_tape_generic.c) share: events encoded as the current schema
 * encodes them.
 */
#ifndef CTR_TEST_AVRO_TAPE_FIXTURE_H
#define CTR_TEST_AVRO_TAPE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "events/decode.h"

/* The current schema's encoding of one JSON line through d, malloc()ed; NULL when it has none. */
uint8_t *encode_line(struct ctr_decoder *d, const char *line, size_t *len);

#endif
