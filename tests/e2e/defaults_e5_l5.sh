# E5: without --business-date a replay judges on today's date in Japan; L5: without
# --expiring-days a contract is expiring when its end date is within 90 days of that date.
source "$(dirname "$0")/lib.sh"
before=$(TZ=Asia/Tokyo date +%F)
contract() { # STREAM END_DATE -> the opening of a license contract ending then
	printf '{"id": "%s-1", "type": "contract.opened", "stream": "%s", "seq": 1, "account": "100001", "at": "2024-01-10T10:00:00+09:00", "data": {"name": "%s", "kind": "license", "start_date": "2024-01-01", "owners": [{"user": "own@example.com", "email": "own@example.com", "name": "Owner"}], "products": [{"sku": "A", "name": "A", "licenses": 1}], "end_date": "%s"}}\n' \
		"$1" "$1" "$1" "$2"
}
{
	contract C-90 "$(TZ=Asia/Tokyo date -d "$before +90 days" +%F)"
	contract C-91 "$(TZ=Asia/Tokyo date -d "$before +91 days" +%F)"
	contract C-PAST "$(TZ=Asia/Tokyo date -d "$before -1 day" +%F)"
} > events.jsonl
# the machine's own zone (UTC-12 here, where the date differs from Japan's 21 hours a day) plays
# no part
TZ=Etc/GMT+12 replay_hash jsonl:events.jsonl now.db > /dev/null
after=$(TZ=Asia/Tokyo date +%F)
judged=$(q now.db 'SELECT business_date FROM runs')
[ "$judged" = "$before" ] || [ "$judged" = "$after" ] ||
	fail "business date $judged, where today in Japan is $before (or $after, past midnight)"
[ "$judged" = "$before" ] || exit 0 # the day turned during the run: the statuses below moved
expect_eq "L5 with the default 90 expiring days" "C-90|expiring|90 C-91|active|91 C-PAST|expired|-1" \
	"$(q now.db "SELECT group_concat(contract_id || '|' || status || '|' || days_left, ' ') FROM (SELECT * FROM contracts ORDER BY contract_id)")"
