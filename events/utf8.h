/*
 * utf8.h - whether bytes are UTF-8, as Avro's strings must be and as JSON
 * text is (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF). A JSON line's text is checked by its parser; an Avro record's
 * strings by the decoder, so that one event has one content either way (E1).
 */
#ifndef CTR_UTF8_H
#define CTR_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..len) is UTF-8 (NUL bytes included), 0 when not. */
int ctr_utf8_valid(const uint8_t *s, size_t len);

#endif
