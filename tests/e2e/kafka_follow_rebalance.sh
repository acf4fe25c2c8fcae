# A following member that loses partitions it has read from (issue 3, scale-out): a second
# `--follow` member joining its group takes some of them, and the first stops with one line
# naming a partition, exit 3, keeping what it read (its run recorded, every partition's
# checkpoint stored). The second member's shard then holds partitions the first holds too, and
# `contrail merge` refuses the two.
source "$(dirname "$0")/lib.sh"
start_broker --topic events --partitions 4
"$CONTRAIL" generate --seed 12 --accounts 200 --out history.jsonl 2> /dev/null
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:history.jsonl 2> /dev/null || [ $? -eq 1 ]
total=$(kcat -C -b "$boot" -t events -e -q -f '%o\n' | wc -l)
group=(--group followers -X session.timeout.ms=6000 --follow --batch 100)

"$CONTRAIL" replay --source "kafka://$boot/events" --db first.db "${group[@]}" > first.out 2> first.err &
first=$!
second=
trap 'kill $first $second $broker 2> /dev/null; wait $broker 2> /dev/null' EXIT
# the first member alone: every partition, read to its end and committed
read_to first.db "$total"
expect_eq "events the first member read alone" "$total" "$read"

"$CONTRAIL" replay --source "kafka://$boot/events" --db second.db "${group[@]}" > second.out 2> second.err &
second=$!
# the group rebalances within a few seconds; a minute at most for a loaded machine
for _ in $(seq 1 600); do
	kill -0 "$first" 2> /dev/null || break
	sleep 0.1
done
status=0
if kill -0 "$first" 2> /dev/null; then
	fail "the first member still runs a minute after the second joined: $(cat first.err)"
fi
wait "$first" || status=$?
expect_eq "exit of the member that lost partitions it had read" 3 "$status"
grep -q "^contrail replay: kafka: events partition [0-3] went to another member of the group" first.err ||
	fail "no line naming the partition: $(cat first.err)"
expect_eq "lines on its standard error" 1 "$(grep -c '^contrail' first.err)"
expect_eq "its run is recorded" 1 "$(q first.db 'SELECT count(*) FROM runs')"
expect_eq "its checkpoints, every partition to its end" "4 $total" \
	"$(q first.db "SELECT count(*) || ' ' || sum(next_offset) FROM checkpoints")"
expect_eq "the hash of one bounded run" "$(replay_hash "kafka://$boot/events" bounded.db)" \
	"$("$CONTRAIL" hash --db first.db)"

# the second member, now alone in the group, follows on; SIGTERM ends it cleanly
for _ in $(seq 1 600); do
	read=$(q second.db "SELECT coalesce(sum(next_offset), 0) FROM checkpoints" 2> /dev/null || echo 0)
	[ "$read" != 0 ] && break
	sleep 0.1
done
[ "$read" != 0 ] || fail "the second member read nothing: $(cat second.err)"
kill -TERM "$second"
status=0; wait "$second" || status=$?
second=
expect_eq "exit of the second member after SIGTERM" 0 "$status"
status=0; "$CONTRAIL" merge --out merged.db first.db second.db > /dev/null 2> merge.err || status=$?
expect_eq "merge of two shards holding one partition" 3 "$status"
grep -q "^contrail merge: second.db holds kafka:events partition [0-3], which another shard holds too" \
	merge.err || fail "$(cat merge.err)"
[ ! -e merged.db ] || fail "merge left merged.db behind"
