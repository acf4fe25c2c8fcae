/*
 * source.h - where a replay reads events from: `file:PATH` (a local Avro log),
 * `jsonl:PATH` or `jsonl:-` (JSON Lines), `kafka://BOOTSTRAP/TOPIC,...`. A source decodes what it reads into
 * struct ctr_event and can say, and resume from, how far it has read.
 */
#ifndef CTR_SOURCE_H
#define CTR_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "events/error.h"
#include "events/event.h"

#define CTR_SOURCE_AGAIN 2

/* A position to resume from; one row of the checkpoints table. */
struct ctr_checkpoint {
	char source[4200];    /* the source's name, or kafka:TOPIC */
	int64_t partition;    /* 0, or the Kafka partition */
	int64_t next_offset;  /* events read (file, jsonl), the next offset to read (kafka) */
	int64_t byte_offset;  /* where to seek: the next line, or the block holding the next record */
	int64_t block_first;  /* ordinal of that block's first record (file) */
	char fingerprint[40]; /* identifies the log (its sync marker); "" when not known */
};

struct ctr_source {
	/* The checkpoint key: the source spec with an absolute path. */
	char name[4200];
	/* 0 when a checkpoint cannot be resumed from (standard input). */
	int resumable;
	/*
	 * Set by a caller that stores checkpoints and runs again (a replay): a
	 * JSON Lines file's last line, not yet whole, is then left for the next
	 * run instead of read as it is. Others (dump, publish, audit) read it.
	 */
	int hold_partial_line;
	/* The bytes of such a line left for the next run (0: none), for the caller to say so. */
	int64_t partial_line_left;
	/* Where ctr_source_position() writes; not kept up to date on its own. */
	char position[4300];

	/*
	 * 1 and an event, 0 at the end, negative with err on a fatal read error;
	 * CTR_SOURCE_AGAIN when nothing is there yet (only after ready_fd()).
	 */
	int (*next)(struct ctr_source *src, struct ctr_event *ev, struct ctr_error *err);
	/*
	 * A descriptor that turns readable when next() has something (may be NULL:
	 * next() never waits). From this call on, next() does not wait either.
	 */
	int (*ready_fd)(struct ctr_source *src);
	/*
	 * The position of the last event returned as text (rejected_events.position),
	 * into buf. Asked for only when an event is rejected or held: formatting it
	 * for every event was a few percent of a replay.
	 */
	void (*describe)(struct ctr_source *src, char *buf, size_t size);
	/*
	 * Messages between the positions and the ends; -1 while not known (may be
	 * NULL: never known).
	 */
	int64_t (*lag)(struct ctr_source *src);
	/*
	 * About how many more events next() will return, estimated from what was read
	 * so far; -1 when it cannot tell (may be NULL). For sizing, never for control.
	 */
	int64_t (*expected)(struct ctr_source *src);
	/* The last event returned as a JSON Lines line, malloc()ed (for held events). */
	char *(*to_json)(struct ctr_source *src, const struct ctr_event *ev);
	/*
	 * The last event's Avro record and the catalog id of its schema, for the Confluent
	 * wire format (publish). Borrowed until the next call.
	 */
	int (*encode)(struct ctr_source *src, int *schema_id, const void **bytes, size_t *len,
		      struct ctr_error *err);
	/*
	 * The positions after the last event returned, one per partition read:
	 * the count, and *cps borrowed until the next call.
	 */
	size_t (*tell)(struct ctr_source *src, const struct ctr_checkpoint **cps);
	/*
	 * Offered every stored checkpoint before the first read: a source resumes
	 * from those that are its own and ignores the others. CTR_ESTATE when one
	 * belongs to another log (or another life of the topic).
	 */
	int (*seek)(struct ctr_source *src, const struct ctr_checkpoint *cp, struct ctr_error *err);
	/*
	 * seek's check alone, for a run that reads from the start whatever the
	 * database read (--until): CTR_ESTATE when cp is of this source's name
	 * but another log (a Kafka topic: one without a partition it names).
	 */
	int (*check)(struct ctr_source *src, const struct ctr_checkpoint *cp, struct ctr_error *err);
	/* Told that the positions of the last tell() are committed (may be NULL). */
	void (*committed)(struct ctr_source *src);
	void (*close)(struct ctr_source *src);
};

/* What a Kafka source needs beyond its spec (file and jsonl sources ignore it). */
struct ctr_source_options {
	const char *group;            /* consumer group; NULL: read every partition alone */
	int follow;                   /* keep reading past the high watermarks seen at start */
	const char *const *settings;  /* librdkafka settings, "key=value" */
	size_t settings_count;
	/*
	 * Decode what the schema holds without judging formats and positions
	 * (E6): for the commands that pass events on (dump, publish), as ingest
	 * appends them, so that the replay reading them judges them as it would
	 * the source itself.
	 */
	int schema_only;
};

/*
 * Opens a source from its spec (file:PATH, jsonl:PATH, jsonl:-,
 * kafka://BOOTSTRAP/TOPIC[,TOPIC...]); options may be NULL. *out is released
 * with ctr_source_close().
 */
int ctr_source_open(const char *spec, const struct ctr_source_options *options,
		    struct ctr_source **out, struct ctr_error *err);
void ctr_source_close(struct ctr_source *src);
/*
 * 0 when spec names a kind of source ctr_source_open() knows, in its form (a
 * Kafka spec's topic names too; a path unchecked); otherwise CTR_EINVAL and err
 * says what is wrong, for the command line to refuse it as a usage error.
 */
int ctr_source_check_spec(const char *spec, struct ctr_error *err);
/* The position of the last event returned, as text; valid until the next call. */
const char *ctr_source_position(struct ctr_source *src);

/* The sources, by kind. */
int ctr_source_open_jsonl(const char *path, int check_formats, struct ctr_source **out,
			  struct ctr_error *err);
int ctr_source_open_file(const char *path, int check_formats, struct ctr_source **out,
			 struct ctr_error *err);
int ctr_source_open_kafka(const char *spec, const struct ctr_source_options *options,
			  struct ctr_source **out, struct ctr_error *err);

#endif
