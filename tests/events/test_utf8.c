/*
 * test_utf8.c - the text check Avro strings go through (events/utf8.c):
 * RFC 3629's table of well-formed sequences, and no NUL.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "events/utf8.h"

static int valid(const char *s)
{
	return ctr_utf8_text((const uint8_t *)s, strlen(s));
}

Test(utf8, well_formed_sequences_of_every_length)
{
	cr_assert(valid(""));
	cr_assert(valid("plain ASCII, longer than one word of eight bytes"));
	cr_assert(valid("\xc2\x80 \xdf\xbf"));                  /* two bytes: U+0080, U+07FF */
	cr_assert(valid("\xe0\xa0\x80 \xe6\x97\xa5\xe6\x9c\xac")); /* three: U+0800, 日本 */
	cr_assert(valid("\xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf")); /* around the surrogates */
	cr_assert(valid("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));   /* four: U+10000, U+10FFFF */
}

Test(utf8, a_nul_byte_is_not_text)
{
	cr_assert_not(ctr_utf8_text((const uint8_t *)"a\0b", 3));
	cr_assert_not(ctr_utf8_text((const uint8_t *)"eight by\0tes and more", 22));
	cr_assert_not(ctr_utf8_text((const uint8_t *)"ascii words\0", 12));
}

Test(utf8, ill_formed_sequences)
{
	cr_assert_not(valid("\x80"));                 /* a continuation byte alone */
	cr_assert_not(valid("\xc0\xaf"));             /* overlong '/' */
	cr_assert_not(valid("\xc1\xbf"));
	cr_assert_not(valid("\xe0\x9f\xbf"));         /* overlong three-byte form */
	cr_assert_not(valid("\xed\xa0\x80"));         /* a surrogate, U+D800 */
	cr_assert_not(valid("\xf0\x8f\xbf\xbf"));     /* overlong four-byte form */
	cr_assert_not(valid("\xf4\x90\x80\x80"));     /* past U+10FFFF */
	cr_assert_not(valid("\xf5\x80\x80\x80"));
	cr_assert_not(valid("\xff"));
	cr_assert_not(valid("\xc3("));                /* a lead byte, then ASCII */
	cr_assert_not(valid("ends inside one \xe6\x97")); /* cut short */
	cr_assert_not(valid("eight bytes first\xe6\x97\xa5\xe6"));
}

/*
 * ASCII is checked eight bytes at a time and a string's last bytes in words
 * that overlap: a bad byte at any place in strings of 1 to 24 bytes is found,
 * and a multi-byte sequence at any place is read whole. Each string is in a
 * block of its own size, so that `make sanitize` sees a read past its end.
 */
Test(utf8, a_bad_byte_anywhere_in_a_short_or_long_string_is_found)
{
	static const uint8_t bad[] = { 0x00, 0x80, 0xC0, 0xFF };
	static const uint8_t e_acute[] = { 0xC3, 0xA9 };

	for (size_t len = 1; len <= 24; len++) {
		uint8_t *s = malloc(len);
		cr_assert_not_null(s);
		memset(s, 'a', len);
		cr_assert(ctr_utf8_text(s, len), "%zu ASCII bytes", len);
		for (size_t at = 0; at < len; at++) {
			for (size_t b = 0; b < sizeof(bad); b++) {
				s[at] = bad[b];
				cr_assert_not(ctr_utf8_text(s, len), "0x%02x at %zu of %zu", bad[b], at, len);
			}
			s[at] = 'a';
			if (at + 2 <= len) {
				memcpy(s + at, e_acute, 2);
				cr_assert(ctr_utf8_text(s, len), "é at %zu of %zu", at, len);
				cr_assert_not(ctr_utf8_text(s, at + 1), "é cut at %zu", at + 1);
				memset(s + at, 'a', 2);
			}
		}
		free(s);
	}
}
