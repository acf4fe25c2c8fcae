/*
 * cli.c - what the subcommands share: the one-line error and note, options
 * given twice or empty, the options a replay and a report share (numbers,
 * dates, the source), and the exit code for a library error (see cli.h).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_text.h"
#include "engine/source.h"
#include "events/error.h"
#include "events/timefmt.h"
#include "projections/calendar.h"

int ctr_cli_stdin_closed;


/*
 * A line's values (a path, an option's argument) may hold control characters:
 * they are shown escaped, as ctr_cli_shown() has them, so that the line stays
 * one line and nothing reaches the terminal as an escape. A backslash is left
 * as it is: a value in the message may be shown already.
 */
static void line_out(const char *fmt, va_list ap)
{
	char *line = NULL, buf[8];
	size_t used;
	int made = vasprintf(&line, fmt, ap);

	for (const unsigned char *c = made >= 0 ? (const unsigned char *)line : NULL; c && *c; c += used) {
		const char *escape = ctr_cli_escape_of(c, buf, &used);
		if (escape && *c != '\\')
			fputs(escape, stderr);
		else
			fwrite(c, 1, used, stderr);
	}
	if (made < 0) /* no memory for the line: its pattern says what it was about */
		fputs(fmt, stderr);
	fputc('\n', stderr);
	free(made >= 0 ? line : NULL);
}

int ctr_cli_fail(const char *command, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "contrail %s: ", command);
	va_start(ap, fmt);
	line_out(fmt, ap);
	va_end(ap);
	return code;
}

/* 1 when getopt stopped inside the cluster of short options argv[optind] at letter. */
static int inside_cluster(char **argv, int letter)
{
	const char *word = argv[optind];

	return letter > ' ' && letter < 127 && word != NULL && word[0] == '-' && word[1] != '-' &&
	       strchr(word + 1, letter) != NULL;
}

int ctr_cli_unknown_option(const char *command, int code, const char *option)
{
	return ctr_cli_fail(command, code, "unknown option %s (see contrail %s --help)", option,
			    command);
}

int ctr_cli_bad_option(const char *command, int code, int opt, char **argv)
{
	char letter[3] = { '-', (char)optopt, '\0' };

	if (opt == ':')
		return ctr_cli_fail(command, code, "%s needs a value", argv[optind - 1]);
	/* `-zh`: getopt has not moved past the word, so the word before it is no option */
	return ctr_cli_unknown_option(command, code,
				      inside_cluster(argv, optopt) ? letter : argv[optind - 1]);
}

void ctr_cli_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_out(fmt, ap);
	va_end(ap);
}

_Noreturn void ctr_cli_help_exit(const char *command)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		exit(CTR_EXIT_OK);
	exit(ctr_cli_fail(command, CTR_EXIT_FAILURE, "cannot write to standard output"));
}

int ctr_cli_exit_for(int error_code)
{
	switch (error_code) {
	case CTR_ECORRUPT:
	case CTR_ESCHEMA:
	case CTR_EINVAL:
	case CTR_ESTATE:
	case CTR_EIO:
		return CTR_EXIT_DATA;
	default:
		return CTR_EXIT_FAILURE;
	}
}

/* The entry of longopts that getopt_long takes name (up to '=' or its end) for, or NULL. */
static const struct option *long_option(const struct option *longopts, const char *name)
{
	size_t length = strcspn(name, "=");
	const struct option *found = NULL;

	for (const struct option *o = longopts; o->name != NULL; o++)
		if (strncmp(o->name, name, length) == 0 && strlen(o->name) == length)
			return o; /* exact, wherever it is in the table */
	for (const struct option *o = longopts; o->name != NULL; o++) {
		if (strncmp(o->name, name, length) != 0)
			continue;
		if (found != NULL && found->val != o->val)
			return NULL; /* ambiguous: getopt_long says so itself */
		found = o;
	}
	return found;
}

/* 1 when an entry before o starts with name too and stands for the same option (an alias). */
static int named_before(const struct option *longopts, const struct option *o, const char *name,
			size_t length)
{
	for (const struct option *p = longopts; p < o; p++)
		if (p->val == o->val && strncmp(p->name, name, length) == 0)
			return 1;
	return 0;
}

/*
 * When name (up to '=') is the start of two or more options, and of none
 * exactly, a line naming them: getopt_long would call the word unknown.
 */
static int refuse_ambiguous(const char *command, const char *word, const struct option *longopts)
{
	const char *name = word + 2;
	size_t length = strcspn(name, "="), used = 0;
	char names[256] = "";
	int count = 0;

	for (const struct option *o = longopts; o->name != NULL; o++) {
		if (strncmp(o->name, name, length) != 0 || named_before(longopts, o, name, length))
			continue;
		count++;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s--%s",
						 used ? ", " : "", o->name);
	}
	if (count < 2 || length == 0)
		return 0;
	return ctr_cli_fail(command, CTR_EXIT_USAGE, "--%.*s is ambiguous: %s", (int)length, name,
			    names);
}

/*
 * Whether word is one of the command's options: given where a value belongs
 * (`--db --rebuild`), getopt_long would take it for the value and the option
 * would be lost (a database named `--rebuild`, and no rebuild).
 */
static int is_option(const char *word, const char *shortopts, const struct option *longopts)
{
	if (word[0] != '-' || word[1] == '\0')
		return 0; /* `-` is standard input or output */
	if (word[1] != '-')
		return word[2] == '\0' && (word[1] == 'h' || strchr(shortopts, word[1]) != NULL);
	return word[2] == '\0' || long_option(longopts, word + 2) != NULL;
}

int ctr_cli_check_options(const char *command, int argc, char **argv, const char *shortopts,
		      const struct option *longopts)
{
	const struct option *given[64];
	size_t count = 0;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *arg = argv[i];
		const struct option *o;
		const char *letter;

		if (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0' && arg[2] == '\0') {
			letter = strchr(shortopts, arg[1]);
			i += letter != NULL && letter[1] == ':'; /* its value is the next word */
			continue;
		}
		if (strncmp(arg, "--", 2) != 0)
			continue;
		if ((o = long_option(longopts, arg + 2)) == NULL) {
			if (refuse_ambiguous(command, arg, longopts) != 0)
				return CTR_EXIT_USAGE;
			continue;
		}
		if (o->has_arg == no_argument && strchr(arg, '=') != NULL)
			return ctr_cli_fail(command, CTR_EXIT_USAGE, "--%s takes no value", o->name);
		if (o->has_arg != required_argument)
			continue;
		const char *value = strchr(arg, '=');

		if (value != NULL)
			value++;
		else if (++i < argc && is_option(argv[i], shortopts, longopts))
			return ctr_cli_fail(command, CTR_EXIT_USAGE, "--%s needs a value (%s is an"
					    " option)", o->name, argv[i]);
		else
			value = i < argc ? argv[i] : NULL;
		if (value != NULL && value[0] == '\0')
			return ctr_cli_fail(command, CTR_EXIT_USAGE, "--%s needs a value", o->name);
		for (size_t k = 0; k < count; k++)
			if (given[k]->val == o->val)
				return ctr_cli_fail(command, CTR_EXIT_USAGE, "--%s is given twice",
						    o->name);
		if (count < sizeof(given) / sizeof(given[0]))
			given[count++] = o;
	}
	return 0;
}

int ctr_cli_number(const char *text, long min, long max, long *out)
{
	char *end;
	long value;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (*end != '\0' || errno == ERANGE || value < min || value > max)
		return -1;
	*out = value;
	return 0;
}

int ctr_cli_business_date(const char *command, const char *text, struct ctr_replay_options *o)
{
	int ok;
	int32_t day = ctr_date_parse(text, &ok);

	if (!ok)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--business-date %s is not a date"
				    " (YYYY-MM-DD)", text);
	if (day < ctr_date_from_civil(CTR_CALENDAR_FIRST_YEAR, 1, 1) ||
	    day > ctr_date_from_civil(CTR_CALENDAR_LAST_YEAR, 12, 31))
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--business-date %s is outside the years"
				    " the holiday calendar covers (%d to %d)", text,
				    CTR_CALENDAR_FIRST_YEAR, CTR_CALENDAR_LAST_YEAR);
	o->business_date = day;
	return 0;
}

int ctr_cli_until(const char *command, const char *text, struct ctr_replay_options *o)
{
	int ok;

	o->until_us = ctr_timestamp_parse(text, &ok);
	if (!ok)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--until %s is not an RFC 3339"
				    " timestamp with an offset, its date in Japan in years"
				    " 0000-9999", text);
	o->has_until = 1;
	o->until_text = text;
	return 0;
}

int ctr_cli_expiring_days(const char *command, const char *text, struct ctr_replay_options *o)
{
	long days;

	if (ctr_cli_number(text, 0, 100000, &days) != 0)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "--expiring-days must be an integer"
				    " from 0 to 100000");
	o->expiring_days = (int)days;
	return 0;
}

int ctr_cli_store_cutoff(const char *command, const char *text, struct ctr_replay_options *o)
{
	int ok;

	o->store_cutoff = ctr_date_parse(text, &ok);
	return ok ? 0 : ctr_cli_fail(command, CTR_EXIT_USAGE, "--store-cutoff %s is not a date"
				     " (YYYY-MM-DD)", text);
}

int ctr_cli_source_is_file(const char *source, const char *path)
{
	const char *named = strncmp(source, "file:", 5) == 0	 ? source + 5
			    : strncmp(source, "jsonl:", 6) == 0 ? source + 6
								 : NULL;
	struct stat a, b;

	return named != NULL && strcmp(named, "-") != 0 && stat(named, &a) == 0 &&
	       stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ctr_cli_check_source(const char *command, const char *source)
{
	struct ctr_error err = { 0 };

	if (ctr_source_check_spec(source, &err) != 0)
		return ctr_cli_fail(command, CTR_EXIT_USAGE, "%s", err.message);
	/* closed, it reads as /dev/null (main.c): no events is not what was meant */
	if (strcmp(source, "jsonl:-") == 0 && ctr_cli_stdin_closed)
		return ctr_cli_fail(command, CTR_EXIT_DATA, "cannot read -: %s", strerror(EBADF));
	return CTR_EXIT_OK;
}
