/*
 * utf8.c - the text check of utf8.h. Most strings in events are ASCII (ids,
 * types, times, emails), which is taken eight bytes at a time, a string's
 * last few bytes (or a short string's four to seven) in eight that overlap.
 */
#include "events/utf8.h"

#include <string.h>

size_t ctr_utf8_sequence(const uint8_t *s, size_t avail)
{
	uint8_t lead = s[0];
	size_t len;
	uint8_t low = 0x80, high = 0xBF; /* the range of the second byte */

	if (lead < 0xC2)
		return 0; /* a continuation byte, or an overlong two-byte form */
	if (lead < 0xE0) {
		len = 2;
	} else if (lead < 0xF0) {
		len = 3;
		if (lead == 0xE0)
			low = 0xA0; /* overlong */
		else if (lead == 0xED)
			high = 0x9F; /* surrogates */
	} else if (lead < 0xF5) {
		len = 4;
		if (lead == 0xF0)
			low = 0x90; /* overlong */
		else if (lead == 0xF4)
			high = 0x8F; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (len > avail || s[1] < low || s[1] > high)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

int ctr_utf8_text(const uint8_t *s, size_t len)
{
	size_t at = 0;

	while (at < len) {
		uint64_t word;
		size_t step;
		if (len - at >= 8) {
			memcpy(&word, s + at, 8);
			/* no byte with its high bit set, and none zero */
			if ((word & HIGHS) == 0 && ((word - ONES) & ~word & HIGHS) == 0) {
				at += 8;
				continue;
			}
		} else if (len >= 8) {
			/* the rest, in the last eight bytes (some seen already) */
			memcpy(&word, s + len - 8, 8);
			if ((word & HIGHS) == 0 && ((word - ONES) & ~word & HIGHS) == 0)
				return 1;
		} else if (len - at >= 4) {
			/* four to seven left: the first four and the last four */
			uint32_t first, last;
			memcpy(&first, s + at, 4);
			memcpy(&last, s + len - 4, 4);
			word = (uint64_t)first << 32 | last;
			if ((word & HIGHS) == 0 && ((word - ONES) & ~word & HIGHS) == 0)
				return 1;
		}
		if (s[at] == 0)
			return 0;
		if (s[at] < 0x80) {
			at++;
			continue;
		}
		step = ctr_utf8_sequence(s + at, len - at);
		if (step == 0)
			return 0;
		at += step;
	}
	return 1;
}
