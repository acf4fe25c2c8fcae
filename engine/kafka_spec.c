/*
 * kafka_spec.c - reading kafka://BOOTSTRAP/TOPIC[,TOPIC...] (see
 * kafka_config.h). Every server and topic name is checked here, so that a
 * slip is a usage error at once instead of a connection to another port (an
 * over-long one wraps around in librdkafka) or a topic a real cluster refuses
 * later.
 */
#include "engine/kafka_config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* 1 when text[0, len) is not empty and all letters, digits or the characters of extra. */
static int made_of(const char *text, size_t len, const char *extra)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)text[i]) && !strchr(extra, text[i]))
			return 0;
	return 1;
}

/* Kafka's own rule for a topic's name: letters, digits, '.', '_' and '-'; not "." or "..". */
static int topic_name_ok(const char *name, size_t len)
{
	if (len > CTR_KAFKA_TOPIC_MAX || (len <= 2 && strspn(name, ".") >= len))
		return 0;
	return made_of(name, len, "._-");
}

int ctr_kafka_topic_name_ok(const char *name)
{
	return topic_name_ok(name, strlen(name));
}

/*
 * HOST[:PORT], HOST a name, an IPv4 address or an IPv6 one in brackets (with
 * a zone, %eth0, if any); spaces around it, as librdkafka allows after a comma.
 */
static int server_ok(const char *server, size_t len)
{
	const char *end = server + len, *host, *host_end, *colon;
	long port;

	while (server < end && *server == ' ')
		server++;
	while (end > server && end[-1] == ' ')
		end--;
	if (server < end && *server == '[') {
		host = server + 1;
		host_end = memchr(host, ']', (size_t)(end - host));
		if (host_end == NULL || !made_of(host, (size_t)(host_end - host), ":.%_-"))
			return 0;
		colon = host_end + 1 < end ? host_end + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return 0;
	} else {
		host = server;
		colon = memchr(server, ':', (size_t)(end - server));
		host_end = colon ? colon : end;
		if (!made_of(host, (size_t)(host_end - host), ".-_"))
			return 0;
	}
	if (colon == NULL)
		return 1;
	if (colon + 1 == end)
		return 0;
	port = 0;
	for (const char *c = colon + 1; c < end; c++) {
		if (*c < '0' || *c > '9')
			return 0;
		port = port * 10 + (*c - '0');
		if (port > 65535)
			return 0;
	}
	return port >= 1;
}

int ctr_kafka_split(const char *spec, char *bootstrap, size_t bootstrap_size, char *topics,
		    size_t topics_size, struct ctr_error *err)
{
	const char *rest = strncmp(spec, "kafka://", 8) == 0 ? spec + 8 : NULL;
	const char *slash = rest ? strchr(rest, '/') : NULL;

	if (slash == NULL || slash == rest || slash[1] == '\0' || strchr(slash + 1, '/') ||
	    (size_t)(slash - rest) >= 1024)
		return ctr_error_set(err, CTR_EINVAL, "%s is not kafka://BOOTSTRAP/TOPIC[,TOPIC...]",
				     spec);
	/* every name between the commas: an empty one is a slip, not a name to skip */
	for (const char *server = rest;; server += strcspn(server, ",/") + 1) {
		size_t len = strcspn(server, ",/");
		if (!server_ok(server, len))
			return ctr_error_set(err, CTR_EINVAL, "%s: bootstrap server \"%.*s\" is not"
					     " HOST[:PORT] (a port from 1 to 65535; an IPv6"
					     " address in brackets)", spec, (int)len, server);
		if (server[len] == '/')
			break;
	}
	for (const char *name = slash + 1;; name += strcspn(name, ",") + 1) {
		size_t len = strcspn(name, ",");
		if (!topic_name_ok(name, len))
			return ctr_error_set(err, CTR_EINVAL, "%s: topic \"%.*s\" is not a Kafka topic"
					     " name (1 to %d letters, digits, '.', '_' or '-'; not"
					     " \".\" or \"..\")", spec, (int)len, name,
					     CTR_KAFKA_TOPIC_MAX);
		if (name[len] == '\0')
			break;
	}
	if (bootstrap)
		snprintf(bootstrap, bootstrap_size, "%.*s", (int)(slash - rest), rest);
	if (topics)
		snprintf(topics, topics_size, "%s", slash + 1);
	return 0;
}
