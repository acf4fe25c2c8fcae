/*
 * contract.h - the in-memory aggregate of one contract stream: the contract,
 * its products, environments with their allocations, members and group
 * companies. licenses.c, environments.c and members.c change it;
 * contract_sql.c writes its dirty rows and loads it back for incremental runs.
 *
 * Every row carries `dirty` (changed since the last flush) and `stored` (a
 * row exists in the database, or in the batch being written), so a flush
 * writes each changed row once.
 */
#ifndef CTR_CONTRACT_H
#define CTR_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/arena.h"
#include "projections/row_index.h"

enum ctr_env_status { ENV_UNLINKED, ENV_LINKED, ENV_NEEDS_REACTIVATION, ENV_PENDING_SYNC };
enum ctr_mode { MODE_NONE, MODE_ONLINE, MODE_OFFLINE };
enum ctr_role { ROLE_MEMBER, ROLE_OWNER };
enum ctr_member_state { MEMBER_INVITED, MEMBER_ACTIVE, MEMBER_REMOVED, MEMBER_WITHDRAWN };

struct ctr_row_flags {
	unsigned dirty : 1;
	unsigned stored : 1;
	unsigned gone : 1; /* to be deleted at the next flush */
};

/* L4: the sku of an other product is this prefix and its license key */
#define CTR_OTHER_SKU_PREFIX "other:"

struct ctr_product {
	char *sku;
	char *name;
	int64_t licenses;    /* L1; unused for other products */
	int64_t assigned;    /* L2: over environments not deleted */
	int other;           /* L4: an other product, no license limit */
	char *own_end_date;  /* NULL: the contract's */
	struct ctr_row_flags row;
};

struct ctr_allocation {
	char *sku;
	int64_t count;
	struct ctr_row_flags row;
};

struct ctr_environment {
	char *env_id;
	char *name;
	int64_t sort_key;
	int has_sort_key;
	enum ctr_env_status status;
	enum ctr_mode mode;  /* of the last activation (L6) */
	char *activated_at;
	int deleted;
	char *migrate_to;     /* G1: the contract it moves to, if planned while it existed */
	int64_t allocated_us; /* G2: when its allocations last changed, and it was last activated */
	int64_t activated_us;
	struct ctr_allocation *allocations;
	size_t allocation_count, allocation_cap;
	struct ctr_row_index allocation_index; /* by sku, once they are many */
	struct ctr_row_flags row;
};

struct ctr_member {
	char *user;          /* an invitation's is the invited email (M2) */
	char *email;
	char *name;
	char *lang;
	enum ctr_role role;
	int notify;
	enum ctr_member_state state;
	struct ctr_row_flags row;
};

struct ctr_company {
	char *company;
	char *added_by;
	struct ctr_row_flags row;
};

/* B4, B5: one seat total taking effect from the 1st of a month. */
struct ctr_seat_change {
	int light;           /* which seats: 0 full, 1 light */
	int effective_month; /* year * 12 + month - 1 */
	int64_t total;
	int stored;
};

/* The billing terms of a cloud contract (B1-B3, B8). */
struct ctr_billing {
	int present;
	char *service_start;
	int64_t full, light, price_full, price_light, tax_rate_pct;
	int64_t requested_full, requested_light; /* the latest requested totals (B4/B5) */
	struct ctr_seat_change *changes;
	size_t change_count, change_cap;
	int dirty;
};

struct ctr_contract {
	struct ctr_arena *arena; /* its stream's: every string and row below is in it */
	char *contract_id;
	char *account;
	char *name;
	int cloud;           /* kind: license or cloud */
	char *start_date;
	char *end_date;      /* NULL for a cloud contract (L5) */
	char *cancel_end_on; /* B6 */
	char *migration_to;  /* G1 */
	struct ctr_billing billing;
	struct ctr_product *products;
	size_t product_count, product_cap;
	struct ctr_row_index product_index; /* by sku, once they are many */
	struct ctr_environment *environments;
	size_t environment_count, environment_cap;
	struct ctr_row_index environment_index; /* by env_id, once they are many */
	struct ctr_member *members;
	size_t member_count, member_cap;
	struct ctr_row_index member_user_index;  /* by user, once they are many */
	struct ctr_row_index member_email_index; /* by email, case folded, once they are many */
	struct ctr_company *companies;
	size_t company_count, company_cap;
	struct ctr_row_index company_index; /* by company, once they are many */
	struct ctr_row_flags row;
	int any_dirty;       /* some row of the aggregate is dirty */
	int queued;          /* on the projections' list of aggregates to flush */
	int out_of_memory;   /* a text or row could not be allocated: the run stops (apply) */
};

/* A zeroed contract in arena, freed with the arena (there is no free of its own). */
struct ctr_contract *ctr_contract_new(struct ctr_arena *arena, const char *contract_id);

/* Lookups; NULL when absent. */
struct ctr_product *ctr_contract_product(struct ctr_contract *c, const char *sku);
struct ctr_environment *ctr_contract_environment(struct ctr_contract *c, const char *env_id);
/* The allocation row of sku in e, a removed one (row.gone) included. */
struct ctr_allocation *ctr_environment_allocation(struct ctr_contract *c, struct ctr_environment *e,
						  const char *sku);
struct ctr_member *ctr_contract_member(struct ctr_contract *c, const char *user);
/* The first member in state whose email is email, compared case-insensitively (M2). */
struct ctr_member *ctr_contract_member_by_email(struct ctr_contract *c, const char *email,
						enum ctr_member_state state);
struct ctr_company *ctr_contract_company(struct ctr_contract *c, const char *company);

/* Appends a zeroed row (NULL, and c->out_of_memory set, when out of memory). */
struct ctr_product *ctr_contract_add_product(struct ctr_contract *c);
struct ctr_environment *ctr_contract_add_environment(struct ctr_contract *c);
struct ctr_allocation *ctr_environment_add_allocation(struct ctr_contract *c,
						       struct ctr_environment *e);
struct ctr_member *ctr_contract_add_member(struct ctr_contract *c);
struct ctr_company *ctr_contract_add_company(struct ctr_contract *c);
/* A seat change appended to the billing terms (B4, B5). */
struct ctr_seat_change *ctr_contract_add_change(struct ctr_contract *c);

/* Marks a row changed, and its contract as having changes. */
void ctr_contract_touch(struct ctr_contract *c, struct ctr_row_flags *row);

/*
 * An event's time as an environment's allocated_us or activated_us keep it
 * (G2), where 0 is never (docs/schema.md): the epoch's own instant is taken
 * one µs later, which turns no comparison the rules make between such times.
 */
int64_t ctr_environment_time(const char *at);

/*
 * Replaces *field, a string of c, with a copy of value (NULL allowed) in c's
 * arena; out of memory, leaves it and sets c->out_of_memory.
 */
void ctr_set_text(struct ctr_contract *c, char **field, const char *value);

/* M1: 1 when user is an active owner of c. */
int ctr_contract_is_owner(struct ctr_contract *c, const char *user);

/* Sets a member's email: its lookup by email must know of the change. */
void ctr_contract_set_member_email(struct ctr_contract *c, struct ctr_member *m,
				   const char *email);

/* The earlier of two ISO dates, either of which may be NULL (NULL when both are). */
const char *ctr_date_earlier(const char *a, const char *b);
/*
 * The end date that applies to product p: its own, else the contract's, or the
 * contract's cancellation's end_on when that is earlier (may be NULL).
 */
const char *ctr_product_end_date(const struct ctr_contract *c, const struct ctr_product *p);

#endif
