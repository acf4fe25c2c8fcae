/*
 * file_replace.h - moving a finished file over another so that a crash of the
 * machine leaves one of the two whole: a rebuild's or a merge's database
 * (engine/db_replace.c), an export's rows (cli/cmd_export.c); and the sync of a
 * directory that makes a new name last (a new log, and its torn tail moved
 * aside: avro_file_create.c, avro_file_write.c); and which file a name holds
 * while others replace or unlink it (the locks on logs and databases, --out
 * against the inputs).
 */
#ifndef CTR_FILE_REPLACE_H
#define CTR_FILE_REPLACE_H

#include <sys/stat.h>

#include "events/error.h"

/*
 * 1 when fd is the file path names now (a lock taken on it holds for the
 * name), 0 when path names another or none (renamed over, unlinked), -1 when
 * fd cannot be looked at; *held is fd's.
 */
int ctr_file_named(int fd, const char *path, struct stat *held);

/* 1 when a and b name one file (links followed), 0 when not or either is missing. */
int ctr_file_same(const char *a, const char *b);

/* Syncs the directory holding path, so that a name just made or moved there lasts; errno when not 0. */
int ctr_file_sync_directory(const char *path);

/* Syncs path's pages to the disk; CTR_EWRITE with the cause when it cannot. */
int ctr_file_sync(const char *path, struct ctr_error *err);

/*
 * Renames built (synced) over path and syncs the directory that holds the
 * name; CTR_EWRITE with the cause when either fails.
 */
int ctr_file_rename(const char *built, const char *path, struct ctr_error *err);

#endif
