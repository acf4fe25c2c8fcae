/*
 * cli.h - the subcommands of the contrail binary and their exit codes.
 *
 * One file per subcommand (cli/cmd_NAME.c) exports ctr_cmd_NAME, called by
 * main.c with argv[0] set to the subcommand's name. docs/cli.md documents
 * every command and these codes; keep them in step.
 */
#ifndef CTR_CLI_H
#define CTR_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>

#include "engine/engine.h"
#include "events/error.h"

enum ctr_exit {
	CTR_EXIT_OK = 0,
	CTR_EXIT_FINDINGS = 1, /* the command ran but found input it refused (ingest) */
	CTR_EXIT_USAGE = 2,    /* bad command line */
	CTR_EXIT_DATA = 3,     /* a corrupt or foreign log or database, an unreadable source */
	CTR_EXIT_FAILURE = 4,  /* anything else: I/O, memory, internal errors */
};

int ctr_cmd_replay(int argc, char **argv);
int ctr_cmd_ingest(int argc, char **argv);
int ctr_cmd_status(int argc, char **argv);
int ctr_cmd_export(int argc, char **argv);
int ctr_cmd_hash(int argc, char **argv);
int ctr_cmd_generate(int argc, char **argv);
int ctr_cmd_schema(int argc, char **argv);
int ctr_cmd_dump(int argc, char **argv);
int ctr_cmd_merge(int argc, char **argv);
int ctr_cmd_invoices(int argc, char **argv);
int ctr_cmd_diff(int argc, char **argv);
int ctr_cmd_reconcile(int argc, char **argv);
int ctr_cmd_audit(int argc, char **argv);
int ctr_cmd_broker(int argc, char **argv);
int ctr_cmd_publish(int argc, char **argv);

/*
 * What the parsers of the commands whose --help returns rather than exits
 * give after it (no exit code is negative): the command is done, exit 0.
 */
#define CTR_CLI_HELP_SHOWN (-1)

/* Set by main when the process began with standard input closed (it reads as /dev/null). */
extern int ctr_cli_stdin_closed;

/*
 * 1 when source (file:PATH or jsonl:PATH) names the file path names, through
 * a link or another name too: a replay would read the database it writes.
 */
int ctr_cli_source_is_file(const char *source, const char *path);
/*
 * CTR_EXIT_OK for a source spec that may be read; else prints why: a spec of
 * no known kind (CTR_EXIT_USAGE), jsonl:- with standard input closed
 * (CTR_EXIT_DATA, as an input that cannot be read).
 */
int ctr_cli_check_source(const char *command, const char *source);

/*
 * Prints "contrail NAME: message" on stderr as one line, the control
 * characters of its values escaped (as ctr_cli_shown() has them); returns code.
 */
int ctr_cli_fail(const char *command, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * The line for an option getopt_long refused (opt ':', a missing value, or
 * '?', an unknown option; argv[optind - 1] names it, or optopt when getopt
 * stopped inside a cluster of short options): returns code.
 */
int ctr_cli_bad_option(const char *command, int code, int opt, char **argv);

/* `contrail COMMAND: unknown option OPTION (see contrail COMMAND --help)`: returns code. */
int ctr_cli_unknown_option(const char *command, int code, const char *option);
/* A line of information on stderr (what a command did), escaped as ctr_cli_fail's. */
void ctr_cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Ends the process after command's --help: exit 0, or 4 with ctr_cli_fail's
 * line when the text could not be written (standard output on a full disk).
 */
_Noreturn void ctr_cli_help_exit(const char *command);

/*
 * 0 when every option of longopts that takes a value is given at most once in
 * argv and with a value that is not empty, else CTR_EXIT_USAGE after one line
 * naming it: getopt_long keeps the last value, so an auditor's second --until
 * or --stream, or a second --db, would silently replace the first, and an
 * empty --db or --group would reach the file system or Kafka. Options are read
 * as getopt_long reads them (`--NAME VALUE`, `--NAME=VALUE`, an unambiguous
 * prefix; shortopts' letters that take a value, such as -X, which may repeat,
 * skip theirs) up to `--`.
 */
int ctr_cli_check_options(const char *command, int argc, char **argv, const char *shortopts,
			  const struct option *longopts);

/*
 * text as a decimal number from min to max into *out: digits only (no sign,
 * no space, nothing after them), as every numeric option is read. 0, or -1
 * when it is not one.
 */
int ctr_cli_number(const char *text, long min, long max, long *out);

/*
 * The options that judge states on the business date, shared by replay and
 * audit so that an audit shows what such a replay stores: --business-date D
 * (E5, a date in the years the holiday calendar covers: B9 bills every month
 * up to D, so a mistyped far year would bill for millennia), --expiring-days
 * N (L5, 0 to 100000) and --store-cutoff D (K3, a date), set in o from text.
 * 0, or CTR_EXIT_USAGE after one line when text is not one.
 */
int ctr_cli_business_date(const char *command, const char *text, struct ctr_replay_options *o);
int ctr_cli_expiring_days(const char *command, const char *text, struct ctr_replay_options *o);
int ctr_cli_store_cutoff(const char *command, const char *text, struct ctr_replay_options *o);

/* --until T (E5: an RFC 3339 time with an offset), set in o from text; as the three above. */
int ctr_cli_until(const char *command, const char *text, struct ctr_replay_options *o);

/* The exit code for a library error code (CTR_E*). */
int ctr_cli_exit_for(int error_code);

#endif
