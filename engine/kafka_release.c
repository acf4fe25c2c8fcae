/*
 * kafka_release.c - consumed Kafka messages destroyed on a thread of their
 * own (see kafka_release.h). Two blocks: the caller fills one while the
 * helper destroys the other.
 */
#include "engine/kafka_release.h"

#include <pthread.h>
#include <stdlib.h>

#define BLOCK 1024 /* messages per hand-over: one lock and one wake-up per block */

struct ctr_kafka_release {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	rd_kafka_message_t *filling[BLOCK]; /* the caller's */
	size_t filled_count;
	rd_kafka_message_t *handed[BLOCK];  /* the helper's while handed_count > 0 */
	size_t handed_count;
	int stopping;
};

static void *destroy_blocks(void *arg)
{
	struct ctr_kafka_release *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->handed_count == 0 && !r->stopping)
			pthread_cond_wait(&r->changed, &r->lock);
		if (r->handed_count == 0)
			break; /* stopping, and nothing left */
		size_t count = r->handed_count;
		pthread_mutex_unlock(&r->lock);
		for (size_t i = 0; i < count; i++)
			rd_kafka_message_destroy(r->handed[i]);
		pthread_mutex_lock(&r->lock);
		r->handed_count = 0;
		pthread_cond_broadcast(&r->changed);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct ctr_kafka_release *ctr_kafka_release_new(void)
{
	struct ctr_kafka_release *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	if (pthread_create(&r->thread, NULL, destroy_blocks, r) != 0) {
		pthread_cond_destroy(&r->changed);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return r;
}

/* The filled block goes to the helper once it has finished the one before; with wait 0,
 * only if it has. */
static void hand_over(struct ctr_kafka_release *r, int wait)
{
	pthread_mutex_lock(&r->lock);
	while (wait && r->handed_count > 0)
		pthread_cond_wait(&r->changed, &r->lock);
	if (r->handed_count > 0) {
		pthread_mutex_unlock(&r->lock);
		return;
	}
	for (size_t i = 0; i < r->filled_count; i++)
		r->handed[i] = r->filling[i];
	r->handed_count = r->filled_count;
	r->filled_count = 0;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

void ctr_kafka_release(struct ctr_kafka_release *r, rd_kafka_message_t *msg)
{
	if (r == NULL) {
		rd_kafka_message_destroy(msg);
		return;
	}
	r->filling[r->filled_count++] = msg;
	if (r->filled_count == BLOCK)
		hand_over(r, 1);
}

void ctr_kafka_release_flush(struct ctr_kafka_release *r)
{
	if (r != NULL && r->filled_count > 0)
		hand_over(r, 0);
}

void ctr_kafka_release_free(struct ctr_kafka_release *r)
{
	if (r == NULL)
		return;
	if (r->filled_count > 0)
		hand_over(r, 1);
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
