# A database can be left with a write unfinished in a rollback journal beside it: a file someone
# turned from WAL to a journal (sqlite3, an older tool) and a writer killed part-way. SQLite
# rolls such a journal back when a writer next opens the file; a reader may not.
# - A read command stops with one line naming the journal (exit 4), rather than SQLite's
#   "attempt to write a readonly database".
# - A rebuild or a merge over it rolls it back, finds a contrail database, and replaces it.
# - Nothing of a journal is left beside the new file: its first writer would lay the old
#   database's pages over it (also a journal that belongs to no write of this file).
# - An incremental run rolls it back and goes on from the database as it was before that write.
# - Nothing is rolled into a file that is not SQLite; a journal the user may not roll back stops
#   a rebuild with one line naming it (exit 4).
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 21 --accounts 25 --out history.jsonl 2> /dev/null
head -n 300 history.jsonl > first.jsonl
whole=$(replay_hash jsonl:history.jsonl whole.db --business-date 2024-04-01)
first=$(replay_hash jsonl:first.jsonl first.db --business-date 2024-04-01)

# unfinished DB: DB turned to a rollback journal, then a write (big enough that SQLite puts
# pages in the file before its commit) by a process that ends without committing
unfinished() {
	python3 - "$1" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode = DELETE")
db.execute("PRAGMA cache_size = 1")
db.execute("BEGIN")
db.execute("DELETE FROM runs")
db.execute("DELETE FROM checkpoints")
db.execute("CREATE TABLE half_written (x)")
db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
           " INSERT INTO half_written SELECT randomblob(500) FROM n")
os._exit(0)
PY
	[ -s "$1-journal" ] || fail "no journal beside $1"
}

# a read
cp first.db read.db
unfinished read.db
status=0
"$CONTRAIL" hash --db read.db > hash.out 2> hash.err || status=$?
expect_eq "exit of a read beside an unfinished journal" 4 "$status"
expect_eq "its lines on stderr" 1 "$(wc -l < hash.err)"
grep -q "^contrail hash: cannot read read.db: its journal (read.db-journal) holds a write" hash.err ||
	fail "$(cat hash.err)"
[ -s read.db-journal ] || fail "the read took the journal away"

# a rebuild over it
cp first.db rebuilt.db
unfinished rebuilt.db
expect_eq "a rebuild over an unfinished journal" "$whole" \
	"$(replay_hash jsonl:history.jsonl rebuilt.db --rebuild --business-date 2024-04-01)"
[ ! -e rebuilt.db-journal ] || fail "a journal is left beside the rebuilt file"
expect_eq "the rebuilt file, recomputed" "$whole" "$("$CONTRAIL" hash --db rebuilt.db --recompute)"
expect_eq "its journal mode" wal "$(q rebuilt.db 'PRAGMA journal_mode')"

# a merge over it
cp first.db report.db
unfinished report.db
"$CONTRAIL" merge --out report.db whole.db > /dev/null
[ ! -e report.db-journal ] || fail "a journal is left beside the merged file"
expect_eq "the merged file, recomputed" "$whole" "$("$CONTRAIL" hash --db report.db --recompute)"

# a journal of another database's write beside a WAL database that is rebuilt
cp first.db other.db
unfinished other.db
cp first.db stale.db
cp other.db-journal stale.db-journal
expect_eq "a rebuild beside a journal of another file" "$whole" \
	"$(replay_hash jsonl:history.jsonl stale.db --rebuild --business-date 2024-04-01)"
[ ! -e stale.db-journal ] || fail "the stale journal is left beside the rebuilt file"
expect_eq "that rebuilt file, recomputed" "$whole" "$("$CONTRAIL" hash --db stale.db --recompute)"
expect_eq "its integrity" ok "$(q stale.db 'PRAGMA integrity_check')"

# a file that is not SQLite, with a journal beside it, is refused as any other kind of file is
# (exit 3), and nothing is rolled into it
cp history.jsonl text.db
cp other.db-journal text.db-journal
cp text.db-journal text-journal.kept
status=0
"$CONTRAIL" replay --source jsonl:history.jsonl --db text.db --rebuild --business-date 2024-04-01 \
	> /dev/null 2> text.err || status=$?
expect_eq "exit of a rebuild over a text file with a journal" 3 "$status"
expect_eq "its line" "contrail replay: text.db exists and is not a contrail database; it is not replaced" \
	"$(cat text.err)"
cmp -s history.jsonl text.db || fail "the text file was changed"
cmp -s text-journal.kept text.db-journal || fail "the journal beside the text file was changed"

# a journal this user may not roll back (the file is read-only to it): a rebuild stops with one
# line naming the journal (exit 4) and leaves the file and the journal as they were. As root the
# user is `nobody`, for whom permissions hold.
as_other() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
mkdir shared
cp first.db shared/theirs.db
unfinished shared/theirs.db
cp shared/theirs.db theirs.kept
chmod 755 . && chmod 777 shared && chmod 444 shared/theirs.db && chmod 644 history.jsonl
cp "$CONTRAIL" other-contrail && chmod 755 other-contrail
status=0
as_other ./other-contrail replay --source jsonl:history.jsonl --db shared/theirs.db --rebuild \
	--business-date 2024-04-01 > /dev/null 2> theirs.err || status=$?
expect_eq "exit of a rebuild over a journal its user may not roll back" 4 "$status"
expect_eq "its line" "contrail replay: cannot replace shared/theirs.db: its journal (shared/theirs.db-journal) holds a write a process left unfinished, which this user may not roll back" \
	"$(cat theirs.err)"
cmp -s theirs.kept shared/theirs.db || fail "the file was changed"
[ -s shared/theirs.db-journal ] || fail "the journal was taken away"
[ ! -e shared/theirs.db.rebuild ] || fail "the new file was left beside it"

# an incremental run: the write rolled back, the run goes on from the first part's checkpoint
cp first.db going.db
unfinished going.db
expect_eq "an incremental run after an unfinished journal" "$whole" \
	"$(replay_hash jsonl:history.jsonl going.db --business-date 2024-04-01)"
expect_eq "its runs" 2 "$(q going.db 'SELECT count(*) FROM runs')"
expect_eq "the unfinished write undone" 0 \
	"$(q going.db "SELECT count(*) FROM sqlite_schema WHERE name = 'half_written'")"
echo ok
