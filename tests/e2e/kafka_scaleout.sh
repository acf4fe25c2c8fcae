# Scale-out (issue 3): two `contrail replay` processes in one consumer group split the
# partitions, each into its own shard; `contrail merge` combines the shards into a database
# with the hash of one process's replay. A replay killed with SIGKILL part-way and run again
# ends with the hash of an undisturbed run.
source "$(dirname "$0")/lib.sh"
start_broker --topic events --partitions 6
"$CONTRAIL" generate --seed 33 --accounts 600 --out history.jsonl 2> /dev/null
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:history.jsonl 2> /dev/null || [ $? -eq 1 ]
date=(--business-date 2024-04-01)
reference=$(replay_hash "kafka://$boot/events" single.db "${date[@]}")

# two_members GROUP: both members of GROUP, started together, each into its own shard. Their
# librdkafka group logs (debug=cgrp) go to one.err and two.err.
two_members() {
	local group=(--group "$1" -X session.timeout.ms=6000 -X debug=cgrp) first
	rm -f shard1.db* shard2.db*
	"$CONTRAIL" replay --source "kafka://$boot/events" --db shard1.db "${date[@]}" "${group[@]}" \
		> one.out 2> one.err &
	first=$!
	status2=0
	"$CONTRAIL" replay --source "kafka://$boot/events" --db shard2.db "${date[@]}" "${group[@]}" \
		> two.out 2> two.err || status2=$?
	status1=0
	wait "$first" || status1=$?
}
# The mock broker of the packaged librdkafka marks a group synced as soon as the leader's
# SyncGroup arrives, so a follower whose SyncGroup comes after it (a loaded machine) is answered
# "Invalid request" and rejoins with nothing; by the time the group rebalances the leader may
# have finished and left, and the follower takes every partition. A real broker answers the late
# SyncGroup with its assignment. Only that refusal, seen in the logs, is a reason to run again.
for attempt in 1 2 3 4 5; do
	two_members "scale-$attempt"
	grep -q "SyncGroup response: Broker: Invalid request" one.err two.err || break
	echo "attempt $attempt: the mock broker refused a follower's SyncGroup" >&2
done
expect_eq "exit statuses of the two members" "0 0" "$status1 $status2"
for shard in shard1 shard2; do
	partitions=$(q $shard.db 'SELECT count(*) FROM checkpoints')
	[ "$partitions" -ge 1 ] && [ "$partitions" -le 5 ] || fail "$shard holds $partitions of 6 partitions"
done
expect_eq "partitions over the shards" "0 1 2 3 4 5" \
	"$( (q shard1.db 'SELECT partition FROM checkpoints'; q shard2.db 'SELECT partition FROM checkpoints') | sort -n | tr '\n' ' ' | sed 's/ $//')"
"$CONTRAIL" merge --out merged.db shard1.db shard2.db > merge.out
expect_eq "merged hash" "$reference" "$("$CONTRAIL" hash --db merged.db)"
expect_eq "merged counts" "$(q single.db 'SELECT read, applied, duplicates, rejected FROM runs')" \
	"$(q merged.db 'SELECT read, applied, duplicates, rejected FROM runs ORDER BY run_id DESC LIMIT 1')"
# a shard holding a partition another shard holds is refused
status=0; "$CONTRAIL" merge --out twice.db shard1.db single.db > /dev/null 2> twice.err || status=$?
expect_eq "merge of two shards holding one partition" 3 "$status"
grep -q "^contrail merge: single.db holds kafka:events partition [0-5], which another shard holds too" \
	twice.err || fail "$(cat twice.err)"
# a shard's next run in a group that hands it partitions it never read (here one member alone,
# given all six) stops before reading: it would overlap the other shard (exit 3)
cp shard1.db again.db
status=0; "$CONTRAIL" replay --source "kafka://$boot/events" --db again.db "${date[@]}" \
	--group again -X session.timeout.ms=6000 > /dev/null 2> again.err || status=$?
expect_eq "a shard given partitions it never read" 3 "$status"
grep -q "a partition it has not read" again.err || fail "$(cat again.err)"
expect_eq "its checkpoints as they were" "$(q shard1.db 'SELECT * FROM checkpoints ORDER BY partition')" \
	"$(q again.db 'SELECT * FROM checkpoints ORDER BY partition')"
expect_eq "no run recorded" "$(q shard1.db 'SELECT count(*) FROM runs')" "$(q again.db 'SELECT count(*) FROM runs')"
# the same on another business date leaves no mark of a run judged part-way (E4, meta.judging):
# it wrote no row, so the shard still merges
expect_eq "the shard judged on another date" 2024-04-01 \
	"$(q shard1.db "SELECT value FROM meta WHERE key = 'judged_on'")"
cp shard1.db again2.db
status=0; "$CONTRAIL" replay --source "kafka://$boot/events" --db again2.db --business-date 2024-05-01 \
	--group again2 -X session.timeout.ms=6000 > /dev/null 2> again2.err || status=$?
expect_eq "a shard given partitions it never read, on another date" 3 "$status"
expect_eq "no judging left" 0 "$(q again2.db "SELECT count(*) FROM meta WHERE key = 'judging'")"
"$CONTRAIL" merge --out merged2.db again2.db shard2.db > /dev/null || fail "the shard no longer merges"
expect_eq "merged hash after it" "$reference" "$("$CONTRAIL" hash --db merged2.db)"

# SIGKILL part-way, then run again: nothing lost, nothing counted twice
kill_part_way "0.3 0.6 0.9" "$CONTRAIL" replay --source "kafka://$boot/events" --db killed.db \
	--batch 40 "${date[@]}"
expect_eq "hash after SIGKILL and resume" "$reference" \
	"$(replay_hash "kafka://$boot/events" killed.db --batch 40 "${date[@]}")"
expect_eq "rejected rows" "$(q single.db 'SELECT count(*) FROM rejected_events')" \
	"$(q killed.db 'SELECT count(*) FROM rejected_events')"
