/*
 * fuzz_check.h - what the fuzz targets share: what they assert beyond "no
 * crash" (an event that decodes is the same event after a trip through the
 * other codec), the decoders they keep across inputs, and the memory file an
 * input is opened from by name. Included by one target each; a failed check
 * aborts, which both libFuzzer and the corpus runner report with the input
 * that caused it.
 */
#ifndef CTR_FUZZ_CHECK_H
#define CTR_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "events/codes.h"
#include "events/decode.h"

#define FUZZ_KEPT_MAX 16

#define FUZZ_CHECK(cond, what)                                                       \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", what,     \
				__FILE__, __LINE__);                                 \
			abort();                                                     \
		}                                                                    \
	} while (0)

/*
 * Decoders a target keeps across inputs (NULL ends the list), freed at exit so
 * that LeakSanitizer's check at exit sees only what an input left behind.
 */
static struct ctr_decoder **fuzz_kept[FUZZ_KEPT_MAX + 1];

static inline void fuzz_free_kept(void)
{
	for (int i = 0; fuzz_kept[i] != NULL; i++) {
		ctr_decoder_free(*fuzz_kept[i]);
		*fuzz_kept[i] = NULL;
	}
}

/* A new decoder of writer_json (NULL: the current schema) in *slot, freed at exit. */
static inline void fuzz_keep_decoder(struct ctr_decoder **slot, const char *writer_json)
{
	static int count;

	FUZZ_CHECK(count < FUZZ_KEPT_MAX, "room for a kept decoder");
	FUZZ_CHECK(ctr_decoder_new(writer_json, 1, slot, NULL) == 0, "a decoder");
	if (count == 0)
		atexit(fuzz_free_kept);
	fuzz_kept[count++] = slot;
}

/* The input as a file that can be opened by name: one memory file, rewritten per input. */
static inline const char *fuzz_as_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("contrail-fuzz-input", 0);
		FUZZ_CHECK(fd >= 0, "a memory file");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size,
		   "the input written");
	return path;
}

/* A rejection has a known code and a message; an accepted event has its whole envelope. */
static inline void fuzz_check_outcome(const struct ctr_event *ev)
{
	FUZZ_CHECK(ev->code >= CTR_CODE_OK && ev->code < CTR_CODE_COUNT, "a known code");
	if (ev->code != CTR_CODE_OK) {
		FUZZ_CHECK(ev->message[0] != '\0', "a rejection says why");
		return;
	}
	FUZZ_CHECK(*ev->id && *ev->type && *ev->stream && *ev->at && ev->seq >= 1,
		   "an accepted event has its envelope");
	FUZZ_CHECK(ev->type_index >= 0, "an accepted event has a known type");
}

static inline void fuzz_check_same(const struct ctr_event *a, const struct ctr_event *b)
{
	FUZZ_CHECK(b->code == CTR_CODE_OK, "decodes again after a round trip");
	FUZZ_CHECK(strcmp(a->id, b->id) == 0 && strcmp(a->type, b->type) == 0 &&
		   strcmp(a->stream, b->stream) == 0 && strcmp(a->account, b->account) == 0 &&
		   strcmp(a->at, b->at) == 0 && strcmp(a->recorded, b->recorded) == 0,
		   "the same envelope after a round trip");
	FUZZ_CHECK(a->seq == b->seq && ctr_event_recorded_us(a) == ctr_event_recorded_us(b) &&
		   a->type_index == b->type_index, "the same place and time after a round trip");
	FUZZ_CHECK(a->digest == b->digest, "the same content digest (E1) after a round trip");
}

/*
 * The event a that d last decoded, written as JSON in the current schema and
 * decoded by json, then encoded in the current schema and decoded by avro:
 * all three the same event, with one digest (E1) whatever schema d reads.
 */
static inline void fuzz_check_round_trip(struct ctr_decoder *d, const struct ctr_event *a,
					 struct ctr_decoder *json, struct ctr_decoder *avro)
{
	struct ctr_event via_json, via_avro;
	const void *bytes;
	size_t len;
	char *line = ctr_decoder_to_json(d);

	FUZZ_CHECK(line != NULL, "an accepted event writes as JSON");
	ctr_decode_json(json, line, strlen(line), &via_json);
	fuzz_check_same(a, &via_json);
	FUZZ_CHECK(ctr_decoder_encode(json, &bytes, &len, NULL) == 0, "an accepted event encodes");
	ctr_decode_avro_record(avro, bytes, len, &via_avro);
	fuzz_check_same(a, &via_avro);
	free(line);
}

#endif
