/*
 * run_command.h - helpers for tests that run contrail's commands in-process
 * (argv arrays, as main.c calls them) inside a temporary directory.
 */
#ifndef CTR_TEST_RUN_COMMAND_H
#define CTR_TEST_RUN_COMMAND_H

#include <stddef.h>

/* What a command printed and returned. */
struct command_run {
	int code;
	char out[16384];
	char err[4096];
};

/*
 * Runs cmd(argv) with its stdout and stderr caught in files under dir; the
 * result is overwritten by the next run.
 */
struct command_run *run_command(const char *dir, int (*cmd)(int, char **), char **argv);
#define RUN_IN(dir, cmd, ...) run_command(dir, cmd, (char *[]){ __VA_ARGS__, NULL })

/* The first size - 1 bytes of the file at path, NUL-terminated ("" when unreadable). */
void slurp(const char *path, char *buf, size_t size);

/* Removes dir and everything under it. */
void remove_tree(const char *dir);

/*
 * Runs statements on the database at path through contrail's own connection
 * (ctr_db_open), so that the projection digests follow the rows they change.
 */
void run_sql(const char *path, const char *statements);

#endif
