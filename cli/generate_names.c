/*
 * generate_names.c - the generator's catalog and names: products and support
 * skus, environment names, people (Japanese and Latin names, emails on the
 * account's own domain), companies, and ids that stay unique over every
 * account of a history (contract ids, support ids) without remembering them.
 */
#include <stdio.h>
#include <string.h>

#include "cli/generate_internal.h"

const struct gen_sku gen_products[] = {
	{ "CSL-IAP-PRO", "【CSL】intra-mart Accel Platform プロフェッショナル" },
	{ "CSL-IAP-STD", "【CSL】intra-mart Accel Platform スタンダード" },
	{ "CSL-IAP-ADV", "【CSL】intra-mart Accel Platform アドバンスト" },
	{ "CSL-IMBIS", "【CSL】IM-BIS" },
	{ "CSL-IMWF", "【CSL】IM-Workflow" },
	{ "CSL-IMFD", "【CSL】IM-FormaDesigner" },
	{ "CSL-IMLD", "【CSL】IM-LogicDesigner" },
	{ "CSL-ACDOC", "【CSL】Accel Documents" },
};
const int gen_product_count = sizeof(gen_products) / sizeof(gen_products[0]);

const char *const gen_env_names[] = {
	"本番環境", "検証環境", "開発環境", "ステージング環境", "研修環境", "DR環境",
	"テスト環境2", "移行検証環境", "Production", "Staging",
};
const int gen_env_name_count = sizeof(gen_env_names) / sizeof(gen_env_names[0]);

const char *const gen_support_skus[] = { "SUP-IAP-STD", "SUP-IAP-PRO", "SUP-IMBIS-STD",
						"SUP-IMBIS-PRO" };
const int gen_support_sku_count = sizeof(gen_support_skus) / sizeof(gen_support_skus[0]);

static const char *const surnames[][2] = {
	{ "佐藤", "sato" }, { "鈴木", "suzuki" }, { "高橋", "takahashi" }, { "田中", "tanaka" },
	{ "伊藤", "ito" }, { "渡辺", "watanabe" }, { "山本", "yamamoto" }, { "中村", "nakamura" },
	{ "小林", "kobayashi" }, { "加藤", "kato" }, { "吉田", "yoshida" }, { "山田", "yamada" },
	{ "佐々木", "sasaki" }, { "山口", "yamaguchi" }, { "松本", "matsumoto" }, { "井上", "inoue" },
	{ "木村", "kimura" }, { "林", "hayashi" }, { "清水", "shimizu" }, { "青柳", "aoyagi" },
	{ "円山", "maruyama" }, { "森", "mori" }, { "池田", "ikeda" }, { "橋本", "hashimoto" },
};
#define SURNAMES ((int)(sizeof(surnames) / sizeof(surnames[0])))

static const char *const given_names[][2] = {
	{ "辰巳", "tatsumi" }, { "益男", "masuo" }, { "花子", "hanako" }, { "一郎", "ichiro" },
	{ "健", "ken" }, { "美咲", "misaki" }, { "翔", "sho" }, { "陽子", "yoko" },
	{ "大輔", "daisuke" }, { "直子", "naoko" }, { "誠", "makoto" }, { "由美", "yumi" },
	{ "浩二", "koji" }, { "恵", "megumi" }, { "拓也", "takuya" }, { "彩", "aya" },
};
#define GIVEN_NAMES ((int)(sizeof(given_names) / sizeof(given_names[0])))

static const char *const latin_given[] = { "Alex", "Maria", "John", "Priya", "Wei", "Emma" };

static const char *const company_words[][2] = {
	{ "青葉", "aoba" }, { "桜", "sakura" }, { "富士", "fuji" }, { "大和", "yamato" },
	{ "東邦", "toho" }, { "北斗", "hokuto" }, { "三和", "sanwa" }, { "日進", "nisshin" },
	{ "光", "hikari" }, { "若葉", "wakaba" }, { "朝日", "asahi" }, { "白鷺", "shirasagi" },
};
#define COMPANY_WORDS ((int)(sizeof(company_words) / sizeof(company_words[0])))

static const char *const company_kinds[] = {
	"商事", "システム", "物流", "製作所", "電機", "建設", "フーズ", "ソリューションズ",
};
#define COMPANY_KINDS ((int)(sizeof(company_kinds) / sizeof(company_kinds[0])))

static const char *const other_products[] = {
	"Microsoft SQL Server 2019 Standard", "Oracle Database 19c SE2",
	"Red Hat Enterprise Linux Server", "PostgreSQL サポート (年間)", "Apache Tomcat 商用サポート",
};

static void make_person(struct gen *g, struct gen_person *p, int surname)
{
	int given = (int)gen_range(g, 0, GIVEN_NAMES - 1);

	if (gen_chance(g, 10)) { /* a colleague from abroad */
		const char *first = latin_given[gen_range(g, 0, 5)];
		char lower[16];
		size_t i;
		for (i = 0; first[i] && i + 1 < sizeof(lower); i++)
			lower[i] = (char)(first[i] | 0x20);
		lower[i] = '\0';
		snprintf(p->name, sizeof(p->name), "%s %c%s", first, surnames[surname][1][0] & ~0x20,
			 surnames[surname][1] + 1);
		snprintf(p->email, sizeof(p->email), "%s.%s@%s", lower, surnames[surname][1], g->domain);
	} else {
		snprintf(p->name, sizeof(p->name), "%s%s", surnames[surname][0], given_names[given][0]);
		snprintf(p->email, sizeof(p->email), "%s.%s@%s", given_names[given][1],
			 surnames[surname][1], g->domain);
	}
}

/* The company, its domain and 3-7 people with distinct surnames (so distinct emails). */
void gen_account_names(struct gen *g)
{
	int order[SURNAMES];

	g->company = (int)gen_range(g, 0, COMPANY_WORDS * COMPANY_KINDS - 1);
	snprintf(g->domain, sizeof(g->domain), "%s%s.example.co.jp",
		 company_words[g->company % COMPANY_WORDS][1], g->account);
	for (int i = 0; i < SURNAMES; i++)
		order[i] = i;
	g->people_count = (int)gen_range(g, 3, 7);
	for (int i = 0; i < g->people_count; i++) {
		int j = (int)gen_range(g, i, SURNAMES - 1), swap = order[i];
		order[i] = order[j];
		order[j] = swap;
		make_person(g, &g->people[i], order[i]);
		g->people[i].withdraws_at = 0;
	}
}

/* The nth group company of a contract: distinct for nth < COMPANY_KINDS. */
void gen_group_company(struct gen *g, int nth, char *out, size_t size)
{
	int word = (g->company + 1 + nth * 5) % COMPANY_WORDS;
	int kind = (g->company / COMPANY_WORDS + 1 + nth) % COMPANY_KINDS;

	if (nth == 0 && gen_chance(g, 5)) /* a name that needs JSON escaping */
		snprintf(out, size, "\"%s\" Trading Co., Ltd.", company_words[word][1]);
	else
		snprintf(out, size, "%s%s株式会社", company_words[word][0], company_kinds[kind]);
}

void gen_contract_name(struct gen *g, int cloud, int year, char *out, size_t size)
{
	static const char *const license_kinds[] = { "intra-mart 基盤", "ワークフロー基盤",
						     "業務ポータル", "サンプルプロジェクト" };
	const char *word = company_words[g->company % COMPANY_WORDS][0];

	if (cloud)
		snprintf(out, size, "%s 営業支援クラウド", word);
	else
		snprintf(out, size, "%s %s %d", word, license_kinds[gen_range(g, 0, 3)], year);
}

/* A bijection of [0, 2^40): ids look random but never collide. */
static uint64_t mix40(uint64_t x)
{
	const uint64_t mask = (1ULL << 40) - 1;

	x = (x * 0x9E3779B97ULL) & mask;
	x ^= x >> 19;
	x = (x * 0xC2B2AE3D27ULL) & mask;
	x ^= x >> 23;
	return x;
}

void gen_contract_id(const struct gen *g, int number, int year, char *out, size_t size)
{
	static const char letters[] = "0123456789abcdefghjkmnpqrstvwxyz";
	uint64_t bits = mix40((uint64_t)g->index * 4 + (uint64_t)number);
	char code[9];

	for (int i = 7; i >= 0; i--, bits >>= 5)
		code[i] = letters[bits & 31];
	code[8] = '\0';
	snprintf(out, size, "C-%d-%s", year, code);
}

int gen_support_id(struct gen *g, char out[11])
{
	uint64_t slot = (uint64_t)g->index * GEN_SUPPORT_IDS_MAX + (uint64_t)g->support_ids;
	/* 3^18 is prime to 10^9, so this is a bijection of [0, 10^9) */
	uint64_t number = (slot * 387420489ULL + 550000001ULL) % 1000000000ULL;

	if (g->support_ids >= GEN_SUPPORT_IDS_MAX)
		return 0;
	g->support_ids++;
	snprintf(out, 11, "%04u-%05u", (unsigned)(number / 100000), (unsigned)(number % 100000));
	return 1;
}

void gen_other_product(struct gen *g, char key[24], const char **name)
{
	uint64_t bits = gen_next(g);

	snprintf(key, 24, "OP-%04X-%04X-%04X", (unsigned)(bits & 0xffff),
		 (unsigned)(bits >> 16 & 0xffff), (unsigned)(bits >> 32 & 0xffff));
	*name = other_products[gen_range(g, 0, 4)];
}

struct gen_stream *gen_stream_new(struct gen *g, enum gen_family family, const char *id)
{
	struct gen_stream *s;

	if (g->stream_count == GEN_STREAMS_MAX)
		return NULL;
	s = &g->streams[g->stream_count++];
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->family = family;
	s->pick = -1;
	s->last_entry = -1;
	return s;
}
