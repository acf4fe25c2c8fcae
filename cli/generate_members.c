/*
 * generate_members.c - the membership family of one contract: the owners it
 * opens with, invitations by an owner and joining (M1, M2), notification and
 * role changes, removals, group companies, people leaving the portal (M3,
 * one member.withdrew on every contract they are on), and the membership
 * faults (a non-owner acting, someone removed who never joined, a join
 * without an invitation). A member's user id is the email, as in the
 * portal's own example.
 */
#include <stdint.h>

#include "cli/generate_internal.h"

/* A person who is still on the portal at `at` and for a while after. */
static int staying(const struct gen *g, int person, int64_t at)
{
	int64_t leaves = g->people[person].withdraws_at;

	return leaves == 0 || at + 30 * GEN_DAY < leaves;
}

/* A person of the account in the given state (and owner flag, when owner >= 0); -1 none. */
static int someone(struct gen *g, const struct gen_contract *c, enum gen_member_state state,
		   int owner, int except)
{
	int found[GEN_PEOPLE_MAX], count = 0;

	for (int p = 0; p < g->people_count; p++)
		if (c->members[p].state == state && p != except &&
		    (owner < 0 || c->members[p].owner == owner))
			found[count++] = p;
	return count ? found[gen_range(g, 0, count - 1)] : -1;
}

int gen_owner(struct gen *g, const struct gen_contract *c)
{
	return someone(g, c, GEN_ACTIVE, 1, -1);
}

static void add_owner(struct gen *g, struct gen_contract *c, int person)
{
	c->members[person] = (struct gen_member){ .state = GEN_ACTIVE, .owner = 1, .notify = 1 };
	gen_open(g, NULL, '{');
	gen_str(g, "user", g->people[person].email);
	gen_str(g, "email", g->people[person].email);
	gen_str(g, "name", g->people[person].name);
	gen_close(g, '}');
}

/* The owners of contract.opened (M1: the first members); call inside its payload. */
void gen_open_owners(struct gen *g, struct gen_contract *c, int count)
{
	int first = 0;

	if (c->number > 0 && gen_chance(g, 30)) {
		int other = (int)gen_range(g, 1, g->people_count - 1);
		if (staying(g, other, g->cur.at))
			first = other;
	}
	gen_open(g, "owners", '[');
	add_owner(g, c, first);
	for (int p = 1; count > 1 && p < g->people_count; p++) {
		if (p != first && staying(g, p, g->cur.at)) {
			add_owner(g, c, p);
			break;
		}
	}
	gen_close(g, ']');
}

static void join(struct gen *g, struct gen_contract *c, int person, int64_t at, enum gen_fault fault)
{
	const struct gen_person *who = &g->people[person];

	gen_begin(g, c->s, "member.joined", at);
	gen_str(g, "user", who->email);
	gen_str(g, "email", who->email);
	gen_str(g, "name", who->name);
	gen_end(g, fault);
	if (fault == GEN_CLEAN)
		c->members[person] = (struct gen_member){
			.state = GEN_ACTIVE, .owner = c->members[person].invited_as_owner, .notify = 1,
		};
}

/* M2: an owner invites someone; most accept within days. */
static void invite(struct gen *g, struct gen_contract *c, int64_t now)
{
	int owner = gen_owner(g, c), person = someone(g, c, GEN_NOBODY, -1, -1);
	long lang = gen_range(g, 0, 9);

	if (person < 0)
		person = someone(g, c, GEN_REMOVED, -1, -1); /* invited again after a removal */
	if (owner < 0 || person < 0 || !staying(g, person, now))
		return;
	c->members[person].invited_as_owner = gen_chance(g, 15);
	gen_begin(g, c->s, "member.invited", now);
	gen_str(g, "email", g->people[person].email);
	gen_str(g, "role", c->members[person].invited_as_owner ? "owner" : "member");
	if (lang < 9)
		gen_str(g, "lang", lang < 8 ? "ja" : "en");
	gen_str(g, "by", g->people[owner].email);
	gen_end(g, GEN_CLEAN);
	c->members[person].state = GEN_INVITED;
	if (gen_chance(g, 85))
		join(g, c, person, gen_after(g, c->s->at, 0, 7), GEN_CLEAN);
}

void gen_members_setup(struct gen *g, struct gen_contract *c, int64_t now)
{
	for (long n = gen_range(g, 0, 2); n > 0; n--) {
		invite(g, c, now);
		now = gen_after(g, c->s->at, 0, 10);
	}
}

static void notifications(struct gen *g, struct gen_contract *c, int64_t now)
{
	int owner = gen_owner(g, c), person = someone(g, c, GEN_ACTIVE, -1, -1);

	if (owner < 0 || person < 0)
		return;
	c->members[person].notify = !c->members[person].notify;
	gen_begin(g, c->s, "member.notifications_changed", now);
	gen_str(g, "user", g->people[person].email);
	gen_bool(g, "enabled", c->members[person].notify);
	gen_str(g, "by", g->people[owner].email);
	gen_end(g, GEN_CLEAN);
}

/* A member made owner, or another owner made member (the acting owner stays one). */
static void role_change(struct gen *g, struct gen_contract *c, int64_t now)
{
	int owner = gen_owner(g, c), person;

	if (owner < 0)
		return;
	person = someone(g, c, GEN_ACTIVE, 0, -1);
	if (person < 0 || gen_chance(g, 30))
		person = someone(g, c, GEN_ACTIVE, 1, owner);
	if (person < 0)
		return;
	c->members[person].owner = !c->members[person].owner;
	gen_begin(g, c->s, "member.role_changed", now);
	gen_str(g, "user", g->people[person].email);
	gen_str(g, "role", c->members[person].owner ? "owner" : "member");
	gen_str(g, "by", g->people[owner].email);
	gen_end(g, GEN_CLEAN);
}

static void removal(struct gen *g, struct gen_contract *c, int64_t now)
{
	int owner = gen_owner(g, c), person = someone(g, c, GEN_ACTIVE, 0, -1);

	if (owner < 0 || person < 0)
		return;
	gen_begin(g, c->s, "member.removed", now);
	gen_str(g, "user", g->people[person].email);
	gen_str(g, "by", g->people[owner].email);
	gen_end(g, GEN_CLEAN);
	c->members[person].state = GEN_REMOVED;
	c->members[person].owner = 0;
}

void gen_group_company_added(struct gen *g, struct gen_contract *c, int64_t now)
{
	int owner = gen_owner(g, c);
	char company[160];

	if (owner < 0 || c->companies >= 8)
		return;
	gen_group_company(g, c->companies++, company, sizeof(company));
	gen_begin(g, c->s, "group_company.added", now);
	gen_str(g, "company", company);
	gen_str(g, "by", g->people[owner].email);
	gen_end(g, GEN_CLEAN);
}

int64_t gen_next_withdrawal(const struct gen *g, const struct gen_contract *c, int *person)
{
	int64_t next = INT64_MAX;

	for (int p = 0; p < g->people_count; p++) {
		int64_t leaves = g->people[p].withdraws_at;
		if (leaves && c->members[p].state == GEN_ACTIVE && leaves < next) {
			next = leaves;
			*person = p;
		}
	}
	return next;
}

/* M3: no owner's word is needed; an owner who leaves may leave the contract ownerless. */
void gen_withdraw(struct gen *g, struct gen_contract *c, int person, int64_t at)
{
	gen_begin(g, c->s, "member.withdrew", at);
	gen_str(g, "user", g->people[person].email);
	gen_end(g, GEN_CLEAN);
	c->members[person].state = GEN_WITHDRAWN;
	c->members[person].owner = 0;
}

/*
 * M1: a member promotes themself (or an outsider acts); someone removed who
 * never joined (unknown_member); M2: a join nobody invited.
 */
static int member_fault(struct gen *g, struct gen_contract *c, int64_t now)
{
	int member = someone(g, c, GEN_ACTIVE, 0, -1), outsider = someone(g, c, GEN_NOBODY, -1, -1);
	int actor = member >= 0 ? member : outsider, owner = gen_owner(g, c);

	if (actor >= 0 && gen_fault_roll(g, GEN_NOT_OWNER)) {
		int target = member >= 0 ? member : owner >= 0 ? owner : actor;
		gen_begin(g, c->s, "member.role_changed", now);
		gen_str(g, "user", g->people[target].email);
		gen_str(g, "role", target == member ? "owner" : "member");
		gen_str(g, "by", g->people[actor].email);
		gen_end(g, GEN_NOT_OWNER);
		return 1;
	}
	if (outsider >= 0 && owner >= 0 && gen_fault_roll(g, GEN_UNKNOWN_MEMBER)) {
		/* an owner removes someone who never joined (a name mixed up) */
		gen_begin(g, c->s, "member.removed", now);
		gen_str(g, "user", g->people[outsider].email);
		gen_str(g, "by", g->people[owner].email);
		gen_end(g, GEN_UNKNOWN_MEMBER);
		return 1;
	}
	if (outsider >= 0 && gen_fault_roll(g, GEN_NOT_INVITED)) {
		join(g, c, outsider, now, GEN_NOT_INVITED);
		return 1;
	}
	return 0;
}

void gen_member_step(struct gen *g, struct gen_contract *c, int64_t now)
{
	long roll = gen_range(g, 0, 99);

	if (member_fault(g, c, now))
		return;
	if (roll < 40)
		invite(g, c, now);
	else if (roll < 62)
		notifications(g, c, now);
	else if (roll < 80)
		role_change(g, c, now);
	else
		removal(g, c, now);
}
