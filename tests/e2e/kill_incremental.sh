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
# kill_part_way DB ARGS...: a replay of log.avro into DB (a copy of before-kill.db) with ARGS,
# killed with SIGKILL once its checkpoint has moved on, part-way through the new events; a run
# that finished before the poll saw it move (a fast or a busy machine) is put back and started
# again, five times at most
kill_part_way() {
	local db=$1 killed= pid at
	shift
	for _ in 1 2 3 4 5; do
		cp before-kill.db "$db"
		rm -f "$db-wal" "$db-shm"
		"$CONTRAIL" replay --source file:log.avro --db "$db" --batch 20 "$@" > /dev/null 2>&1 &
		pid=$!
		for _ in $(seq 1 2000); do
			at=$(q "$db" 'SELECT next_offset FROM checkpoints' 2> /dev/null || echo "$first")
			[ "${at:-$first}" -gt $((first + 200)) ] && break
			sleep 0.005
		done
		kill -KILL "$pid" 2> /dev/null && killed=1
		wait "$pid" 2> /dev/null || true
		[ -n "$killed" ] && return 0
	done
	fail "the replay into $db finished before it could be killed, five times"
}
kill_part_way killed.db --business-date 2024-04-01
at=$(q killed.db 'SELECT next_offset FROM checkpoints')
[ "$at" -gt "$first" ] && [ "$at" -lt "$read_all" ] || fail "not killed part-way: $first < $at < $read_all"

final=$(replay_hash file:log.avro killed.db --batch 20 --business-date 2024-04-01)
expect_eq "hash after SIGKILL and resume" "$reference" "$final"
expect_eq "rejected rows" "$(q clean.db 'SELECT count(*) FROM rejected_events')" \
	"$(q killed.db 'SELECT count(*) FROM rejected_events')"
expect_eq "events read over the runs" "$read_all" "$(q killed.db 'SELECT sum(read) FROM runs')"
expect_eq "read = applied + duplicates + rejected over the runs" "$read_all" \
	"$(q killed.db 'SELECT sum(applied) + sum(duplicates) + sum(rejected) FROM runs')"
# (an event held by one run, a rejected row then, and applied by a later one is that run's released)
expect_eq "rejected over the runs" "$(q killed.db 'SELECT count(*) FROM rejected_events')" \
	"$(q killed.db 'SELECT sum(rejected) - sum(released) FROM runs')"
# every rejected row names a run that is in runs
expect_eq "rejected rows of runs not recorded" 0 \
	"$(q killed.db 'SELECT count(*) FROM rejected_events WHERE run_id NOT IN (SELECT run_id FROM runs)')"

# E4 over a killed run on another business date: its committed batches were judged on that date,
# the rest of the rows on the stored one; the next run, whatever its date, judges every row again
# (the killed run's date had not been noted, so a run back on the stored date judged nothing)
kill_part_way dated.db --business-date 2020-01-01 --expiring-days 2000
expect_eq "a killed run on another date, resumed on the first" "$reference" \
	"$(replay_hash file:log.avro dated.db --batch 20 --business-date 2024-04-01)"
expect_eq "judging left part-way, after the run that judged everything" 0 \
	"$(q dated.db "SELECT count(*) FROM meta WHERE key = 'judging'")"
# such a database is no shard to merge until it is replayed again (exit 3, one line)
cp before-kill.db part-way.db
sqlite3 part-way.db "INSERT INTO meta VALUES ('judging', '2020-01-01')"
status=0
"$CONTRAIL" merge --out part-way-report.db part-way.db > /dev/null 2> part-way.err || status=$?
expect_eq "exit of a merge of a shard judged part-way" 3 "$status"
grep -q "part-way.db holds rows judged on 2020-01-01 by a replay that has not finished" part-way.err ||
	fail "$(cat part-way.err)"
