/*
 * catalog.c - composing schemas/ into one envelope schema per catalog version
 * (see catalog.h). Runs once per process; nothing here is on the hot path.
 */
#include "events/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/json_text.h"
#include "events/schema_files.h"

struct catalog_version {
	int id;
	json_t *tree;     /* composed schema as JSON */
	char *json;       /* the same, serialized */
	avro_schema_t schema;
};

struct ctr_catalog {
	int type_count;
	char **types;
	int version_count;
	struct catalog_version *versions;
};

static const char *embedded_file(const char *name)
{
	for (int i = 0; i < ctr_schema_file_count; i++)
		if (strcmp(ctr_schema_files[i].name, name) == 0)
			return ctr_schema_files[i].text;
	return NULL;
}

static json_t *load_json(const char *name, struct ctr_error *err)
{
	const char *text = embedded_file(name);
	json_error_t jerr;
	json_t *tree;

	if (text == NULL) {
		ctr_error_set(err, CTR_ESCHEMA, "schema catalog: missing file schemas/%s", name);
		return NULL;
	}
	tree = json_loads(text, 0, &jerr);
	if (tree == NULL)
		ctr_error_set(err, CTR_ESCHEMA, "schemas/%s:%d: %s", name, jerr.line, jerr.text);
	return tree;
}

/* The envelope of `version` with its data field typed as the payload union. */
static json_t *compose(const struct ctr_catalog *cat, json_t *version, struct ctr_error *err)
{
	char name[256];
	json_t *payloads = json_object_get(version, "payloads");
	json_t *envelope, *fields, *field, *branches;
	size_t i;

	snprintf(name, sizeof(name), "envelope.v%d.avsc",
		 (int)json_integer_value(json_object_get(version, "envelope")));
	envelope = load_json(name, err);
	if (envelope == NULL)
		return NULL;
	branches = json_array();
	for (int t = 0; t < cat->type_count; t++) {
		json_t *v = json_object_get(payloads, cat->types[t]);
		json_t *payload;

		snprintf(name, sizeof(name), "payloads/%s.v%d.avsc", cat->types[t],
			 (int)json_integer_value(v));
		payload = json_is_integer(v) ? load_json(name, err) : NULL;
		if (payload == NULL) {
			if (!json_is_integer(v))
				ctr_error_set(err, CTR_ESCHEMA, "schema catalog: version lacks type %s",
					      cat->types[t]);
			json_decref(branches);
			json_decref(envelope);
			return NULL;
		}
		json_array_append_new(branches, payload);
	}
	fields = json_object_get(envelope, "fields");
	json_array_foreach(fields, i, field) {
		if (strcmp(json_string_value(json_object_get(field, "name")), "data") == 0)
			json_object_set(field, "type", branches);
	}
	json_decref(branches);
	return envelope;
}

static int load_version(struct ctr_catalog *cat, json_t *version, struct catalog_version *out,
			struct ctr_error *err)
{
	out->id = (int)json_integer_value(json_object_get(version, "id"));
	out->tree = compose(cat, version, err);
	if (out->tree == NULL)
		return err ? err->code : CTR_ESCHEMA;
	out->json = ctr_json_text(out->tree, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (out->json == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (avro_schema_from_json_length(out->json, strlen(out->json), &out->schema) != 0)
		return ctr_error_set(err, CTR_ESCHEMA, "schema version %d: %s", out->id,
				     avro_strerror());
	return 0;
}

static int load_types(struct ctr_catalog *cat, json_t *root, struct ctr_error *err)
{
	json_t *types = json_object_get(root, "types"), *type;
	size_t i;

	if (!json_is_array(types))
		return ctr_error_set(err, CTR_ESCHEMA, "schema catalog: no types array");
	cat->types = calloc(json_array_size(types) + 1, sizeof(char *));
	if (cat->types == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	json_array_foreach(types, i, type) {
		if (!json_is_string(type))
			return ctr_error_set(err, CTR_ESCHEMA,
					     "schema catalog: a type is not text");
		cat->types[i] = strdup(json_string_value(type));
		if (cat->types[i] == NULL)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory");
		cat->type_count++;
	}
	return 0;
}

static void catalog_free(struct ctr_catalog *cat)
{
	if (cat == NULL)
		return;
	for (int i = 0; i < cat->version_count; i++) {
		json_decref(cat->versions[i].tree);
		free(cat->versions[i].json);
		if (cat->versions[i].schema)
			avro_schema_decref(cat->versions[i].schema);
	}
	for (int i = 0; i < cat->type_count; i++)
		free(cat->types[i]);
	free(cat->types);
	free(cat->versions);
	free(cat);
}

/* Loads the embedded catalog. */
static int catalog_load(struct ctr_catalog **out, struct ctr_error *err)
{
	struct ctr_catalog *cat = calloc(1, sizeof(*cat));
	json_t *root = load_json("catalog.json", err), *versions, *version;
	size_t i;
	int rc = CTR_ESCHEMA;

	if (cat == NULL || root == NULL)
		goto fail;
	rc = load_types(cat, root, err);
	if (rc != 0)
		goto fail;
	versions = json_object_get(root, "versions");
	cat->versions = calloc(json_array_size(versions) + 1, sizeof(*cat->versions));
	if (cat->versions == NULL) {
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
		goto fail;
	}
	cat->version_count = (int)json_array_size(versions);
	json_array_foreach(versions, i, version) {
		rc = load_version(cat, version, &cat->versions[i], err);
		if (rc != 0)
			goto fail;
	}
	json_decref(root);
	*out = cat;
	return 0;
fail:
	json_decref(root);
	catalog_free(cat);
	return rc;
}

static struct ctr_catalog *shared;

const struct ctr_catalog *ctr_catalog_default(struct ctr_error *err)
{
	if (shared == NULL && catalog_load(&shared, err) != 0)
		return NULL;
	return shared;
}

void ctr_catalog_default_free(void)
{
	catalog_free(shared);
	shared = NULL;
}

static const struct catalog_version *version_of(const struct ctr_catalog *cat, int id)
{
	for (int i = 0; i < cat->version_count; i++)
		if (cat->versions[i].id == id)
			return &cat->versions[i];
	return NULL;
}

int ctr_catalog_current_id(const struct ctr_catalog *cat)
{
	int id = 0;

	for (int i = 0; i < cat->version_count; i++)
		if (cat->versions[i].id > id)
			id = cat->versions[i].id;
	return id;
}

int ctr_catalog_has_id(const struct ctr_catalog *cat, int id)
{
	return version_of(cat, id) != NULL;
}

avro_schema_t ctr_catalog_schema(const struct ctr_catalog *cat, int id)
{
	const struct catalog_version *v = version_of(cat, id);
	return v ? v->schema : NULL;
}

const char *ctr_catalog_schema_json(const struct ctr_catalog *cat, int id)
{
	const struct catalog_version *v = version_of(cat, id);
	return v ? v->json : NULL;
}

const json_t *ctr_catalog_schema_tree(const struct ctr_catalog *cat, int id)
{
	const struct catalog_version *v = version_of(cat, id);
	return v ? v->tree : NULL;
}

int ctr_catalog_type_count(const struct ctr_catalog *cat)
{
	return cat->type_count;
}

const char *ctr_catalog_type_name(const struct ctr_catalog *cat, int type_index)
{
	if (type_index < 0 || type_index >= cat->type_count)
		return NULL;
	return cat->types[type_index];
}

int ctr_catalog_type_index(const struct ctr_catalog *cat, const char *type)
{
	for (int i = 0; i < cat->type_count; i++)
		if (strcmp(cat->types[i], type) == 0)
			return i;
	return -1;
}

/* schema as Avro C writes it out (its canonical JSON), malloc'd; NULL when it cannot be. */
static char *schema_text(avro_schema_t schema)
{
	for (int64_t size = 64 * 1024; size <= 64 * 1024 * 1024; size *= 2) {
		char *text = malloc((size_t)size);
		avro_writer_t out = text ? avro_writer_memory(text, size - 1) : NULL;
		int rc = out ? avro_schema_to_json(schema, out) : -1;

		if (rc == 0)
			text[avro_writer_tell(out)] = '\0';
		if (out)
			avro_writer_free(out);
		if (rc == 0)
			return text;
		free(text);
		if (out == NULL)
			return NULL;
	}
	return NULL;
}

/*
 * avro_schema_equal() alone is not enough: Avro C's compares a union's
 * branches only as far as the first union has them, so a writer's union with
 * one more payload after ours was taken for ours, and that payload's records
 * read as a branch the catalog has no type for. Both schemas written out the
 * same is the whole of equality.
 */
int ctr_catalog_find_id(const struct ctr_catalog *cat, avro_schema_t writer)
{
	char *written = NULL;
	int id = 0;

	for (int i = 0; i < cat->version_count && id == 0; i++) {
		if (!avro_schema_equal(cat->versions[i].schema, writer))
			continue;
		char *ours = schema_text(cat->versions[i].schema);
		if (written == NULL)
			written = schema_text(writer);
		if (ours != NULL && written != NULL && strcmp(ours, written) == 0)
			id = cat->versions[i].id;
		free(ours);
	}
	free(written);
	return id;
}
