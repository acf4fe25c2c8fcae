/*
 * contract_sql_internal.h - statements and names shared by contract_sql.c
 * (writing) and contract_load.c (loading, judging). Not for use elsewhere.
 */
#ifndef CTR_CONTRACT_SQL_INTERNAL_H
#define CTR_CONTRACT_SQL_INTERNAL_H

#include <sqlite3.h>

#include "projections/projections.h"

enum stmt_id {
	PUT_CONTRACT, PUT_PRODUCT, PUT_ENV, PUT_ALLOC, DEL_ALLOC, PUT_MEMBER, DEL_MEMBER, PUT_COMPANY,
	GET_CONTRACT, GET_PRODUCTS, GET_ENVS, GET_ALLOCS, GET_MEMBERS, GET_COMPANIES,
	PUT_TERMS, PUT_CHANGE, GET_TERMS, GET_CHANGES, STMT_COUNT
};

extern const char *const ctr_env_status_names[4];
extern const char *const ctr_contract_mode_names[3];
extern const char *const ctr_member_state_names[4];

struct ctr_invoices;

struct ctr_contract_sql {
	struct ctr_invoices *invoices;
	int invoices_pending; /* a bulk run writes every invoice once, at its end */
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	struct ctr_projection_options options;
};

#endif
