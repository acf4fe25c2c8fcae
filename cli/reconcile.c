/*
 * reconcile.c - the checks of `contrail reconcile` (see reconcile.h). Table
 * and column names from the file are checked against the projection tables
 * and quoted; values are always bound.
 */
#include "cli/reconcile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "events/utf8.h"
#include "projections/schema_sql.h"

/* Appends a finding holding copies of its texts (NULL: ""); CTR_ENOMEM when it cannot. */
static int add(struct ctr_findings *f, const char *kind, const char *table, const char *key,
	       const char *column, const char *expected, const char *actual)
{
	const char *texts[4] = { key, column, expected, actual };
	size_t lengths[4], total = 0;
	struct ctr_finding *x;
	char *block, *starts[4];

	for (int i = 0; i < 4; i++) {
		texts[i] = texts[i] ? texts[i] : "";
		lengths[i] = strlen(texts[i]) + 1;
		total += lengths[i];
	}
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct ctr_finding *moved = realloc(f->items, cap * sizeof(*moved));
		if (moved == NULL)
			return CTR_ENOMEM;
		f->items = moved;
		f->cap = cap;
	}
	block = malloc(total);
	if (block == NULL)
		return CTR_ENOMEM;
	for (int i = 0, at = 0; i < 4; at += (int)lengths[i], i++) {
		memcpy(block + at, texts[i], lengths[i]);
		starts[i] = block + at;
	}
	x = &f->items[f->count++];
	x->kind = kind;
	x->table = table;
	x->key = starts[0];
	x->column = starts[1];
	x->expected = starts[2];
	x->actual = starts[3];
	return 0;
}

/*
 * add() for a finding of the expected file, unless one like it was reported:
 * a missing row once, however many of its columns the file names (kind
 * missing_row, column NULL), and a line the file repeats once. 0 or
 * CTR_ENOMEM, as add().
 */
static int add_once(struct ctr_findings *f, const char *kind, const char *table, const char *key,
		    const char *column, const char *expected, const char *actual)
{
	/* the texts with their lengths, so that no two findings read alike */
	char *identity = sqlite3_mprintf("%s %s %d:%s %d:%s %d:%s", kind, table, (int)strlen(key), key,
					 column ? (int)strlen(column) : -1, column ? column : "",
					 expected ? (int)strlen(expected) : -1, expected ? expected : "");
	int rc;

	if (identity == NULL || (f->reported == NULL && (f->reported = ctr_strmap_new()) == NULL)) {
		sqlite3_free(identity);
		return CTR_ENOMEM;
	}
	if (ctr_strmap_get(f->reported, identity) != NULL) {
		sqlite3_free(identity);
		return 0;
	}
	rc = ctr_strmap_put(f->reported, identity, f) == NULL ? CTR_ENOMEM
							      : add(f, kind, table, key, column, expected, actual);
	sqlite3_free(identity);
	return rc;
}

void ctr_findings_deinit(struct ctr_findings *f)
{
	ctr_strmap_free(f->reported);
	f->reported = NULL;
	for (size_t i = 0; i < f->count; i++)
		free(f->items[i].key);
	free(f->items);
	memset(f, 0, sizeof(*f));
}

/*
 * Splits one CSV line in place (RFC 4180 quoting, no line breaks inside
 * fields): fields[] point into line, unquoted. Returns the field count, -1
 * when malformed. A field only ever shrinks, so it is written over itself.
 */
static int split_csv(char *line, char *fields[], int max)
{
	char *read = line, *write = line;
	int count = 0;

	for (;;) {
		int quoted = *read == '"', more;
		if (count == max)
			return -1;
		fields[count] = write;
		if (quoted)
			read++;
		while (*read && (quoted || *read != ',')) {
			if (quoted && *read == '"') {
				if (read[1] != '"') {
					quoted = 0;
					read++;
					if (*read && *read != ',')
						return -1;
					continue;
				}
				read++;
			}
			*write++ = *read++;
		}
		if (quoted)
			return -1; /* an unterminated quote */
		more = *read == ','; /* read before the end is written: they may be one byte */
		*write++ = '\0';
		count++;
		if (!more)
			return count;
		read++;
	}
}

static const struct ctr_hashed_table *projection(const char *name)
{
	for (const struct ctr_hashed_table *t = ctr_hashed_tables; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* 1 when table has column, 0 when not, -1 when its columns cannot be read. */
static int has_column(sqlite3 *db, const char *table, const char *column)
{
	char sql[128];
	sqlite3_stmt *stmt = NULL;
	int found = 0, step = SQLITE_DONE;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	while (!found && (step = sqlite3_step(stmt)) == SQLITE_ROW)
		found = strcmp((const char *)sqlite3_column_text(stmt, 1), column) == 0;
	sqlite3_finalize(stmt);
	return found ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* How many key columns t has ("a, b": 2). */
static int key_columns_of(const struct ctr_hashed_table *t)
{
	int count = 1;

	for (const char *c = t->key; *c; c++)
		count += *c == ',';
	return count;
}

/* 1 when key (its parts joined with '/') has fewer parts than t's key columns. */
static int key_too_short(const struct ctr_hashed_table *t, const char *key)
{
	int parts = 1;

	for (const char *c = key; *c; c++)
		parts += *c == '/';
	return parts < key_columns_of(t);
}

/* The WHERE of a lookup by t's key columns, in order ("a, b": "a" = ? AND "b" = ?); their count. */
static int key_where(const struct ctr_hashed_table *t, char *where, size_t size)
{
	int key_columns = 0;
	size_t used = 0;

	for (const char *name = t->key; *name; key_columns++) {
		size_t n = strcspn(name, ",");
		used += (size_t)snprintf(where + used, size - used, "%s\"%.*s\" = ?",
					 key_columns ? " AND " : "", (int)n, name);
		name += n;
		name += strspn(name, ", ");
	}
	return key_columns;
}

/* key's parts, split on '/' in place, the last taking the rest; their count (at most 8). */
static int split_key(char *key, int key_columns, char *parts[8])
{
	char *rest = key;
	int count;

	for (count = 0; count < key_columns - 1 && count < 7; count++) {
		char *slash = strchr(rest, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		parts[count] = rest;
		rest = slash + 1;
	}
	parts[count++] = rest; /* as many as key_columns: key_too_short() saw to it */
	return count;
}

/* The row stmt looks up for f (table, key, column, expected): a finding unless it holds f[3]. */
static int compare_row(sqlite3 *db, sqlite3_stmt *stmt, const struct ctr_hashed_table *t,
		       char *f[], struct ctr_findings *out)
{
	int step = sqlite3_step(stmt);
	const unsigned char *value;
	const char *actual;

	if (step == SQLITE_DONE)
		return add_once(out, "missing_row", t->name, f[1], NULL, NULL, NULL);
	if (step != SQLITE_ROW)
		return CTR_EDB;
	value = sqlite3_column_text(stmt, 0);
	actual = value ? (const char *)value : "";
	if (value == NULL && sqlite3_errcode(db) == SQLITE_NOMEM)
		return CTR_ENOMEM;
	if (strcmp(actual, f[3]) != 0)
		return add_once(out, "mismatch", t->name, f[1], f[2], f[3], actual);
	return 0;
}

/* One expected value: the row by its key, the column compared as text. */
static int check(sqlite3 *db, const struct ctr_hashed_table *t, char *f[], struct ctr_findings *out)
{
	char sql[1024], where[512] = "", *key = strdup(f[1]), *parts[8];
	int count, rc;
	sqlite3_stmt *stmt = NULL;

	if (key == NULL)
		return CTR_ENOMEM;
	count = split_key(key, key_where(t, where, sizeof(where)), parts);
	snprintf(sql, sizeof(sql), "SELECT \"%s\" FROM %s WHERE %s", f[2], t->name, where);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		free(key);
		return CTR_EDB;
	}
	for (int i = 0; i < count; i++)
		sqlite3_bind_text(stmt, i + 1, parts[i], -1, SQLITE_STATIC);
	rc = compare_row(db, stmt, t, f, out);
	sqlite3_finalize(stmt);
	free(key);
	return rc;
}

/* Line number of path, a row's fields (table, key, column, expected), checked against db. */
static int check_line(sqlite3 *db, char *fields[], const char *path, long number,
		      struct ctr_findings *out, struct ctr_error *err)
{
	const struct ctr_hashed_table *t = projection(fields[0]);
	int rc;

	if (t == NULL)
		return ctr_error_set(err, CTR_EINVAL, "%s:%ld: %s is not a projection table", path, number, fields[0]);
	rc = has_column(db, t->name, fields[2]);
	if (rc < 0) {
		rc = ctr_db_error(db, CTR_EDB, err);
		ctr_error_prefix(err, "%s:%ld: cannot read the columns of %s: ", path, number, t->name);
		return rc;
	}
	if (rc == 0)
		return ctr_error_set(err, CTR_EINVAL, "%s:%ld: %s has no column %s", path, number, t->name, fields[2]);
	if (key_too_short(t, fields[1]))
		return ctr_error_set(err, CTR_EINVAL, "%s:%ld: the key of %s is %s, joined with /; %s"
				     " has fewer parts", path, number, t->name, t->key, fields[1]);
	rc = check(db, t, fields, out);
	if (rc == CTR_ENOMEM)
		return ctr_error_set(err, rc, "%s:%ld: out of memory", path, number);
	if (rc != 0) {
		rc = ctr_db_error(db, rc, err);
		ctr_error_prefix(err, "%s:%ld: ", path, number);
	}
	return rc;
}

/* 1 when the expected-values file's first line is its header. */
static int is_header(char *const fields[4])
{
	return strcmp(fields[0], "table") == 0 && strcmp(fields[1], "key") == 0 &&
	       strcmp(fields[2], "column") == 0 && strcmp(fields[3], "expected") == 0;
}

/* A line's text: its line end cut off, a first line's byte order mark (a spreadsheet's) skipped. */
static char *line_text(char *line, ssize_t *len, long number)
{
	while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
		line[--*len] = '\0';
	if (number == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
		return line + 3;
	return line;
}

/* Row number of path (header: whether it is the first): its four fields, checked against db. */
static int take_row(sqlite3 *db, char *text, const char *path, long number, int header,
		    struct ctr_findings *out, struct ctr_error *err)
{
	char *fields[5];

	if (split_csv(text, fields, 5) != 4)
		return ctr_error_set(err, CTR_EINVAL, "%s:%ld: not four CSV fields"
				     " (table,key,column,expected)", path, number);
	if (header)
		return is_header(fields) ? 0 : ctr_error_set(err, CTR_EINVAL, "%s:%ld: the header"
							    " must be table,key,column,expected",
							    path, number);
	return check_line(db, fields, path, number, out, err);
}

int ctr_reconcile_expected(sqlite3 *db, const char *path, struct ctr_findings *out,
			   struct ctr_error *err)
{
	char *line = NULL, *text;
	size_t cap = 0;
	ssize_t len;
	long number = 0, nonblank = 0;
	int rc = 0;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return ctr_error_set(err, CTR_EINVAL, "cannot read %s", path);
	while (rc == 0) {
		len = getline(&line, &cap, fp);
		if (len < 0 && !feof(fp)) { /* a read error, or no memory for the line: not its end */
			rc = ctr_error_set(err, CTR_EINVAL, "cannot read %s after line %ld: %s", path,
					   number, strerror(errno));
			break;
		}
		if (len < 0)
			break;
		number++;
		text = line_text(line, &len, number);
		if (*text == '\0') /* spreadsheets often end with blank lines */
			continue;
		nonblank++;
		/* a finding's texts are JSON strings too (--format json), and C's strings end at NUL */
		if (!ctr_utf8_text((const uint8_t *)line, (size_t)len))
			rc = ctr_error_set(err, CTR_EINVAL, "%s:%ld: not UTF-8 text", path, number);
		else
			rc = take_row(db, text, path, number, nonblank == 1, out, err);
	}
	if (rc == 0 && nonblank == 0)
		rc = ctr_error_set(err, CTR_EINVAL, "%s is empty: it needs the header"
				   " table,key,column,expected", path);
	free(line);
	fclose(fp);
	return rc;
}

static const struct {
	const char *kind, *table, *sql;
} builtin[] = {
	{ "over_allocated", "contract_products", "SELECT contract_id || '/' || sku, 'assigned ' ||"
	  " assigned || ' of ' || licenses || ' licenses' FROM contract_products WHERE over_allocated = 1"
	  " ORDER BY 1" },
	{ "ownerless", "contracts", "SELECT contract_id, 'no active owner' FROM contracts"
	  " WHERE ownerless = 1 ORDER BY 1" },
	{ "overdue_migration", "migrations", "SELECT from_contract || '/' || env_name, 'step ' || step ||"
	  " ', due by ' || due_by FROM migrations WHERE overdue = 1 ORDER BY 1" },
	{ "unknown_migration_target", "migrations", "SELECT from_contract || '/' || env_name,"
	  " 'to_contract ' || to_contract || ' does not exist' FROM migrations WHERE to_contract NOT IN"
	  " (SELECT contract_id FROM contracts) ORDER BY 1" },
	{ "needs_reactivation", "environments", "SELECT contract_id || '/' || env_id, 'offline, terms"
	  " changed since its activation' FROM environments WHERE status = 'needs_reactivation'"
	  " AND deleted = 0 ORDER BY 1" },
	{ "suspended_support_id", "support_ids", "SELECT support_id, suspension_reasons FROM support_ids"
	  " WHERE suspension_reasons != '' ORDER BY 1" },
};

int ctr_reconcile_builtin(sqlite3 *db, struct ctr_findings *out, struct ctr_error *err)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		sqlite3_stmt *stmt = NULL;
		int rc = 0, step = SQLITE_DONE;
		rc = ctr_db_prepare(db, builtin[i].sql, &stmt, err);
		if (rc != 0)
			return rc;
		while (rc == 0) {
			step = sqlite3_step(stmt);
			if (step != SQLITE_ROW)
				break;
			rc = add(out, builtin[i].kind, builtin[i].table,
				 (const char *)sqlite3_column_text(stmt, 0), NULL, NULL,
				 (const char *)sqlite3_column_text(stmt, 1));
		}
		if (rc == 0 && step != SQLITE_DONE) {
			rc = ctr_db_error(db, CTR_EDB, err);
			ctr_error_prefix(err, "%s: ", builtin[i].kind);
		} else if (rc != 0)
			ctr_error_set(err, rc, "%s: out of memory", builtin[i].kind);
		sqlite3_finalize(stmt);
		if (rc != 0)
			return rc;
	}
	return 0;
}
