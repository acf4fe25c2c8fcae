/*
 * json_text.h - a JSON value dumped to text, or NULL when any part of it
 * could not be. json_dumps() is not that: jansson 2.14 ignores a failed write
 * of an object's key, and returns the text without it (a key's closing quote
 * missing) as if all were well.
 */
#ifndef CTR_JSON_TEXT_H
#define CTR_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* As json_dumps(json, flags): malloc()ed text, or NULL (json NULL, or out of memory). */
char *ctr_json_text(const json_t *json, size_t flags);

#endif
