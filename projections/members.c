/*
 * members.c - membership events applied to the contract aggregate: owner
 * rights (M1), invitations and joining (M2), removal and withdrawal (M3).
 */
#include <string.h>

#include "events/payload.h"
#include "projections/apply_internal.h"

/* M1: only an active owner may act on a contract's members. */
static enum ctr_code require_owner(struct ctr_apply *a)
{
	const char *by = ctr_payload_text(a->data, "by");

	if (!ctr_contract_is_owner(a->contract, by))
		return ctr_apply_reject(a, CTR_CODE_NOT_OWNER, "%s is not an active owner of %s", by,
					a->contract->contract_id);
	return CTR_CODE_OK;
}

/* The member an event names, when it is active; else a rejection. */
static struct ctr_member *active_member(struct ctr_apply *a, enum ctr_code *code)
{
	const char *user = ctr_payload_text(a->data, "user");
	struct ctr_member *m = ctr_contract_member(a->contract, user);

	*code = CTR_CODE_OK;
	if (m == NULL || m->state != MEMBER_ACTIVE) {
		*code = ctr_apply_reject(a, CTR_CODE_UNKNOWN_MEMBER, "%s is not an active member of %s",
					 user, a->contract->contract_id);
		return NULL;
	}
	return m;
}

/*
 * The row an invitation of email goes into, or NULL with *code set. The row is
 * keyed by the email; an active member whose user id is that address (an old
 * email, say) would lose the membership to it, which only removal and
 * withdrawal end (M3). A removed or withdrawn member's row may take the
 * invitation: joining restores it. An invitation still pending for the
 * address, however it was written, is renewed in its row, whose key stays.
 */
static struct ctr_member *invitation_row(struct ctr_apply *a, const char *email,
					 enum ctr_code *code)
{
	struct ctr_member *m = ctr_contract_member(a->contract, email);
	struct ctr_member *pending;

	if (m != NULL && m->state == MEMBER_ACTIVE) {
		*code = ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "%s is already a member of %s",
					 email, a->contract->contract_id);
		return NULL;
	}
	pending = ctr_contract_member_by_email(a->contract, email, MEMBER_INVITED);
	if (pending != NULL)
		return pending;
	if (m == NULL)
		m = ctr_contract_add_member(a->contract);
	if (m == NULL) {
		*code = CTR_CODE_NO_MEMORY;
		return NULL;
	}
	ctr_set_text(a->contract, &m->user, email);
	ctr_contract_set_member_email(a->contract, m, email);
	return m;
}

/* M2: an invitation is a members row keyed by the invited email, state invited. */
static enum ctr_code invited(struct ctr_apply *a)
{
	const char *email = ctr_payload_text(a->data, "email");
	enum ctr_code code = require_owner(a);
	struct ctr_member *m;

	if (code != CTR_CODE_OK)
		return code;
	if (ctr_contract_member_by_email(a->contract, email, MEMBER_ACTIVE) != NULL)
		return ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "%s is already a member of %s",
					email, a->contract->contract_id);
	m = invitation_row(a, email, &code);
	if (m == NULL)
		return code;
	ctr_set_text(a->contract, &m->name, NULL);
	ctr_set_text(a->contract, &m->lang, ctr_payload_text(a->data, "lang"));
	m->role = strcmp(ctr_payload_text(a->data, "role"), "owner") == 0 ? ROLE_OWNER : ROLE_MEMBER;
	m->notify = 1;
	m->state = MEMBER_INVITED;
	ctr_contract_touch(a->contract, &m->row);
	return CTR_CODE_OK;
}

/* M2: joining replaces the invitation with the member's own row. */
static enum ctr_code joined(struct ctr_apply *a)
{
	static const char *const required[] = { "user", "name", NULL };
	const char *user = ctr_payload_text(a->data, "user");
	const char *email = ctr_payload_text(a->data, "email");
	struct ctr_member *invitation =
		ctr_contract_member_by_email(a->contract, email, MEMBER_INVITED);
	struct ctr_member *m = ctr_contract_member(a->contract, user);
	enum ctr_code code = ctr_apply_required(a, required);

	if (code != CTR_CODE_OK)
		return code;
	if (invitation == NULL)
		return ctr_apply_reject(a, CTR_CODE_NOT_INVITED, "%s has no pending invitation to %s",
					email, a->contract->contract_id);
	if (m != NULL && m != invitation && m->state == MEMBER_ACTIVE)
		return ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "%s is already a member of %s",
					user, a->contract->contract_id);
	/* the row keyed by that address holds another invitation, which the join would end */
	if (m != NULL && m != invitation && m->state == MEMBER_INVITED)
		return ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "%s is the address of a pending"
					" invitation to %s", user, a->contract->contract_id);
	if (m == NULL) {
		m = ctr_contract_add_member(a->contract);
		if (m == NULL)
			return CTR_CODE_NO_MEMORY;
		/* the rows may have moved */
		invitation = ctr_contract_member_by_email(a->contract, email, MEMBER_INVITED);
		ctr_set_text(a->contract, &m->user, user);
	}
	if (m != invitation) {
		m->role = invitation->role;
		ctr_set_text(a->contract, &m->lang, invitation->lang);
		invitation->row.gone = 1;
		ctr_contract_touch(a->contract, &invitation->row);
	}
	ctr_contract_set_member_email(a->contract, m, email);
	ctr_set_text(a->contract, &m->name, ctr_payload_text(a->data, "name"));
	m->notify = 1;
	m->state = MEMBER_ACTIVE;
	ctr_contract_touch(a->contract, &m->row);
	return CTR_CODE_OK;
}

static enum ctr_code role_changed(struct ctr_apply *a)
{
	enum ctr_code code = require_owner(a);
	struct ctr_member *m = code == CTR_CODE_OK ? active_member(a, &code) : NULL;

	if (m == NULL)
		return code;
	m->role = strcmp(ctr_payload_text(a->data, "role"), "owner") == 0 ? ROLE_OWNER : ROLE_MEMBER;
	ctr_contract_touch(a->contract, &m->row);
	return CTR_CODE_OK;
}

static enum ctr_code notifications_changed(struct ctr_apply *a)
{
	enum ctr_code code = require_owner(a);
	struct ctr_member *m = code == CTR_CODE_OK ? active_member(a, &code) : NULL;

	if (m == NULL)
		return code;
	m->notify = ctr_payload_bool(a->data, "enabled");
	ctr_contract_touch(a->contract, &m->row);
	return CTR_CODE_OK;
}

static enum ctr_code removed(struct ctr_apply *a)
{
	enum ctr_code code = require_owner(a);
	struct ctr_member *m = code == CTR_CODE_OK ? active_member(a, &code) : NULL;

	if (m == NULL)
		return code;
	m->state = MEMBER_REMOVED;
	ctr_contract_touch(a->contract, &m->row);
	return CTR_CODE_OK;
}

/* M3: the person left the portal; no owner's word is needed. */
static enum ctr_code withdrew(struct ctr_apply *a)
{
	enum ctr_code code;
	struct ctr_member *m = active_member(a, &code);

	if (m == NULL)
		return code;
	m->state = MEMBER_WITHDRAWN;
	ctr_contract_touch(a->contract, &m->row);
	return CTR_CODE_OK;
}

static enum ctr_code group_company_added(struct ctr_apply *a)
{
	static const char *const required[] = { "company", NULL };
	const char *company = ctr_payload_text(a->data, "company");
	enum ctr_code code = ctr_apply_required(a, required);
	struct ctr_company *g;

	if (code == CTR_CODE_OK)
		code = require_owner(a);

	if (code != CTR_CODE_OK)
		return code;
	if (ctr_contract_company(a->contract, company) != NULL)
		return ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "group company %s is already on %s",
					company, a->contract->contract_id);
	g = ctr_contract_add_company(a->contract);
	if (g == NULL)
		return CTR_CODE_NO_MEMORY;
	ctr_set_text(a->contract, &g->company, company);
	ctr_set_text(a->contract, &g->added_by, ctr_payload_text(a->data, "by"));
	ctr_contract_touch(a->contract, &g->row);
	return CTR_CODE_OK;
}

const struct ctr_apply_handler ctr_members_handlers[] = {
	{ "member.invited", invited },
	{ "member.joined", joined },
	{ "member.role_changed", role_changed },
	{ "member.notifications_changed", notifications_changed },
	{ "member.removed", removed },
	{ "member.withdrew", withdrew },
	{ "group_company.added", group_company_added },
	{ NULL, NULL },
};
