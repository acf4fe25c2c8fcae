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
 * The page buffers come from a pool of SQLite's allocator rather than from
 * SQLITE_CONFIG_PAGECACHE: SQLite threads its free list through every slot of
 * such a region when it starts, so each replay, however small, touched all
 * 71 MB of it; the pool's slots are touched as they are first used.
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
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * The page-buffer pool: slots of one size in a region marked for huge pages,
 * handed out from a free list and then from the part never handed out. SQLite
 * asks its allocator for a page buffer and its header in one piece, of a size
 * fixed for 4 KiB pages; every other size goes to SQLite's own allocator.
 */
static struct {
	pthread_mutex_t lock;
	char *start, *end;
	char *untouched;           /* the first slot never handed out */
	void *free_slots;          /* a list threaded through the slots given back */
	size_t slot;               /* sizes in (PAGE_BYTES, slot] take a slot */
	int in_use;
	sqlite3_mem_methods heap;  /* SQLite's own allocator, for everything else */
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

#define PAGE_BYTES 4096

static int takes_slot(int n)
{
	return n > PAGE_BYTES && (size_t)n <= pool.slot;
}

static int in_pool(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)pool.start && (uintptr_t)p < (uintptr_t)pool.end;
}

static void *pool_malloc(int n)
{
	void *p = NULL;

	if (takes_slot(n)) {
		pthread_mutex_lock(&pool.lock);
		if (pool.free_slots != NULL) {
			p = pool.free_slots;
			pool.free_slots = *(void **)p;
		} else if (pool.untouched < pool.end) {
			p = pool.untouched;
			pool.untouched += pool.slot;
		}
		pool.in_use += p != NULL;
		pthread_mutex_unlock(&pool.lock);
		if (p != NULL)
			return p;
	}
	return pool.heap.xMalloc(n);
}

static void pool_free(void *p)
{
	if (!in_pool(p)) {
		pool.heap.xFree(p);
		return;
	}
	pthread_mutex_lock(&pool.lock);
	*(void **)p = pool.free_slots;
	pool.free_slots = p;
	pool.in_use--;
	pthread_mutex_unlock(&pool.lock);
}

static int pool_size(void *p)
{
	return in_pool(p) ? (int)pool.slot : pool.heap.xSize(p);
}

static void *pool_realloc(void *p, int n)
{
	void *moved;

	if (!in_pool(p))
		return pool.heap.xRealloc(p, n);
	if ((size_t)n <= pool.slot)
		return p;
	moved = pool.heap.xMalloc(n);
	if (moved != NULL) {
		memcpy(moved, p, pool.slot);
		pool_free(p);
	}
	return moved;
}

/* SQLite rounds a size up before it allocates: a page's size becomes a whole slot. */
static int pool_roundup(int n)
{
	return takes_slot(n) ? (int)pool.slot : pool.heap.xRoundup(n);
}

static int pool_init(void *unused)
{
	(void)unused;
	return pool.heap.xInit(pool.heap.pAppData);
}

static void pool_shutdown(void *unused)
{
	(void)unused;
	pool.heap.xShutdown(pool.heap.pAppData);
}

int ctr_heap_sqlite_pages(int pages)
{
	sqlite3_mem_methods heap, methods = {
		pool_malloc, pool_free, pool_realloc, pool_size, pool_roundup, pool_init,
		pool_shutdown, NULL,
	};
	int header = 0;
	size_t slot, bytes;
	void *region;

	if (pool.start != NULL || pages <= 0 ||
	    sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &heap) != SQLITE_OK)
		return -1;
	slot = ((size_t)PAGE_BYTES + (size_t)header + 7) & ~(size_t)7;
	bytes = slot * (size_t)pages;
	/* address space only: a slot's memory is touched when SQLite first writes into it */
	region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	madvise(region, bytes, MADV_HUGEPAGE);
	pool.heap = heap;
	pool.slot = slot;
	pool.start = pool.untouched = region;
	pool.end = pool.start + bytes;
	/* no first pages of a cache allocated in one block beside the pool (SQLite's default is
	 * 20 a connection); both refused once SQLite has started, the allocator installed last */
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK) {
		munmap(region, bytes);
		pool.start = pool.end = pool.untouched = NULL;
		return -1;
	}
	return 0;
}

int ctr_heap_sqlite_pages_in_use(void)
{
	int in_use;

	pthread_mutex_lock(&pool.lock);
	in_use = pool.in_use;
	pthread_mutex_unlock(&pool.lock);
	return in_use;
}
