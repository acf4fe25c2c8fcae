/*
 * codes.c - names of the rejection codes (see codes.h).
 */
#include "events/codes.h"

static const char *const code_names[CTR_CODE_COUNT] = {
	[CTR_CODE_OK] = "ok",
	[CTR_CODE_BAD_JSON] = "bad_json",
	[CTR_CODE_BAD_AVRO] = "bad_avro",
	[CTR_CODE_TOO_LARGE] = "too_large",
	[CTR_CODE_UNKNOWN_TYPE] = "unknown_type",
	[CTR_CODE_MISSING_FIELD] = "missing_field",
	[CTR_CODE_BAD_FORMAT] = "bad_format",
	[CTR_CODE_UNKNOWN_STREAM] = "unknown_stream",
	[CTR_CODE_CONFLICTING_DUPLICATE] = "conflicting_duplicate",
	[CTR_CODE_SEQUENCE_GAP] = "sequence_gap",
	[CTR_CODE_STREAM_BLOCKED] = "stream_blocked",
	[CTR_CODE_ALREADY_EXISTS] = "already_exists",
	[CTR_CODE_OVER_ALLOCATION] = "over_allocation",
	[CTR_CODE_UNKNOWN_SKU] = "unknown_sku",
	[CTR_CODE_UNKNOWN_ENV] = "unknown_env",
	[CTR_CODE_ENV_DELETED] = "env_deleted",
	[CTR_CODE_NOT_OWNER] = "not_owner",
	[CTR_CODE_NOT_INVITED] = "not_invited",
	[CTR_CODE_UNKNOWN_MEMBER] = "unknown_member",
	[CTR_CODE_UNKNOWN_SUPPORT_ID] = "unknown_support_id",
	[CTR_CODE_ACCOUNT_DEACTIVATED] = "account_deactivated",
	[CTR_CODE_NOT_BY_ADMIN] = "not_by_admin",
	[CTR_CODE_OVER_RETIRE] = "over_retire",
	[CTR_CODE_RESUME_WINDOW_CLOSED] = "resume_window_closed",
	[CTR_CODE_CUSTOMER_INVALID] = "customer_invalid",
	[CTR_CODE_NOTICE_TOO_SHORT] = "notice_too_short",
	[CTR_CODE_ALREADY_CANCELLED] = "already_cancelled",
	[CTR_CODE_CONTRACT_ENDED] = "contract_ended",
	[CTR_CODE_BAD_FRAME] = "bad_frame",
	[CTR_CODE_UNKNOWN_SCHEMA] = "unknown_schema",
};

const char *ctr_code_name(enum ctr_code code)
{
	if (code < 0 || code >= CTR_CODE_COUNT)
		return "unknown";
	return code_names[code];
}
