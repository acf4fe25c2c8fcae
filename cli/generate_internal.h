/*
 * generate_internal.h - what the generator's files share (cli/generate*.c and
 * its test, nobody else): the random source, the chunk of lines being built
 * and the JSON writer of one event (generate_line.c), times in Japan
 * (generate_time.c), names and ids (generate_names.c), the account's people,
 * streams and contracts, and the deliberate faults (generate_faults.c).
 */
#ifndef CTR_GENERATE_INTERNAL_H
#define CTR_GENERATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cli/generate.h"

#define GEN_DAY 86400
#define GEN_CHUNK_ACCOUNTS 1000
#define GEN_PEOPLE_MAX 8
#define GEN_STREAMS_MAX 8
#define GEN_CONTRACTS_MAX 3
#define GEN_PRODUCTS_MAX 6
#define GEN_ENVS_MAX 8
#define GEN_OTHERS_MAX 2
#define GEN_SUPPORT_IDS_MAX 64 /* per account: keeps support ids unique (generate_names.c) */

/*
 * Every deliberate fault, in the order of gen_fault_codes, which holds the
 * code a replay gives it. A duplicate is counted as such; a gap is held and
 * then applied; every other kind is rejected and counted as bad.
 */
enum gen_fault {
	GEN_CLEAN = -1,
	GEN_DUPLICATE,
	GEN_SEQUENCE_GAP,
	GEN_CONFLICTING_DUPLICATE,
	GEN_OVER_ALLOCATION,
	GEN_NOT_OWNER,
	GEN_UNKNOWN_SKU,
	GEN_UNKNOWN_ENV,
	GEN_ENV_DELETED,
	GEN_NOT_INVITED,
	GEN_NOTICE_TOO_SHORT,
	GEN_NOT_BY_ADMIN,
	GEN_OVER_RETIRE,
	GEN_ACCOUNT_DEACTIVATED,
	GEN_UNKNOWN_MEMBER,
	GEN_LOST_BEFORE,   /* an event after one lost on the way: sequence_gap, held for good */
	GEN_STREAM_BLOCKED, /* the event after that one */
	GEN_UNKNOWN_STREAM,
	GEN_BAD_JSON,
	GEN_MISSING_FIELD,
	GEN_BAD_FORMAT,
	GEN_UNKNOWN_TYPE,
	GEN_FAULT_COUNT
};

extern const char *const gen_fault_codes[GEN_FAULT_COUNT];

enum gen_family { GEN_CONTRACT, GEN_CUSTOMER, GEN_STORE };

struct gen_entry {
	uint64_t key;  /* delivery order: time << 32 | creation order */
	size_t offset; /* in the chunk's text */
	size_t length; /* with the newline */
};

struct gen_stream {
	char id[96];
	enum gen_family family;
	long seq;        /* of the last event written */
	int64_t at;      /* of the last event written */
	int64_t recorded; /* the latest recorded time of its events (E5), a late one included */
	long pick;       /* entry of a clean event, for the account's malformed copy; -1 none */
	long clean;      /* clean events so far (pick is uniform among them) */
	long last_entry; /* entry of the last event; -1 none */
	int last_clean;  /* the last event may take part in a sequence gap */
};

struct gen_person {
	char name[64];
	char email[96];
	int64_t withdraws_at; /* leaves the portal then (M3); 0 never */
};

struct gen {
	uint64_t rng[4];
	/* where the history begins, and where its steps stop (a fault may pass it) */
	int64_t history_start, horizon;
	/* the account being built */
	long index;
	char account[16];
	char domain[64];
	int company;
	long next_id;
	int64_t start;
	struct gen_person people[GEN_PEOPLE_MAX];
	int people_count;
	struct gen_stream streams[GEN_STREAMS_MAX];
	int stream_count;
	int support_ids;
	/* the chunk */
	char *text;
	size_t text_len, text_cap;
	struct gen_entry *entries;
	size_t entry_count, entry_cap;
	uint32_t order;
	int out_of_memory;
	/* the event being written */
	struct {
		size_t start, data;
		long id, seq;
		int64_t at, when;
		const char *type;
		struct gen_stream *stream;
	} cur;
	int depth;
	unsigned char first[8];
	struct ctr_generate_stats *stats;
	long faults[GEN_FAULT_COUNT];
};

/* The product of a contract (L1, L2) and an environment's allocations of it. */
struct gen_product {
	int sku; /* index into gen_products */
	long licenses, assigned;
};

struct gen_env {
	int name; /* index into gen_env_names; unique within its contract */
	int deleted, activated, offline;
	long count[GEN_PRODUCTS_MAX];
	long other_count[GEN_OTHERS_MAX];
};

enum gen_member_state { GEN_NOBODY, GEN_INVITED, GEN_ACTIVE, GEN_REMOVED, GEN_WITHDRAWN };

struct gen_member {
	enum gen_member_state state;
	int owner, notify, invited_as_owner;
};

/* What a migration carries from the old contract to the new one (G1-G3). */
struct gen_migration {
	char to[96];     /* the new contract */
	int64_t planned_at;
	int planned;     /* the old contract did plan it */
	int64_t moved_out_at; /* its old environments deleted by then (G2's second step) */
	int product_count;
	struct gen_product products[GEN_PRODUCTS_MAX];
	int env_count;
	struct gen_env envs[GEN_ENVS_MAX];
};

struct gen_contract {
	struct gen_stream *s;
	int number; /* within the account */
	int cloud;
	int32_t end_day;     /* license: the current term's end */
	int64_t renew_at;    /* license: when the renewal of this term is decided */
	int64_t until;       /* no activity from then on */
	int renew;           /* license: renewals go on */
	struct gen_migration *migrate_out, *migrate_in;
	struct gen_product products[GEN_PRODUCTS_MAX];
	int product_count;
	struct gen_env envs[GEN_ENVS_MAX];
	int env_count;
	char other_keys[GEN_OTHERS_MAX][24];
	int other_count;
	struct gen_member members[GEN_PEOPLE_MAX];
	long seats_full, seats_light;
	int cancelled;
	int companies;
};

/* generate.c: the random source (xoshiro256**, seeded per account). */
uint64_t gen_next(struct gen *g);
/* A number in [low, high]. */
long gen_range(struct gen *g, long low, long high);
/* 1 with probability percent / 100. */
int gen_chance(struct gen *g, int percent);
/*
 * ctr_generate with the count of each deliberate fault added to faults
 * (GEN_FAULT_COUNT entries), for the tests.
 */
int gen_run(FILE *out, uint64_t seed, long accounts, struct ctr_generate_stats *stats,
	    long faults[GEN_FAULT_COUNT], struct ctr_error *err);

/* generate_time.c: business days (days since 1970-01-01 in Japan) and times (Unix seconds). */
int32_t gen_days(int year, int month, int day);
void gen_civil(int32_t days, int *year, int *month, int *day);
int32_t gen_day_of(int64_t at);
int64_t gen_time_of(int32_t day, long seconds);
int32_t gen_add_months(int32_t day, int months);
int32_t gen_month_end(int32_t day);
/* A time during office hours on day (a weekend mostly moves to Monday). */
int64_t gen_office_time(struct gen *g, int32_t day);
/* A time min_days to max_days after at during office hours; with max_days 0, minutes later. */
int64_t gen_after(struct gen *g, int64_t at, int min_days, int max_days);
/* "YYYY-MM-DDTHH:MM:SS+09:00" (25 bytes) and "YYYY-MM-DD" (10 bytes), not terminated. */
void gen_format_time(int64_t at, char out[25]);
void gen_format_date(int32_t day, char out[10]);

/* generate_line.c: one event at a time into the chunk. */
void gen_begin(struct gen *g, struct gen_stream *s, const char *type, int64_t at);
/* Ends the event; fault is GEN_CLEAN or the fault it carries. Returns its entry. */
long gen_end(struct gen *g, enum gen_fault fault);
void gen_str(struct gen *g, const char *key, const char *value);
void gen_long(struct gen *g, const char *key, long value);
void gen_bool(struct gen *g, const char *key, int value);
void gen_date(struct gen *g, const char *key, int32_t day);
void gen_null(struct gen *g, const char *key);
/* Opens an object ('{') or array ('[') under key (NULL inside an array). */
void gen_open(struct gen *g, const char *key, char bracket);
void gen_close(struct gen *g, char bracket);
/* A line of raw text (a malformed one), delivered at when. */
void gen_raw_line(struct gen *g, int64_t when, const char *text, size_t length);
void gen_count(struct gen *g, enum gen_fault fault);
/* Appends JSON-escaped text (no quotes) to the chunk. */
void gen_put_escaped(struct gen *g, const char *text);

/* generate_names.c: the catalog, people and ids. */
struct gen_sku {
	const char *sku, *name;
};
extern const struct gen_sku gen_products[];
extern const int gen_product_count;
extern const char *const gen_env_names[];
extern const int gen_env_name_count;
extern const char *const gen_support_skus[];
extern const int gen_support_sku_count;
void gen_account_names(struct gen *g);
void gen_group_company(struct gen *g, int nth, char *out, size_t size);
void gen_contract_name(struct gen *g, int cloud, int year, char *out, size_t size);
/* C-<year>-<8 letters>, unique over all accounts for number < 4. */
void gen_contract_id(const struct gen *g, int number, int year, char *out, size_t size);
/* NNNN-NNNNN (S1), unique over all accounts; 0 when the account has used its share. */
int gen_support_id(struct gen *g, char out[11]);
void gen_other_product(struct gen *g, char key[24], const char **name);
struct gen_stream *gen_stream_new(struct gen *g, enum gen_family family, const char *id);

/* The families of one account's history. */
void gen_contracts(struct gen *g);
void gen_support(struct gen *g);
void gen_store(struct gen *g);

/* generate_contracts.c and its helpers (generate_environments.c, generate_members.c). */
int gen_owner(struct gen *g, const struct gen_contract *c); /* an active owner, -1 none */
void gen_open_owners(struct gen *g, struct gen_contract *c, int count);
void gen_members_setup(struct gen *g, struct gen_contract *c, int64_t now);
void gen_member_step(struct gen *g, struct gen_contract *c, int64_t now);
int64_t gen_next_withdrawal(const struct gen *g, const struct gen_contract *c, int *person);
void gen_withdraw(struct gen *g, struct gen_contract *c, int person, int64_t at);
void gen_group_company_added(struct gen *g, struct gen_contract *c, int64_t now);
void gen_envs_setup(struct gen *g, struct gen_contract *c, int64_t now);
void gen_env_step(struct gen *g, struct gen_contract *c, int64_t now);
void gen_follow_terms(struct gen *g, struct gen_contract *c);
void gen_migrate_envs_in(struct gen *g, struct gen_contract *c, int64_t now);
void gen_migrate_envs_out(struct gen *g, struct gen_contract *c);
void gen_snapshot(const struct gen_contract *c, struct gen_migration *m);
void gen_other_allocation(struct gen *g, struct gen_contract *c, int other);
/* generate_billing.c: a cloud contract's billing terms (inside contract.opened) and its life. */
void gen_write_billing(struct gen *g, struct gen_contract *c, int32_t start);
void gen_cloud_step(struct gen *g, struct gen_contract *c, int64_t now);

/* generate_faults.c */
/* 1 when a fault of this kind should be made at this opportunity. */
int gen_fault_roll(struct gen *g, enum gen_fault kind);
/* The faults of an account that are not tied to one of its events. */
void gen_account_faults(struct gen *g);

#endif
