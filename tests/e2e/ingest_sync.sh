# A log an ingest creates reaches the disk with its name: its pages are synced and then its
# directory, or a crash of the machine after "appended N events" could lose the log's name. A
# directory that cannot be synced stops the run (exit 4) with one line naming the log.
# sync_shim.c logs the syncs, and fails the one asked for.
source "$(dirname "$0")/lib.sh"
sync_shim
printf '%s\n' "$(head -n 3 "$EXAMPLES/portal_example/events.jsonl")" > three.jsonl

mkdir logs
shimmed "$CONTRAIL" ingest --log logs/new.avro three.jsonl 2> /dev/null
synced=$(line_of "^fsync $PWD/logs/new\.avro\$")
dir_synced=$(line_of "^fsync $PWD/logs\$")
[ "$synced" -lt "$dir_synced" ] || fail "the directory was synced before the log: $(cat sync.log)"
expect_eq "events in the new log" 3 "$(avrocat logs/new.avro | wc -l)"

# a directory that cannot be synced: one line naming the log, exit 4
mkdir failing
status=0
SYNC_SHIM_FAIL=/failing shimmed "$CONTRAIL" ingest --log failing/new.avro three.jsonl \
	2> failing.err || status=$?
expect_eq "exit of an ingest whose log's directory cannot be synced" 4 "$status"
expect_eq "its lines on stderr" 1 "$(wc -l < failing.err)"
grep -q "^contrail ingest: cannot sync the directory of failing/new\.avro: " failing.err ||
	fail "$(cat failing.err)"
