/*
 * error.h - the error struct every fallible contrail function fills.
 *
 * Functions return int: 0 on success, a negative CTR_E* value on failure, and
 * write a one-line, lowercase message into a caller-provided struct ctr_error.
 * Library code never prints; the CLI turns the message into one line on stderr.
 */
#ifndef CTR_ERROR_H
#define CTR_ERROR_H

#include <stddef.h>

enum {
	CTR_OK = 0,
	CTR_EINVAL = -1,   /* bad argument or bad input */
	CTR_EIO = -2,      /* an input could not be read (or an I/O error not of CTR_EWRITE's kind) */
	CTR_ECORRUPT = -3, /* a log or database is damaged */
	CTR_ENOMEM = -4,
	CTR_EDB = -5,      /* SQLite reported an error */
	CTR_ESCHEMA = -6,  /* a schema could not be parsed or resolved */
	CTR_EKAFKA = -7,
	CTR_ESTATE = -8,   /* the operation does not fit the current state */
	CTR_EWRITE = -9,   /* an output could not be created, written or moved into place */
	CTR_EINTR = -10,   /* a signal stopped work that leaves nothing behind unless it is done */
	CTR_EEXIST = -11,  /* what was to be made exists already */
};

#define CTR_ERROR_MAX 512

struct ctr_error {
	int code;
	char message[CTR_ERROR_MAX];
};

/* Fills err (when not NULL) with code and a printf-style message; returns code. */
int ctr_error_set(struct ctr_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts a printf-style prefix before err's message (when err is not NULL), keeping its code. */
void ctr_error_prefix(struct ctr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
