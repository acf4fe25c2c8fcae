/*
 * catalog.h - the schema catalog: schemas/catalog.json composed with the
 * envelope and payload schemas into one Avro schema per version.
 *
 * Every version's envelope carries `data` as a union of the payload records in
 * the order of the catalog's `types`, so a union branch index is a type index
 * in every version. The highest version id is current: new logs are written
 * with it and every event is handed to the projections in its shape.
 */
#ifndef CTR_CATALOG_H
#define CTR_CATALOG_H

#include <avro.h>
#include <jansson.h>

#include "events/error.h"

struct ctr_catalog;

/* The process-wide catalog, loaded on first use; NULL (with err) if it fails. */
const struct ctr_catalog *ctr_catalog_default(struct ctr_error *err);

/* Frees the process-wide catalog (at exit, so leak checkers see a clean heap). */
void ctr_catalog_default_free(void);

int ctr_catalog_current_id(const struct ctr_catalog *cat);
/* 1 when id names a version of the catalog. */
int ctr_catalog_has_id(const struct ctr_catalog *cat, int id);
/* The composed envelope schema of version id (borrowed; NULL if unknown). */
avro_schema_t ctr_catalog_schema(const struct ctr_catalog *cat, int id);
const char *ctr_catalog_schema_json(const struct ctr_catalog *cat, int id);
/* The composed schema as JSON (borrowed jansson tree, with defaults and formats). */
const json_t *ctr_catalog_schema_tree(const struct ctr_catalog *cat, int id);

int ctr_catalog_type_count(const struct ctr_catalog *cat);
const char *ctr_catalog_type_name(const struct ctr_catalog *cat, int type_index);
/* The type index of an event type name, or -1 if the catalog has no such type. */
int ctr_catalog_type_index(const struct ctr_catalog *cat, const char *type);

/*
 * The version id whose schema equals writer (a file's header schema), or 0
 * when none does (a file written with a schema of its own).
 */
int ctr_catalog_find_id(const struct ctr_catalog *cat, avro_schema_t writer);

#endif
