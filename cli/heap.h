/*
 * heap.h - process-wide memory settings, made by main() and the commands
 * before anything allocates or opens a database.
 */
#ifndef CTR_HEAP_H
#define CTR_HEAP_H

/* glibc's main heap in huge pages, and its trimming and growth steps. */
void ctr_heap_tune(void);

/*
 * Gives SQLite a pool of `pages` page buffers for 4 KiB databases in huge
 * pages, touched only as SQLite first uses each one; past them its buffers
 * come from the heap as usual. Only before SQLite starts (no database opened
 * yet in this process) and once per process; -1 when it is too late or the
 * region cannot be had, and SQLite then allocates from the heap throughout.
 */
int ctr_heap_sqlite_pages(int pages);
/* The pool's buffers SQLite holds now. */
int ctr_heap_sqlite_pages_in_use(void);

#endif
