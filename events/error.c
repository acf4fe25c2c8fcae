/*
 * error.c - filling struct ctr_error.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

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

void ctr_error_clear(struct ctr_error *err)
{
	if (err == NULL)
		return;
	err->code = CTR_OK;
	err->message[0] = '\0';
}
