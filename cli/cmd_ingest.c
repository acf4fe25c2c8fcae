/*
 * cmd_ingest.c - `contrail ingest`: appends JSON Lines events to a local Avro
 * log. Only what the schema can hold is checked here (JSON, envelope fields,
 * payload types); the rules are judged at replay. A line that fails is
 * reported with its number and code and is not appended.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "engine/line_feed.h"
#include "events/avro_file.h"
#include "events/catalog.h"
#include "events/decode.h"

struct ingest {
	const char *log_path;
	const char *input_path;
	int schema_id;          /* 0: the log's own, or the current one for a new log */
	struct ctr_avro_writer *writer;
	struct ctr_decoder *decoder;
	long appended, refused;
	int64_t written;        /* events that reached the log whole, told when a run fails */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: contrail ingest --log PATH [--schema-version N] FILE.jsonl|-\n\n"
		"Appends the events of FILE (or standard input) to the Avro log PATH, creating\n"
		"it when missing. Each line must be one event (DOMAIN.md section 1) that the\n"
		"schema can hold; a line that is not is reported as `FILE:LINE: code: message`\n"
		"on stderr and not appended. Rules (formats, owners, counts) are judged at replay.\n"
		"  --schema-version N   write a new log with catalog version N (default: the\n"
		"                       current one); an existing log keeps its own version\n"
		"Exit: 0 every line appended, 1 some lines refused (the rest appended),\n"
		"2 usage, 3 the log is damaged or not a contrail log, or FILE cannot be read,\n"
		"4 other failure.\n");
}

/* The decoder for an existing log's schema, which ingest can append to. */
static int make_decoder(struct ingest *in, const char *schema_json, struct ctr_error *err)
{
	const char *missing;
	int rc = ctr_decoder_new(schema_json, 0, &in->decoder, err);

	if (rc == CTR_ESCHEMA)
		ctr_error_prefix(err, "log %s: ", in->log_path);
	/* a line's payload goes to the branch its type has in the catalog (decode.h) */
	if (rc == 0 && !ctr_decoder_payloads_in_place(in->decoder))
		rc = ctr_error_set(err, CTR_ESCHEMA, "log %s was written by another writer with its"
				   " payloads in another order; ingest appends only where they are in"
				   " the catalog's (a replay reads it)", in->log_path);
	missing = rc == 0 ? ctr_decoder_missing_field(in->decoder) : NULL;
	if (missing != NULL)
		rc = ctr_error_set(err, CTR_ESCHEMA, "log %s was written by another writer whose"
				   " envelope has no %s; ingest appends only where it has every"
				   " field (a replay reads it)", in->log_path, missing);
	return rc;
}

/*
 * Judges an existing log's schema version (against --schema-version) and makes
 * the decoder for its schema, unless one was made already. The version is the
 * one its metadata names or, where another writer left none, the catalog's
 * version its schema is (0: none).
 */
static int take_schema(struct ingest *in, const char *stored, const char *schema_json,
		       struct ctr_error *err)
{
	int rc = in->decoder != NULL ? 0 : make_decoder(in, schema_json, err);
	int held;

	if (rc != 0 || in->schema_id == 0)
		return rc;
	held = stored != NULL ? atoi(stored) : ctr_decoder_schema_id(in->decoder);
	if (held == in->schema_id)
		return 0;
	if (held == 0)
		return ctr_error_set(err, CTR_EINVAL, "%s holds schema version %s, not %d",
				     in->log_path, stored ? stored : "(none)", in->schema_id);
	return ctr_error_set(err, CTR_EINVAL, "%s holds schema version %d, not %d", in->log_path,
			     held, in->schema_id);
}

#define SCHEMA_ID_KEY "contrail.schema_id" /* the log's metadata: its catalog version */

/*
 * An existing log's schema is judged before the writer opens it: opening moves a
 * cut last block aside, and a log refused must be left as it was. A header that
 * cannot be read here (one being written) is judged by the writer, under its lock.
 */
static int judge_existing(struct ingest *in, struct ctr_error *err)
{
	struct ctr_avro_reader *header;
	struct stat st;
	int rc;

	if (stat(in->log_path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    ctr_avro_reader_open(in->log_path, &header, NULL) != 0)
		return 0;
	rc = take_schema(in, ctr_avro_reader_meta(header, SCHEMA_ID_KEY),
			 ctr_avro_reader_schema(header), err);
	ctr_avro_reader_close(header);
	return rc;
}

/*
 * Creates the log with catalog version id, under the lock an append takes:
 * CTR_EEXIST when it is a log by then (avro_file.h).
 */
static int create_log(struct ingest *in, const struct ctr_catalog *cat, int id,
		      struct ctr_error *err)
{
	const char *key = SCHEMA_ID_KEY;
	char id_text[16];
	const char *value = id_text, *aside;
	uint64_t torn_bytes;
	int rc;

	snprintf(id_text, sizeof(id_text), "%d", id);
	rc = ctr_avro_writer_create(in->log_path, ctr_catalog_schema_json(cat, id), "null", &key,
				    &value, 1, &in->writer, err);
	if (rc != 0)
		return rc;
	aside = ctr_avro_writer_moved_aside(in->writer, &torn_bytes);
	if (aside != NULL)
		ctr_cli_note("contrail ingest: %s ended inside its header, as a creation cut"
			     " short leaves it; its %llu bytes were moved to %s, and the log"
			     " begins afresh", in->log_path, (unsigned long long)torn_bytes,
			     aside);
	ctr_decoder_free(in->decoder); /* one made for a log that has since gone */
	in->decoder = NULL;
	/* never CTR_EEXIST, which the caller takes for "append instead" */
	return ctr_decoder_new(ctr_catalog_schema_json(cat, id), 0, &in->decoder, err);
}

/* Opens an existing log for appending and judges its schema. */
static int append_to_log(struct ingest *in, struct ctr_error *err)
{
	const char *aside;
	uint64_t torn_bytes;
	int rc = ctr_avro_writer_open_append(in->log_path, &in->writer, err);

	if (rc != 0)
		return rc;
	aside = ctr_avro_writer_moved_aside(in->writer, &torn_bytes);
	if (aside != NULL)
		ctr_cli_note("contrail ingest: %s ended inside a block, as an append cut short"
			     " leaves it; its last %llu bytes were moved to %s, and the log goes on"
			     " from its last whole block", in->log_path,
			     (unsigned long long)torn_bytes, aside);
	return take_schema(in, ctr_avro_writer_meta(in->writer, SCHEMA_ID_KEY),
			   ctr_avro_writer_schema(in->writer), err);
}

/* Opens the log for appending, or creates it with the catalog version asked for. */
static int open_log(struct ingest *in, struct ctr_error *err)
{
	const struct ctr_catalog *cat = ctr_catalog_default(err);
	int id = in->schema_id ? in->schema_id : cat ? ctr_catalog_current_id(cat) : 0;
	int rc;

	if (cat == NULL)
		return err->code;
	if (!ctr_catalog_has_id(cat, id))
		return ctr_error_set(err, CTR_EINVAL, "the schema catalog has no version %d", id);
	rc = judge_existing(in, err);
	if (rc != 0)
		return rc;
	rc = create_log(in, cat, id, err);
	if (rc != CTR_EEXIST)
		return rc;
	return append_to_log(in, err);
}

static int append_line(struct ingest *in, const char *line, size_t len, long number,
		       struct ctr_error *err)
{
	struct ctr_event ev;
	const void *bytes;
	size_t size;

	ctr_decode_json(in->decoder, line, len, &ev);
	if (ev.out_of_memory) /* not the line's fault: nothing of it is refused or appended */
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (ev.code != CTR_CODE_OK) {
		ctr_cli_refused(in->input_path, number, ev.code, ev.message, NULL);
		in->refused++;
		return 0;
	}
	if (ctr_decoder_encode(in->decoder, &bytes, &size, err) != 0 ||
	    ctr_avro_writer_append(in->writer, bytes, size, err) != 0)
		return err->code;
	in->appended++;
	return 0;
}

/*
 * Each line of fp appended or refused, read as a replay of JSON Lines reads
 * it: into a buffer one event's size, the rest of a longer line skipped to its
 * newline (too_large), so that a runaway line costs no more memory than a
 * line may hold.
 */
static int ingest_stream(struct ingest *in, FILE *fp, struct ctr_error *err)
{
	const size_t cap = CTR_EVENT_MAX_BYTES + 3; /* an event, a CR, a newline, a NUL */
	char *line = malloc(cap);
	struct stat kind;
	struct ctr_line read;
	int regular = fstat(fileno(fp), &kind) == 0 && S_ISREG(kind.st_mode);
	long number = 0;
	int rc = line ? 0 : ctr_error_set(err, CTR_ENOMEM, "out of memory"), got = 0;

	while (rc == 0) {
		got = regular ? ctr_read_line(fp, line, cap, &read)
			      : ctr_read_line_unseekable(fp, line, cap, &read);
		if (got != 1)
			break;
		number++;
		if (read.truncated) { /* E6, with the line's own length, as a replay says it */
			ctr_cli_one_line(stderr, in->input_path, 0);
			fprintf(stderr, ":%ld: %s: line of %lld bytes is over 1 MiB\n",
				number, ctr_code_name(CTR_CODE_TOO_LARGE),
				(long long)(read.consumed - !read.unterminated));
			in->refused++;
		} else if (read.len > 0) {
			rc = append_line(in, line, (size_t)read.len, number, err);
		}
	}
	/* the lines before a read error stay appended */
	if (rc == 0 && got < 0)
		rc = ctr_error_set(err, CTR_EIO, "cannot read %s: %s", in->input_path, strerror(errno));
	free(line);
	return rc;
}

/*
 * Writes the last block and closes the log, keeping the first error; notes how many
 * events reached the log before then. After a failed write the writer writes
 * nothing more, so the log ends at its last whole block.
 */
static int close_log(struct ingest *in, int rc, struct ctr_error *err)
{
	struct ctr_error later;
	struct ctr_error *first = rc ? &later : err;
	int closed = ctr_avro_writer_flush(in->writer, first);

	in->written = ctr_avro_writer_written(in->writer);
	if (closed == 0)
		closed = ctr_avro_writer_close(in->writer, first);
	else
		ctr_avro_writer_close(in->writer, NULL);
	in->writer = NULL;
	return rc ? rc : closed;
}

/* --schema-version N: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line. */
static int take_version(struct ingest *in, const char *text)
{
	long version;

	in->schema_id = ctr_cli_number(text, 1, INT_MAX, &version) == 0 ? (int)version : 0;
	if (in->schema_id <= 0)
		return ctr_cli_fail("ingest", CTR_EXIT_USAGE,
				    "--schema-version must be a positive integer");
	return CTR_EXIT_OK;
}

/* One option getopt_long returned: CTR_EXIT_OK, or CTR_EXIT_USAGE after a line. */
static int take_option(int opt, char **argv, struct ingest *in)
{
	switch (opt) {
	case 'l':
		in->log_path = optarg;
		return CTR_EXIT_OK;
	case 'v': return take_version(in, optarg);
	case 'h':
		usage(stdout);
		ctr_cli_help_exit("ingest");
	default:
		return ctr_cli_bad_option("ingest", CTR_EXIT_USAGE, opt, argv);
	}
}

static int parse(int argc, char **argv, struct ingest *in)
{
	static const struct option longopts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "schema-version", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const struct ctr_catalog *catalog;
	struct ctr_error err;
	int opt, rc;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("ingest", argc, argv, "", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		rc = take_option(opt, argv, in);
		if (rc != CTR_EXIT_OK)
			return rc;
	}
	if (in->log_path == NULL || optind != argc - 1)
		return ctr_cli_fail("ingest", CTR_EXIT_USAGE,
				    "usage: contrail ingest --log PATH FILE.jsonl|-");
	catalog = ctr_catalog_default(&err);
	if (catalog != NULL && in->schema_id && !ctr_catalog_has_id(catalog, in->schema_id))
		return ctr_cli_fail("ingest", CTR_EXIT_USAGE, "the schema catalog has no version %d",
				    in->schema_id);
	in->input_path = argv[optind];
	if (in->input_path[0] == '\0')
		return ctr_cli_fail("ingest", CTR_EXIT_USAGE, "the input path is empty");
	return CTR_EXIT_OK;
}

/*
 * Opens the input into *fp, refused before a log is made for it when it cannot
 * be read as JSON Lines or is the log itself: CTR_EXIT_OK, else the exit code
 * after a line.
 */
static int open_input(const struct ingest *in, FILE **fp)
{
	struct stat st = { 0 }, log;
	int from_stdin = strcmp(in->input_path, "-") == 0;

	/* closed, it reads as /dev/null (main.c): nothing to append is not what was meant */
	if (from_stdin && ctr_cli_stdin_closed)
		return ctr_cli_fail("ingest", CTR_EXIT_DATA, "cannot read -: %s", strerror(EBADF));
	*fp = from_stdin ? stdin : fopen(in->input_path, "r");
	if (*fp == NULL)
		return ctr_cli_fail("ingest", CTR_EXIT_DATA, "cannot read %s: %s", in->input_path,
				    strerror(errno));
	/* a directory opens but does not read: refused before a log is made for it */
	if (fstat(fileno(*fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(*fp);
		return ctr_cli_fail("ingest", CTR_EXIT_DATA, "cannot read %s: %s", in->input_path,
				    strerror(EISDIR));
	}
	if (stat(in->log_path, &log) == 0 && log.st_dev == st.st_dev && log.st_ino == st.st_ino) {
		fclose(*fp);
		return ctr_cli_fail("ingest", CTR_EXIT_USAGE, "%s and --log %s are one file",
				    in->input_path, in->log_path);
	}
	/* its records read as lines would each be refused as bad_json */
	if (S_ISREG(st.st_mode) && ctr_avro_file_magic_at(fileno(*fp))) {
		fclose(*fp);
		return ctr_cli_fail("ingest", CTR_EXIT_DATA, "%s is an Avro log, not JSON Lines",
				    from_stdin ? "standard input" : in->input_path);
	}
	return CTR_EXIT_OK;
}

int ctr_cmd_ingest(int argc, char **argv)
{
	struct ingest in = { 0 };
	struct ctr_error err = { 0 };
	FILE *fp = NULL;
	int rc = parse(argc, argv, &in);

	if (rc == CTR_EXIT_OK)
		rc = open_input(&in, &fp);
	if (rc != CTR_EXIT_OK)
		return rc;
	rc = open_log(&in, &err);
	if (rc == 0)
		rc = ingest_stream(&in, fp, &err);
	if (in.writer != NULL)
		rc = close_log(&in, rc, &err);
	ctr_decoder_free(in.decoder);
	if (fp != stdin)
		fclose(fp);
	if (rc != 0 && in.appended > 0)
		return ctr_cli_fail("ingest", ctr_cli_exit_for(rc), "%s; %lld events appended before it",
				    err.message, (long long)in.written);
	if (rc != 0)
		return ctr_cli_fail("ingest", ctr_cli_exit_for(rc), "%s", err.message);
	ctr_cli_note("appended %ld event%s to %s; %ld line%s refused", in.appended,
		     in.appended == 1 ? "" : "s", in.log_path, in.refused,
		     in.refused == 1 ? "" : "s");
	return in.refused ? CTR_EXIT_FINDINGS : CTR_EXIT_OK;
}
