/*
 * generate_contracts.c - one account's contracts: products, environments
 * with allocations and activations, members, renewals, cloud seats and
 * cancellations, migrations; and the contract-side bad events (over-
 * allocations, a non-owner acting, unknown skus and environments, gaps,
 * conflicting ids, payloads that do not fit the schema).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/generate_internal.h"

#define DAY 86400

static const char *const skus[] = { "CSL-IAP-PRO", "CSL-IAP-STD", "CSL-BIS", "CSL-IMW",
				    "CSL-FORMA", "CSL-LOGIC" };
static const char *const product_names[] = {
	"【CSL】intra-mart Accel Platform プロフェッショナル", "【CSL】intra-mart Accel Platform スタンダード",
	"【CSL】BIS", "【CSL】IM-Workflow", "【CSL】IM-FormaDesigner", "【CSL】IM-LogicDesigner",
};
static const char *const people[] = { "青柳辰巳", "円山益男", "佐藤花子", "鈴木一郎", "高橋健",
				      "Alex Kim", "田中美咲", "伊藤翔" };

struct environment {
	int deleted, activated, offline;
	long allocated[4];
};

struct contract {
	char id[40];
	long seq;
	int64_t at;
	int cloud;
	int products;            /* the last may be added later */
	int sku[4];
	long licenses[4];
	long assigned[4];
	struct environment envs[5];
	int env_count;
	char owner[80];
	int members;             /* joined members: member-<n> */
	long first_event_id;
};

static struct gen_event *event(struct gen *g, struct contract *c, const char *type,
			       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The next event of c, a few days after the last. */
static struct gen_event *event(struct gen *g, struct contract *c, const char *type,
			       const char *fmt, ...)
{
	char data[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(data, sizeof(data), fmt, ap);
	va_end(ap);
	c->at += gen_range(g, 1, 20) * DAY + gen_range(g, 0, 3600);
	return gen_emit(g, -1, type, c->id, ++c->seq, c->at, data);
}

/* The owner's user id and email; ids are short, a truncated one is left empty. */
static void owner_of(const char *contract_id, char *owner, size_t size)
{
	char text[sizeof(((struct contract *)0)->owner)];

	if (snprintf(text, sizeof(text), "owner-%s@example.com", contract_id) >= (int)sizeof(text))
		text[0] = '\0';
	memcpy(owner, text, size < sizeof(text) ? size : sizeof(text));
}

static void open_contract(struct gen *g, struct contract *c)
{
	char products[1024] = "", start[11], end[11], billing[256] = "", end_field[40] = "";
	int first = (int)gen_range(g, 0, 5);
	size_t used = 0;

	c->products = (int)gen_range(g, 1, 3);
	for (int i = 0; i < c->products; i++) {
		c->sku[i] = (first + i) % 6;
		c->licenses[i] = gen_range(g, 3, 20);
		used += (size_t)snprintf(products + used, sizeof(products) - used,
					 "%s{\"sku\":\"%s\",\"name\":\"%s\",\"licenses\":%ld}", i ? "," : "",
					 skus[c->sku[i]], product_names[c->sku[i]], c->licenses[i]);
	}
	gen_date(c->at, start);
	gen_date(c->at + gen_range(g, 365, 3 * 365) * DAY, end);
	if (c->cloud)
		snprintf(billing, sizeof(billing), ",\"billing\":{\"service_start\":\"%s\","
			 "\"seats\":{\"full\":%ld,\"light\":%ld},\"prices\":{\"full\":1200,\"light\":400}}",
			 start, gen_range(g, 5, 50), gen_range(g, 0, 30));
	else
		snprintf(end_field, sizeof(end_field), ",\"end_date\":\"%s\"", end);
	owner_of(c->id, c->owner, sizeof(c->owner));
	c->first_event_id = g->order;
	event(g, c, "contract.opened", "{\"name\":\"プロジェクト %s\",\"kind\":\"%s\",\"start_date\":"
	      "\"%s\"%s,\"owners\":[{\"user\":\"%s\",\"email\":\"%s\",\"name\":\"%s\"}],"
	      "\"products\":[%s]%s}", c->id, c->cloud ? "cloud" : "license", start, end_field,
	      c->owner, c->owner, people[gen_range(g, 0, 7)], products, billing);
}

/* L2, L3: allocates what still fits, so the event is valid. */
static void allocate(struct gen *g, struct contract *c, int env)
{
	int p = (int)gen_range(g, 0, c->products - 1);
	long held = c->envs[env].allocated[p];
	long count = gen_range(g, 0, c->licenses[p] - c->assigned[p] + held);

	event(g, c, "environment.allocated", "{\"env_id\":\"env-%d\",\"allocations\":"
	      "[{\"sku\":\"%s\",\"count\":%ld}]}", env + 1, skus[c->sku[p]], count);
	c->assigned[p] += count - held;
	c->envs[env].allocated[p] = count;
}

static void activate(struct gen *g, struct contract *c, int env, int again)
{
	c->envs[env].activated = 1;
	if (!again)
		c->envs[env].offline = gen_chance(g, 40);
	event(g, c, "environment.activated", "{\"env_id\":\"env-%d\",\"mode\":\"%s\","
	      "\"reactivation\":%s}", env + 1, c->envs[env].offline ? "offline" : "online",
	      again ? "true" : "false");
}

static void environments(struct gen *g, struct contract *c)
{
	c->env_count = (int)gen_range(g, 1, 3);
	for (int e = 0; e < c->env_count; e++) {
		event(g, c, "environment.created", "{\"env_id\":\"env-%d\",\"name\":\"環境%02d\","
		      "\"sort_key\":%d}", e + 1, e + 1, e + 1);
		allocate(g, c, e);
		if (gen_chance(g, 85))
			activate(g, c, e, 0);
	}
}

static void members(struct gen *g, struct contract *c)
{
	int invited = (int)gen_range(g, 0, 3);

	for (int m = 0; m < invited; m++) {
		int owner = gen_chance(g, 20);
		event(g, c, "member.invited", "{\"email\":\"member-%d-%s@example.com\",\"role\":\"%s\","
		      "\"lang\":\"ja\",\"by\":\"%s\"}", m, c->id, owner ? "owner" : "member", c->owner);
		if (!gen_chance(g, 85))
			continue;
		event(g, c, "member.joined", "{\"user\":\"u-%d-%s\",\"email\":\"member-%d-%s@example.com\","
		      "\"name\":\"%s\"}", m, c->id, m, c->id, people[gen_range(g, 0, 7)]);
		c->members = m + 1;
		if (gen_chance(g, 20))
			event(g, c, "member.notifications_changed", "{\"user\":\"u-%d-%s\",\"enabled\":false,"
			      "\"by\":\"%s\"}", m, c->id, c->owner);
		if (!owner && gen_chance(g, 15))
			event(g, c, "member.role_changed", "{\"user\":\"u-%d-%s\",\"role\":\"owner\","
			      "\"by\":\"%s\"}", m, c->id, c->owner);
		if (gen_chance(g, 10))
			event(g, c, "member.removed", "{\"user\":\"u-%d-%s\",\"by\":\"%s\"}", m, c->id,
			      c->owner);
		else if (gen_chance(g, 5))
			event(g, c, "member.withdrew", "{\"user\":\"u-%d-%s\"}", m, c->id);
	}
	if (gen_chance(g, 15))
		event(g, c, "group_company.added", "{\"company\":\"グループ会社 %s\",\"by\":\"%s\"}",
		      g->account_id, c->owner);
}

/* L6: after a change of terms, online environments sync and offline ones re-activate. */
static void follow_terms(struct gen *g, struct contract *c)
{
	for (int e = 0; e < c->env_count; e++) {
		if (c->envs[e].deleted || !c->envs[e].activated)
			continue;
		if (!c->envs[e].offline && gen_chance(g, 80))
			event(g, c, "environment.synced", "{\"env_id\":\"env-%d\"}", e + 1);
		else if (c->envs[e].offline && gen_chance(g, 70))
			activate(g, c, e, 1);
	}
}

static void change_terms(struct gen *g, struct contract *c)
{
	char end[11];

	if (gen_chance(g, 30)) {
		int p = (int)gen_range(g, 0, c->products - 1);
		c->licenses[p] += gen_range(g, 1, 5);
		event(g, c, "contract.licenses_changed", "{\"sku\":\"%s\",\"licenses\":%ld}",
		      skus[c->sku[p]], c->licenses[p]);
		follow_terms(g, c);
	}
	if (c->products < 3 && gen_chance(g, 15)) {
		int p = c->products++;
		c->sku[p] = (c->sku[p - 1] + 1) % 6;
		c->licenses[p] = gen_range(g, 1, 10);
		event(g, c, "contract.product_added", "{\"sku\":\"%s\",\"name\":\"%s\",\"licenses\":%ld}",
		      skus[c->sku[p]], product_names[c->sku[p]], c->licenses[p]);
		follow_terms(g, c);
	}
	if (!c->cloud && gen_chance(g, 40)) {
		gen_date(c->at + gen_range(g, 400, 800) * DAY, end);
		event(g, c, "contract.renewed", "{\"end_date\":\"%s\",\"products\":[{\"sku\":\"%s\","
		      "\"licenses\":%ld}]}", end, skus[c->sku[0]], c->licenses[0] + 2);
		c->licenses[0] += 2;
		follow_terms(g, c);
	}
}

static void extras(struct gen *g, struct contract *c)
{
	char on[11], end[11];

	if (gen_chance(g, 10)) {
		event(g, c, "contract.other_product_added", "{\"license_key\":\"LK-%s\",\"name\":"
		      "\"他社製品\",\"by\":\"%s\"}", c->id, c->owner);
		event(g, c, "environment.allocated", "{\"env_id\":\"env-1\",\"allocations\":"
		      "[{\"sku\":\"other:LK-%s\",\"count\":%ld}]}", c->id, gen_range(g, 1, 50));
	}
	if (c->cloud) {
		for (long n = gen_range(g, 1, 3); n > 0; n--) {
			gen_date(c->at + 30 * DAY, on);
			event(g, c, "contract.seats_changed", "{\"full\":%ld,\"light\":%ld,\"applied_on\":"
			      "\"%s\",\"reported_on\":\"%s\"}", gen_range(g, 5, 60), gen_range(g, 0, 30),
			      on, on);
		}
		if (gen_chance(g, 20)) {
			gen_date(c->at + DAY, on);
			gen_date(c->at + gen_range(g, 70, 200) * DAY, end);
			event(g, c, "contract.cancellation_requested", "{\"requested_on\":\"%s\","
			      "\"end_on\":\"%s\"}", on, end);
		}
	}
	if (c->env_count > 1 && gen_chance(g, 10)) {
		int e = c->env_count - 1;
		event(g, c, "environment.deleted", "{\"env_id\":\"env-%d\"}", e + 1);
		c->envs[e].deleted = 1;
		for (int p = 0; p < c->products; p++)
			c->assigned[p] -= c->envs[e].allocated[p];
	}
}

/* Rule rejections that still take their place (L3, L4, L7, M1). */
static void rule_breaks(struct gen *g, struct contract *c)
{
	if (gen_chance(g, 12)) { /* L3 */
		event(g, c, "environment.allocated", "{\"env_id\":\"env-1\",\"allocations\":[{\"sku\":"
		      "\"%s\",\"count\":%ld}]}", skus[c->sku[0]], c->licenses[0] + 1);
		g->stats->bad++;
	}
	if (gen_chance(g, 6)) { /* M1 */
		event(g, c, "member.role_changed", "{\"user\":\"%s\",\"role\":\"member\",\"by\":"
		      "\"stranger@example.com\"}", c->owner);
		g->stats->bad++;
	}
	if (gen_chance(g, 5)) { /* L4 */
		event(g, c, "environment.allocated", "{\"env_id\":\"env-1\",\"allocations\":[{\"sku\":"
		      "\"NO-SUCH-SKU\",\"count\":1}]}");
		g->stats->bad++;
	}
	if (gen_chance(g, 5)) { /* L7 */
		event(g, c, "environment.activated", "{\"env_id\":\"env-99\",\"mode\":\"online\","
		      "\"reactivation\":false}");
		g->stats->bad++;
	}
}

static void plan_migration(struct gen *g, struct contract *from, const struct contract *to)
{
	event(g, from, "contract.migration_planned", "{\"to_contract\":\"%s\"}", to->id);
}

int64_t gen_contracts(struct gen *g, int64_t start)
{
	struct contract contracts[3];
	size_t first[3], end[3];
	int count = 1 + gen_chance(g, 35) + gen_chance(g, 10);
	int64_t last = start;

	for (int k = 0; k < count; k++) {
		struct contract *c = &contracts[k];

		memset(c, 0, sizeof(*c));
		first[k] = g->count;
		snprintf(c->id, sizeof(c->id), "C-%s-%d", g->account_id, k + 1);
		c->cloud = gen_chance(g, 15);
		c->at = start + k * gen_range(g, 30, 200) * DAY;
		open_contract(g, c);
		environments(g, c);
		members(g, c);
		change_terms(g, c);
		extras(g, c);
		rule_breaks(g, c);
		end[k] = g->count;
	}
	/* G1: the first contract moves to the second (on the old contract's stream) */
	if (count > 1 && gen_chance(g, 25))
		plan_migration(g, &contracts[0], &contracts[1]);
	for (int k = 0; k < count; k++) {
		gen_delivery_faults(g, first[k], end[k], contracts[k].id, &contracts[k].seq,
				    &contracts[k].at);
		last = contracts[k].at > last ? contracts[k].at : last;
	}
	gen_envelope_faults(g, last);
	return last;
}
