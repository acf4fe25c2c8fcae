# An incremental run resumes from its checkpoint and reads only the new events; the result
# equals one run over everything.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 15 --accounts 200 --out history.jsonl 2> /dev/null
total=$(wc -l < history.jsonl)
head -n $((total / 2)) history.jsonl > first.jsonl
tail -n +$((total / 2 + 1)) history.jsonl > second.jsonl
"$CONTRAIL" ingest --log events.avro first.jsonl 2> /dev/null || [ $? -eq 1 ]
first_count=$("$CONTRAIL" dump --source file:events.avro 2> /dev/null | wc -l)
replay_hash file:events.avro inc.db --business-date 2024-04-01 > /dev/null
"$CONTRAIL" ingest --log events.avro second.jsonl 2> /dev/null || [ $? -eq 1 ]
all_count=$("$CONTRAIL" dump --source file:events.avro 2> /dev/null | wc -l)
inc=$(replay_hash file:events.avro inc.db --business-date 2024-04-01)
expect_eq "second run reads only the new events" "$((all_count - first_count))" \
	"$(q inc.db 'SELECT read FROM runs ORDER BY run_id DESC LIMIT 1')"
full=$(replay_hash file:events.avro full.db --rebuild --business-date 2024-04-01)
expect_eq "incremental equals full" "$full" "$inc"
# a run with nothing new reads nothing and keeps the hash
again=$(replay_hash file:events.avro inc.db --business-date 2024-04-01)
expect_eq "idle run hash" "$full" "$again"
expect_eq "idle run reads nothing" 0 "$(q inc.db 'SELECT read FROM runs ORDER BY run_id DESC LIMIT 1')"
# jsonl: a file that grew is read from where the last run stopped
cp first.jsonl grown.jsonl
replay_hash jsonl:grown.jsonl j.db --business-date 2024-04-01 > /dev/null
cat second.jsonl >> grown.jsonl
j=$(replay_hash jsonl:grown.jsonl j.db --business-date 2024-04-01)
expect_eq "jsonl incremental equals one jsonl run" \
	"$(replay_hash jsonl:history.jsonl j-full.db --business-date 2024-04-01)" "$j"
expect_eq "jsonl second run reads the new lines" "$(wc -l < second.jsonl)" \
	"$(q j.db 'SELECT read FROM runs ORDER BY run_id DESC LIMIT 1')"

# an ingest takes the log for itself, so two at once append one after the other; a replay waits
# for it rather than read its half-written block. Shown by holding the ingest's lock meanwhile.
cp events.avro locked.avro
before=$("$CONTRAIL" dump --source file:locked.avro 2> /dev/null | wc -l)
python3 - "$CONTRAIL" <<'PY'
import fcntl, subprocess, sys, time
contrail = sys.argv[1]
log = open("locked.avro", "rb")
fcntl.flock(log, fcntl.LOCK_EX)          # as an ingest in progress holds it
ingest = subprocess.Popen([contrail, "ingest", "--log", "locked.avro", "first.jsonl"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
replay = subprocess.Popen([contrail, "replay", "--source", "file:locked.avro", "--db", "locked.db",
                           "--business-date", "2024-04-01"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
time.sleep(1.0)
waiting = ingest.poll() is None and replay.poll() is None
fcntl.flock(log, fcntl.LOCK_UN)
ingest_status, replay_status = ingest.wait(60), replay.wait(60)
if not waiting:
    sys.exit("an ingest or a replay did not wait for the log's lock")
if ingest_status not in (0, 1) or replay_status != 0:
    sys.exit("ingest exit %d, replay exit %d: %s" % (ingest_status, replay_status,
                                                     replay.stderr.read().decode()))
PY
expect_eq "events after the waiting ingest" "$((before + first_count))" \
	"$("$CONTRAIL" dump --source file:locked.avro 2> /dev/null | wc -l)"

# JSON Lines checkpoints: a file replayed while empty takes its later lines as new; a file
# shorter than the one a database read to (the same first line, other events) is refused (3)
: > grown.jsonl
"$CONTRAIL" replay --source jsonl:grown.jsonl --db grown.db --business-date 2024-04-01 > /dev/null
cp first.jsonl grown.jsonl
expect_eq "an empty file that grew" "$(replay_hash jsonl:first.jsonl first-only.db --business-date 2024-04-01)" \
	"$(replay_hash jsonl:grown.jsonl grown.db --business-date 2024-04-01)"
head -n 5 first.jsonl > grown.jsonl
status=0; "$CONTRAIL" replay --source jsonl:grown.jsonl --db grown.db --business-date 2024-04-01 \
	> /dev/null 2> short.err || status=$?
expect_eq "a shorter file" 3 "$status"
grep -q "is shorter than when this database read it" short.err || fail "$(cat short.err)"

# a last line without its newline: whole JSON is read; a line cut part-way (a writer still at
# it) is left for the next run, which reads it whole — the same hash as one run over the file
head -n 20 first.jsonl > cut.jsonl
line=$(sed -n 21p first.jsonl)
printf '%s' "${line:0:40}" >> cut.jsonl
"$CONTRAIL" replay --source jsonl:cut.jsonl --db cut.db --business-date 2024-04-01 \
	> /dev/null 2> cut.err
grep -q "has no newline and is not whole JSON; left for the next run" cut.err || fail "$(cat cut.err)"
expect_eq "the cut line is not read" 20 "$(q cut.db 'SELECT read FROM runs')"
# ... by a replay, which runs again; dump reads it as it is (bad_json, exit 1)
status=0; "$CONTRAIL" dump --source jsonl:cut.jsonl > /dev/null 2> dump.err || status=$?
expect_eq "dump of a cut line" 1 "$status"
grep -q "cut.jsonl:21: bad_json" dump.err || fail "$(cat dump.err)"
# ... and by a replay of standard input, even from a file: nothing reads on from it later
"$CONTRAIL" replay --source jsonl:- --db cut-stdin.db < cut.jsonl > cut-stdin.out 2> /dev/null
grep -q "read 21, .*rejected [1-9]" cut-stdin.out || fail "$(cat cut-stdin.out)"
printf '%s\n' "${line:40}" >> cut.jsonl
sed -n 22,30p first.jsonl >> cut.jsonl
printf '%s' "$(sed -n 31p first.jsonl)" >> cut.jsonl
head -n 31 first.jsonl > whole.jsonl
expect_eq "a line finished later is read whole" \
	"$(replay_hash jsonl:whole.jsonl whole.db --business-date 2024-04-01)" \
	"$(replay_hash jsonl:cut.jsonl cut.db --business-date 2024-04-01)"
expect_eq "nothing rejected for the cut" "$(q whole.db 'SELECT count(*) FROM rejected_events')" \
	"$(q cut.db 'SELECT count(*) FROM rejected_events')"

# the judging options of a run (L5 --expiring-days): rows judged with others are judged again,
# as on a new date; a store cutoff (K3) decides what store events count as they are applied,
# so another one is refused until --rebuild
replay_hash file:events.avro days.db --business-date 2024-04-01 --expiring-days 30 > /dev/null
expect_eq "judged again with the default days" "$full" \
	"$(replay_hash file:events.avro days.db --business-date 2024-04-01)"
replay_hash file:events.avro cutoff.db --business-date 2024-04-01 --store-cutoff 2024-01-31 > /dev/null
status=0; "$CONTRAIL" replay --source file:events.avro --db cutoff.db --business-date 2024-04-01 \
	> /dev/null 2> cutoff.err || status=$?
expect_eq "another store cutoff" 3 "$status"
grep -q "replayed with --store-cutoff 2024-01-31, not 2024-10-31" cutoff.err || fail "$(cat cutoff.err)"
expect_eq "another store cutoff with --rebuild" "$full" \
	"$(replay_hash file:events.avro cutoff.db --business-date 2024-04-01 --rebuild)"
