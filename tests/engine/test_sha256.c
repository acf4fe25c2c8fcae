/*
 * test_sha256.c - SHA-256 against the FIPS 180-2 test vectors.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/sha256.h"

static void check(const void *data, size_t len, size_t repeat, const char *expected)
{
	struct ctr_sha256 s;
	char hex[65];

	ctr_sha256_init(&s);
	for (size_t i = 0; i < repeat; i++)
		ctr_sha256_update(&s, data, len);
	ctr_sha256_hex(&s, hex);
	cr_assert_str_eq(hex, expected);
}

Test(sha256, fips_vector_abc)
{
	check("abc", 3, 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, fips_vector_448_bits)
{
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check(msg, strlen(msg), 1, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, fips_vector_a_million_a)
{
	check("a", 1, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, empty_input)
{
	check("", 0, 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
