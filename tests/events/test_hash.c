/*
 * test_hash.c - ctr_hash64x4 must give exactly the four ctr_hash64 values it
 * stands for: row digests, and so every stored projection hash, depend on it.
 */
#include <criterion/criterion.h>

#include "events/hash.h"

Test(hash, four_lanes_in_one_pass_equal_four_single_hashes)
{
	static const uint64_t seeds[4] = { 1, 0x243f6a8885a308d3ULL, 0, UINT64_MAX };
	unsigned char data[64];
	uint64_t lanes[4];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(data); len++) {
		ctr_hash64x4(data, len, seeds, lanes);
		for (int i = 0; i < 4; i++)
			cr_assert_eq(lanes[i], ctr_hash64(data, len, seeds[i]), "length %zu, lane %d",
				     len, i);
	}
}
