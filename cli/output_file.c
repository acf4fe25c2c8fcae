/*
 * output_file.c - a command's output file, put in place only once it is whole
 * (cli/output_file.h), and removed, not left, when SIGINT or SIGTERM stops
 * the command part-way.
 */
#include "cli/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/file_replace.h"

/* Set by SIGINT or SIGTERM while a partial file is written (catch_signals). */
static volatile sig_atomic_t stop_asked;

static void on_signal(int signo)
{
	(void)signo;
	stop_asked = 1;
}

/*
 * SIGINT and SIGTERM only ask the writing to stop from here on, as they ask a
 * merge (engine/merge.h): the handler sets a flag, the writing loops and the
 * close look at it. SA_RESTART: a write under way finishes instead of failing
 * with EINTR, so a stop is never taken for a write error. Caught whatever the
 * actions were before, as merge and replay catch them (a script's background
 * job ignores SIGINT).
 */
static void catch_signals(struct ctr_output_file *f)
{
	struct sigaction stop = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigemptyset(&stop.sa_mask);
	stop_asked = 0; /* a stop asked of an earlier output in this process is not this one's */
	sigaction(SIGINT, &stop, &f->old_sigint);
	sigaction(SIGTERM, &stop, &f->old_sigterm);
	f->catching = 1;
}

/* Puts back the actions SIGINT and SIGTERM had before catch_signals. */
static void release_signals(struct ctr_output_file *f)
{
	if (!f->catching)
		return;
	sigaction(SIGINT, &f->old_sigint, NULL);
	sigaction(SIGTERM, &f->old_sigterm, NULL);
	f->catching = 0;
}

int ctr_output_file_stopped(void)
{
	return stop_asked;
}

/* The error of an output a signal stopped: merge's words, for PATH left as it was. */
static int stopped(const struct ctr_output_file *f, struct ctr_error *err)
{
	return ctr_error_set(err, CTR_EINTR, "stopped by a signal; %s is left as it was", f->path);
}

/*
 * FILE.partial, opened for writing and locked, so that a second command
 * writing the same FILE at the same time stops at once instead of writing into
 * the same file; NULL with err set when it cannot be. The lock goes with the
 * file's close, after its rename.
 */
static FILE *open_partial(const char *path, const char *partial, struct ctr_error *err)
{
	int fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	FILE *out;

	if (fd < 0) {
		int failure = errno;
		struct stat st;

		/*
		 * FILE there (/proc/version), or a partial that is (a directory): the partial is
		 * what failed; else a missing directory, no permission: said of FILE
		 */
		if (stat(path, &st) == 0 || lstat(partial, &st) == 0)
			ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s, written first and"
				      " renamed over it, cannot be made: %s", path, partial,
				      strerror(failure));
		else
			ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", path,
				      strerror(failure));
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ctr_error_set(err, CTR_EWRITE, "another command is writing %s", partial);
		close(fd);
		return NULL;
	}
	out = ftruncate(fd, 0) == 0 ? fdopen(fd, "w") : NULL;
	if (out == NULL) {
		ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", partial, strerror(errno));
		close(fd);
	}
	return out;
}

int ctr_output_file_open(struct ctr_output_file *f, const char *path, struct ctr_error *err)
{
	struct stat st;

	f->partial[0] = '\0';
	f->catching = 0;
	f->path = path;
	f->name = path;
	if (path == NULL || strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0) {
		f->out = stdout;
		f->path = NULL;
		f->name = "standard output";
		return 0;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f->out = fopen(path, "w");
		if (f->out == NULL)
			return ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", path,
					     strerror(errno));
		return 0;
	}
	snprintf(f->partial, sizeof(f->partial), "%s.partial", path);
	catch_signals(f); /* before the partial file is made: a signal then must not leave it */
	f->out = open_partial(path, f->partial, err);
	if (f->out != NULL)
		return 0;
	release_signals(f);
	return err->code;
}

/* Flushes and closes the stream (standard output stays open); 0 when everything reached it. */
static int close_stream(FILE *out)
{
	int failed = ferror(out) != 0;

	if (out == stdout)
		return fflush(out) != 0 || failed ? -1 : 0;
	return fclose(out) != 0 || failed ? -1 : 0;
}

/*
 * Puts the written FILE.partial in place while it is still open and locked:
 * flushed, synced, renamed (events/file_replace.h). On a failure before the
 * rename, or a signal that came before it (during a long sync, say), the
 * partial file goes too, while no other command can have it; a signal after
 * the last look at it finds the rename under way, which goes on, as a
 * merge's does.
 */
static int put_in_place(struct ctr_output_file *f, struct ctr_error *err)
{
	int rc = 0;

	errno = 0;
	if (fflush(f->out) != 0 || ferror(f->out))
		rc = ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", f->partial,
				   errno ? strerror(errno) : "write error");
	else if (fsync(fileno(f->out)) != 0) /* the descriptor it holds, not the file opened again */
		rc = ctr_error_set(err, CTR_EWRITE, "cannot write %s to the disk: %s", f->partial,
				   strerror(errno));
	else if (stop_asked)
		rc = stopped(f, err);
	if (rc != 0) {
		unlink(f->partial);
		return rc;
	}
	return ctr_file_rename(f->partial, f->path, err);
}

int ctr_output_file_close(struct ctr_output_file *f, int written, struct ctr_error *err)
{
	int rc = 0;

	if (f->partial[0] != '\0') {
		if (stop_asked) /* whatever written says; no flush nor sync of what is thrown away */
			rc = stopped(f, err);
		if (written && rc == 0)
			rc = put_in_place(f, err);
		else
			unlink(f->partial); /* still locked: ours */
	}
	errno = 0;
	if (close_stream(f->out) != 0 && written && rc == 0)
		rc = ctr_error_set(err, CTR_EWRITE, "cannot write %s%s: %s",
				   f->path ? "" : "to ", f->name,
				   errno ? strerror(errno) : "write error");
	f->out = NULL;
	release_signals(f);
	return rc;
}
