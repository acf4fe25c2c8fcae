/*
 * frame.c - the Confluent wire format (see frame.h).
 */
#include "events/frame.h"

#include <stdio.h>

void ctr_frame_header(uint8_t out[CTR_FRAME_HEADER], int schema_id)
{
	out[0] = 0;
	for (int i = 0; i < 4; i++)
		out[1 + i] = (uint8_t)((uint32_t)schema_id >> (24 - 8 * i));
}

enum ctr_code ctr_frame_parse(const uint8_t *value, size_t len, int *schema_id,
			      const uint8_t **record, size_t *record_len, char *message,
			      size_t message_size)
{
	uint32_t id = 0;

	if (value == NULL || len == 0) {
		snprintf(message, message_size, "empty message value");
		return CTR_CODE_BAD_FRAME;
	}
	if (value[0] != 0) {
		snprintf(message, message_size, "magic byte %u, not 0: not the Confluent wire format",
			 value[0]);
		return CTR_CODE_BAD_FRAME;
	}
	if (len < CTR_FRAME_HEADER) {
		snprintf(message, message_size, "value of %zu bytes is shorter than the 5-byte header",
			 len);
		return CTR_CODE_BAD_FRAME;
	}
	for (int i = 1; i < CTR_FRAME_HEADER; i++)
		id = id << 8 | value[i];
	*schema_id = id > 0x7fffffff ? -1 : (int)id;
	*record = value + CTR_FRAME_HEADER;
	*record_len = len - CTR_FRAME_HEADER;
	return CTR_CODE_OK;
}
