/*
 * test_out_of_memory.c - making a decoder when an allocation fails: every
 * allocation of contrail's own code on the way is failed in turn
 * (alloc_fail.h), and each must come back as CTR_ENOMEM with nothing made
 * (and, under `make sanitize`, nothing leaked), never a crash. The one
 * allocation a decoder may do without is its tape (avro_tape.h): without it,
 * records decode through Avro C's generic values, so a decoder made all the
 * same must still decode. A Kafka source makes a decoder per schema id on its
 * first message and stops the run when it cannot. Here jansson's allocations
 * fail in turn too: a schema or a line that cannot be parsed for want of
 * memory is a failure (CTR_ENOMEM, out_of_memory), not a bad schema or bad JSON.
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
	alloc_fail_json_too(); /* Avro C parses the schema with jansson */
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

/*
 * A line the JSON library runs out of memory parsing is not bad JSON (jansson
 * reports a string it could not allocate as a syntax error): each allocation
 * of the decode failed in turn, jansson's among them (json_memory.h), the line
 * decodes as it does undisturbed, or says out_of_memory (a rejection code with
 * it, so that nothing applies it), which a source turns into a failed run
 * rather than a stored rejection.
 */
Test(out_of_memory, a_line_the_json_library_cannot_parse_for_memory_is_not_bad_json)
{
	struct ctr_decoder *decoder = NULL;
	struct ctr_error err = { 0 };
	struct ctr_event ev;
	uint64_t digest;
	int failures = 0, failed;

	alloc_fail_json_too();
	cr_assert_eq(ctr_decoder_new(NULL, 1, &decoder, &err), 0, "%s", err.message);
	ctr_decode_json(decoder, line, sizeof(line) - 1, &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	digest = ev.digest;
	for (long k = 0;; k++) {
		alloc_fail_after(k);
		ctr_decode_json(decoder, line, sizeof(line) - 1, &ev);
		failed = alloc_fail_disarm();
		if (!failed)
			break;
		if (ev.out_of_memory) {
			cr_assert_neq(ev.code, CTR_CODE_OK, "allocation %ld", k);
			failures++;
			continue;
		}
		cr_assert_eq(ev.code, CTR_CODE_OK, "allocation %ld failed: %s: %s", k,
			     ctr_code_name(ev.code), ev.message);
		cr_assert_eq(ev.digest, digest, "allocation %ld", k);
	}
	cr_assert_gt(failures, 5);
	ctr_decoder_free(decoder);
}

/* A number out of range is read again from a copy of the line: no copy, no verdict on it. */
Test(out_of_memory, a_line_with_a_number_out_of_range_needs_its_copy)
{
	static const char far[] =
		"{\"id\":\"e1\",\"type\":\"environment.allocated\",\"stream\":\"C-1\",\"seq\":2,"
		"\"account\":\"1\",\"at\":\"2023-01-01T00:00:00+09:00\","
		"\"data\":{\"env_id\":\"x\",\"allocations\":[{\"sku\":\"A\",\"count\":1e400}]}}";
	struct ctr_decoder *decoder = NULL;
	struct ctr_error err = { 0 };
	struct ctr_event ev;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &decoder, &err), 0, "%s", err.message);
	ctr_decode_json(decoder, far, sizeof(far) - 1, &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT, "%s", ev.message);
	cr_assert(!ev.out_of_memory);
	alloc_fail_after(0);
	ctr_decode_json(decoder, far, sizeof(far) - 1, &ev);
	cr_assert(alloc_fail_disarm());
	cr_assert(ev.out_of_memory, "%s: %s", ctr_code_name(ev.code), ev.message);
	ctr_decoder_free(decoder);
}
