# A rebuild's new file is written without a journal or syncs of its own: it reaches the disk
# before it takes the old database's name, and the directory after the rename, so that a crash
# of the machine leaves the old database or the whole new one (DESIGN.md, atomic rebuilds). A
# disk that cannot take the new file stops the run (exit 4) with the old database kept.
# The old database's last commits, if a killed run left them in its WAL, go into its file before
# the WAL is removed, so a rename that fails leaves it whole. An export renames its rows into
# place the same way. sync_shim.c logs the syncs and renames, and fails the one asked for.
source "$(dirname "$0")/lib.sh"
sync_shim
log_in_two 17 40 2
before=$(replay_hash file:first.avro old.db --business-date 2024-04-01)
reference=$(replay_hash file:events.avro clean.db --business-date 2024-04-01)

expect_eq "the rebuild's hash" "$reference" \
	"$(shimmed "$CONTRAIL" replay --source file:events.avro --db old.db --rebuild \
		--business-date 2024-04-01 | sed -n 's/^projection hash //p')"
synced=$(line_of "^fsync $PWD/old\.db\.rebuild\$")
renamed=$(line_of "^rename (.*/)?old\.db\.rebuild (.*/)?old\.db\$")
dir_synced=$(line_of "^fsync $PWD\$")
[ "$synced" -lt "$renamed" ] || fail "renamed before its pages were synced: $(cat sync.log)"
[ "$renamed" -lt "$dir_synced" ] || fail "the directory was not synced after the rename: $(cat sync.log)"
expect_eq "the rebuilt database in place" "$reference" "$("$CONTRAIL" hash --db old.db)"

# a disk that cannot take the new file: one line, exit 4, the database as it was, no new file
cp first.avro log.avro
replay_hash file:log.avro kept.db --business-date 2024-04-01 > /dev/null
status=0
SYNC_SHIM_FAIL=kept.db.rebuild shimmed "$CONTRAIL" replay --source file:events.avro --db kept.db \
	--rebuild --business-date 2024-04-01 > failed.out 2> failed.err || status=$?
expect_eq "exit of a rebuild whose file cannot reach the disk" 4 "$status"
expect_eq "its lines on stderr" 1 "$(wc -l < failed.err)"
grep -q "cannot write .*kept\.db\.rebuild to the disk" failed.err || fail "$(cat failed.err)"
expect_eq "the old database kept" "$before" "$("$CONTRAIL" hash --db kept.db)"
[ ! -e kept.db.rebuild ] || fail "the new file was left beside the database"

# an export's rows reach the disk before they take the file's name too
: > sync.log
shimmed "$CONTRAIL" export --db kept.db --table contracts --format csv --out contracts.csv
synced=$(line_of "^fsync $PWD/contracts\.csv\.partial\$")
renamed=$(line_of "^rename (.*/)?contracts\.csv\.partial (.*/)?contracts\.csv\$")
[ "$synced" -lt "$renamed" ] || fail "the export was renamed before it was synced: $(cat sync.log)"
expect_eq "the exported rows" "$(($(q kept.db 'SELECT count(*) FROM contracts') + 1))" \
	"$(wc -l < contracts.csv)"

# the old database's last commits, still in its WAL (a run killed after committing), go into its
# file before the WAL is removed: a rename that then fails leaves the old database whole
cp first.avro log.avro
replay_hash file:log.avro walled.db --business-date 2024-04-01 > /dev/null
python3 - <<'PY'
import os, sqlite3
db = sqlite3.connect("walled.db")
db.execute("PRAGMA wal_autocheckpoint = 0")
db.execute("INSERT INTO meta VALUES ('left_in_the_wal', 'yes')")
db.commit()
os._exit(0)  # no close, no checkpoint: the commit stays in walled.db-wal
PY
[ -s walled.db-wal ] || fail "the commit did not stay in the WAL"
status=0
SYNC_SHIM_FAIL_RENAME=walled.db shimmed "$CONTRAIL" replay --source file:events.avro \
	--db walled.db --rebuild --business-date 2024-04-01 > /dev/null 2> walled.err || status=$?
expect_eq "exit of a rebuild whose rename fails" 4 "$status"
grep -q "cannot rename .*walled\.db\.rebuild" walled.err || fail "$(cat walled.err)"
expect_eq "the commit that was in the WAL" yes \
	"$(q walled.db "SELECT value FROM meta WHERE key = 'left_in_the_wal'")"
expect_eq "the old database's runs" 1 "$(q walled.db 'SELECT count(*) FROM runs')"
