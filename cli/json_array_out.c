/*
 * json_array_out.c - a JSON array printed an element at a time (see
 * json_array_out.h).
 */
#include "cli/json_array_out.h"

#include <stdlib.h>
#include <string.h>

#include "events/json_text.h"

int ctr_json_array_put(struct ctr_json_array_out *array, const json_t *item)
{
	char *text = ctr_json_text(item, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	if (text == NULL)
		return -1;
	fputs(array->count++ == 0 ? "[\n" : ",\n", array->out);
	/* one level deeper: each line indented by two more spaces (strings hold no raw newline) */
	for (const char *line = text; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t length = end ? (size_t)(end - line + 1) : strlen(line);
		fputs("  ", array->out);
		fwrite(line, 1, length, array->out);
		line += length;
	}
	free(text);
	return 0;
}

void ctr_json_array_end(struct ctr_json_array_out *array)
{
	fputs(array->count == 0 ? "[]\n" : "\n]\n", array->out);
}
