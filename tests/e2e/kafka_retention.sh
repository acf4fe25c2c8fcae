# Retention (issue 3): librdkafka's mock broker keeps about 5 MB per partition. When messages
# past a database's checkpoint were deleted before they were replayed, the replay stops with
# one line naming the topic, the partition and both offsets, and exits 3; nothing is skipped.
# A broker that cannot be reached ends in one line too.
source "$(dirname "$0")/lib.sh"
start_broker --topic small --partitions 1
"$CONTRAIL" generate --seed 5 --accounts 900 --out history.jsonl 2> /dev/null
head -n 1000 history.jsonl > first.jsonl
"$CONTRAIL" publish --to "kafka://$boot/small" jsonl:first.jsonl 2> /dev/null || [ $? -eq 1 ]
"$CONTRAIL" replay --source "kafka://$boot/small" --db kept.db > /dev/null
checkpoint=$(q kept.db "SELECT next_offset FROM checkpoints WHERE source = 'kafka:small'")
# enough to push the log start past the checkpoint
for _ in 1 2; do
	"$CONTRAIL" publish --to "kafka://$boot/small" jsonl:history.jsonl 2> /dev/null || [ $? -eq 1 ]
done
before=$(q kept.db 'SELECT count(*) FROM runs')
status=0; "$CONTRAIL" replay --source "kafka://$boot/small" --db kept.db > out 2> err || status=$?
expect_eq "exit" 3 "$status"
expect_eq "one line" 1 "$(wc -l < err)"
grep -q "small partition 0: the checkpoint is at offset $checkpoint but the log starts at [1-9]" err \
	|| fail "message: $(cat err)"
expect_eq "no run recorded" "$before" "$(q kept.db 'SELECT count(*) FROM runs')"
expect_eq "checkpoint unchanged" "$checkpoint" "$(q kept.db "SELECT next_offset FROM checkpoints WHERE source = 'kafka:small'")"
# a fresh database starts at offset 0, which is gone too
status=0; "$CONTRAIL" replay --source "kafka://$boot/small" --db fresh.db > /dev/null 2> err || status=$?
expect_eq "exit of a fresh replay" 3 "$status"
grep -q "checkpoint is at offset 0 but the log starts at" err || fail "message: $(cat err)"

# a broker that cannot be reached: one line that says why, exit 4
status=0; "$CONTRAIL" replay --source kafka://127.0.0.1:1/small --db unreachable.db > /dev/null 2> err || status=$?
expect_eq "exit with no broker" 4 "$status"
expect_eq "one line" 1 "$(wc -l < err)"
grep -q "cannot read the metadata of small.*Connection refused" err || fail "message: $(cat err)"
