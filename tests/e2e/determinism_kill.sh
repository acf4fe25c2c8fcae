# E4, checkpoints: a replay killed with SIGKILL part-way and run again gives the hash of a run
# that was never disturbed; nothing is lost or counted twice.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 14 --accounts 800 --out history.jsonl 2> /dev/null
"$CONTRAIL" ingest --log events.avro history.jsonl 2> /dev/null || [ $? -eq 1 ]
reference=$(replay_hash file:events.avro clean.db --business-date 2024-04-01)
kill_part_way "0.2 0.4 0.6" "$CONTRAIL" replay --source file:events.avro --db killed.db --batch 50 \
	--business-date 2024-04-01
final=$(replay_hash file:events.avro killed.db --batch 50 --business-date 2024-04-01)
expect_eq "hash after SIGKILL and resume" "$reference" "$final"
# every event was read exactly once over the runs that committed: a resumed run starts at its
# checkpoint (a run that read again from the start would count the same hash, with duplicates)
expect_eq "events read over the runs" "$(q clean.db 'SELECT sum(read) FROM runs')" \
	"$(q killed.db 'SELECT sum(read) FROM runs')"
expect_eq "duplicates over the runs" "$(q clean.db 'SELECT sum(duplicates) FROM runs')" \
	"$(q killed.db 'SELECT sum(duplicates) FROM runs')"
expect_eq "rejected rows" "$(q clean.db 'SELECT count(*) FROM rejected_events')" \
	"$(q killed.db 'SELECT count(*) FROM rejected_events')"
