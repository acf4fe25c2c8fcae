# An ingest whose write fails part-way (a file size limit standing in for a full disk): the
# block written in part is cut off again, so the log ends at its last whole block and is not
# written a second time at close; the run stops with one line naming the log and how many
# events reached it (exit 4). The log then replays and takes the next ingest as any log does.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 5 --accounts 40 --out history.jsonl 2> /dev/null
"$CONTRAIL" ingest --log full.avro history.jsonl 2> /dev/null || [ $? -eq 1 ]
[ "$(stat -c %s full.avro)" -gt $((200 * 1024)) ] || fail "the history is too small to fail part-way"

# a limit of 150 KiB: two blocks of about 64 KiB fit, the third is cut by the limit. SIGXFSZ
# keeps its default here: contrail ignores it itself, so that the write fails instead of the
# kernel killing the process mid-block.
status=0
( ulimit -f 150; "$CONTRAIL" ingest --log log.avro history.jsonl ) \
	2> limited.err || status=$?
expect_eq "exit of an ingest that cannot write" 4 "$status"
grep -v '^history.jsonl:' limited.err > failure.err || true
expect_eq "its lines on stderr, refused lines aside" 1 "$(wc -l < failure.err)"
grep -q "^contrail ingest: cannot write log.avro: " failure.err || fail "$(cat failure.err)"
written=$(sed -n 's/.*; \([0-9]*\) events appended before it$/\1/p' failure.err)
[ -n "$written" ] && [ "$written" -gt 0 ] || fail "no count of the events appended: $(cat failure.err)"
[ "$(stat -c %s log.avro)" -le $((150 * 1024)) ] || fail "the log is over the limit"

# the log holds the whole blocks written before the failure, and nothing else
avrocat log.avro > kept.json || fail "avrocat cannot read the log"
expect_eq "events in the log" "$written" "$(wc -l < kept.json)"
cmp -s kept.json <(avrocat full.avro | head -n "$written") || fail "the log is not the first $written events"
"$CONTRAIL" replay --source file:log.avro --db log.db > /dev/null 2> replay.err ||
	fail "the log does not replay: $(cat replay.err)"

# the next ingest appends to it as to any log: no bytes moved aside
status=0; "$CONTRAIL" ingest --log log.avro /dev/null 2> next.err || status=$?
expect_eq "exit of the next ingest" 0 "$status"
[ -z "$(ls log.avro.torn-* 2> /dev/null)" ] || fail "bytes were moved aside: $(cat next.err)"
