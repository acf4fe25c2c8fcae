# An incremental run resumes from its checkpoint and reads only the new events; the result
# equals one run over everything.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 15 --accounts 200 --out history.jsonl 2> /dev/null
total=$(wc -l < history.jsonl)
head -n $((total / 2)) history.jsonl > first.jsonl
tail -n +$((total / 2 + 1)) history.jsonl > second.jsonl
"$CONTRAIL" ingest --log events.avro first.jsonl 2> /dev/null || [ $? -eq 1 ]
first_count=$("$CONTRAIL" dump --source file:events.avro 2> /dev/null | wc -l)
replay_hash file:events.avro inc.db --business-date 2024-04-01 > /dev/null
"$CONTRAIL" ingest --log events.avro second.jsonl 2> /dev/null || [ $? -eq 1 ]
all_count=$("$CONTRAIL" dump --source file:events.avro 2> /dev/null | wc -l)
inc=$(replay_hash file:events.avro inc.db --business-date 2024-04-01)
expect_eq "second run reads only the new events" "$((all_count - first_count))" \
	"$(q inc.db 'SELECT read FROM runs ORDER BY run_id DESC LIMIT 1')"
full=$(replay_hash file:events.avro full.db --rebuild --business-date 2024-04-01)
expect_eq "incremental equals full" "$full" "$inc"
# a run with nothing new reads nothing and keeps the hash
again=$(replay_hash file:events.avro inc.db --business-date 2024-04-01)
expect_eq "idle run hash" "$full" "$again"
expect_eq "idle run reads nothing" 0 "$(q inc.db 'SELECT read FROM runs ORDER BY run_id DESC LIMIT 1')"
# jsonl: a file that grew is read from where the last run stopped
cp first.jsonl grown.jsonl
replay_hash jsonl:grown.jsonl j.db --business-date 2024-04-01 > /dev/null
cat second.jsonl >> grown.jsonl
j=$(replay_hash jsonl:grown.jsonl j.db --business-date 2024-04-01)
expect_eq "jsonl incremental equals one jsonl run" \
	"$(replay_hash jsonl:history.jsonl j-full.db --business-date 2024-04-01)" "$j"
expect_eq "jsonl second run reads the new lines" "$(wc -l < second.jsonl)" \
	"$(q j.db 'SELECT read FROM runs ORDER BY run_id DESC LIMIT 1')"
