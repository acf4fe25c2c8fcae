/*
 * utf8.h - whether bytes are text: UTF-8, as Avro's strings must be and as
 * JSON's are (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF), and without NUL, which the JSON parser refuses in a string and
 * C's strings would end at. A JSON line's text is checked by its parser; an
 * Avro record's strings by the decoder, so one event has one content either
 * way (E1) and a name never means less than its bytes.
 */
#ifndef CTR_UTF8_H
#define CTR_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..len) is UTF-8 without a NUL byte, 0 when not. */
int ctr_utf8_text(const uint8_t *s, size_t len);

/*
 * The length of the multi-byte sequence starting at s (at most avail bytes,
 * avail at least 1), or 0 when it is not one: an ASCII byte is not one either.
 */
size_t ctr_utf8_sequence(const uint8_t *s, size_t avail);

#endif
