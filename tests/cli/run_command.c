/*
 * run_command.c - running a command in-process with its output caught, and
 * the temporary directories of tests (see run_command.h).
 */
#include "tests/cli/run_command.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/row_digest.h"

void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Points fd at a fresh file; returns a copy of the old fd for restore(). */
static int redirect(int fd, const char *path)
{
	int saved, file;

	fflush(NULL);
	saved = dup(fd);
	file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(saved >= 0 && file >= 0);
	dup2(file, fd);
	close(file);
	return saved;
}

static void restore(int fd, int saved)
{
	fflush(NULL);
	dup2(saved, fd);
	close(saved);
}

struct command_run *run_command(const char *dir, int (*cmd)(int, char **), char **argv)
{
	static struct command_run r;
	char out_file[4200], err_file[4200];
	int argc = 0, saved_out, saved_err;

	while (argv[argc])
		argc++;
	snprintf(out_file, sizeof(out_file), "%s/stdout", dir);
	snprintf(err_file, sizeof(err_file), "%s/stderr", dir);
	saved_out = redirect(STDOUT_FILENO, out_file);
	saved_err = redirect(STDERR_FILENO, err_file);
	r.code = cmd(argc, argv);
	restore(STDERR_FILENO, saved_err);
	restore(STDOUT_FILENO, saved_out);
	slurp(out_file, r.out, sizeof(r.out));
	slurp(err_file, r.err, sizeof(r.err));
	return &r;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void run_sql(const char *path, const char *statements)
{
	struct ctr_error err;
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(path, CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_db_exec(db, statements, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_row_digest_flush(db, &err), 0, "%s", err.message);
	sqlite3_close(db);
}
