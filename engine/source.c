/*
 * source.c - choosing a source by the prefix of its spec (see source.h).
 */
#include "engine/source.h"

#include <string.h>

#include "engine/kafka_config.h"

int ctr_source_check_spec(const char *spec, struct ctr_error *err)
{
	if (strncmp(spec, "kafka://", 8) == 0)
		return ctr_kafka_split(spec, NULL, 0, NULL, 0, err);
	if ((strncmp(spec, "jsonl:", 6) == 0 && spec[6] != '\0') ||
	    (strncmp(spec, "file:", 5) == 0 && spec[5] != '\0'))
		return 0;
	return ctr_error_set(err, CTR_EINVAL,
			     "unknown source %s: use file:PATH, jsonl:PATH, jsonl:- or"
			     " kafka://BOOTSTRAP/TOPIC[,TOPIC...]", spec);
}

int ctr_source_open(const char *spec, const struct ctr_source_options *options,
		    struct ctr_source **out, struct ctr_error *err)
{
	static const struct ctr_source_options none;
	int rc = ctr_source_check_spec(spec, err);

	if (rc != 0)
		return rc;
	if (options == NULL)
		options = &none;
	if (strncmp(spec, "kafka://", 8) == 0)
		return ctr_source_open_kafka(spec, options, out, err);
	if (strncmp(spec, "jsonl:", 6) == 0)
		return ctr_source_open_jsonl(spec + 6, !options->schema_only, out, err);
	return ctr_source_open_file(spec + 5, !options->schema_only, out, err);
}

const char *ctr_source_position(struct ctr_source *src)
{
	src->describe(src, src->position, sizeof(src->position));
	return src->position;
}

void ctr_source_close(struct ctr_source *src)
{
	if (src != NULL)
		src->close(src);
}
