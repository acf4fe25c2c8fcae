# --follow and signals (issue 3): a following replay picks up events published after it
# started; SIGTERM (or SIGINT) commits the batch being read and exits 0, recording the run.
# A bounded replay afterwards finds nothing new: everything read was committed.
source "$(dirname "$0")/lib.sh"
start_broker --topic events --partitions 3
"$CONTRAIL" generate --seed 8 --accounts 200 --out history.jsonl 2> /dev/null
head -n 3000 history.jsonl > first.jsonl
tail -n +3001 history.jsonl > rest.jsonl
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:first.jsonl 2> /dev/null || [ $? -eq 1 ]
"$CONTRAIL" replay --source "kafka://$boot/events" --db follow.db --follow --batch 100 > follow.out 2> follow.err &
pid=$!
trap 'kill $pid $broker 2> /dev/null; wait $broker 2> /dev/null' EXIT # a failed check leaves no follower
sleep 1
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:rest.jsonl 2> /dev/null || [ $? -eq 1 ]
total=$(kcat -C -b "$boot" -t events -e -q -f '%o\n' | wc -l)
read_to follow.db "$total" # under valgrind the follower can take more than ten seconds
expect_eq "events read while following" "$total" "$read"
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
expect_eq "exit after SIGTERM" 0 "$status"
grep -q "(interrupted): read $total," follow.out || fail "$(cat follow.out follow.err)"
expect_eq "the run is recorded" 1 "$(q follow.db 'SELECT count(*) FROM runs')"
"$CONTRAIL" replay --source "kafka://$boot/events" --db follow.db > again.out
expect_eq "nothing left after the interrupted run" 0 "$(q follow.db 'SELECT read FROM runs WHERE run_id = 2')"
expect_eq "same hash as one bounded run" "$(replay_hash "kafka://$boot/events" bounded.db)" \
	"$(q follow.db 'SELECT projection_hash FROM runs WHERE run_id = 2')"
