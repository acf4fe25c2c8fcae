/*
 * test_avro_check.c - the walk of events/avro_check.c on a writer's schema
 * that is recursive, as a foreign log's may be: a value nested past
 * CTR_AVRO_CHECK_DEPTH is refused, however deep its bytes go, rather than
 * running the stack out.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "events/avro_check.h"

static const char node_json[] =
	"{\"type\":\"record\",\"name\":\"Node\","
	"\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}";

/* A list of `levels` nodes: each `next` is branch 1 (zigzag 0x02), the last branch 0. */
static uint8_t *nodes(size_t levels)
{
	uint8_t *bytes = malloc(levels + 1);

	cr_assert_not_null(bytes);
	memset(bytes, 0x02, levels);
	bytes[levels] = 0x00;
	return bytes;
}

static int64_t check(size_t levels)
{
	avro_schema_t node;
	uint8_t *bytes = nodes(levels);
	int64_t size;

	cr_assert_eq(avro_schema_from_json_length(node_json, sizeof(node_json) - 1, &node), 0,
		     "%s", avro_strerror());
	size = ctr_avro_check(node, bytes, levels + 1, NULL);
	avro_schema_decref(node);
	free(bytes);
	return size;
}

/*
 * The levels a list of n `next` links takes: the first Node (1), then for each
 * link its union, the link to Node and that Node (3 each), and the last
 * union, holding null (1).
 */
#define LEVELS(links) (1 + 3 * (links) + 1)
/* the most links within the depth: LEVELS(MOST) <= CTR_AVRO_CHECK_DEPTH < LEVELS(MOST + 1) */
#define MOST ((CTR_AVRO_CHECK_DEPTH - 2) / 3)

Test(avro_check, a_recursive_value_within_the_depth_is_walked_to_its_end)
{
	cr_assert_eq(check(10), 11);
	cr_assert(LEVELS(MOST) <= CTR_AVRO_CHECK_DEPTH && LEVELS(MOST + 1) > CTR_AVRO_CHECK_DEPTH);
	cr_assert_eq(check(MOST), MOST + 1);
}

Test(avro_check, a_value_nested_past_the_depth_is_refused_not_followed)
{
	cr_assert_eq(check(MOST + 1), CTR_AVRO_TOO_DEEP);
	/* a few hundred kilobytes, under the 1 MiB an event may take (E6) */
	cr_assert_eq(check(300000), CTR_AVRO_TOO_DEEP);
}
