# Two replays into one database at once: the second is refused with one line (exit 4) and
# changes nothing, so the database ends as one replay leaves it. Without that both read the
# same checkpoint and committed their batches in turn, applying the same events twice from
# stale states: a projection hash no replay gives, rejected rows counted twice.
source "$(dirname "$0")/lib.sh"
log_in_two 22 300 3
reference=$(replay_hash file:events.avro clean.db --business-date 2024-04-01)

# wait_for CONDITION...: polls until the shell condition holds (a minute at most, for slow
# machines and sanitizer builds)
wait_for() {
	local deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ]; do eval "$1" && return 0; sleep 0.005; done
	return 1
}

# an incremental run, and a second one started while the first is part-way
cp first.avro log.avro
replay_hash file:log.avro inc.db --business-date 2024-04-01 > /dev/null
first=$(q inc.db 'SELECT next_offset FROM checkpoints')
cp events.avro log.avro
"$CONTRAIL" replay --source file:log.avro --db inc.db --batch 20 --business-date 2024-04-01 \
	> first.out 2>&1 &
pid=$!
wait_for '[ "$(q inc.db "SELECT next_offset FROM checkpoints" 2> /dev/null || echo 0)" -gt $((first + 100)) ]' ||
	fail "the first replay did not commit: $(kill -0 "$pid" 2> /dev/null && echo still running;
		cat first.out)"
kill -0 "$pid" 2> /dev/null || fail "the first replay was over before the second began"
status=0
"$CONTRAIL" replay --source file:log.avro --db inc.db --batch 20 --business-date 2024-04-01 \
	> second.out 2> second.err || status=$?
first_status=0
wait "$pid" || first_status=$?
expect_eq "hash after two replays at once" "$reference" \
	"$(replay_hash file:log.avro inc.db --business-date 2024-04-01)"
expect_eq "rejected rows" "$(q clean.db 'SELECT count(*) FROM rejected_events')" \
	"$(q inc.db 'SELECT count(*) FROM rejected_events')"
expect_eq "events read over the runs" "$(q clean.db 'SELECT read FROM runs')" \
	"$(q inc.db 'SELECT sum(read) FROM runs')"
expect_eq "exit of the first replay ($(cat first.out))" 0 "$first_status"
expect_eq "exit of the second replay" 4 "$status"
expect_eq "lines of the second replay" 1 "$(wc -l < second.err)"
grep -q "inc.db is being replayed into by another process" second.err || fail "$(cat second.err)"

# a rebuild, and a second one (or an incremental run) while its new file is being written:
# refused, the first's file is its own to the end, and the old database stays until then
cp inc.db old.db
"$CONTRAIL" replay --source file:log.avro --db inc.db --rebuild --batch 200 \
	--business-date 2024-04-01 > rebuild.out 2>&1 &
pid=$!
wait_for '[ -e inc.db.rebuild ]' || fail "the rebuild made no file"
status=0
"$CONTRAIL" replay --source file:log.avro --db inc.db --rebuild --business-date 2024-04-01 \
	> /dev/null 2> second.err || status=$?
expect_eq "exit of the second rebuild" 4 "$status"
status=0
"$CONTRAIL" replay --source file:log.avro --db inc.db --business-date 2024-04-01 \
	> /dev/null 2> third.err || status=$?
expect_eq "exit of an incremental run meanwhile" 4 "$status"
wait "$pid" || fail "the first rebuild failed: $(cat rebuild.out)"
expect_eq "the rebuild's hash" "projection hash $reference" "$(grep '^projection hash' rebuild.out)"
expect_eq "the rebuilt database" "$reference" "$("$CONTRAIL" hash --db inc.db)"
[ ! -e inc.db.rebuild ] || fail "the rebuild's file was left behind"

# a first rebuild into a new path holds it as the empty file of its lock until the end: a reader
# meanwhile is told it is being built (exit 4), not that it is foreign (exit 3)
"$CONTRAIL" replay --source file:log.avro --db new.db --rebuild --batch 200 \
	--business-date 2024-04-01 > new.out 2>&1 &
pid=$!
wait_for '[ -e new.db.rebuild ]' || fail "the rebuild made no file"
for command in status hash; do
	status=0
	"$CONTRAIL" "$command" --db new.db > /dev/null 2> "$command.err" || status=$?
	kill -0 "$pid" 2> /dev/null || fail "the rebuild was over before $command ran"
	expect_eq "exit of $command while new.db is built ($(cat "$command.err"))" 4 "$status"
	grep -q "new.db is being built by a replay or merge that has not finished" "$command.err" ||
		fail "$(cat "$command.err")"
done
wait "$pid" || fail "the rebuild into new.db failed: $(cat new.out)"
expect_eq "status once new.db is built" 0 "$("$CONTRAIL" status --db new.db > /dev/null; echo $?)"

# a merge whose report a replay is writing (a report is replayed into, docs/cli.md): refused
# like a second replay (exit 4), the replay's commits kept. Without the lock the merge renamed
# its file over the report and removed its WAL under the replay, whose later commits went to
# a file no name leads to though it exited 0.
split_by_account history.jsonl 2 shard
for i in 0 1; do
	replay_hash "jsonl:shard-$i.jsonl" "shard-$i.db" --business-date 2024-04-01 > /dev/null
done
"$CONTRAIL" merge --out report.db shard-0.db shard-1.db > /dev/null
"$CONTRAIL" replay --source file:log.avro --db report.db --batch 20 --business-date 2024-04-01 \
	> report-replay.out 2>&1 &
pid=$!
wait_for '[ "$(q report.db "SELECT count(*) FROM checkpoints WHERE source LIKE '"'file:%'"'" 2> /dev/null || echo 0)" -gt 0 ]' ||
	fail "the replay into the report did not commit: $(cat report-replay.out)"
kill -0 "$pid" 2> /dev/null || fail "the replay into the report was over before the merge began"
status=0
"$CONTRAIL" merge --out report.db shard-0.db shard-1.db > /dev/null 2> merge.err || status=$?
wait "$pid" || fail "the replay into the report failed: $(cat report-replay.out)"
expect_eq "exit of a merge into a report being replayed into ($(cat merge.err))" 4 "$status"
expect_eq "the replay's checkpoint is in the report" "$(q inc.db 'SELECT next_offset FROM checkpoints')" \
	"$(q report.db "SELECT next_offset FROM checkpoints WHERE source LIKE 'file:%'")"

# the first incremental run into a rebuilt database (rollback journal: the run turns it to WAL)
# while a reader has a read open briefly, as a dashboard does: it waits for the reader instead
# of failing at once with "database is locked"
"$CONTRAIL" replay --source file:first.avro --db fresh.db --rebuild --business-date 2024-04-01 > /dev/null
python3 - "$CONTRAIL" <<'PY'
import sqlite3, subprocess, sys, time
reader = sqlite3.connect("fresh.db", isolation_level=None)
reader.execute("BEGIN")
reader.execute("SELECT count(*) FROM streams").fetchone()
run = subprocess.Popen([sys.argv[1], "replay", "--source", "file:log.avro", "--db", "fresh.db",
                        "--business-date", "2024-04-01"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
time.sleep(0.5)
reader.execute("COMMIT")
_, err = run.communicate()
if run.returncode != 0:
    sys.exit("FAILED: a replay with a reader open on the rebuilt database: exit %d: %s"
             % (run.returncode, err))
PY

# a reader asking whether a database is being built holds a shared flock on it for an instant
# (db.c, being_built): a writer starting then waits for it instead of being turned away as if
# another replay ran; a writer's own (exclusive) lock still turns it away
# status_while_locked MODE: the exit of a replay started while flock(1) holds a lock of MODE
# (-s shared, -x exclusive) on inc.db, its stderr in locked.err
status_while_locked() {
	local holder status=0
	rm -f lock.held
	flock "$1" inc.db sh -c 'touch lock.held; sleep 0.3' &
	holder=$!
	# the replay starts once the lock is held, however slow the machine (a fixed wait was not)
	while [ ! -e lock.held ]; do sleep 0.01; done
	"$CONTRAIL" replay --source file:log.avro --db inc.db --business-date 2024-04-01 \
		> /dev/null 2> locked.err || status=$?
	wait "$holder"
	echo "$status"
}
expect_eq "exit of a replay while a reader's shared lock is held" 0 "$(status_while_locked -s)"
expect_eq "exit of a replay while a writer's lock is held" 4 "$(status_while_locked -x)"
