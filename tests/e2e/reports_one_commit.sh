# The reports read a database as of one commit, while a replay commits beside them (dashboards
# and auditors read the file while nightly runs write it): status and diff in one read
# transaction, as reconcile and hash. A read that fails with an I/O error part-way is not
# damage: status, export and diff then exit 4, and 3 stays for a damaged file (docs/cli.md).
source "$(dirname "$0")/lib.sh"
log_in_two 61 60 2
cp first.avro log.avro
replay_hash file:log.avro live.db --business-date 2024-04-01 > /dev/null
cp live.db before.db
cp events.avro log.avro
sync_shim
replay_later="$CONTRAIL replay --source file:log.avro --db live.db --business-date 2024-04-01"

# status: a replay commits its second run after the report read the last run, before it reads
# the checkpoints and the rows
SYNC_SHIM_AT_SQL="FROM checkpoints" SYNC_SHIM_RUN_AT_SQL="$replay_later > later.out" \
	shimmed "$CONTRAIL" status --db live.db --format json > status.json 2> status.err ||
	fail "status beside a replay: $(cat status.err)"
[ -s later.out ] || fail "the replay beside status did not run: $(cat sync.log)"
python3 - status.json "$(q before.db 'SELECT count(*) FROM contracts')" <<'PY' || fail "$(cat status.json)"
import json, sys
report, contracts = json.load(open(sys.argv[1])), int(sys.argv[2])
run, checkpoint = report["last_run"], report["checkpoints"][0]
assert run["run_id"] == 1, run
assert checkpoint["next_offset"] == run["read"], (checkpoint, run)
assert report["rows"]["contracts"] == contracts, report["rows"]
PY
expect_eq "runs after the replay beside status" 2 "$(q live.db 'SELECT count(*) FROM runs')"

# diff: the replay commits after the first table was compared; every table is compared as
# the file stood then
cp before.db live.db
rm -f live.db-wal live.db-shm later.out
status=0
SYNC_SHIM_AT_SQL="FROM main.contract_products a" SYNC_SHIM_RUN_AT_SQL="$replay_later > later.out" \
	shimmed "$CONTRAIL" diff live.db before.db > diff.out 2> diff.err || status=$?
[ -s later.out ] || fail "the replay beside diff did not run: $(cat sync.log)"
expect_eq "exit of diff beside a replay: $(cat diff.err)" 0 "$status"
grep -qx "0 rows differ" diff.out || fail "$(tail -3 diff.out)"
"$CONTRAIL" diff live.db before.db > /dev/null && fail "the replay beside diff changed nothing"

# a read that fails in the second half of the file (its schema read), as a network file
# system's read of a file whose handle its server lost: exit 4 with the OS's cause, not 3
# (SQLite itself takes EIO for damage: "database disk image is malformed", exit 3)
cp before.db io.db
rm -f io.db-wal io.db-shm
half=$(($(stat -c %s io.db) / 2))
for command in "status --db io.db" "export --db io.db --table contracts --format csv" \
	"diff io.db before.db"; do
	status=0
	# shellcheck disable=SC2086 # the command and its options, split
	SYNC_SHIM_FAIL_READ=/io.db SYNC_SHIM_FAIL_READ_FROM=$half \
		shimmed "$CONTRAIL" $command > out.txt 2> err.txt || status=$?
	expect_eq "exit of $command on a failing read: $(cat err.txt)" 4 "$status"
	expect_eq "lines on stderr of $command" 1 "$(wc -l < err.txt)"
	grep -q "disk I/O error (Stale file handle)" err.txt || fail "$command: $(cat err.txt)"
done
