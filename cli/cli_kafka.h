/*
 * cli_kafka.h - the part of a command line that reads a kafka:// source
 * (replay, dump, audit): its -X settings, checked before anything connects.
 */
#ifndef CTR_CLI_KAFKA_H
#define CTR_CLI_KAFKA_H

#include "engine/source.h"

#define CTR_CLI_KAFKA_SETTINGS_MAX 64

/* The -X settings given, pointed to by options.settings (ctr_cli_kafka_args_init). */
struct ctr_cli_kafka_args {
	struct ctr_source_options options;
	const char *settings[CTR_CLI_KAFKA_SETTINGS_MAX];
};

void ctr_cli_kafka_args_init(struct ctr_cli_kafka_args *args);
/* Keeps one -X setting: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line when there are too many. */
int ctr_cli_kafka_add(const char *command, struct ctr_cli_kafka_args *args, const char *setting);
/*
 * CTR_EXIT_OK when the source may be read with args: -X only for a kafka://
 * source; a kafka:// one well formed, no topic named twice, and its settings
 * as far as they can be judged before connecting (each alone, then all of
 * them together, as librdkafka checks some only against each other when a
 * client is made: a scratch one, destroyed at once). Else CTR_EXIT_USAGE
 * after one line.
 */
int ctr_cli_kafka_check(const char *command, const char *source,
			const struct ctr_cli_kafka_args *args);

#endif
