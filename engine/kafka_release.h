/*
 * kafka_release.h - consumed Kafka messages destroyed on a thread of their own.
 *
 * librdkafka allocates each fetched message on its fetcher thread (the broker
 * thread that reads fetch responses), from that thread's malloc arena.
 * Destroying it on the loop takes that arena's lock, and while the fetcher is
 * filling the queue the loop sleeps on the lock: about 8,700 times in a replay
 * of a million events. Messages are collected here in blocks and a helper
 * thread destroys each block, so the waiting happens off the loop.
 */
#ifndef CTR_KAFKA_RELEASE_H
#define CTR_KAFKA_RELEASE_H

#include <librdkafka/rdkafka.h>

struct ctr_kafka_release;

/* NULL when the thread cannot be started: then messages are destroyed at once. */
struct ctr_kafka_release *ctr_kafka_release_new(void);

/* Hands msg over for destroying; waits only if the helper is a whole block behind.
 * r may be NULL. */
void ctr_kafka_release(struct ctr_kafka_release *r, rd_kafka_message_t *msg);

/* Hands over a block not yet full, so that messages (and the fetch buffers they
 * hold) do not wait for more to come; never waits: while the helper is busy it is
 * left for the next call. r may be NULL. */
void ctr_kafka_release_flush(struct ctr_kafka_release *r);

/* Destroys what is left and stops the helper. Call it before rd_kafka_consumer_close()
 * and rd_kafka_destroy(), which may hang while a message is not destroyed. r may be NULL. */
void ctr_kafka_release_free(struct ctr_kafka_release *r);

#endif
