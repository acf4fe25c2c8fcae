/*
 * audit.h - the state of one stream as `contrail audit` shows it after each
 * event, read from the projection tables.
 */
#ifndef CTR_AUDIT_H
#define CTR_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>

#include "events/error.h"

/*
 * The stream's state as JSON (a new reference): its contract, customer or
 * store account. NULL, with err set, when the tables cannot be read or the
 * state not allocated (CTR_ENOMEM).
 */
json_t *ctr_audit_state(sqlite3 *db, const char *stream, struct ctr_error *err);
/* The same, indented under an event in the text form; NULL prints nothing. */
void ctr_audit_print_state(const json_t *state);

#endif
