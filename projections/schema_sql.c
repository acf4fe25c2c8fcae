/*
 * schema_sql.c - CREATE statements of every table (see schema_sql.h).
 * Key columns first; WITHOUT ROWID tables so rows are stored in key order.
 */
#include "projections/schema_sql.h"

#include <stddef.h>

/*
 * A support id another customer's later placement took (merges, an id issued
 * again): the losing customer's own record of it, which its later events are
 * judged against, loaded or not (E4). Moved here as the row changes hands.
 * Schema version 2; a database of version 1 gets it when a replay opens it.
 */
#define SUPPORT_LOST_SQL \
	"CREATE TABLE IF NOT EXISTS support_lost (customer_no TEXT NOT NULL, support_id TEXT NOT NULL," \
	" sku TEXT NOT NULL, licenses INTEGER NOT NULL, retired INTEGER NOT NULL," \
	" starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, reason TEXT NOT NULL, replaces TEXT," \
	" replaced_on TEXT, placed_at INTEGER NOT NULL, placed_event TEXT NOT NULL," \
	" PRIMARY KEY (customer_no, support_id)) WITHOUT ROWID;\n" \
	"CREATE TRIGGER IF NOT EXISTS support_changed_hands AFTER UPDATE OF customer_no ON support_ids" \
	" WHEN OLD.customer_no != NEW.customer_no BEGIN" \
	" INSERT OR REPLACE INTO support_lost VALUES (OLD.customer_no, OLD.support_id, OLD.sku," \
	" OLD.licenses, OLD.retired, OLD.starts_on, OLD.ends_on, OLD.reason, OLD.replaces," \
	" OLD.replaced_on, OLD.placed_at, OLD.placed_event);" \
	" DELETE FROM support_lost WHERE customer_no = NEW.customer_no" \
	" AND support_id = NEW.support_id; END;\n"

const char ctr_schema_sql[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;\n"
	/* projections: licenses (L1-L8) */
	"CREATE TABLE contracts (contract_id TEXT PRIMARY KEY, account TEXT NOT NULL,"
	" name TEXT NOT NULL, kind TEXT NOT NULL, start_date TEXT, end_date TEXT,"
	" status TEXT NOT NULL, days_left INTEGER, ownerless INTEGER NOT NULL,"
	" cancel_end_on TEXT, migration_to TEXT) WITHOUT ROWID;\n"
	"CREATE TABLE contract_products (contract_id TEXT NOT NULL, sku TEXT NOT NULL,"
	" name TEXT NOT NULL, licenses INTEGER, assigned INTEGER NOT NULL, unassigned INTEGER,"
	" end_date TEXT, expired INTEGER NOT NULL, over_allocated INTEGER NOT NULL,"
	" own_end_date TEXT, PRIMARY KEY (contract_id, sku)) WITHOUT ROWID;\n"
	"CREATE TABLE environments (contract_id TEXT NOT NULL, env_id TEXT NOT NULL,"
	" name TEXT NOT NULL, status TEXT NOT NULL, mode TEXT, activated_at TEXT,"
	" deleted INTEGER NOT NULL, sort_key INTEGER, migrate_to TEXT, allocated_us INTEGER,"
	" activated_us INTEGER, PRIMARY KEY (contract_id, env_id))"
	" WITHOUT ROWID;\n"
	"CREATE TABLE allocations (contract_id TEXT NOT NULL, env_id TEXT NOT NULL,"
	" sku TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (contract_id, env_id, sku))"
	" WITHOUT ROWID;\n"
	/* projections: membership (M1-M3) */
	"CREATE TABLE members (contract_id TEXT NOT NULL, user TEXT NOT NULL, email TEXT NOT NULL,"
	" role TEXT NOT NULL, notify INTEGER NOT NULL, state TEXT NOT NULL, name TEXT,"
	" lang TEXT, PRIMARY KEY (contract_id, user)) WITHOUT ROWID;\n"
	"CREATE TABLE group_companies (contract_id TEXT NOT NULL, company TEXT NOT NULL,"
	" added_by TEXT NOT NULL, PRIMARY KEY (contract_id, company)) WITHOUT ROWID;\n"
	/* projections: migrations (G1-G4), derived from the environments of both contracts */
	"CREATE INDEX environments_by_name ON environments (contract_id, name);\n"
	"CREATE INDEX environments_migrating ON environments (migrate_to) WHERE migrate_to IS NOT NULL;\n"
	"CREATE TABLE migrations (from_contract TEXT NOT NULL, env_name TEXT NOT NULL,"
	" to_contract TEXT NOT NULL, step TEXT NOT NULL, allocation_match INTEGER NOT NULL,"
	" difference TEXT NOT NULL, due_by TEXT, overdue INTEGER NOT NULL,"
	" PRIMARY KEY (from_contract, env_name)) WITHOUT ROWID;\n"
	/* projections: invoices (B1-B9), from the billing terms and seat changes */
	"CREATE TABLE billing_terms (contract_id TEXT PRIMARY KEY, service_start TEXT NOT NULL,"
	" seats_full INTEGER NOT NULL, seats_light INTEGER NOT NULL, price_full INTEGER NOT NULL,"
	" price_light INTEGER NOT NULL, tax_rate_pct INTEGER NOT NULL) WITHOUT ROWID;\n"
	"CREATE TABLE seat_changes (contract_id TEXT NOT NULL, change_no INTEGER NOT NULL,"
	" kind TEXT NOT NULL, effective_month INTEGER NOT NULL, total INTEGER NOT NULL,"
	" PRIMARY KEY (contract_id, change_no)) WITHOUT ROWID;\n"
	"CREATE TABLE invoices (invoice_no TEXT PRIMARY KEY, contract_id TEXT NOT NULL,"
	" period TEXT NOT NULL, issue_date TEXT NOT NULL, due_date TEXT NOT NULL,"
	" subtotal INTEGER NOT NULL, tax INTEGER NOT NULL, total INTEGER NOT NULL,"
	" status TEXT NOT NULL) WITHOUT ROWID;\n"
	"CREATE INDEX invoices_by_contract ON invoices (contract_id, period);\n"
	"CREATE TABLE invoice_lines (invoice_no TEXT NOT NULL, line_no INTEGER NOT NULL,"
	" kind TEXT NOT NULL, quantity INTEGER NOT NULL, unit_price INTEGER NOT NULL,"
	" amount INTEGER NOT NULL, PRIMARY KEY (invoice_no, line_no)) WITHOUT ROWID;\n"
	/* projections: support (S1-S10) and store accounts (K1-K3) */
	"CREATE TABLE customers (customer_no TEXT PRIMARY KEY, email TEXT NOT NULL,"
	" state TEXT NOT NULL, duplicate_email INTEGER NOT NULL, suspended INTEGER NOT NULL,"
	" suspension_reasons TEXT NOT NULL, merged_into TEXT, admin_pending INTEGER NOT NULL,"
	" email_bounced INTEGER NOT NULL, violation INTEGER NOT NULL, needs_judge INTEGER NOT NULL,"
	" judged_email TEXT) WITHOUT ROWID;\n"
	"CREATE INDEX customers_to_judge ON customers (needs_judge) WHERE needs_judge = 1;\n"
	"CREATE INDEX customers_by_email ON customers (lower(email));\n"
	"CREATE TABLE support_ids (support_id TEXT PRIMARY KEY, customer_no TEXT NOT NULL,"
	" sku TEXT NOT NULL, licenses INTEGER NOT NULL, retired INTEGER NOT NULL,"
	" starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, state TEXT NOT NULL,"
	" usable INTEGER NOT NULL, suspension_reasons TEXT NOT NULL, reason TEXT NOT NULL,"
	" replaces TEXT, replaced_on TEXT, placed_at INTEGER NOT NULL, placed_event TEXT NOT NULL)"
	" WITHOUT ROWID;\n"
	"CREATE INDEX support_by_customer ON support_ids (customer_no, state, ends_on, retired, licenses);\n"
	SUPPORT_LOST_SQL
	"CREATE TABLE store_accounts (store_id TEXT NOT NULL, email TEXT NOT NULL,"
	" state TEXT NOT NULL, orders INTEGER NOT NULL, valid_quotes INTEGER NOT NULL,"
	" migrated INTEGER NOT NULL, password_reset INTEGER NOT NULL,"
	" migrated_orders INTEGER NOT NULL, migrated_quotes INTEGER NOT NULL,"
	" orders_before_cutoff INTEGER NOT NULL, quotes_on_cutoff INTEGER NOT NULL,"
	" registered_on TEXT, needs_judge INTEGER NOT NULL, PRIMARY KEY (store_id, email))"
	" WITHOUT ROWID;\n"
	"CREATE INDEX store_to_judge ON store_accounts (needs_judge) WHERE needs_judge = 1;\n"
	/* engine bookkeeping (E1-E3) */
	"CREATE TABLE streams (stream TEXT PRIMARY KEY, family TEXT NOT NULL,"
	" next_seq INTEGER NOT NULL, opened INTEGER NOT NULL, held INTEGER NOT NULL)"
	" WITHOUT ROWID;\n"
	"CREATE TABLE rejected_events (position TEXT PRIMARY KEY, event_id TEXT, stream TEXT,"
	" type TEXT, code TEXT NOT NULL, message TEXT NOT NULL, raw BLOB NOT NULL, seq INTEGER,"
	" run_id INTEGER, held_json TEXT);\n"
	"CREATE INDEX rejected_by_stream ON rejected_events (stream, seq);\n"
	"CREATE TABLE event_ids (chunk INTEGER PRIMARY KEY, ids BLOB NOT NULL);\n"
	"CREATE TABLE projection_digests (table_name TEXT PRIMARY KEY, rows INTEGER NOT NULL,"
	" sum BLOB NOT NULL) WITHOUT ROWID;\n"
	"CREATE TABLE checkpoints (source TEXT NOT NULL, partition INTEGER NOT NULL,"
	" next_offset INTEGER NOT NULL, byte_offset INTEGER NOT NULL, block_first INTEGER NOT NULL,"
	" fingerprint TEXT, PRIMARY KEY (source, partition)) WITHOUT ROWID;\n"
	"CREATE TABLE runs (run_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,"
	" finished_at TEXT NOT NULL, business_date TEXT NOT NULL, read INTEGER NOT NULL,"
	" applied INTEGER NOT NULL, duplicates INTEGER NOT NULL, rejected INTEGER NOT NULL,"
	" projection_hash TEXT NOT NULL, source TEXT NOT NULL, until TEXT, released INTEGER NOT NULL,"
	" rebuild INTEGER NOT NULL);\n";

const char ctr_schema_upgrade_from_1_sql[] = SUPPORT_LOST_SQL;

/*
 * The rows version 3 derives otherwise, derived again from what is stored: a
 * cloud contract's end is its cancellation's end_on alone, a product's end
 * date is the earlier of its own (or its contract's) and that end_on (L5);
 * and every state judged again by the next run's judge, as after a run on
 * another date stopped part-way (record.c), which refreshes migrations' due
 * dates (G4) too. The digest triggers keep the projection hash in step, their
 * sums committed with the rows (db.c).
 */
#define PRODUCT_END "coalesce(contract_products.own_end_date," \
		    " CASE WHEN c.kind = 'cloud' THEN NULL ELSE c.end_date END)"
#define PRODUCT_END_SQL \
	"SELECT CASE WHEN c.cancel_end_on IS NOT NULL AND (" PRODUCT_END " IS NULL OR" \
	" c.cancel_end_on < " PRODUCT_END ") THEN c.cancel_end_on ELSE " PRODUCT_END " END" \
	" FROM contracts c WHERE c.contract_id = contract_products.contract_id"
const char ctr_schema_upgrade_to_3_sql[] =
	"UPDATE contracts SET end_date = cancel_end_on"
	" WHERE kind = 'cloud' AND end_date IS NOT cancel_end_on;\n"
	"UPDATE contract_products SET end_date = (" PRODUCT_END_SQL ")"
	" WHERE end_date IS NOT (" PRODUCT_END_SQL ");\n"
	"INSERT OR REPLACE INTO meta (key, value) SELECT 'judging', value FROM meta"
	" WHERE key = 'judged_on';\n";

const struct ctr_hashed_table ctr_hashed_tables[] = {
	{ "contracts", "contract_id" },
	{ "contract_products", "contract_id, sku" },
	{ "environments", "contract_id, env_id" },
	{ "allocations", "contract_id, env_id, sku" },
	{ "members", "contract_id, user" },
	{ "store_accounts", "store_id, email" },
	{ "customers", "customer_no" },
	{ "support_ids", "support_id" },
	{ "migrations", "from_contract, env_name" },
	{ "invoices", "invoice_no" },
	{ "invoice_lines", "invoice_no, line_no" },
	{ NULL, NULL },
};
