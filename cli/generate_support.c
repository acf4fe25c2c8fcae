/*
 * generate_support.c - one account's customer numbers with their support ids
 * (purchases, renewals, retirements and resumptions, every suspension and its
 * lifting, merges of customer numbers) and its web-store accounts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/generate_internal.h"

#define DAY 86400

struct stream {
	char id[64];
	long seq;
	int64_t at;
};

static void event(struct gen *g, struct stream *s, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void event(struct gen *g, struct stream *s, const char *type, const char *fmt, ...)
{
	char data[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(data, sizeof(data), fmt, ap);
	va_end(ap);
	s->at += gen_range(g, 1, 30) * DAY + gen_range(g, 0, 3600);
	gen_emit(g, -1, type, s->id, ++s->seq, s->at, data);
}

/* A support id NNNN-NNNNN (S1), unique per account and counter. */
static void support_id(struct gen *g, int counter, char out[16])
{
	snprintf(out, 16, "%04ld-%05d", g->account % 10000, (int)((g->account / 10000) * 10 + counter) % 100000);
}

static void issue(struct gen *g, struct stream *s, const char *id, long licenses, int64_t from,
		  const char *reason, const char *replaces)
{
	char starts[11], ends[11], replaced[40] = "";

	gen_date(from, starts);
	gen_date(from + 364 * DAY, ends);
	if (replaces)
		snprintf(replaced, sizeof(replaced), ",\"replaces\":\"%s\"", replaces);
	event(g, s, "support.issued", "{\"support_id\":\"%s\",\"sku\":\"CSL-IAP-PRO\",\"licenses\":%ld,"
	      "\"starts_on\":\"%s\",\"ends_on\":\"%s\",\"reason\":\"%s\"%s}", id, licenses, starts,
	      ends, reason, replaced);
}

static void suspensions(struct gen *g, struct stream *s)
{
	if (gen_chance(g, 15)) { /* S6 */
		event(g, s, "support.admin_changed", "{\"email\":\"admin2-%s@example.com\"}", g->account_id);
		if (gen_chance(g, 80))
			event(g, s, "support.admin_activated", "{}");
	}
	if (gen_chance(g, 10)) { /* S5 */
		event(g, s, "support.admin_email_bounced", "{}");
		if (gen_chance(g, 70))
			event(g, s, "support.password_reset", "{}");
	}
	if (gen_chance(g, 4)) { /* S7 */
		event(g, s, "support.violation_flagged", "{\"note\":\"license key shared outside the contract\"}");
		if (gen_chance(g, 50))
			event(g, s, "support.violation_cleared", "{}");
	}
}

/* S8 retirement, then perhaps a resumption within three years. */
static void retire(struct gen *g, struct stream *s, const char *id, long licenses, int counter)
{
	char resumed[16];
	long retired = gen_range(g, 1, licenses);

	event(g, s, "support.licenses_retired", "{\"support_id\":\"%s\",\"licenses\":%ld,"
	      "\"notified_by_admin\":true}", id, retired);
	if (gen_chance(g, 30)) {
		support_id(g, counter, resumed);
		issue(g, s, resumed, retired, s->at + 30 * DAY, "resume", id);
	}
}

/* A second customer number of the account, merged into the first. */
static void merge(struct gen *g, struct stream *primary)
{
	struct stream other = { .at = primary->at };
	char id[16], starts[11], ends[11];

	snprintf(other.id, sizeof(other.id), "9%05ld", g->account % 100000);
	event(g, &other, "customer.registered", "{\"customer_no\":\"%s\",\"email\":\"other-%s@example.com\"}",
	      other.id, g->account_id);
	support_id(g, 8, id);
	issue(g, &other, id, 2, other.at, "purchase", NULL);
	gen_date(other.at, starts);
	gen_date(other.at + 364 * DAY, ends);
	event(g, &other, "customer.merged_out", "{\"into\":\"%s\"}", primary->id);
	primary->at = other.at;
	event(g, primary, "customer.merged_in", "{\"from\":\"%s\",\"support_ids\":[{\"support_id\":"
	      "\"%s\",\"sku\":\"CSL-IAP-PRO\",\"licenses\":2,\"retired\":0,\"starts_on\":\"%s\","
	      "\"ends_on\":\"%s\",\"reason\":\"purchase\",\"replaces\":null}]}", other.id, id, starts, ends);
}

void gen_support(struct gen *g, int64_t start)
{
	struct stream s = { .at = start };
	char first[16], renewed[16];
	long licenses = gen_range(g, 1, 10);

	snprintf(s.id, sizeof(s.id), "%s", g->account_id);
	event(g, &s, "customer.registered", "{\"customer_no\":\"%s\",\"email\":\"admin-%s@example.com\"}",
	      s.id, g->account_id);
	support_id(g, 0, first);
	issue(g, &s, first, licenses, s.at, "purchase", NULL);
	if (gen_chance(g, 30)) { /* more licenses bought later: support periods overlap (S4) */
		char more[16];
		support_id(g, 3, more);
		issue(g, &s, more, gen_range(g, 1, 5), s.at + gen_range(g, 30, 200) * DAY, "purchase", NULL);
	}
	if (gen_chance(g, 50)) {
		support_id(g, 1, renewed);
		issue(g, &s, renewed, licenses, s.at + 364 * DAY, "renewal", first);
	}
	suspensions(g, &s);
	if (gen_chance(g, 10))
		retire(g, &s, first, licenses, 2);
	if (gen_chance(g, 3))
		merge(g, &s);
}

void gen_store(struct gen *g, int64_t start)
{
	static const char *const stores[] = { "store-jp", "store-global" };
	long accounts = gen_range(g, 0, 2);

	for (long k = 0; k < accounts; k++) {
		struct stream s = { .at = start };
		char until[11];
		int migrated = gen_chance(g, 50);

		snprintf(s.id, sizeof(s.id), "%s/buyer-%s@example.com", stores[k], g->account_id);
		if (migrated)
			event(g, &s, "store.account_migrated", "{\"store_id\":\"%s\",\"email\":\"buyer-%s@example.com\","
			      "\"orders\":%ld,\"valid_quotes\":%ld}", stores[k], g->account_id,
			      gen_range(g, 0, 5), gen_range(g, 0, 2));
		else
			event(g, &s, "store.account_registered", "{\"store_id\":\"%s\",\"email\":\"buyer-%s@example.com\"}",
			      stores[k], g->account_id);
		if (migrated && gen_chance(g, 70))
			event(g, &s, "store.password_reset", "{\"store_id\":\"%s\",\"email\":\"buyer-%s@example.com\"}",
			      stores[k], g->account_id);
		if (gen_chance(g, 40))
			event(g, &s, "store.order_placed", "{\"store_id\":\"%s\",\"order_id\":\"O-%s-%ld\"}",
			      stores[k], g->account_id, k);
		if (gen_chance(g, 30)) {
			gen_date(s.at + 60 * DAY, until);
			event(g, &s, "store.quote_issued", "{\"store_id\":\"%s\",\"quote_id\":\"Q-%s-%ld\","
			      "\"valid_until\":\"%s\"}", stores[k], g->account_id, k, until);
		}
	}
}
