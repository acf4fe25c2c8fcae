# A rebuild that follows a topic (--rebuild --follow) has read its source whole once it has
# caught up with the topic; SIGTERM after that puts the new database in place (exit 0, the run
# recorded) like a bounded rebuild's. Stopped before, it keeps the old database (as in
# tests/e2e/rebuild_interrupted.sh), as does one in a group stopped before it was given a
# partition.
source "$(dirname "$0")/lib.sh"
start_broker --topic events --partitions 3
"$CONTRAIL" generate --seed 9 --accounts 100 --out history.jsonl 2> /dev/null
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:history.jsonl 2> /dev/null || [ $? -eq 1 ]
bounded=$(replay_hash "kafka://$boot/events" bounded.db --business-date 2024-04-01)
replay_hash "jsonl:$EXAMPLES/portal_example/events.jsonl" follow.db --business-date 2024-04-01 > /dev/null
before=$("$CONTRAIL" hash --db follow.db)

# A member of a group is given no partition for the first seconds (the group waits for its
# members to join): a rebuild stopped then has read nothing of its source and keeps the old
# database (exit 4), following or not.
for follow in "" --follow; do
	"$CONTRAIL" replay --source "kafka://$boot/events" --db follow.db --rebuild $follow \
		--group "early$follow" -X debug=cgrp --business-date 2024-04-01 > early.out 2> early.err &
	pid=$!
	# the member joins once its loop runs, signals handled; the group answers 3 s later
	for _ in $(seq 500); do grep -q "Joining group" early.err && break; sleep 0.02; done
	kill -TERM "$pid"
	status=0; wait "$pid" || status=$?
	expect_eq "exit of a rebuild$follow stopped before its group gave it partitions" 4 "$status"
	grep -q "stopped by a signal before the rebuild read its whole source" early.err ||
		fail "$(cat early.out early.err)"
	expect_eq "the database it would have rebuilt" "$before" "$("$CONTRAIL" hash --db follow.db)"
done

"$CONTRAIL" replay --source "kafka://$boot/events" --db follow.db --rebuild --follow --batch 100 \
	--business-date 2024-04-01 > follow.out 2> follow.err &
pid=$!
trap 'kill $pid $broker 2> /dev/null; wait $broker 2> /dev/null' EXIT
# caught up: the new file (locked while it is built) has stopped growing for two seconds
last=-1 still=0
for _ in $(seq 600); do
	size=$(stat -c %s follow.db.rebuild 2> /dev/null || echo 0)
	if [ "$size" -gt 0 ] && [ "$size" = "$last" ]; then still=$((still + 1)); else still=0; fi
	[ "$still" -ge 20 ] && break
	last=$size
	sleep 0.1
done
[ "$still" -ge 20 ] || fail "the following rebuild did not settle: $(cat follow.err)"
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
expect_eq "exit after SIGTERM, caught up" 0 "$status"
grep -q "(interrupted)" follow.out || fail "$(cat follow.out follow.err)"
expect_eq "the followed rebuild in place" "$bounded" "$("$CONTRAIL" hash --db follow.db)"
[ ! -e follow.db.rebuild ] || fail "the new file was left beside the database"
