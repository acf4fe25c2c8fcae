# E3 and E4 over a killed incremental run: an incremental replay killed with SIGKILL after some
# of its batches were committed, and run again, ends with the hash of an undisturbed run, and
# the runs count every event once: the killed run's committed batches are in a row of their
# own, so sum(read) over runs is what one run reads and the rejected rows are all counted.
source "$(dirname "$0")/lib.sh"
log_in_two 21 300 3
reference=$(replay_hash file:events.avro clean.db --business-date 2024-04-01)
read_all=$(q clean.db 'SELECT read FROM runs')

# the same log path throughout: its first third replayed, then the whole log
cp first.avro log.avro
replay_hash file:log.avro killed.db --business-date 2024-04-01 > /dev/null
first=$(q killed.db 'SELECT next_offset FROM checkpoints')
cp events.avro log.avro
cp killed.db before-kill.db
# killed once its checkpoint has moved on, part-way through the new events; a run that finished
# before the poll saw it move (a fast or a busy machine) is put back and started again
killed=
for _ in 1 2 3 4 5; do
	cp before-kill.db killed.db
	rm -f killed.db-wal killed.db-shm
	"$CONTRAIL" replay --source file:log.avro --db killed.db --batch 20 --business-date 2024-04-01 \
		> /dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 2000); do
		at=$(q killed.db 'SELECT next_offset FROM checkpoints' 2> /dev/null || echo "$first")
		[ "${at:-$first}" -gt $((first + 200)) ] && break
		sleep 0.005
	done
	kill -KILL "$pid" 2> /dev/null && killed=1
	wait "$pid" 2> /dev/null || true
	[ -n "$killed" ] && break
done
[ -n "$killed" ] || fail "the replay finished before it could be killed, five times"
at=$(q killed.db 'SELECT next_offset FROM checkpoints')
[ "$at" -gt "$first" ] && [ "$at" -lt "$read_all" ] || fail "not killed part-way: $first < $at < $read_all"

final=$(replay_hash file:log.avro killed.db --batch 20 --business-date 2024-04-01)
expect_eq "hash after SIGKILL and resume" "$reference" "$final"
expect_eq "rejected rows" "$(q clean.db 'SELECT count(*) FROM rejected_events')" \
	"$(q killed.db 'SELECT count(*) FROM rejected_events')"
expect_eq "events read over the runs" "$read_all" "$(q killed.db 'SELECT sum(read) FROM runs')"
expect_eq "read = applied + duplicates + rejected over the runs" "$read_all" \
	"$(q killed.db 'SELECT sum(applied) + sum(duplicates) + sum(rejected) FROM runs')"
expect_eq "rejected over the runs" "$(q killed.db 'SELECT count(*) FROM rejected_events')" \
	"$(q killed.db 'SELECT sum(rejected) FROM runs')"
# every rejected row names a run that is in runs
expect_eq "rejected rows of runs not recorded" 0 \
	"$(q killed.db 'SELECT count(*) FROM rejected_events WHERE run_id NOT IN (SELECT run_id FROM runs)')"
