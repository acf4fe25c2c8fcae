/*
 * event.c - marking a decoded event rejected (see event.h).
 */
#include "events/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "events/timefmt.h"

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

int64_t ctr_event_recorded_us(const struct ctr_event *ev)
{
	int64_t us;
	int ok = 0;

	if (ev->recorded_known)
		return ev->recorded_us;
	us = ctr_timestamp_parse(ev->recorded, &ok);
	if (!ok)
		us = ctr_timestamp_parse(ev->at, &ok);
	return ok ? us : CTR_TIME_NONE;
}
