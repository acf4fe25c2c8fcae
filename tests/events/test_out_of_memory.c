/*
 * test_out_of_memory.c - making a decoder when an allocation fails: every
 * allocation of contrail's own code on the way is failed in turn
 * (alloc_fail.h), and each must come back as CTR_ENOMEM with nothing made
 * (and, under `make sanitize`, nothing leaked), never a crash. The one
 * allocation a decoder may do without is its tape (avro_tape.h): without it,
 * records decode through Avro C's generic values, so a decoder made all the
 * same must still decode. A Kafka source makes a decoder per schema id on its
 * first message and stops the run when it cannot.
 */
#include <criterion/criterion.h>

#include "alloc_fail.h"
#include "events/catalog.h"
#include "events/decode.h"

static const char line[] =
	"{\"id\":\"e1\",\"type\":\"environment.allocated\",\"stream\":\"C-1\",\"seq\":2,"
	"\"account\":\"1\",\"at\":\"2023-01-01T00:00:00+09:00\","
	"\"data\":{\"env_id\":\"x\",\"allocations\":[{\"sku\":\"A\",\"count\":3}]}}";

static void assert_decodes(struct ctr_decoder *decoder, long n)
{
	struct ctr_event ev;

	ctr_decode_json(decoder, line, sizeof(line) - 1, &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "allocation %ld failed: %s", n, ev.message);
	cr_assert_str_eq(ev.stream, "C-1");
}

static void sweep(const char *writer_json)
{
	for (long n = 0;; n++) {
		struct ctr_decoder *decoder = NULL;
		struct ctr_error err = {0};
		int rc, failed;

		alloc_fail_after(n);
		rc = ctr_decoder_new(writer_json, 1, &decoder, &err);
		failed = alloc_fail_disarm();
		if (rc == 0) {
			cr_assert_not_null(decoder);
			assert_decodes(decoder, failed ? n : -1);
			ctr_decoder_free(decoder);
		}
		if (!failed) {
			cr_assert_eq(rc, 0, "%s", err.message);
			cr_assert_gt(n, 0, "no allocation was failed");
			return;
		}
		if (rc != 0) {
			cr_assert_eq(rc, CTR_ENOMEM, "allocation %ld failed: rc %d (%s)", n, rc,
				     err.message);
			cr_assert_null(decoder, "allocation %ld failed, yet a decoder was made", n);
		}
	}
}

Test(out_of_memory, a_decoder_for_the_current_schema_reports_each_failed_allocation)
{
	struct ctr_error err;

	/* the catalog is loaded once per process; loaded first, the sweep covers the decoder */
	cr_assert_not_null(ctr_catalog_default(&err));
	sweep(NULL);
}

Test(out_of_memory, a_decoder_for_an_older_writer_schema_reports_each_failed_allocation)
{
	struct ctr_error err;
	const struct ctr_catalog *catalog = ctr_catalog_default(&err);

	cr_assert_not_null(catalog);
	cr_assert(ctr_catalog_has_id(catalog, 1));
	sweep(ctr_catalog_schema_json(catalog, 1));
}
