/*
 * schema_files.h - the files of schemas/, embedded into the binary by the
 * Makefile (build/gen/schema_files.c), so a contrail binary needs no schema
 * directory at run time.
 */
#ifndef CTR_SCHEMA_FILES_H
#define CTR_SCHEMA_FILES_H

struct ctr_schema_file {
	const char *name; /* path under schemas/, e.g. "payloads/contract.opened.v1.avsc" */
	const char *text;
};

extern const struct ctr_schema_file ctr_schema_files[];
extern const int ctr_schema_file_count;

#endif
