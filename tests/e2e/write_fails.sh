# A database write that fails part-way (a file size limit standing in for a full disk): the run
# stops with one line naming the file it could not write and the cause the OS gave (exit 4), and
# nothing already committed is lost; run again with room, it ends as an undisturbed run does.
source "$(dirname "$0")/lib.sh"
log_in_two 31 300 2
reference=$(replay_hash file:events.avro clean.db --business-date 2024-04-01)
cp first.avro log.avro
before=$(replay_hash file:log.avro inc.db --business-date 2024-04-01)
cp events.avro log.avro

# limited FILE_KIB COMMAND...: COMMAND unable to write past FILE_KIB KiB in any file
limited() {
	local kib=$1; shift
	( trap '' XFSZ; ulimit -f "$kib"; "$@" )
}

# an incremental run whose new pages do not fit: the last commit stands
size=$(( $(stat -c %s inc.db) / 1024 ))
status=0
limited "$size" "$CONTRAIL" replay --source file:log.avro --db inc.db --business-date 2024-04-01 \
	> inc.out 2> inc.err || status=$?
expect_eq "exit of an incremental run that cannot write" 4 "$status"
expect_eq "its lines on stderr" 1 "$(wc -l < inc.err)"
grep -q "^contrail replay: database $PWD/inc.db: .*(File too large)$" inc.err || fail "$(cat inc.err)"
expect_eq "the database as the last commit left it" "$before" "$("$CONTRAIL" hash --db inc.db)"
expect_eq "runs recorded" 1 "$(q inc.db 'SELECT count(*) FROM runs')"
expect_eq "the run again, with room" "$reference" \
	"$(replay_hash file:log.avro inc.db --business-date 2024-04-01)"
expect_eq "events read over the runs" "$(q clean.db 'SELECT read FROM runs')" \
	"$(q inc.db 'SELECT sum(read) FROM runs')"

# the same in batches: the batches committed before the write failed are kept and counted once
cp first.avro log.avro
replay_hash file:log.avro batches.db --business-date 2024-04-01 > /dev/null
first=$(q batches.db 'SELECT next_offset FROM checkpoints')
cp events.avro log.avro
size=$(( $(stat -c %s batches.db) / 1024 + 160 ))
status=0
limited "$size" "$CONTRAIL" replay --source file:log.avro --db batches.db --batch 100 \
	--business-date 2024-04-01 > batches.out 2> batches.err || status=$?
expect_eq "exit of a run in batches that cannot write" 4 "$status"
grep -q "(File too large)$" batches.err || fail "$(cat batches.err)"
kept=$(q batches.db 'SELECT next_offset FROM checkpoints')
[ "$kept" -gt "$first" ] || fail "no batch was committed before the write failed ($kept, $first)"
[ "$kept" -lt "$(q clean.db 'SELECT next_offset FROM checkpoints')" ] ||
	fail "the run did not fail part-way: $(cat batches.err)"
expect_eq "the run again, with room, after batches" "$reference" \
	"$(replay_hash file:log.avro batches.db --business-date 2024-04-01)"
expect_eq "events read over the runs, after batches" "$(q clean.db 'SELECT read FROM runs')" \
	"$(q batches.db 'SELECT sum(read) FROM runs')"

# a rebuild that cannot write its new file: the old database stays, the new file is removed
cp first.avro log.avro
replay_hash file:log.avro old.db --business-date 2024-04-01 > /dev/null
cp events.avro log.avro
status=0
limited 256 "$CONTRAIL" replay --source file:log.avro --db old.db --rebuild \
	--business-date 2024-04-01 > rebuild.out 2> rebuild.err || status=$?
expect_eq "exit of a rebuild that cannot write" 4 "$status"
grep -q "^contrail replay: database $PWD/old.db.rebuild.*(File too large)$" rebuild.err ||
	fail "$(cat rebuild.err)"
expect_eq "the old database kept" "$before" "$("$CONTRAIL" hash --db old.db)"
[ -z "$(ls old.db.rebuild* 2> /dev/null)" ] || fail "left behind: $(ls old.db.rebuild*)"

# a first rebuild into a new path: nothing is left, not even the empty file of its lock
status=0
limited 256 "$CONTRAIL" replay --source file:log.avro --db new.db --rebuild \
	--business-date 2024-04-01 > /dev/null 2>&1 || status=$?
expect_eq "exit of a first rebuild that cannot write" 4 "$status"
[ -z "$(ls new.db* 2> /dev/null)" ] || fail "left behind: $(ls new.db*)"
expect_eq "the rebuild again, with room" "$reference" \
	"$(replay_hash file:log.avro new.db --rebuild --business-date 2024-04-01)"
