# A rebuild is renamed over the old database only once it has read its whole source (DESIGN.md:
# readers never see a half-built database). SIGINT or SIGTERM before that keeps the old database
# as it was and removes the new file, with one line and exit 4; an incremental run stopped the
# same way commits what it read and exits 0 (tests/e2e/until_and_held.sh). A rebuild that
# follows a Kafka topic has read its source whole once it has caught up: a signal after that
# puts it in place (tests/e2e/kafka_follow.sh's --rebuild half).
# A signal after a rebuild's last write, while it is put in place, is ignored.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 12 --accounts 30 --out history.jsonl 2> /dev/null
head -n 200 history.jsonl > first.jsonl
before=$(replay_hash jsonl:first.jsonl old.db --business-date 2024-04-01)

# stop_while_waiting SIGNAL: a rebuild of old.db fed 300 lines through a pipe that stays open,
# stopped by SIGNAL while it waits for more -> $status, stop.out, stop.err
stop_while_waiting() {
	rm -f slow.fifo
	mkfifo slow.fifo
	{ head -n 300 history.jsonl; exec sleep 30; } > slow.fifo &
	local writer=$! reader
	"$CONTRAIL" replay --source jsonl:- --db old.db --rebuild --business-date 2024-04-01 \
		< slow.fifo > stop.out 2> stop.err &
	reader=$!
	for _ in $(seq 100); do [ -e old.db.rebuild ] && break; sleep 0.1; done
	[ -e old.db.rebuild ] || { kill "$reader" "$writer"; fail "the rebuild made no new file"; }
	# the new file holds the lines once the pipe has been quiet for a second (the file is
	# locked while it is built, so this is waited for, not read)
	sleep 1.5
	kill -0 "$reader" 2> /dev/null || { kill "$writer"; fail "the rebuild ended with the pipe open"; }
	kill "-$1" "$reader"
	for _ in $(seq 50); do kill -0 "$reader" 2> /dev/null || break; sleep 0.1; done
	kill -0 "$reader" 2> /dev/null && { kill "$reader" "$writer"; fail "$1 did not stop the rebuild"; }
	status=0; wait "$reader" || status=$?
	kill "$writer" 2> /dev/null || true
}

for signal in INT TERM; do
	stop_while_waiting "$signal"
	expect_eq "exit of a rebuild stopped by SIG$signal" 4 "$status"
	expect_eq "its lines on stderr ($signal)" 1 "$(wc -l < stop.err)"
	grep -q "^contrail replay: stopped by a signal before the rebuild read its whole source" \
		stop.err || fail "$(cat stop.err)"
	expect_eq "nothing on stdout ($signal)" 0 "$(wc -c < stop.out)"
	expect_eq "the old database as it was ($signal)" "$before" "$("$CONTRAIL" hash --db old.db)"
	expect_eq "its runs ($signal)" 1 "$(q old.db 'SELECT count(*) FROM runs')"
	[ ! -e old.db.rebuild ] || fail "the new file was left beside the database ($signal)"
done

# the same rebuild with its source whole is put in place
expect_eq "the rebuild run through" "$(replay_hash jsonl:history.jsonl clean.db --business-date 2024-04-01)" \
	"$(replay_hash jsonl:history.jsonl old.db --rebuild --business-date 2024-04-01)"

# A rebuild that has read and written everything ignores a signal while it is put in place: the
# shim sends SIGTERM just before the rename of old.db.rebuild over old.db (run_loop.c).
sync_shim
clean=$(replay_hash jsonl:history.jsonl fresh.db --business-date 2024-04-01)
status=0
SYNC_SHIM_SIGNAL_RENAME=old.db shimmed "$CONTRAIL" replay --source jsonl:history.jsonl --db old.db \
	--rebuild --business-date 2024-04-01 > term.out 2> term.err || status=$?
expect_eq "exit of a rebuild sent SIGTERM as it is put in place" 0 "$status"
grep -q "^rename \(.*/\)\?old.db.rebuild \(.*/\)\?old.db$" sync.log || fail "no rename: $(cat sync.log)"
grep -q "^projection hash $clean$" term.out || fail "$(cat term.out term.err)"
expect_eq "the rebuilt database in place" "$clean" "$("$CONTRAIL" hash --db old.db)"
[ ! -e old.db.rebuild ] || fail "the new file was left beside the database"

# A rebuild killed outright (SIGKILL) cannot remove its new file; the next run that holds the
# writer lock, an incremental one here, does, since no rebuild can be on its way meanwhile. The
# old database is as it was, and the run goes on from it.
before=$("$CONTRAIL" hash --db old.db)
rm -f slow.fifo
mkfifo slow.fifo
{ head -n 300 history.jsonl; exec sleep 30; } > slow.fifo &
writer=$!
"$CONTRAIL" replay --source jsonl:- --db old.db --rebuild --business-date 2024-04-01 \
	< slow.fifo > /dev/null 2>&1 &
reader=$!
for _ in $(seq 100); do [ -e old.db.rebuild ] && break; sleep 0.1; done
sleep 1.5
kill -KILL "$reader"
wait "$reader" 2> /dev/null || true
kill "$writer" 2> /dev/null || true
[ -e old.db.rebuild ] || fail "the killed rebuild left no file to remove"
expect_eq "the old database after a killed rebuild" "$before" "$("$CONTRAIL" hash --db old.db)"
"$CONTRAIL" replay --source jsonl:history.jsonl --db old.db --business-date 2024-04-01 > /dev/null
[ ! -e old.db.rebuild ] || fail "the killed rebuild's file was left beside the database"
expect_eq "the incremental run after it" "$clean" "$("$CONTRAIL" hash --db old.db)"
