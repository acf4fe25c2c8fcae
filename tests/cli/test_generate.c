/*
 * test_generate.c - the synthetic history (cli/generate*.c): the same bytes
 * for the same seed, every event type of DOMAIN.md section 1, streams in seq
 * order apart from the deliberate gaps, the requested volume, and bad events
 * of every kind at the rates the engine's tests and benchmarks rely on.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/generate_internal.h"

struct history {
	char *text;
	size_t size;
	struct ctr_generate_stats stats;
	long faults[GEN_FAULT_COUNT];
};

static void generate(struct history *h, uint64_t seed, long accounts)
{
	struct ctr_error err = { 0 };
	FILE *out;

	memset(h, 0, sizeof(*h));
	out = open_memstream(&h->text, &h->size);
	cr_assert_not_null(out);
	cr_assert_eq(gen_run(out, seed, accounts, &h->stats, h->faults, &err), 0, "%s", err.message);
	cr_assert_eq(fclose(out), 0);
}

/* The next line of h from *cursor (without its newline); NULL at the end. */
static const char *next_line(const struct history *h, size_t *cursor, size_t *length)
{
	const char *line = h->text + *cursor, *end;

	if (*cursor >= h->size)
		return NULL;
	end = memchr(line, '\n', h->size - *cursor);
	cr_assert_not_null(end, "the last line has no newline");
	*length = (size_t)(end - line);
	*cursor += *length + 1;
	return line;
}

static json_t *parse(const char *line, size_t length)
{
	json_error_t error;

	return json_loadb(line, length, JSON_REJECT_DUPLICATES, &error);
}

static long count_lines(const struct history *h)
{
	size_t cursor = 0, length;
	long lines = 0;

	while (next_line(h, &cursor, &length))
		lines++;
	return lines;
}

Test(generate, same_seed_gives_same_bytes)
{
	struct history a, b;

	generate(&a, 7, 200);
	generate(&b, 7, 200);
	cr_assert_eq(a.size, b.size);
	cr_assert(memcmp(a.text, b.text, a.size) == 0);
	free(a.text);
	free(b.text);
}

Test(generate, another_seed_gives_other_bytes)
{
	struct history a, b;

	generate(&a, 7, 200);
	generate(&b, 8, 200);
	cr_assert(a.size != b.size || memcmp(a.text, b.text, a.size) != 0);
	free(a.text);
	free(b.text);
}

/* An account's events do not depend on how many accounts come after it (sharding by account). */
Test(generate, an_account_is_the_same_in_a_larger_history)
{
	struct history small, large;
	size_t cursor = 0, length;
	const char *line;
	char *found;
	long lines = 0;

	generate(&small, 3, 5);
	generate(&large, 3, 50);
	while ((line = next_line(&small, &cursor, &length)) != NULL) {
		char *copy = strndup(line, length);
		found = memmem(large.text, large.size, copy, length);
		cr_assert_not_null(found, "not in the larger history: %s", copy);
		free(copy);
		lines++;
	}
	cr_assert_gt(lines, 5 * 20);
	free(small.text);
	free(large.text);
}

Test(generate, every_event_type_of_the_catalog_appears_in_200_accounts)
{
	static const char *const types[] = {
		"contract.opened", "contract.product_added", "contract.licenses_changed",
		"contract.renewed", "contract.other_product_added", "contract.seats_changed",
		"contract.cancellation_requested", "contract.migration_planned", "environment.created",
		"environment.deleted", "environment.allocated", "environment.activated",
		"environment.synced", "member.invited", "member.joined", "member.role_changed",
		"member.notifications_changed", "member.removed", "member.withdrew",
		"group_company.added", "store.account_migrated", "store.account_registered",
		"store.password_reset", "store.order_placed", "store.quote_issued",
		"customer.registered", "support.issued", "support.licenses_retired",
		"support.admin_changed", "support.admin_activated", "support.admin_email_bounced",
		"support.password_reset", "support.violation_cleared", "support.violation_flagged",
		"customer.merged_out", "customer.merged_in",
	};
	json_t *seen = json_object();
	struct history h;
	size_t cursor = 0, length;
	const char *line;

	generate(&h, 1, 200);
	while ((line = next_line(&h, &cursor, &length)) != NULL) {
		json_t *event = parse(line, length);
		if (event && json_is_string(json_object_get(event, "type")))
			json_object_set_new(seen, json_string_value(json_object_get(event, "type")), json_true());
		json_decref(event);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		cr_expect_not_null(json_object_get(seen, types[i]), "no %s event", types[i]);
	json_decref(seen);
	free(h.text);
}

struct delivery {
	json_t *next;    /* stream -> last seq taken */
	json_t *waiting; /* stream -> the seqs that arrived early */
	json_t *ids;
	long gaps, blocked;
};

/* Index of seq in the array seqs, or -1. */
static long find_seq(json_t *seqs, json_int_t seq)
{
	for (size_t i = 0; i < json_array_size(seqs); i++)
		if (json_integer_value(json_array_get(seqs, i)) == seq)
			return (long)i;
	return -1;
}

/* One delivered event, as the engine orders it (E2); copies of known ids are skipped (E1). */
static void deliver(struct delivery *d, json_t *event)
{
	const char *stream = json_string_value(json_object_get(event, "stream"));
	const char *id = json_string_value(json_object_get(event, "id"));
	json_int_t seq = json_integer_value(json_object_get(event, "seq")), expected;
	json_t *seqs;
	long at;

	if (stream == NULL || id == NULL || json_object_get(d->ids, id))
		return;
	json_object_set_new(d->ids, id, json_true());
	expected = json_integer_value(json_object_get(d->next, stream)) + 1;
	seqs = json_object_get(d->waiting, stream);
	if (seq > expected) {
		if (seqs == NULL) {
			json_object_set_new(d->waiting, stream, seqs = json_array());
			d->gaps++;
		} else {
			d->blocked++;
		}
		json_array_append_new(seqs, json_integer(seq));
		return;
	}
	cr_assert_eq(seq, expected, "%s: seq %lld after %lld", stream, (long long)seq,
		     (long long)expected - 1);
	while (seqs != NULL && (at = find_seq(seqs, seq + 1)) >= 0) {
		seq++; /* an early event follows */
		json_array_remove(seqs, (size_t)at);
	}
	if (seqs != NULL && json_array_size(seqs) == 0)
		json_object_del(d->waiting, stream);
	json_object_set_new(d->next, stream, json_integer(seq));
}

/*
 * E2: only the deliberate gaps (and the events recorded late, which the ones
 * after them overtake) make an event wait, and every one of them is filled
 * but those of the events lost on the way, whose streams end waiting.
 */
Test(generate, seq_is_contiguous_per_stream_apart_from_the_deliberate_gaps)
{
	struct delivery d = { json_object(), json_object(), json_object(), 0, 0 };
	struct history h;
	size_t cursor = 0, length;
	const char *line;

	generate(&h, 2, 1000);
	while ((line = next_line(&h, &cursor, &length)) != NULL) {
		json_t *event = parse(line, length);
		if (event)
			deliver(&d, event);
		json_decref(event);
	}
	cr_assert_eq(json_object_size(d.waiting), h.faults[GEN_LOST_BEFORE],
		     "gaps never filled: %zu streams wait, %ld events were lost",
		     json_object_size(d.waiting), h.faults[GEN_LOST_BEFORE]);
	cr_assert_geq(d.gaps, h.faults[GEN_SEQUENCE_GAP] + h.faults[GEN_LOST_BEFORE]);
	cr_assert_geq(d.blocked, h.faults[GEN_STREAM_BLOCKED]);
	cr_assert_gt(h.faults[GEN_SEQUENCE_GAP], 0);
	cr_assert_gt(h.faults[GEN_LOST_BEFORE], 0);
	json_decref(d.next);
	json_decref(d.waiting);
	json_decref(d.ids);
	free(h.text);
}

Test(generate, about_40_events_per_account)
{
	struct history h;
	long lines;

	generate(&h, 4, 2000);
	lines = count_lines(&h);
	cr_assert_eq(lines, h.stats.events);
	cr_assert(lines > 35 * 2000 && lines < 48 * 2000, "%ld events for 2000 accounts", lines);
	free(h.text);
}

Test(generate, only_the_deliberately_malformed_lines_fail_to_parse)
{
	struct history h;
	size_t cursor = 0, length;
	const char *line;
	long malformed = 0;

	generate(&h, 5, 1000);
	while ((line = next_line(&h, &cursor, &length)) != NULL) {
		json_t *event = parse(line, length);
		malformed += event == NULL;
		json_decref(event);
	}
	cr_assert_eq(malformed, h.faults[GEN_BAD_JSON]);
	cr_assert_gt(malformed, 0);
	free(h.text);
}

/* The envelope of DOMAIN.md section 1, for every line that parses. */
Test(generate, events_carry_the_envelope_in_japan_time)
{
	struct history h;
	size_t cursor = 0, length;
	const char *line;

	generate(&h, 6, 300);
	while ((line = next_line(&h, &cursor, &length)) != NULL) {
		json_t *event = parse(line, length);
		const char *id, *at, *recorded;
		if (event == NULL)
			continue;
		id = json_string_value(json_object_get(event, "id"));
		at = json_string_value(json_object_get(event, "at"));
		recorded = json_string_value(json_object_get(event, "recorded"));
		cr_assert(id && strlen(id) <= 64 &&
			  strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == strlen(id));
		cr_assert(json_is_string(json_object_get(event, "type")));
		cr_assert(json_is_string(json_object_get(event, "stream")));
		cr_assert(json_is_integer(json_object_get(event, "seq")));
		cr_assert_eq(strlen(json_string_value(json_object_get(event, "account"))), 6);
		cr_assert(json_is_object(json_object_get(event, "data")));
		cr_assert(at && strlen(at) == 25 && strcmp(at + 19, "+09:00") == 0, "%s", at);
		cr_assert(strcmp(at, "2019-01-01") > 0 && strcmp(at, "2027-01-01") < 0, "%s", at);
		cr_assert(recorded == NULL || strcmp(recorded, at) > 0);
		json_decref(event);
	}
	free(h.text);
}

/* E1: an id comes back only as a duplicate or a conflicting duplicate. */
Test(generate, ids_repeat_only_as_duplicates)
{
	json_t *ids = json_object();
	struct history h;
	size_t cursor = 0, length;
	const char *line;
	long same = 0, other = 0;

	generate(&h, 8, 1000);
	while ((line = next_line(&h, &cursor, &length)) != NULL) {
		json_t *event = parse(line, length), *first;
		const char *id = json_string_value(json_object_get(event, "id"));
		if (id == NULL) {
			json_decref(event);
			continue;
		}
		first = json_object_get(ids, id);
		if (first == NULL)
			json_object_set_new(ids, id, json_stringn(line, length));
		else if (json_string_length(first) == length && memcmp(json_string_value(first), line, length) == 0)
			same++;
		else
			other++;
		json_decref(event);
	}
	cr_assert_eq(same, h.stats.duplicates);
	cr_assert_eq(other, h.faults[GEN_CONFLICTING_DUPLICATE]);
	json_decref(ids);
	free(h.text);
}

Test(generate, bad_events_of_every_kind_at_a_few_percent)
{
	struct history h;
	long bad = 0;

	generate(&h, 9, 3000);
	for (int k = 0; k < GEN_FAULT_COUNT; k++) {
		cr_expect_gt(h.faults[k], 0, "no %s", gen_fault_codes[k]);
		if (k != GEN_DUPLICATE && k != GEN_SEQUENCE_GAP)
			bad += h.faults[k];
	}
	cr_assert_eq(bad, h.stats.bad);
	cr_assert_eq(h.faults[GEN_DUPLICATE], h.stats.duplicates);
	cr_assert(h.stats.bad > h.stats.events * 2 / 100 && h.stats.bad < h.stats.events * 4 / 100,
		  "%ld bad of %ld", h.stats.bad, h.stats.events);
	cr_assert(h.stats.duplicates > h.stats.events / 200 && h.stats.duplicates < h.stats.events / 50,
		  "%ld duplicates of %ld", h.stats.duplicates, h.stats.events);
	free(h.text);
}

Test(generate, json_strings_are_escaped)
{
	struct gen g;

	memset(&g, 0, sizeof(g));
	gen_put_escaped(&g, "\"Blue\" \\ 青葉\n\x01");
	cr_assert_eq(g.text_len, strlen("\\\"Blue\\\" \\\\ 青葉\\u000a\\u0001"));
	cr_assert(memcmp(g.text, "\\\"Blue\\\" \\\\ 青葉\\u000a\\u0001", g.text_len) == 0);
	free(g.text);
}

Test(generate, a_count_out_of_range_is_refused)
{
	struct ctr_generate_stats stats;
	struct ctr_error err = { 0 };
	FILE *out = tmpfile();

	cr_assert_eq(ctr_generate(out, 1, 0, &stats, &err), CTR_EINVAL);
	cr_assert_eq(ctr_generate(out, 1, CTR_GENERATE_MAX_ACCOUNTS + 1, &stats, &err), CTR_EINVAL);
	cr_assert_str_eq(err.message, "accounts must be from 1 to 10000000");
	cr_assert_eq(ftell(out), 0);
	fclose(out);
}

Test(generate, a_write_error_is_reported)
{
	struct ctr_generate_stats stats;
	struct ctr_error err = { 0 };
	FILE *out = fopen("/dev/full", "w");

	cr_assert_not_null(out);
	cr_assert_eq(ctr_generate(out, 1, 50, &stats, &err), CTR_EIO);
	cr_assert_str_eq(err.message, "cannot write the history");
	fclose(out);
}
