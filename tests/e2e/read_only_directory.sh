# A database in a directory its reader cannot write (a read-only mount, an archived copy, a
# directory only the replay's user writes): SQLite cannot make the WAL index (-shm) beside it,
# yet status, hash and export read it as its owner does, and leave nothing there. A WAL
# holding commits not yet in the file (a writer killed, its index gone) is refused with one
# line saying why, exit 4, rather than read without them. As root the reader is `nobody`.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 5 --accounts 30 --out history.jsonl 2> /dev/null
mkdir ro
"$CONTRAIL" replay --source jsonl:history.jsonl --db ro/r.db --business-date 2024-04-01 > /dev/null
owner_hash=$("$CONTRAIL" hash --db ro/r.db)
"$CONTRAIL" export --db ro/r.db --table contracts --format csv > owner.csv
rm -f ro/r.db-wal ro/r.db-shm # as a reader's open in a writable place leaves them
chmod 755 . && chmod 644 ro/r.db history.jsonl
trap 'chmod 755 ro' EXIT
chmod 555 ro

# the binary copied here, where `nobody` may run it wherever the build directory is
cp "$CONTRAIL" reader-contrail && chmod 755 reader-contrail
CONTRAIL=$PWD/reader-contrail

# as_reader COMMAND...: COMMAND run by a user who may not write ro/
as_reader() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
as_reader "$CONTRAIL" --help > /dev/null ||
	fail "contrail cannot be run as uid 65534 here (setpriv, or the temporary directory)"
as_reader touch ro/probe 2> /dev/null && fail "the reader can write ro/, nothing is tested"

expect_eq "hash read where no index can be made" "$owner_hash" \
	"$(as_reader "$CONTRAIL" hash --db ro/r.db)"
as_reader "$CONTRAIL" status --db ro/r.db > status.out || fail "status: exit $?"
grep -q "business date   2024-04-01" status.out || fail "status: $(cat status.out)"
as_reader "$CONTRAIL" export --db ro/r.db --table contracts --format csv > reader.csv ||
	fail "export: exit $?"
cmp -s owner.csv reader.csv || fail "export read differs from its owner's"
expect_eq "files beside the database" "r.db" "$(ls ro)"
# a rebuild or a merge that cannot read the file to tell whether it is ours (its WAL index
# cannot be made here) says so, exit 4: it is no foreign file (exit 3)
cp ro/r.db shard.db && chmod 644 shard.db
for command in "replay --source jsonl:history.jsonl --rebuild --db ro/r.db" \
	"merge --out ro/r.db shard.db"; do
	status=0
	# shellcheck disable=SC2086 # the command and its options, split
	as_reader "$CONTRAIL" $command > replace.out 2> replace.err || status=$?
	expect_eq "exit of $command: $(cat replace.err)" 4 "$status"
	grep -q "cannot read ro/r.db to tell whether it is a contrail database" replace.err ||
		fail "$(cat replace.err)"
done
expect_eq "the database after the refused rebuild and merge" "$owner_hash" \
	"$(as_reader "$CONTRAIL" hash --db ro/r.db)"

# a WAL holding a commit, its index gone
chmod 755 ro
python3 - <<'PY'
import os, shutil, sqlite3
db = sqlite3.connect("ro/r.db", isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint = 0")
db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
shutil.copy("ro/r.db-wal", "kept-wal")
os._exit(0) # no close: the WAL stays as a killed writer leaves it
PY
rm -f ro/r.db-shm
mv kept-wal ro/r.db-wal
chmod 644 ro/r.db-wal
chmod 555 ro
status=0
as_reader "$CONTRAIL" hash --db ro/r.db > wal.out 2> wal.err || status=$?
expect_eq "exit of hash with a WAL it cannot index" 4 "$status"
expect_eq "its lines on stderr" 1 "$(wc -l < wal.err)"
grep -q "^contrail hash: cannot read ro/r.db: its WAL (.*/ro/r.db-wal) holds commits not yet" wal.err ||
	fail "$(cat wal.err)"
# the same through a link from elsewhere: the WAL is looked for beside the file itself
ln -s ro/r.db link.db
status=0
as_reader "$CONTRAIL" status --db link.db > link.out 2> link.err || status=$?
expect_eq "exit of status through a link, its target's WAL holding pages" 4 "$status"
grep -q "its WAL (.*/ro/r.db-wal) holds commits" link.err || fail "$(cat link.err)"
