/*
 * codes.h - the stable rejection codes of DOMAIN.md (E6 and the rules).
 *
 * The names are a public interface: they are stored in rejected_events.code
 * and matched by reconciliation jobs. Append new codes; never rename one.
 */
#ifndef CTR_CODES_H
#define CTR_CODES_H

enum ctr_code {
	CTR_CODE_OK = 0,
	/* envelope and decoding (E6) */
	CTR_CODE_BAD_JSON,
	CTR_CODE_BAD_AVRO,
	CTR_CODE_TOO_LARGE,
	CTR_CODE_UNKNOWN_TYPE,
	CTR_CODE_MISSING_FIELD,
	CTR_CODE_BAD_FORMAT,
	CTR_CODE_UNKNOWN_STREAM,
	/* ordering and idempotency (E1, E2) */
	CTR_CODE_CONFLICTING_DUPLICATE,
	CTR_CODE_SEQUENCE_GAP,
	CTR_CODE_STREAM_BLOCKED,
	/* rules */
	CTR_CODE_ALREADY_EXISTS,
	CTR_CODE_OVER_ALLOCATION,
	CTR_CODE_UNKNOWN_SKU,
	CTR_CODE_UNKNOWN_ENV,
	CTR_CODE_ENV_DELETED,
	CTR_CODE_NOT_OWNER,
	CTR_CODE_NOT_INVITED,
	CTR_CODE_UNKNOWN_MEMBER,
	CTR_CODE_UNKNOWN_SUPPORT_ID,
	CTR_CODE_ACCOUNT_DEACTIVATED,
	CTR_CODE_NOT_BY_ADMIN,
	CTR_CODE_OVER_RETIRE,
	CTR_CODE_RESUME_WINDOW_CLOSED,
	CTR_CODE_CUSTOMER_INVALID,
	CTR_CODE_NOTICE_TOO_SHORT,
	CTR_CODE_ALREADY_CANCELLED,
	CTR_CODE_CONTRACT_ENDED,
	CTR_CODE_BAD_FRAME,       /* a Kafka value not in the Confluent wire format */
	CTR_CODE_UNKNOWN_SCHEMA,  /* a schema id the catalog does not hold */
	CTR_CODE_COUNT
};

/* The code's stable name, e.g. "over_allocation". */
const char *ctr_code_name(enum ctr_code code);

#endif
