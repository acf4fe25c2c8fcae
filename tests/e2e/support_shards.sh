# E4 for the rules that look across streams (S2 duplicate emails, merges of customer numbers):
# the same hash with the events reordered across streams, and when the streams are split over
# shards replayed apart and combined with `contrail merge`.
source "$(dirname "$0")/lib.sh"
events="$EXAMPLES/support_s1_s10_merges/events.jsonl"
date=--business-date=2014-07-15
python3 - "$events" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").readlines()
streams = {}
for line in lines:
    streams.setdefault(json.loads(line)["stream"], []).append(line)
order = sorted(streams, reverse=True)
open("reordered.jsonl", "w", encoding="utf-8").writelines(l for s in order for l in streams[s])
# duplicate emails 100001/200002 and the merge 500005/600006 each straddle the two shards
one = {"100001", "300003", "500005"}
open("shard-1.jsonl", "w", encoding="utf-8").writelines(l for l in lines if json.loads(l)["stream"] in one)
open("shard-2.jsonl", "w", encoding="utf-8").writelines(l for l in lines if json.loads(l)["stream"] not in one)
PY
single=$(replay_hash "jsonl:$events" single.db "$date")
expect_eq "reordered across streams" "$single" "$(replay_hash jsonl:reordered.jsonl reordered.db "$date")"
replay_hash jsonl:shard-1.jsonl shard-1.db "$date" > /dev/null
replay_hash jsonl:shard-2.jsonl shard-2.db "$date" > /dev/null
expect_eq "a shard alone sees no duplicate" 0 "$(q shard-1.db 'SELECT duplicate_email FROM customers WHERE customer_no = "100001"')"
"$CONTRAIL" merge --out merged.db shard-1.db shard-2.db > merge.txt
expect_eq "merged hash" "$single" "$(sed -n 's/^projection hash //p' merge.txt)"
expect_eq "hash command on the merged database" "$single" "$("$CONTRAIL" hash --db merged.db --recompute)"
expect_eq "S2 across shards" "100001|1
200002|1" "$(q merged.db 'SELECT customer_no, duplicate_email FROM customers WHERE customer_no IN ("100001", "200002") ORDER BY 1')"
expect_eq "the merged support id's latest placement" 500005 "$(q merged.db 'SELECT customer_no FROM support_ids WHERE support_id = "6666-00001"')"
expect_eq "E3 over the merge" 0 "$(q merged.db 'SELECT count(*) FROM runs WHERE read != applied + duplicates + rejected')"

# a generated history split by account (the unit of sharding) merges to the single hash
"$CONTRAIL" generate --seed 21 --accounts 120 --out history.jsonl 2> /dev/null
split_by_account history.jsonl 3 gen
whole=$(replay_hash jsonl:history.jsonl whole.db --business-date 2024-04-01)
for i in 0 1 2; do replay_hash "jsonl:gen-$i.jsonl" "gen-$i.db" --business-date 2024-04-01 > /dev/null; done
"$CONTRAIL" merge --out gen.db gen-0.db gen-1.db gen-2.db > merge.txt
expect_eq "generated history over 3 shards" "$whole" "$(sed -n 's/^projection hash //p' merge.txt)"
# shards judged on different dates are refused
replay_hash jsonl:shard-1.jsonl other-date.db --business-date 2015-01-01 > /dev/null
status=0; "$CONTRAIL" merge --out bad.db shard-2.db other-date.db 2> err.txt || status=$?
expect_eq "merge of shards on two dates" 3 "$status"
grep -q "business-date" err.txt || fail "$(cat err.txt)"
