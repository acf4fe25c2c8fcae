/*
 * event.c - marking a decoded event rejected (see event.h).
 */
#include "events/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ctr_event_reject(struct ctr_event *ev, enum ctr_code code, int takes_place, const char *fmt,
		      ...)
{
	va_list ap;

	ev->code = code;
	ev->takes_place = takes_place;
	va_start(ap, fmt);
	vsnprintf(ev->message, sizeof(ev->message), fmt, ap);
	va_end(ap);
}

void ctr_event_clear(struct ctr_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = ev->type = ev->stream = ev->account = ev->at = ev->recorded = "";
	ev->type_index = -1;
}
