# E4: the same events give the same projection hash for batch sizes 1, 7 and 10,000,
# from JSON Lines and from the local Avro log, incremental or rebuilt.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 11 --accounts 150 --out history.jsonl 2> /dev/null
"$CONTRAIL" ingest --log events.avro history.jsonl 2> /dev/null || [ $? -eq 1 ]
reference=$(replay_hash file:events.avro rebuilt.db --rebuild --business-date 2024-04-01)
for batch in 1 7 10000; do
	expect_eq "file, batch $batch" "$reference" \
		"$(replay_hash file:events.avro "file-$batch.db" --batch "$batch" --business-date 2024-04-01)"
done
# the JSON source also reads the lines ingest refused; they are rejected without a place,
# so the projections agree
expect_eq "jsonl, batch 7" "$reference" \
	"$(replay_hash jsonl:history.jsonl jsonl.db --batch 7 --business-date 2024-04-01)"
expect_eq "hash command" "$reference" "$("$CONTRAIL" hash --db rebuilt.db)"
# a rebuild writes its invoices in a file beside its own (engine/invoices_aside.h) and removes it
[ "$(q rebuilt.db 'SELECT count(*) FROM invoices')" -gt 0 ] || fail "no invoices rebuilt"
for left in invoices lines; do [ ! -e "rebuilt.db.rebuild.$left" ] || fail "the $left file was left"; done
# a rebuild in small batches rewrites rows in later batches; its triggers keep the sums
expect_eq "rebuild, batch 7" "$reference" \
	"$(replay_hash file:events.avro rebuilt-7.db --rebuild --batch 7 --business-date 2024-04-01)"
# E3 holds for each run
expect_eq "read = applied + duplicates + rejected" 0 \
	"$(q jsonl.db 'SELECT count(*) FROM runs WHERE read != applied + duplicates + rejected')"
# the sums kept by every run equal a recount of every row
for db in file-1.db file-7.db jsonl.db rebuilt.db rebuilt-7.db; do
	expect_eq "$db kept = recounted" "$("$CONTRAIL" hash --db "$db")" "$("$CONTRAIL" hash --db "$db" --recompute)"
done
