/*
 * db_gate.h - the loop closes the gate when it hands a batch's writes to the
 * thread pool and goes on reading events; the writer opens it when it has
 * committed. A load that the batch being written could change waits at it,
 * so it reads every earlier batch whole, whatever the timing.
 *
 * Most loads need not wait: a stream or aggregate that is not in memory has
 * no rows in the batch being written (a written one was clean when it was
 * dropped), and only its own writes touch its rows. A customer is the
 * exception: a support id placed later under another customer moves to it
 * (DOMAIN.md, merges), so loading a customer waits. The connection is
 * SQLite's serialized kind, shared by the two threads.
 */
#ifndef CTR_DB_GATE_H
#define CTR_DB_GATE_H

#include <pthread.h>

struct ctr_db_gate {
	pthread_mutex_t lock;
	pthread_cond_t opened;
	int writing;
};

void ctr_db_gate_init(struct ctr_db_gate *gate);
void ctr_db_gate_deinit(struct ctr_db_gate *gate);
/* Before handing writes to another thread. */
void ctr_db_gate_close(struct ctr_db_gate *gate);
/* By the writer, after its commit or rollback. */
void ctr_db_gate_open(struct ctr_db_gate *gate);
/* Before reading the database; returns at once when no writer runs. gate may be NULL. */
void ctr_db_gate_wait(struct ctr_db_gate *gate);

#endif
