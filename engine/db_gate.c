/*
 * db_gate.c - the gate of db_gate.h: a flag under a mutex, and a condition
 * the writer signals when it is done.
 */
#include "engine/db_gate.h"

#include <stddef.h>

void ctr_db_gate_init(struct ctr_db_gate *gate)
{
	pthread_mutex_init(&gate->lock, NULL);
	pthread_cond_init(&gate->opened, NULL);
	gate->writing = 0;
}

void ctr_db_gate_deinit(struct ctr_db_gate *gate)
{
	pthread_cond_destroy(&gate->opened);
	pthread_mutex_destroy(&gate->lock);
}

void ctr_db_gate_close(struct ctr_db_gate *gate)
{
	pthread_mutex_lock(&gate->lock);
	gate->writing = 1;
	pthread_mutex_unlock(&gate->lock);
}

void ctr_db_gate_open(struct ctr_db_gate *gate)
{
	pthread_mutex_lock(&gate->lock);
	gate->writing = 0;
	pthread_cond_broadcast(&gate->opened);
	pthread_mutex_unlock(&gate->lock);
}

void ctr_db_gate_wait(struct ctr_db_gate *gate)
{
	if (gate == NULL)
		return;
	pthread_mutex_lock(&gate->lock);
	while (gate->writing)
		pthread_cond_wait(&gate->opened, &gate->lock);
	pthread_mutex_unlock(&gate->lock);
}
