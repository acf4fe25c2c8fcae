/*
 * output_file.h - a file a command writes whole or not at all (`export
 * --out`, `generate --out`): written as FILE.partial, locked, and renamed over
 * FILE only once everything is written and synced, so that a failed command,
 * a command stopped by SIGINT or SIGTERM, or a crash of the machine, leaves
 * FILE as it was.
 */
#ifndef CTR_CLI_OUTPUT_FILE_H
#define CTR_CLI_OUTPUT_FILE_H

#include <signal.h>
#include <stdio.h>

#include "events/error.h"

struct ctr_output_file {
	FILE *out;
	const char *name;   /* for messages: the path given, or "standard output" */
	const char *path;   /* where the file goes; NULL for standard output */
	char partial[4200]; /* PATH.partial while it is written; "" when written in place */
	int catching;       /* 1 while SIGINT and SIGTERM ask to stop (ctr_output_file_stopped) */
	struct sigaction old_sigint, old_sigterm; /* their actions before, put back at the close */
};

/*
 * Opens the output for path: standard output for NULL, `-` and /dev/stdout
 * (reopening it would truncate what it appends to); what exists and is not a
 * regular file (a symbolic link, which a rename would replace, a pipe, a
 * device) in place through its name; anything else as PATH.partial. A second
 * command writing the same PATH meanwhile is refused (CTR_EWRITE). While
 * PATH.partial is written, up to ctr_output_file_close(), SIGINT and SIGTERM
 * no longer end the process: they only ask the writing to stop
 * (ctr_output_file_stopped), so that the partial file is removed, not left.
 */
int ctr_output_file_open(struct ctr_output_file *f, const char *path, struct ctr_error *err);

/*
 * 1 once SIGINT or SIGTERM came while an output was written as PATH.partial
 * (safe to ask from a SQLite progress handler): the loops writing it stop,
 * and their close removes it. 0 for output written in place or to standard
 * output, which a signal ends as it ends the process.
 */
int ctr_output_file_stopped(void);

/*
 * Finishes the output: when written is 1, flushes it, syncs and renames the
 * partial file into place and closes it (CTR_EWRITE with the cause when any
 * of that fails, the partial file removed); when 0, removes the partial file
 * and closes it, leaving err as it was. A signal that came before the rename
 * (ctr_output_file_stopped), whatever written says, removes the partial file
 * too and gives CTR_EINTR ("stopped by a signal; PATH is left as it was");
 * one after it leaves PATH in place. SIGINT and SIGTERM get their actions back.
 */
int ctr_output_file_close(struct ctr_output_file *f, int written, struct ctr_error *err);

#endif
