/*
 * fuzz_log.c - fuzz target: a whole local log (an Avro object container file)
 * read as a replay reads it: the header, each block, each record decoded
 * under the header's schema. Every input ends in events, rejections or one
 * error for the file; an accepted event is the same event after a trip
 * through JSON and the current schema (fuzz_check.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "events/avro_file.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_block(struct ctr_decoder *d, const struct ctr_avro_block *blk,
		       struct ctr_decoder *json, struct ctr_decoder *avro)
{
	struct ctr_event ev;
	int rc;

	ctr_decoder_block(d, blk->data, blk->size);
	while ((rc = ctr_decode_avro_next(d, &ev)) != 0) {
		fuzz_check_outcome(&ev);
		if (rc < 0) {
			FUZZ_CHECK(ev.code == CTR_CODE_BAD_AVRO, "a damaged record is bad_avro");
			return; /* the rest of the block cannot be read */
		}
		if (ev.code == CTR_CODE_OK)
			fuzz_check_round_trip(d, &ev, json, avro);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_decoder *json = NULL, *avro = NULL;
	struct ctr_avro_reader *reader = NULL;
	struct ctr_decoder *d = NULL;
	struct ctr_avro_block blk;
	struct ctr_error err = { 0 };
	int rc;

	if (ctr_avro_reader_open(fuzz_as_file(data, size), &reader, &err) != 0) {
		FUZZ_CHECK(err.message[0] != '\0', "a refused log says why");
		return 0;
	}
	/*
	 * The round trip's decoders are made for each input, not kept across
	 * inputs as the other targets keep theirs: a refused schema leaves Avro
	 * C's (suppressed) leak, so libFuzzer counts more mallocs than frees and
	 * runs LeakSanitizer mid-run, which reports the strings of a kept
	 * decoder's last value as leaked although they are freed with it.
	 */
	if (ctr_decoder_new(ctr_avro_reader_schema(reader), 1, &d, &err) == 0) {
		FUZZ_CHECK(ctr_decoder_new(NULL, 1, &json, NULL) == 0 &&
			   ctr_decoder_new(NULL, 1, &avro, NULL) == 0, "the round trip's decoders");
		while ((rc = ctr_avro_reader_next_block(reader, &blk, &err)) == 1)
			read_block(d, &blk, json, avro);
		FUZZ_CHECK(rc == 0 || err.message[0] != '\0', "a damaged block says why");
	}
	ctr_decoder_free(avro);
	ctr_decoder_free(json);
	ctr_decoder_free(d);
	ctr_avro_reader_close(reader);
	return 0;
}
