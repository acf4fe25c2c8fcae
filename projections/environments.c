/*
 * environments.c - environment events applied to the contract aggregate:
 * created, deleted (L7), activated and synced (L6, G2); allocated is applied
 * in allocations.c. Every handler checks first and changes the aggregate only
 * when the event is accepted, so a rejection has no effect.
 */
#include <string.h>

#include "events/payload.h"
#include "events/timefmt.h"
#include "projections/apply_internal.h"

/* L7: the environment an event names, or a rejection. */
struct ctr_environment *ctr_live_environment(struct ctr_apply *a, enum ctr_code *code)
{
	const char *env_id = ctr_payload_text(a->data, "env_id");
	struct ctr_environment *e = ctr_contract_environment(a->contract, env_id);

	*code = CTR_CODE_OK;
	if (e == NULL)
		*code = ctr_apply_reject(a, CTR_CODE_UNKNOWN_ENV, "%s has no environment %s",
					 a->contract->contract_id, env_id);
	else if (e->deleted)
		*code = ctr_apply_reject(a, CTR_CODE_ENV_DELETED, "environment %s was deleted",
					 env_id);
	return *code == CTR_CODE_OK ? e : NULL;
}

static enum ctr_code environment_created(struct ctr_apply *a)
{
	static const char *const required[] = { "env_id", "name", NULL };
	const char *env_id = ctr_payload_text(a->data, "env_id");
	enum ctr_code code = ctr_apply_required(a, required);
	struct ctr_environment *e;
	avro_value_t sort_key;

	if (code != CTR_CODE_OK)
		return code;
	if (ctr_contract_environment(a->contract, env_id) != NULL)
		return ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "environment %s already exists",
					env_id);
	e = ctr_contract_add_environment(a->contract);
	if (e == NULL)
		return CTR_CODE_NO_MEMORY;
	ctr_set_text(a->contract, &e->env_id, env_id);
	ctr_set_text(a->contract, &e->name, ctr_payload_text(a->data, "name"));
	e->has_sort_key = ctr_payload_field(a->data, "sort_key", &sort_key);
	e->sort_key = ctr_payload_long(a->data, "sort_key", 0);
	ctr_contract_touch(a->contract, &e->row);
	return CTR_CODE_OK;
}

/* L7: deleting frees the allocations; their rows stay but no longer count. */
static enum ctr_code environment_deleted(struct ctr_apply *a)
{
	enum ctr_code code;
	struct ctr_environment *e = ctr_live_environment(a, &code);

	if (e == NULL)
		return code;
	for (size_t i = 0; i < e->allocation_count; i++) {
		struct ctr_allocation *al = &e->allocations[i];
		struct ctr_product *p = ctr_contract_product(a->contract, al->sku);
		if (al->row.gone || p == NULL)
			continue;
		p->assigned -= al->count;
		ctr_contract_touch(a->contract, &p->row);
	}
	e->deleted = 1;
	ctr_contract_touch(a->contract, &e->row);
	return CTR_CODE_OK;
}

int64_t ctr_environment_time(const char *at)
{
	int ok;
	int64_t us = ctr_timestamp_parse(at, &ok);

	return us == 0 ? 1 : us;
}

static enum ctr_code environment_activated(struct ctr_apply *a)
{
	enum ctr_code code;
	struct ctr_environment *e = ctr_live_environment(a, &code);

	if (e == NULL)
		return code;
	e->mode = strcmp(ctr_payload_text(a->data, "mode"), "offline") == 0 ? MODE_OFFLINE
									     : MODE_ONLINE;
	e->status = ENV_LINKED;
	ctr_set_text(a->contract, &e->activated_at, a->ev->at);
	/*
	 * G2: this activation follows the last allocation in the stream, so it counts as
	 * after it even when its own time is earlier (the times alone could not tell).
	 */
	e->activated_us = ctr_environment_time(a->ev->at);
	if (e->allocated_us != 0 && e->activated_us < e->allocated_us)
		e->activated_us = e->allocated_us;
	ctr_contract_touch(a->contract, &e->row);
	return CTR_CODE_OK;
}

/* L6: only an online environment picks up terms by syncing. */
static enum ctr_code environment_synced(struct ctr_apply *a)
{
	enum ctr_code code;
	struct ctr_environment *e = ctr_live_environment(a, &code);

	if (e == NULL)
		return code;
	if (e->status == ENV_PENDING_SYNC) {
		e->status = ENV_LINKED;
		ctr_contract_touch(a->contract, &e->row);
	}
	return CTR_CODE_OK;
}

const struct ctr_apply_handler ctr_environments_handlers[] = {
	{ "environment.created", environment_created },
	{ "environment.deleted", environment_deleted },
	{ "environment.allocated", ctr_licenses_allocate },
	{ "environment.activated", environment_activated },
	{ "environment.synced", environment_synced },
	{ NULL, NULL },
};
