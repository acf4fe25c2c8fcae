/*
 * validate.c - format checks compiled from the schema's "format" annotations
 * (see validate.h). The compiled tree mirrors the schema and is walked with
 * the value, skipping subtrees that carry no format at all.
 */
#include "events/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/avro_tape_internal.h"
#include "events/timefmt.h"

enum format {
	FORMAT_NONE,
	FORMAT_EVENT_ID,
	FORMAT_TIMESTAMP,
	FORMAT_DATE,
	FORMAT_COUNT,
	FORMAT_EMAIL,
	FORMAT_CUSTOMER_NO,
	FORMAT_SUPPORT_ID,
};

static const char *const format_names[] = {
	"", "event_id", "timestamp", "date", "count", "email", "customer_no", "support_id",
};

struct check_node {
	enum format format;
	int has_checks;         /* this node or a descendant has a format */
	size_t child_count;
	struct check_node *children; /* record fields, union branches, or one array item */
	char *name;
};

struct ctr_validator {
	struct check_node root;
};

static enum format format_of(const char *name)
{
	for (size_t i = 1; name && i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(format_names[i], name) == 0)
			return (enum format)i;
	return FORMAT_NONE;
}

/* compile() and compile_children() return -1 when out of memory; release() frees what they built. */
static int compile(struct check_node *node, const json_t *type, const char *format);

static int compile_children(struct check_node *node, const json_t *list, int fields)
{
	const json_t *entry;
	size_t i;

	node->children = calloc(json_array_size(list) ? json_array_size(list) : 1,
				sizeof(*node->children));
	if (node->children == NULL)
		return -1;
	node->child_count = json_array_size(list);
	json_array_foreach(list, i, entry) {
		struct check_node *child = &node->children[i];
		if (fields) {
			child->name = strdup(json_string_value(json_object_get(entry, "name")));
			if (child->name == NULL ||
			    compile(child, json_object_get(entry, "type"),
				    json_string_value(json_object_get(entry, "format"))) != 0)
				return -1;
		} else if (compile(child, entry, NULL) != 0) {
			return -1;
		}
		node->has_checks |= child->has_checks;
	}
	return 0;
}

static int compile(struct check_node *node, const json_t *type, const char *format)
{
	node->format = format_of(format);
	if (json_is_array(type)) {
		/* a union: the format of an optional field applies to its non-null branch */
		if (compile_children(node, type, 0) != 0)
			return -1;
		for (size_t i = 0; i < node->child_count; i++) {
			struct check_node *branch = &node->children[i];
			if (branch->format == FORMAT_NONE)
				branch->format = node->format;
			/* or the walk, which skips what has no checks, never reaches it */
			branch->has_checks |= branch->format != FORMAT_NONE;
		}
		node->has_checks |= node->format != FORMAT_NONE;
		return 0;
	}
	if (json_is_object(type)) {
		const char *kind = json_string_value(json_object_get(type, "type"));
		if (kind && strcmp(kind, "record") == 0) {
			if (compile_children(node, json_object_get(type, "fields"), 1) != 0)
				return -1;
		} else if (kind && strcmp(kind, "array") == 0) {
			node->children = calloc(1, sizeof(*node->children));
			if (node->children == NULL)
				return -1;
			node->child_count = 1;
			if (compile(node->children, json_object_get(type, "items"), NULL) != 0)
				return -1;
			node->has_checks = node->children->has_checks;
		}
	}
	node->has_checks |= node->format != FORMAT_NONE;
	return 0;
}

static void release(struct check_node *node)
{
	for (size_t i = 0; i < node->child_count; i++)
		release(&node->children[i]);
	free(node->children);
	free(node->name);
}

/*
 * The envelope's own id is checked by ctr_position_check() before the walk, on
 * every path that walks (a bad id takes no place in its stream), so the walk
 * leaves it out rather than check it a second time.
 */
static void leave_out_id(struct check_node *root)
{
	root->has_checks = root->format != FORMAT_NONE;
	for (size_t i = 0; i < root->child_count; i++) {
		struct check_node *child = &root->children[i];
		if (child->name && strcmp(child->name, "id") == 0 && child->child_count == 0) {
			child->format = FORMAT_NONE;
			child->has_checks = 0;
		}
		root->has_checks |= child->has_checks;
	}
}

struct ctr_validator *ctr_validator_new(const json_t *envelope_tree)
{
	struct ctr_validator *v = calloc(1, sizeof(*v));

	if (v != NULL && compile(&v->root, envelope_tree, NULL) != 0) {
		ctr_validator_free(v);
		return NULL;
	}
	if (v != NULL)
		leave_out_id(&v->root);
	return v;
}

void ctr_validator_free(struct ctr_validator *v)
{
	if (v == NULL)
		return;
	release(&v->root);
	free(v);
}

static int id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '-';
}

/* 1 to 64 of [A-Za-z0-9._:-]; every event has one, so no strspn() over a set each time */
static int event_id_ok(const char *text)
{
	size_t len = 0;

	while (len <= 64 && id_char((unsigned char)text[len]))
		len++;
	return text[len] == '\0' && len >= 1 && len <= 64;
}

static int digits_ok(const char *text, size_t count)
{
	return strspn(text, "0123456789") == count;
}

static int email_ok(const char *text)
{
	const char *at = strchr(text, '@');
	return at && at != text && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	       strpbrk(text, " \t\r\n") == NULL && strlen(text) <= 254;
}

static int format_ok(enum format format, const char *text)
{
	int ok = 0;

	switch (format) {
	case FORMAT_EVENT_ID:
		return event_id_ok(text);
	case FORMAT_TIMESTAMP:
		ctr_timestamp_parse(text, &ok);
		return ok;
	case FORMAT_DATE:
		ctr_date_parse(text, &ok);
		return ok;
	case FORMAT_EMAIL:
		return email_ok(text);
	case FORMAT_CUSTOMER_NO: /* S1 */
		return strlen(text) == 6 && digits_ok(text, 6);
	case FORMAT_SUPPORT_ID: /* S1 */
		return strlen(text) == 10 && digits_ok(text, 4) && text[4] == '-' &&
		       digits_ok(text + 5, 5);
	default:
		return 1;
	}
}

int ctr_format_ok(const char *format, const char *text)
{
	return format_ok(format_of(format), text);
}

/* E6: a count, 0 to CTR_COUNT_MAX (validate.h), as both walks judge it. */
static int count_ok(int64_t number)
{
	return number >= 0 && number <= CTR_COUNT_MAX;
}

/* 1 when the leaf value satisfies node's format. */
static int leaf_ok(const struct check_node *node, avro_value_t *value)
{
	const char *text = NULL;
	size_t len = 0;
	int64_t number = 0;

	if (node->format == FORMAT_COUNT) {
		avro_value_get_long(value, &number);
		return count_ok(number);
	}
	if (avro_value_get_type(value) != AVRO_STRING)
		return 1;
	avro_value_get_string(value, &text, &len);
	return format_ok(node->format, text);
}

/* Returns the failing node (and sets *path) or NULL when every check holds. */
static const struct check_node *walk(const struct check_node *node, avro_value_t *value,
				     const char **path)
{
	avro_type_t type = avro_value_get_type(value);
	const struct check_node *bad;
	avro_value_t child;
	size_t count = 0;
	int branch = 0;

	if (!node->has_checks)
		return NULL;
	if (type == AVRO_UNION) {
		avro_value_get_discriminant(value, &branch);
		avro_value_get_current_branch(value, &child);
		if ((size_t)branch >= node->child_count || avro_value_get_type(&child) == AVRO_NULL)
			return NULL;
		return walk(&node->children[branch], &child, path);
	}
	if (type == AVRO_RECORD || type == AVRO_ARRAY) {
		avro_value_get_size(value, &count);
		for (size_t i = 0; i < count; i++) {
			const struct check_node *child_node =
				&node->children[type == AVRO_RECORD ? i : 0];
			if (type == AVRO_RECORD && i >= node->child_count)
				break;
			if (!child_node->has_checks) /* nothing to fetch it for */
				continue;
			avro_value_get_by_index(value, i, &child, NULL);
			bad = walk(child_node, &child, path);
			if (bad != NULL) {
				if (*path == NULL && child_node->name)
					*path = child_node->name;
				return bad;
			}
		}
		return NULL;
	}
	if (node->format != FORMAT_NONE && !leaf_ok(node, value))
		return node;
	return NULL;
}

/*
 * The same walk over a record decoded onto a tape (avro_tape.h), reading the
 * tape's values where they lie instead of through the value interface: a
 * rebuild's events all come this way, and the interface's calls for each
 * value's type, size and children were most of the validator's work.
 */
static const struct check_node *walk_tape(const struct check_node *node,
					  const struct ctr_avro_tape *tape,
					  const struct tape_value *value, const char **path)
{
	avro_type_t type = value->node->type;
	const struct check_node *bad;

	if (!node->has_checks)
		return NULL;
	if (type == AVRO_UNION) {
		const struct tape_value *branch = &tape->values[value->first];
		if (value->count >= node->child_count || branch->node->type == AVRO_NULL)
			return NULL;
		return walk_tape(&node->children[value->count], tape, branch, path);
	}
	if (type == AVRO_RECORD || type == AVRO_ARRAY) {
		for (uint32_t i = 0; i < value->count; i++) {
			const struct check_node *child_node =
				&node->children[type == AVRO_RECORD ? i : 0];
			if (type == AVRO_RECORD && i >= node->child_count)
				break;
			if (!child_node->has_checks)
				continue;
			bad = walk_tape(child_node, tape, &tape->values[value->first + i], path);
			if (bad != NULL) {
				if (*path == NULL && child_node->name)
					*path = child_node->name;
				return bad;
			}
		}
		return NULL;
	}
	/* as leaf_ok: a count must be a long, and only strings carry the other formats */
	if (node->format == FORMAT_COUNT)
		return type == AVRO_INT64 && !count_ok(value->n.l) ? node : NULL;
	if (node->format == FORMAT_NONE || type != AVRO_STRING)
		return NULL;
	return format_ok(node->format, tape->text + value->first) ? NULL : node;
}

static int is_tape_value(const avro_value_t *value)
{
	return value->iface != NULL && value->iface->get_type == ctr_avro_tape_iface.get_type;
}

int ctr_position_check(struct ctr_event *ev)
{
	if (!event_id_ok(ev->id)) {
		ctr_event_reject(ev, CTR_CODE_BAD_FORMAT, 0, "id: not a valid event_id");
		return -1;
	}
	if (ev->stream[0] == '\0') {
		ctr_event_reject(ev, CTR_CODE_BAD_FORMAT, 0, "stream: empty");
		return -1;
	}
	if (ev->seq < 1) {
		ctr_event_reject(ev, CTR_CODE_BAD_FORMAT, 0, "seq: %lld is not a position (1 or more)",
				 (long long)ev->seq);
		return -1;
	}
	return 0;
}

void ctr_validator_check(const struct ctr_validator *v, avro_value_t *envelope,
			 struct ctr_event *ev)
{
	const char *path = NULL;
	const struct check_node *bad =
		is_tape_value(envelope)
			? walk_tape(&v->root, (const struct ctr_avro_tape *)(const void *)envelope->iface,
				    envelope->self, &path)
			: walk(&v->root, envelope, &path);

	if (bad == NULL)
		return;
	/* E2: a bad id takes no place; any other field does */
	if (bad->format == FORMAT_COUNT)
		ctr_event_reject(ev, CTR_CODE_BAD_FORMAT, 1, "%s: not a valid count (0 to %d)",
				 path ? path : "value", CTR_COUNT_MAX);
	else
		ctr_event_reject(ev, CTR_CODE_BAD_FORMAT, bad->format != FORMAT_EVENT_ID,
				 "%s: not a valid %s", path ? path : "value",
				 format_names[bad->format]);
}
