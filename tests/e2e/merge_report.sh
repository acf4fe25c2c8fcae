# `contrail merge` as a report's producer: the report it replaces, the replays that go on
# into it, and the inputs it must refuse (docs/cli.md, merge). The merged hash itself (E4
# over shards) is tested in support_shards.sh and kafka_scaleout.sh.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 33 --accounts 90 --out history.jsonl 2> /dev/null
split_by_account history.jsonl 3 shard
whole=$(replay_hash jsonl:history.jsonl whole.db --business-date 2024-04-01)
# eight batches a shard: each stores its ids in eight chunks (a ninth would merge them)
for i in 0 1 2; do
	batch=$(( ($(wc -l < "shard-$i.jsonl") + 7) / 8 ))
	replay_hash "jsonl:shard-$i.jsonl" "shard-$i.db" --business-date 2024-04-01 --batch "$batch" > /dev/null
done
chunks=$(( $(q shard-0.db 'SELECT count(*) FROM event_ids') + $(q shard-1.db 'SELECT count(*) FROM event_ids') + $(q shard-2.db 'SELECT count(*) FROM event_ids') ))
[ "$chunks" -gt 9 ] || fail "the shards hold only $chunks id chunks: too few to test their merging"

"$CONTRAIL" merge --out report.db shard-0.db shard-1.db shard-2.db > merge.txt
expect_eq "merged hash" "$whole" "$(sed -n 's/^projection hash //p' merge.txt)"
expect_eq "the shards' ids in one chunk" 1 "$(q report.db 'SELECT count(*) FROM event_ids')"
# E1 and E4 go on in the report: every event again is a duplicate, and nothing changes
out=$("$CONTRAIL" replay --source jsonl:history.jsonl --db report.db --business-date 2024-04-01)
expect_eq "a replay into the report" "$whole" "$(sed -n 's/^projection hash //p' <<< "$out")"
read_count=$(wc -l < history.jsonl)
grep -q "read $read_count, applied 0, duplicates" <<< "$out" || fail "not all duplicates: $out"

# shards replayed to one --until make a report as of then, which says so; shards replayed to
# different ones (or one to its end) would make a report no single replay makes: refused. A
# shard whose first replay never committed (no run in it) would drop its events unseen: refused.
until=2022-06-30T23:59:59+09:00
for i in 0 1; do replay_hash "jsonl:shard-$i.jsonl" "until-$i.db" --business-date 2024-04-01 --until "$until" > /dev/null; done
cat shard-0.jsonl shard-1.jsonl > two.jsonl
"$CONTRAIL" merge --out until-report.db until-0.db until-1.db > /dev/null
expect_eq "a report of shards to one --until" \
	"$(replay_hash jsonl:two.jsonl until-whole.db --business-date 2024-04-01 --until "$until")" \
	"$("$CONTRAIL" hash --db until-report.db)"
expect_eq "its run says until when" "$until" "$(q until-report.db 'SELECT until FROM runs ORDER BY run_id DESC LIMIT 1')"
status=0; "$CONTRAIL" merge --out mixed.db until-0.db shard-1.db > /dev/null 2> mixed.err || status=$?
expect_eq "exit of a merge of shards to different ends" 3 "$status"
expect_eq "its line" "contrail merge: shard-1.db was replayed to its end, the other shards until $until; replay them to one --until" \
	"$(cat mixed.err)"
[ ! -e mixed.db ] || fail "a refused merge made its report"
# how far a shard was replayed is the latest its runs since its last rebuild reached, compared
# as instants: a shard replayed to its end and then --until T is at its end (its events after T
# are in it), and the same instant written in another offset is the same --until
cp shard-1.db end-then-until.db
replay_hash "jsonl:shard-1.jsonl" end-then-until.db --business-date 2024-04-01 --until "$until" > /dev/null
status=0; "$CONTRAIL" merge --out mixed2.db until-0.db end-then-until.db > /dev/null 2> mixed2.err || status=$?
expect_eq "exit of a merge with a shard at its end after a --until run" 3 "$status"
grep -q "end-then-until.db was replayed to its end, the other shards until $until" mixed2.err || fail "$(cat mixed2.err)"
replay_hash "jsonl:shard-1.jsonl" utc-1.db --business-date 2024-04-01 --until 2022-06-30T14:59:59Z > /dev/null
"$CONTRAIL" merge --out utc-report.db until-0.db utc-1.db > /dev/null || fail "one instant in two offsets refused"
expect_eq "a report of one instant in two offsets" "$("$CONTRAIL" hash --db until-report.db)" \
	"$("$CONTRAIL" hash --db utc-report.db)"
cp shard-2.db norun.db && q norun.db "DELETE FROM runs" # as a first replay killed before it committed
status=0; "$CONTRAIL" merge --out norun-report.db shard-0.db norun.db > /dev/null 2> norun.err || status=$?
expect_eq "exit of a merge of a shard with no run" 3 "$status"
expect_eq "its line" "contrail merge: norun.db holds no finished run; replay into it before merging" "$(cat norun.err)"

# shards replayed with one set of judging options make a report judged with them: it is
# replayed into with them, and shards replayed with other ones are not merged (L5, K3)
opts="--business-date 2024-04-01 --expiring-days 30 --store-cutoff 2024-01-31"
for i in 0 1; do replay_hash "jsonl:shard-$i.jsonl" "opt-$i.db" $opts > /dev/null; done
"$CONTRAIL" merge --out opt-report.db opt-0.db opt-1.db > /dev/null
cat shard-0.jsonl shard-1.jsonl > opt.jsonl
expect_eq "a replay with the shards' options into their report" \
	"$(replay_hash jsonl:opt.jsonl opt-whole.db $opts)" "$(replay_hash jsonl:opt.jsonl opt-report.db $opts)"
replay_hash jsonl:shard-2.jsonl opt-2.db --business-date 2024-04-01 > /dev/null
status=0; "$CONTRAIL" merge --out mixed.db opt-0.db opt-2.db > /dev/null 2> mixed.err || status=$?
expect_eq "shards judged with other options" 3 "$status"
grep -q "was judged with expiring_days=90 store_cutoff=2024-10-31, the other shards with expiring_days=30" \
	mixed.err || fail "$(cat mixed.err)"

# E3 counts of a merge of a merged report and another shard: each run counted once
"$CONTRAIL" merge --out flat.db shard-0.db shard-1.db shard-2.db > /dev/null
"$CONTRAIL" merge --out pair.db shard-0.db shard-1.db > /dev/null
"$CONTRAIL" merge --out nested.db pair.db shard-2.db > /dev/null
flat_read=$(q flat.db "SELECT read FROM runs WHERE source LIKE 'merge of %'")
expect_eq "read of a nested merge" "$flat_read" "$(q nested.db "SELECT read FROM runs WHERE source LIKE 'merge of %' ORDER BY run_id DESC LIMIT 1")"
# a merged report as the last shard, alone, or beside another report: the same hash and counts
# (the merge's run took the id of the report's own merge run, and the merge failed)
"$CONTRAIL" merge --out single.db shard-2.db > /dev/null
"$CONTRAIL" merge --out last.db shard-2.db pair.db > /dev/null
"$CONTRAIL" merge --out alone.db pair.db > /dev/null
"$CONTRAIL" merge --out reports.db pair.db single.db > /dev/null
for merged in last alone reports; do
	expect_eq "$merged: hash" "$("$CONTRAIL" hash --db "$merged.db")" \
		"$(q "$merged.db" "SELECT projection_hash FROM runs ORDER BY run_id DESC LIMIT 1")"
done
expect_eq "a report as the last shard" "$whole" "$("$CONTRAIL" hash --db last.db)"
expect_eq "two reports" "$whole" "$("$CONTRAIL" hash --db reports.db)"
expect_eq "a report alone" "$("$CONTRAIL" hash --db pair.db)" "$("$CONTRAIL" hash --db alone.db)"
expect_eq "read of two reports" "$flat_read" "$(q reports.db "SELECT read FROM runs ORDER BY run_id DESC LIMIT 1")"

# shards that read nothing (a group member handed no events) merge into an empty report
for i in 0 1; do
	: > "nothing-$i.jsonl" # a source of its own each: one source in two shards is an overlap
	replay_hash "jsonl:nothing-$i.jsonl" "empty-$i.db" --business-date 2024-04-01 > /dev/null
done
replay_hash jsonl:nothing-0.jsonl empty-whole.db --business-date 2024-04-01 > /dev/null
status=0
"$CONTRAIL" merge --out empty-report.db empty-0.db empty-1.db > /dev/null 2> empty.err || status=$?
expect_eq "a merge of empty shards: exit" 0 "$status"
expect_eq "a merge of empty shards" "$("$CONTRAIL" hash --db empty-whole.db)" "$("$CONTRAIL" hash --db empty-report.db)"
"$CONTRAIL" merge --out half-empty.db empty-0.db shard-0.db > /dev/null
expect_eq "an empty shard beside another" "$("$CONTRAIL" hash --db shard-0.db)" "$("$CONTRAIL" hash --db half-empty.db)"

# the report replaced loses the WAL of the database it was: a reader would lay it over the new
# file (here a WAL that adds a table, kept from the old report and put back)
"$CONTRAIL" replay --source jsonl:history.jsonl --db report.db --business-date 2024-04-01 > /dev/null
python3 - <<'PY'
import shutil, sqlite3
db = sqlite3.connect("report.db")
db.execute("PRAGMA journal_mode = WAL")
db.execute("CREATE TABLE stale_marker (x)")
db.commit()
shutil.copy("report.db-wal", "stale-wal")
db.close()
PY
cp stale-wal report.db-wal
"$CONTRAIL" merge --out report.db shard-0.db shard-1.db shard-2.db > /dev/null
[ ! -e report.db-wal ] || fail "the replaced report's WAL is still beside the new one"
expect_eq "the new report alone" 0 "$(q report.db "SELECT count(*) FROM sqlite_schema WHERE name = 'stale_marker'")"
expect_eq "the new report's hash" "$whole" "$("$CONTRAIL" hash --db report.db --recompute)"

# a shard someone is reading (WAL mode, a read transaction open) can still be merged
"$CONTRAIL" replay --source jsonl:shard-0.jsonl --db wal-0.db --business-date 2024-04-01 > /dev/null
python3 - "$CONTRAIL" <<'PY'
import sqlite3, subprocess, sys
reader = sqlite3.connect("wal-0.db", isolation_level=None)
reader.execute("BEGIN")
reader.execute("SELECT count(*) FROM streams").fetchone()
run = subprocess.run([sys.argv[1], "merge", "--out", "read.db", "wal-0.db", "shard-1.db", "shard-2.db"],
                     capture_output=True, text=True)
reader.execute("COMMIT")
if run.returncode != 0:
    sys.exit("merge with a reader on a shard: exit %d: %s" % (run.returncode, run.stderr))
PY

# refused: the report is one of the shards (2), a file that is not a contrail database (3), and
# an event id in two shards (3, E1: one replay would have taken the second as a duplicate)
status=0; "$CONTRAIL" merge --out shard-1.db shard-0.db shard-1.db 2> err.txt || status=$?
expect_eq "--out is a shard" 2 "$status"
grep -q "one of the shards" err.txt || fail "$(cat err.txt)"
expect_eq "the shard kept" 1 "$(q shard-1.db "SELECT count(*) FROM meta WHERE key = 'schema_version'")"
cp history.jsonl log.jsonl
status=0; "$CONTRAIL" merge --out log.jsonl shard-0.db shard-1.db 2> err.txt || status=$?
expect_eq "--out is not a database" 3 "$status"
cmp -s history.jsonl log.jsonl || fail "the file named by --out was changed"
python3 - <<'PY'
import json
taken = None
for line in open("shard-0.jsonl", encoding="utf-8"):
    try:
        taken = json.loads(line)["id"]
        break
    except (ValueError, KeyError, TypeError):
        pass
out = []
for line in open("shard-1.jsonl", encoding="utf-8"):
    try:
        event = json.loads(line)
        if taken and isinstance(event, dict) and "id" in event:
            event["id"], taken = taken, None
            line = json.dumps(event) + "\n"
    except ValueError:
        pass
    out.append(line)
open("stolen-1.jsonl", "w", encoding="utf-8").writelines(out)
PY
replay_hash jsonl:stolen-1.jsonl stolen-1.db --business-date 2024-04-01 > /dev/null
status=0; "$CONTRAIL" merge --out stolen.db shard-0.db stolen-1.db 2> err.txt || status=$?
expect_eq "an id in two shards" 3 "$status"
expect_eq "its line, naming the shard that holds it after another" \
	"contrail merge: stolen-1.db holds 1 event ids that a shard before it holds too; replay those shards' events in one run (E1)" \
	"$(cat err.txt)"
[ ! -e stolen.db ] || fail "a refused merge left its report"

# a shard's rows that another shard holds too are an overlap (exit 3); a copy that fails for
# another reason (here a read that overflows an integer, standing in for a full disk or an I/O
# error) is reported as it is, a failure of the report (exit 4), not as an overlap
cp shard-0.db twin-0.db
status=0; "$CONTRAIL" merge --out twin.db shard-0.db twin-0.db 2> err.txt || status=$?
expect_eq "a shard merged with its copy" 3 "$status"
grep -q "^contrail merge: twin-0.db holds jsonl:.*/shard-0.jsonl, which another shard holds too" \
	err.txt || fail "$(cat err.txt)"
# the same rows read from another source
q twin-0.db "UPDATE checkpoints SET source = 'jsonl:twin-0.jsonl'"
status=0; "$CONTRAIL" merge --out twin.db shard-0.db twin-0.db 2> err.txt || status=$?
expect_eq "a shard merged with its copy read from another source" 3 "$status"
grep -q "twin-0.db overlaps another shard in contracts" err.txt || fail "$(cat err.txt)"
cp shard-1.db failing-1.db
q failing-1.db "ALTER TABLE contracts RENAME TO contracts_rows; CREATE VIEW contracts AS
	SELECT * FROM contracts_rows WHERE abs(-9223372036854775807 - 1 + 0 * length(contract_id)) > 0"
status=0; "$CONTRAIL" merge --out failing.db shard-0.db failing-1.db 2> err.txt || status=$?
expect_eq "a shard whose copy fails" 4 "$status"
expect_eq "its lines on stderr" 1 "$(wc -l < err.txt)"
grep -q "^contrail merge: copying contracts of failing-1.db: database .*failing.db.merging: integer overflow$" \
	err.txt || fail "$(cat err.txt)"
[ ! -e failing.db ] && [ ! -e failing.db.merging ] || fail "a failed merge left its report"

# diff: an option it does not know is a usage error, not a file it cannot open
status=0; "$CONTRAIL" diff --bogus report.db 2> err.txt || status=$?
expect_eq "diff --bogus" 2 "$status"

# SIGTERM or SIGINT during a merge: exit 4 with one line, the report it would replace left as it
# was, and nothing beside it (a merge that finished before the signal is tried again)
before=$("$CONTRAIL" hash --db report.db)
stopped=0
for attempt in $(seq 1 40); do
	for target in report fresh; do
		"$CONTRAIL" merge --out "$target.db" shard-0.db shard-1.db shard-2.db > /dev/null \
			2> stop.err &
		pid=$!
		while [ ! -e "$target.db.merging" ] && kill -0 "$pid" 2> /dev/null; do :; done
		kill -TERM "$pid" 2> /dev/null || true
		status=0
		wait "$pid" || status=$?
		[ "$status" -eq 0 ] && { rm -f fresh.db; continue; }
		stopped=$((stopped + 1))
		expect_eq "exit of a merge stopped by a signal" 4 "$status"
		grep -q "^contrail merge: stopped by a signal; $target.db is left as it was$" stop.err ||
			fail "$(cat stop.err)"
		[ -z "$(ls "$target.db".merging* 2> /dev/null)" ] || fail "left behind: $(ls "$target".db*)"
		[ "$target" = report ] || [ ! -e fresh.db ] || fail "a stopped merge into a new path left fresh.db"
	done
	[ "$stopped" -ge 2 ] && break
done
[ "$stopped" -ge 2 ] || fail "no merge was stopped part-way in 40 tries"
expect_eq "the report a stopped merge would have replaced" "$before" "$("$CONTRAIL" hash --db report.db)"
[ ! -e fresh.db ] || fail "a stopped merge into a new path left $(ls fresh.db*)"

# a replay that commits into a shard after the merge judged it and before it copies it (the
# shim runs the replay as the merge takes its writer lock): the merge stops with one line,
# exit 4, rather than put rows it never judged into the report, which is left as it was
sync_shim
cp shard-1.db racing-1.db
status=0
SYNC_SHIM_RUN_AT_FLOCK="'$CONTRAIL' replay --source jsonl:shard-1.jsonl --db racing-1.db --business-date 2024-04-01 > raced.out" \
	shimmed "$CONTRAIL" merge --out report.db shard-0.db racing-1.db shard-2.db > race.out 2> race.err || status=$?
grep -q "^run 2: read 0" raced.out || fail "the replay in the merge's way did not run: $(cat sync.log raced.out)"
expect_eq "exit of a merge whose shard a replay committed into" 4 "$status"
expect_eq "the line it printed" "contrail merge: racing-1.db changed while it was merged (a replay committed into it); merge again once it is done" \
	"$(cat race.err)"
expect_eq "the report left as it was" "$before" "$("$CONTRAIL" hash --db report.db)"
[ -z "$(ls report.db.merging* 2> /dev/null)" ] || fail "left behind: $(ls report.db*)"
expect_eq "merged again once it is done" "$whole" \
	"$("$CONTRAIL" merge --out report.db shard-0.db racing-1.db shard-2.db | sed -n 's/^projection hash //p')"

# a shard damaged inside a record (its last column, migration_to, said to hold 57 bytes past the
# record's end) is named with the table being copied, exit 3, and no report is made: its records
# are decoded as they are copied, where copying them as they lie put the damage into the report,
# and the report was blamed for it (SQLite copies records as they lie into an empty table)
cp shard-0.db damaged.db
page=$(q damaged.db "SELECT pageno FROM dbstat WHERE name = 'contracts' AND pagetype = 'leaf'
	LIMIT 1")
[ -n "$page" ] || fail "no leaf page of contracts"
python3 - damaged.db "$page" "$(q damaged.db 'PRAGMA page_size')" <<'PY'
import sys
path, page, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as f:
    f.seek(size * (page - 1))
    data = f.read(size)
    assert data[0] == 0x0A, "not a leaf page of an index b-tree (a WITHOUT ROWID table)"
    cell = int.from_bytes(data[8:10], "big")
    pos = cell + 1 if data[cell] < 0x80 else cell + 2  # past the payload's size
    header = data[pos]
    assert header < 0x80 and all(b < 0x80 for b in data[pos + 1:pos + header]), \
        "a cell this test cannot read"
    last = pos + header - 1  # the last column's serial type
    assert data[last] == 0, "migration_to is not NULL"
    f.seek(size * (page - 1) + last)
    f.write(b"\x7f")  # a text of 57 bytes, past the record's end
PY
rm -f damaged-report.db
status=0
"$CONTRAIL" merge --out damaged-report.db damaged.db shard-1.db > /dev/null 2> damaged.err ||
	status=$?
expect_eq "exit of a merge of a damaged shard" 3 "$status"
grep -q "^contrail merge: damaged.db is damaged in contracts: " damaged.err ||
	fail "$(cat damaged.err)"
[ -z "$(ls damaged-report.db* 2> /dev/null)" ] || fail "left behind: $(ls damaged-report.db*)"
# one shard's stored ids that repeat one (damage SQLite does not see) are its damage, not ids
# that two shards share, alone or merged with others
cp shard-1.db twice.db
q twice.db "INSERT INTO event_ids (ids) SELECT ids FROM event_ids ORDER BY chunk LIMIT 1"
for shards in "twice.db" "shard-0.db twice.db shard-2.db"; do
	status=0
	"$CONTRAIL" merge --out twice-report.db $shards > /dev/null 2> twice.err || status=$?
	expect_eq "exit of a merge of $shards, one with ids repeated" 3 "$status"
	grep -q "^contrail merge: twice.db is damaged: its stored event ids hold [0-9]* twice$" \
		twice.err || fail "$(cat twice.err)"
done
# a shard row that breaks a constraint other than a key's (its schema edited by hand to let a
# run's started_at be NULL) is the shard's damage too, not an overlap with another shard
cp shard-2.db unconstrained.db
q unconstrained.db "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql,
	'started_at TEXT NOT NULL', 'started_at TEXT') WHERE name = 'runs'"
q unconstrained.db "UPDATE runs SET started_at = NULL"
status=0
"$CONTRAIL" merge --out unconstrained-report.db shard-0.db unconstrained.db > /dev/null \
	2> unconstrained.err || status=$?
expect_eq "exit of a merge of a shard breaking NOT NULL" 3 "$status"
expect_eq "its line" "contrail merge: unconstrained.db is damaged in runs: NOT NULL constraint failed: runs.started_at" \
	"$(cat unconstrained.err)"
