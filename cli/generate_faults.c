/*
 * generate_faults.c - the deliberately bad part of a synthetic history: how
 * often each fault is made, and the faults of an account that belong to no
 * one of its events: an event lost on the way, a malformed line, an event for
 * a contract that was never opened, and payloads the schema cannot hold (a
 * missing field, a field of the wrong type, an unknown type). A payload fault
 * is the last event of its stream: `contrail ingest` refuses such lines, so a
 * log built from the history lacks them, and a hole at the end of a stream
 * holds nothing back (a lost event's hole holds the two events after it).
 * The faults made while a history is written are in the files of their
 * families (L3, L4, L7 in generate_environments.c, M1, M2 in
 * generate_members.c, ...) and in generate_line.c (E1, E2).
 */
#include <stdio.h>
#include <string.h>

#include "cli/generate_internal.h"

const char *const gen_fault_codes[GEN_FAULT_COUNT] = {
	[GEN_DUPLICATE] = "duplicate",
	[GEN_SEQUENCE_GAP] = "sequence_gap",
	[GEN_CONFLICTING_DUPLICATE] = "conflicting_duplicate",
	[GEN_OVER_ALLOCATION] = "over_allocation",
	[GEN_NOT_OWNER] = "not_owner",
	[GEN_UNKNOWN_SKU] = "unknown_sku",
	[GEN_UNKNOWN_ENV] = "unknown_env",
	[GEN_ENV_DELETED] = "env_deleted",
	[GEN_NOT_INVITED] = "not_invited",
	[GEN_NOTICE_TOO_SHORT] = "notice_too_short",
	[GEN_NOT_BY_ADMIN] = "not_by_admin",
	[GEN_OVER_RETIRE] = "over_retire",
	[GEN_ACCOUNT_DEACTIVATED] = "account_deactivated",
	[GEN_UNKNOWN_MEMBER] = "unknown_member",
	[GEN_LOST_BEFORE] = "sequence_gap",
	[GEN_STREAM_BLOCKED] = "stream_blocked",
	[GEN_UNKNOWN_STREAM] = "unknown_stream",
	[GEN_BAD_JSON] = "bad_json",
	[GEN_MISSING_FIELD] = "missing_field",
	[GEN_BAD_FORMAT] = "bad_format",
	[GEN_UNKNOWN_TYPE] = "unknown_type",
};

/*
 * Per 10,000 opportunities, each named beside it. Together they make about
 * 1% duplicates and 3% bad events at some 40 events per account.
 */
static const int rates[GEN_FAULT_COUNT] = {
	[GEN_DUPLICATE] = 100,             /* a clean event */
	[GEN_SEQUENCE_GAP] = 25,           /* a clean event after a clean one */
	[GEN_CONFLICTING_DUPLICATE] = 40,  /* a clean event */
	[GEN_OVER_ALLOCATION] = 400,       /* an environment step of a license contract */
	[GEN_UNKNOWN_SKU] = 200,           /* an environment step */
	[GEN_UNKNOWN_ENV] = 200,           /* an environment step */
	[GEN_ENV_DELETED] = 500,           /* an environment step after a deletion */
	[GEN_NOT_OWNER] = 300,             /* a membership step */
	[GEN_NOT_INVITED] = 150,           /* a membership step */
	[GEN_NOTICE_TOO_SHORT] = 2500,     /* a cancellation */
	[GEN_NOT_BY_ADMIN] = 1000,         /* a retirement */
	[GEN_OVER_RETIRE] = 800,           /* a retirement */
	[GEN_ACCOUNT_DEACTIVATED] = 3000,  /* an order that needs a new registration */
	[GEN_UNKNOWN_MEMBER] = 100,        /* a membership step */
	[GEN_LOST_BEFORE] = 150,           /* an account (GEN_STREAM_BLOCKED follows it) */
	[GEN_UNKNOWN_STREAM] = 900,        /* an account */
	[GEN_BAD_JSON] = 900,              /* an account */
	[GEN_MISSING_FIELD] = 800,         /* an account */
	[GEN_BAD_FORMAT] = 800,            /* an account */
	[GEN_UNKNOWN_TYPE] = 600,          /* an account */
};

int gen_fault_roll(struct gen *g, enum gen_fault kind)
{
	return gen_range(g, 0, 9999) < rates[kind];
}

/* A stream of the account that has events, starting at a random one; NULL when none. */
static struct gen_stream *some_stream(struct gen *g, int with_pick)
{
	int first = (int)gen_range(g, 0, g->stream_count - 1);

	for (int i = 0; i < g->stream_count; i++) {
		struct gen_stream *s = &g->streams[(first + i) % g->stream_count];
		if (s->seq > 0 && (!with_pick || s->pick >= 0))
			return s;
	}
	return NULL;
}

/* E6 bad_json: a clean line cut short by the producer, or with a trailing comma. */
static void malformed(struct gen *g)
{
	struct gen_stream *s = some_stream(g, 1);
	char line[8192];
	size_t length;
	int64_t when;

	if (s == NULL || g->entries[s->pick].length > sizeof(line))
		return;
	length = g->entries[s->pick].length - 1; /* without the newline */
	memcpy(line, g->text + g->entries[s->pick].offset, length);
	when = (int64_t)(g->entries[s->pick].key >> 32) + gen_range(g, 60, 6 * 3600);
	if (gen_chance(g, 60)) {
		size_t cut = (size_t)gen_range(g, (long)length / 4, (long)length * 3 / 4);
		while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--; /* whole UTF-8 characters only */
		length = cut;
	} else {
		memcpy(line + length - 1, ",}", 2);
		length++;
	}
	gen_raw_line(g, when, line, length);
	gen_count(g, GEN_BAD_JSON);
}

/* E6 unknown_stream: an event of a contract that was never opened. */
static void unopened(struct gen *g)
{
	struct gen_stream s = { .pick = -1, .last_entry = -1 };
	int32_t first = gen_day_of(g->start), last = gen_day_of(g->horizon);
	int64_t at = gen_office_time(g, first + (int32_t)gen_range(g, 0, last - first - 1));
	int year, month, day;

	gen_civil(gen_day_of(at), &year, &month, &day);
	gen_contract_id(g, GEN_CONTRACTS_MAX, year, s.id, sizeof(s.id));
	if (gen_chance(g, 50)) {
		gen_begin(g, &s, "environment.created", at);
		gen_str(g, "env_id", "env-01");
		gen_str(g, "name", gen_env_names[0]);
	} else {
		gen_begin(g, &s, "member.invited", at);
		gen_str(g, "email", g->people[1].email);
		gen_str(g, "role", "member");
		gen_str(g, "by", g->people[0].email);
	}
	gen_end(g, GEN_UNKNOWN_STREAM);
}

static void contract_misfit(struct gen *g, enum gen_fault kind, int variant)
{
	if (kind == GEN_MISSING_FIELD && variant) {
		gen_str(g, "email", g->people[g->people_count - 1].email); /* no "by" */
		gen_str(g, "role", "member");
	} else if (kind == GEN_MISSING_FIELD) {
		gen_str(g, "name", gen_env_names[1]); /* no "env_id" */
	} else if (kind == GEN_BAD_FORMAT && variant) {
		gen_str(g, "sku", gen_products[0].sku);
		gen_str(g, "licenses", "12");
	} else if (kind == GEN_BAD_FORMAT) {
		gen_str(g, "env_id", "env-01");
		gen_str(g, "mode", "online");
		gen_str(g, "reactivation", "false");
	} else {
		gen_str(g, "env_id", "env-01");
		gen_str(g, "name", variant ? "新本番環境" : "旧環境");
	}
}

static void customer_misfit(struct gen *g, enum gen_fault kind, int variant)
{
	char id[11] = "9999-99999";

	gen_support_id(g, id);
	if (kind == GEN_MISSING_FIELD || (kind == GEN_BAD_FORMAT && variant)) {
		gen_str(g, "support_id", id);
		gen_str(g, "sku", gen_support_skus[0]);
		gen_long(g, "licenses", 3);
		if (kind == GEN_BAD_FORMAT) /* a date as the number 20240401 */
			gen_long(g, "starts_on", 20240401);
		else
			gen_date(g, "starts_on", gen_day_of(g->cur.at));
		if (kind == GEN_BAD_FORMAT) /* else no "ends_on" */
			gen_date(g, "ends_on", gen_day_of(g->cur.at) + 364);
		gen_str(g, "reason", "purchase");
	} else if (kind == GEN_BAD_FORMAT) {
		gen_str(g, "support_id", id);
		gen_str(g, "licenses", "2");
		gen_bool(g, "notified_by_admin", 1);
	} else {
		gen_str(g, "subject", "ライセンス認証ができない");
	}
}

static void store_misfit(struct gen *g, const struct gen_stream *s, enum gen_fault kind)
{
	char store_id[40];
	const char *slash = strchr(s->id, '/');

	snprintf(store_id, sizeof(store_id), "%.*s", slash ? (int)(slash - s->id) : 0, s->id);
	gen_str(g, "store_id", store_id);
	if (kind == GEN_MISSING_FIELD) {
		gen_str(g, "quote_id", "Q-missing-valid-until"); /* no "valid_until" */
	} else if (kind == GEN_BAD_FORMAT) {
		gen_long(g, "order_id", 12345);
	} else {
		gen_long(g, "items", 3);
	}
}

/* E6: a payload the schema cannot hold, as the last event of one of the account's streams. */
static void misfit(struct gen *g, enum gen_fault kind)
{
	static const char *const types[][3][2] = {
		[GEN_CONTRACT] = { { "environment.created", "member.invited" },
				   { "environment.activated", "contract.licenses_changed" },
				   { "environment.renamed", "contract.suspended" } },
		[GEN_CUSTOMER] = { { "support.issued", "support.issued" },
				   { "support.licenses_retired", "support.issued" },
				   { "support.ticket_opened", "support.ticket_opened" } },
		[GEN_STORE] = { { "store.quote_issued", "store.quote_issued" },
				{ "store.order_placed", "store.order_placed" },
				{ "store.cart_abandoned", "store.cart_abandoned" } },
	};
	struct gen_stream *s = some_stream(g, 0);
	int variant = (int)gen_range(g, 0, 1), row = kind - GEN_MISSING_FIELD;

	if (s == NULL)
		return;
	gen_begin(g, s, types[s->family][row][variant], gen_after(g, s->at, 1, 30));
	if (s->family == GEN_CONTRACT)
		contract_misfit(g, kind, variant);
	else if (s->family == GEN_CUSTOMER)
		customer_misfit(g, kind, variant);
	else
		store_misfit(g, s, kind);
	gen_end(g, kind);
}

/*
 * E2: an event of a contract lost on the way, never delivered: the two after
 * it, the stream's last, wait for it for good (sequence_gap, then
 * stream_blocked), whatever they would do once applied.
 */
static void lost(struct gen *g)
{
	struct gen_stream *s = some_stream(g, 0);

	if (s == NULL || s->family != GEN_CONTRACT)
		return;
	s->seq++; /* the lost one */
	for (int k = 0; k < 2; k++) {
		/* after every event of the stream is read, one recorded late too */
		int64_t last = s->recorded > s->at ? s->recorded : s->at;
		gen_begin(g, s, "environment.synced", gen_after(g, last, 1, 30));
		gen_str(g, "env_id", "env-01");
		gen_end(g, k == 0 ? GEN_LOST_BEFORE : GEN_STREAM_BLOCKED);
	}
}

void gen_account_faults(struct gen *g)
{
	if (gen_fault_roll(g, GEN_BAD_JSON))
		malformed(g);
	if (gen_fault_roll(g, GEN_UNKNOWN_STREAM))
		unopened(g);
	for (int kind = GEN_MISSING_FIELD; kind <= GEN_UNKNOWN_TYPE; kind++)
		if (gen_fault_roll(g, (enum gen_fault)kind))
			misfit(g, (enum gen_fault)kind);
	/* last: an event after the hole would be held too, whatever it would have been */
	if (gen_fault_roll(g, GEN_LOST_BEFORE))
		lost(g);
}
