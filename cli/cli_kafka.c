/*
 * cli_kafka.c - a kafka:// source's -X settings on a command line, kept and
 * checked before anything connects (replay, dump, audit).
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_kafka.h"
#include "engine/kafka_config.h"

void ctr_cli_kafka_args_init(struct ctr_cli_kafka_args *args)
{
	memset(args, 0, sizeof(*args));
	args->options.settings = args->settings;
}

int ctr_cli_kafka_add(const char *command, struct ctr_cli_kafka_args *args, const char *setting)
{
	if (args->options.settings_count == CTR_CLI_KAFKA_SETTINGS_MAX)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "at most %d -X settings",
				    CTR_CLI_KAFKA_SETTINGS_MAX);
	args->settings[args->options.settings_count++] = setting;
	return CTR_EXIT_OK;
}

/* A topic named twice in topics (a kafka:// source's list, cut up here at its commas), or NULL. */
static const char *repeated_topic(char *topics)
{
	const char *names[256];
	size_t count = 0;
	char *name = topics;

	while (name != NULL && count < 256) {
		char *comma = strchr(name, ',');

		if (comma != NULL)
			*comma = '\0';
		for (size_t i = 0; i < count; i++) /* none is empty (ctr_kafka_split) */
			if (strcmp(names[i], name) == 0)
				return name;
		names[count++] = name;
		name = comma != NULL ? comma + 1 : NULL;
	}
	return NULL;
}

int ctr_cli_kafka_check(const char *command, const char *source,
			const struct ctr_cli_kafka_args *args)
{
	char bootstrap[1024], topics[1024], message[512];
	const char *twice;
	rd_kafka_conf_t *conf = NULL;
	struct ctr_error err = { 0 };
	rd_kafka_t *scratch;

	if (strncmp(source, "kafka://", 8) != 0)
		return args->options.settings_count == 0 ? CTR_EXIT_OK :
		       ctr_cli_fail(command, CTR_EXIT_USAGE, "-X is for kafka:// sources");
	if (ctr_kafka_split(source, bootstrap, sizeof(bootstrap), topics, sizeof(topics), &err) != 0)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "%s", err.message);
	twice = repeated_topic(topics);
	if (twice != NULL)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "%s: topic %s is named twice", source,
				    twice);
	if (ctr_kafka_consumer_conf(bootstrap, &args->options, &conf, &err) != 0)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "%s", err.message);
	rd_kafka_conf_set_log_cb(conf, NULL); /* it may try the brokers before it is destroyed */
	scratch = rd_kafka_new(RD_KAFKA_CONSUMER, conf, message, sizeof(message));
	if (scratch == NULL) {
		rd_kafka_conf_destroy(conf);
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "-X: %s", message);
	}
	rd_kafka_destroy(scratch);
	return CTR_EXIT_OK;
}
