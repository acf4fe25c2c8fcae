/*
 * heap.h - process-wide memory settings, made by main() and the commands
 * before anything allocates or opens a database.
 */
#ifndef CTR_HEAP_H
#define CTR_HEAP_H

/* glibc's main heap in huge pages, and its trimming and growth steps. */
void ctr_heap_tune(void);

/*
 * Gives SQLite one region of huge pages holding `pages` page buffers of 4 KiB
 * databases. Only before SQLite starts (no database opened yet in this
 * process); -1 when it is too late or the region cannot be had, and SQLite
 * then allocates its buffers from the heap as usual.
 */
int ctr_heap_sqlite_pages(int pages);

#endif
