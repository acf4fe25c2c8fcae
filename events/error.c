/*
 * error.c - filling struct ctr_error.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ctr_error_set(struct ctr_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void ctr_error_prefix(struct ctr_error *err, const char *fmt, ...)
{
	char message[CTR_ERROR_MAX];
	va_list ap;
	int len;

	if (err == NULL)
		return;
	memcpy(message, err->message, sizeof(message));
	va_start(ap, fmt);
	len = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	if (len >= 0 && (size_t)len < sizeof(err->message))
		snprintf(err->message + len, sizeof(err->message) - (size_t)len, "%s", message);
}
