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

/* Kafka's own rule for a topic's name: letters, digits, '.', '_' and '-'; not "." or "..". */
static int topic_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > CTR_KAFKA_TOPIC_MAX || (len <= 2 && strspn(name, ".") >= len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return 0;
	return 1;
}

static int host_name_ok(const char *host, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)host[i]) && !strchr(".-_", host[i]))
			return 0;
	return 1;
}

/* HOST[:PORT], HOST a name, an IPv4 address or an IPv6 one in brackets. */
static int server_ok(const char *server, size_t len)
{
	const char *end = server + len, *host, *host_end, *colon;
	size_t digits;
	long port;

	if (server < end && *server == '[') {
		host = server + 1;
		host_end = memchr(host, ']', (size_t)(end - host));
		if (host_end == NULL || host_end == host || strspn(host, "0123456789abcdefABCDEF:.") <
								   (size_t)(host_end - host))
			return 0;
		colon = host_end + 1 < end ? host_end + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return 0;
	} else {
		host = server;
		colon = memchr(server, ':', (size_t)(end - server));
		host_end = colon ? colon : end;
		if (!host_name_ok(host, (size_t)(host_end - host)))
			return 0;
	}
	if (colon == NULL)
		return 1;
	digits = (size_t)(end - colon - 1);
	if (digits == 0 || digits > 5 || strspn(colon + 1, "0123456789") < digits)
		return 0;
	port = 0;
	for (const char *c = colon + 1; c < end; c++)
		port = port * 10 + (*c - '0');
	return port >= 1 && port <= 65535;
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
