/*
 * json_text.c - JSON dumped through a callback that remembers a failed write
 * (see json_text.h), so that a dump jansson reports whole is whole.
 */
#include "events/json_text.h"

#include <stdlib.h>
#include <string.h>

struct text {
	char *bytes;
	size_t length, capacity;
	int failed;
};

static int append(const char *buffer, size_t size, void *data)
{
	struct text *t = data;

	if (t->failed)
		return -1;
	if (t->length + size + 1 > t->capacity) {
		size_t capacity = t->capacity ? t->capacity : 256;
		char *grown;

		while (capacity < t->length + size + 1)
			capacity *= 2;
		grown = realloc(t->bytes, capacity);
		if (grown == NULL) {
			t->failed = 1;
			return -1;
		}
		t->bytes = grown;
		t->capacity = capacity;
	}
	memcpy(t->bytes + t->length, buffer, size);
	t->length += size;
	t->bytes[t->length] = '\0';
	return 0;
}

char *ctr_json_text(const json_t *json, size_t flags)
{
	struct text t = { 0 };

	if (json == NULL)
		return NULL;
	/* every dump writes something ("{}" at least): no bytes means none was written */
	if (json_dump_callback(json, append, &t, flags) != 0 || t.failed || t.bytes == NULL) {
		free(t.bytes);
		return NULL;
	}
	return t.bytes;
}
