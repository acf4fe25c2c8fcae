/*
 * heap.c - where a contrail process's memory comes from: glibc's main heap and
 * SQLite's page buffers, both in transparent huge pages.
 *
 * A replay touches fresh memory all the time: aggregates, id tables, and a
 * 4 KiB page buffer for every page SQLite dirties. Faulting each 4 KiB page in
 * costs more than filling it, most of all on a virtual machine. In memory
 * marked for huge pages one fault maps 2 MiB. The marks count where the
 * kernel's policy is `madvise` (as on the machines measured here); under `always`
 * every heap gets huge pages anyway, under `never` none. An incremental run of
 * 10,000 events: 0.93 of the time with the heap marked, 0.85 with the page
 * buffers, 0.79 with both (docs/benchmarks.md).
 *
 * glibc marks its heaps itself only when an environment variable says so
 * (glibc.malloc.hugetlb), so the main heap is laid out here: its next
 * extension reserves HEAP_RESERVE of address space (memory only as it is
 * touched; under strict overcommit it counts against the commit limit) and
 * what that extension added is marked; the trim threshold stays above it, so
 * the range is never handed back and grown again unmarked. Where the heap is
 * not glibc's (sanitizers, valgrind) the break does not move and nothing is
 * marked. Other threads keep their own arenas: one shared arena made a rebuild
 * slower.
 */
#include "cli/heap.h"

#include <malloc.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEAP_RESERVE ((size_t)512 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

void ctr_heap_tune(void)
{
	char *before, *after;
	void *first;
	uintptr_t start;

	mallopt(M_TRIM_THRESHOLD, (int)(2 * HEAP_RESERVE));
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, (int)HEAP_RESERVE);
	before = sbrk(0);
	/* larger than what the heap has free: libraries may have started it before main */
	first = malloc(HUGE_PAGE);
	after = sbrk(0);
	/* only what this extension added is surely heap */
	start = ((uintptr_t)before + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (first != NULL && before != (char *)-1 && after != (char *)-1 &&
	    (uintptr_t)after > start && (uintptr_t)after - start <= 2 * HEAP_RESERVE)
		madvise((void *)start, (uintptr_t)after - start, MADV_HUGEPAGE);
	free(first);
	/* later growth in steps that still spare system calls */
	mallopt(M_TOP_PAD, 64 << 20);
}

int ctr_heap_sqlite_pages(int pages)
{
	int header = 0;
	size_t slot, bytes;
	void *region;

	if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK)
		return -1;
	slot = ((size_t)4096 + (size_t)header + 7) & ~(size_t)7;
	bytes = slot * (size_t)pages;
	region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	madvise(region, bytes, MADV_HUGEPAGE);
	/* SQLite threads its free list through every slot when it starts (the first open), and
	 * keeps the region to the end of the process */
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, region, (int)slot, pages) != SQLITE_OK) {
		munmap(region, bytes);
		return -1;
	}
	return 0;
}
