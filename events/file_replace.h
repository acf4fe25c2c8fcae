/*
 * file_replace.h - moving a finished file over another so that a crash of the
 * machine leaves one of the two whole: a rebuild's or a merge's database
 * (engine/db_replace.c), an export's rows (cli/cmd_export.c); and the sync of a
 * directory that makes a new name last (a new log, and its torn tail moved
 * aside: avro_file_write.c).
 */
#ifndef CTR_FILE_REPLACE_H
#define CTR_FILE_REPLACE_H

#include "events/error.h"

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
