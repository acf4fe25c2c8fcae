# Bad input gets a clear error and loses nothing (E3, E6): refused lines at ingest, a truncated
# or corrupt log, a database that is not ours, a bad command line.
source "$(dirname "$0")/lib.sh"
# ingest: a refused line is reported with its number and code, the rest is appended; exit 1
printf '%s\n' '{"id":"a1","type":"contract.opened","stream":"C-1","seq":1,"account":"1","at":"2023-01-01T00:00:00+09:00","data":{"name":"n","kind":"license","start_date":"2023-01-01","end_date":"2024-01-01","owners":[],"products":[]}}' \
	'{"id":"a2","type":"environment.created",' \
	'{"id":"a3","type":"no.such.type","stream":"C-1","seq":2,"account":"1","at":"2023-01-01T00:00:00+09:00","data":{}}' \
	'{"id":"a4","type":"environment.created","stream":"C-1","seq":2,"account":"1","at":"2023-01-01T00:00:00+09:00","data":{"env_id":7,"name":"x"}}' \
	'{"id":"a5","type":"environment.created","stream":"C-1","seq":2,"account":"1","at":"2023-01-01T00:00:00+09:00","data":{"name":"x"}}' > mixed.jsonl
status=0; "$CONTRAIL" ingest --log log.avro mixed.jsonl 2> ingest.err || status=$?
expect_eq "ingest exit" 1 "$status"
grep -q "mixed.jsonl:2: bad_json" ingest.err || fail "line 2: $(cat ingest.err)"
grep -q "mixed.jsonl:3: unknown_type" ingest.err || fail "line 3"
grep -q "mixed.jsonl:4: bad_format: data.env_id" ingest.err || fail "line 4"
grep -q "mixed.jsonl:5: missing_field: data.env_id" ingest.err || fail "line 5"
expect_eq "appended" 1 "$(avrocat log.avro | wc -l)"

# E6 too_large: a line over 1 MiB is rejected whole, the run goes on
python3 -c "
import json
big = {'id':'big','type':'environment.created','stream':'C-1','seq':2,'account':'1','at':'2023-01-01T00:00:00+09:00','data':{'env_id':'e','name':'x'*1100000}}
print(open('mixed.jsonl').readline().strip()); print(json.dumps(big))
print(json.dumps(dict(big, id='small', data={'env_id':'e2','name':'ok'})))" > big.jsonl
"$CONTRAIL" replay --source jsonl:big.jsonl --db big.db > /dev/null
expect_eq "too_large row (its envelope is not read)" "|too_large" "$(q big.db 'SELECT event_id, code FROM rejected_events')"
expect_eq "raw kept (first 1 MiB)" 1048576 "$(q big.db 'SELECT length(raw) FROM rejected_events')"
expect_eq "the next event applied" "e2" "$(q big.db 'SELECT env_id FROM environments')"
# an ingest refuses it alike, from a file and from a pipe, reading no more of it than an event
# may hold (the rest skipped to its newline), and appends the lines around it
for input in big.jsonl -; do
	status=0; "$CONTRAIL" ingest --log "big-$RANDOM.avro" "$input" < big.jsonl 2> ingest.err > /dev/null \
		|| status=$?
	expect_eq "ingest of a line over 1 MiB from $input" 1 "$status"
	expect_eq "its line" "$([ "$input" = - ] && echo - || echo big.jsonl):2: too_large: line of $(sed -n 2p big.jsonl | wc -c | awk '{print $1 - 1}') bytes is over 1 MiB" \
		"$(head -n 1 ingest.err)"
done
# the limit's edge (E6): a line of exactly 1 MiB, its newline not counted, is an event (replayed
# and ingested); one byte more is too_large and takes no place, so the stream's next seq is 2
python3 -c "
import json
def line(seq, eid, size):
    ev = {'id': eid, 'type': 'environment.created', 'stream': 'C-1', 'seq': seq, 'account': '1',
          'at': '2023-01-01T00:00:00+09:00', 'data': {'env_id': eid, 'name': ''}}
    ev['data']['name'] = 'x' * (size - len(json.dumps(ev)))
    text = json.dumps(ev)
    assert len(text) == size
    return text
print(open('mixed.jsonl').readline().strip())
print(line(2, 'at-limit', 1048576))
print(line(3, 'over-limit', 1048577))
print(line(3, 'after', 300))" > edge.jsonl
"$CONTRAIL" replay --source jsonl:edge.jsonl --db edge.db > /dev/null
expect_eq "1 MiB applied" "after at-limit" \
	"$(q edge.db "SELECT group_concat(env_id, ' ') FROM (SELECT env_id FROM environments ORDER BY env_id)")"
expect_eq "1 MiB + 1 rejected" "too_large" "$(q edge.db 'SELECT code FROM rejected_events')"
status=0; "$CONTRAIL" ingest --log edge.avro edge.jsonl 2> ingest.err > /dev/null || status=$?
expect_eq "ingest of the edge" "1 edge.jsonl:3: too_large: line of 1048577 bytes is over 1 MiB" \
	"$status $(head -n 1 ingest.err)"
expect_eq "the 1 MiB line appended" 3 "$(avrocat edge.avro | wc -l)"
# and a line longer than the memory the ingest may have is refused the same way, not lost: the
# whole line was once read into memory, and a read that failed taken for the end of the input
# (exit 0, nothing refused). Where the binary cannot start under the limit at all (a sanitizer's
# shadow memory), this is left out.
if (ulimit -v 150000; "$CONTRAIL" --help > /dev/null 2>&1); then
	status=0
	(ulimit -v 150000; { head -c 300M /dev/zero | tr '\0' x; echo; } |
		"$CONTRAIL" ingest --log huge-line.avro - > /dev/null 2> ingest.err) || status=$?
	expect_eq "ingest of a 300 MB line in 150 MB" 1 "$status"
	expect_eq "its line" "-:1: too_large: line of 314572800 bytes is over 1 MiB" "$(head -n 1 ingest.err)"
fi

# an event with no place (its seq not a number) keeps with its rejection what of its envelope was
# read: its id, stream and type (schema.md: NULL only when they could not be read)
printf '%s\n' '{"id":"s1","type":"contract.renewed","stream":"C-1","seq":"x","account":"1","at":"2023-01-01T00:00:00+09:00","data":{"end_date":"2025-01-01"}}' \
	> no-seq.jsonl
"$CONTRAIL" replay --source jsonl:no-seq.jsonl --db no-seq.db > /dev/null
expect_eq "an unplaced event's row" "s1|C-1|contract.renewed|bad_format|" \
	"$(q no-seq.db 'SELECT event_id, stream, type, code, seq FROM rejected_events')"

# a truncated log: the events before the damage are committed, the run stops with exit 3
"$CONTRAIL" generate --seed 3 --accounts 60 --out history.jsonl 2> /dev/null
"$CONTRAIL" ingest --log full.avro history.jsonl 2> /dev/null || [ $? -eq 1 ]
size=$(stat -c %s full.avro)
head -c $((size - 100)) full.avro > truncated.avro
status=0; "$CONTRAIL" replay --source file:truncated.avro --db t.db 2> replay.err > /dev/null || status=$?
expect_eq "replay exit on a truncated log" 3 "$status"
expect_eq "one line on stderr" 1 "$(wc -l < replay.err)"
grep -q "truncated.avro" replay.err || fail "message does not name the file: $(cat replay.err)"
committed=$(q t.db "SELECT next_offset FROM checkpoints")
[ "$committed" -gt 0 ] || fail "nothing committed before the damage"
# ... and the stopped run is a run (E3): its counts are what it committed, and the next run,
# on the mended log, gets a number of its own and ends with one replay's hash
expect_eq "the stopped run's row" "1|$committed" "$(q t.db 'SELECT run_id, read FROM runs')"
cp full.avro truncated.avro
expect_eq "after the mended log" "$(replay_hash file:full.avro whole.db)" \
	"$(replay_hash file:truncated.avro t.db)"
expect_eq "runs and their counts" "2|$(q whole.db 'SELECT read FROM runs')" \
	"$(q t.db 'SELECT count(*), sum(read) FROM runs')"
# a log whose header holds a schema that does not parse: one line naming the log, exit 3,
# from a replay and from an ingest
python3 - <<'PY'
data = bytearray(open("full.avro", "rb").read())
data[data.find(b'"type"')] = ord("x")
open("schema-damaged.avro", "wb").write(data)
PY
for cmd in "replay --source file:schema-damaged.avro --db sd.db" \
	"ingest --log schema-damaged.avro /dev/null"; do
	status=0; "$CONTRAIL" $cmd 2> cmd.err > /dev/null || status=$?
	expect_eq "exit of $cmd on a damaged schema" 3 "$status"
	expect_eq "one line" 1 "$(wc -l < cmd.err)"
	grep -q "log schema-damaged.avro: its schema does not parse" cmd.err || fail "$(cat cmd.err)"
done
# a log whose schema parses but is not a record (another writer's file of ints, strings, ...):
# refused alike by every command that reads it, where Avro C's field lookup crashed
for schema in '"int"' '["null","string"]' '{"type":"map","values":"long"}' \
	'{"type":"fixed","name":"F","size":4}'; do
	python3 - "$schema" <<'PY'
import sys
def long(n):
    n, out = n << 1, b""
    while n > 0x7F:
        out, n = out + bytes([n & 0x7F | 0x80]), n >> 7
    return out + bytes([n])
meta = [(b"avro.schema", sys.argv[1].encode()), (b"avro.codec", b"null")]
header = b"Obj\x01" + long(len(meta)) + b"".join(long(len(k)) + k + long(len(v)) + v for k, v in meta)
open("not-a-record.avro", "wb").write(header + b"\x00" + b"S" * 16)
PY
	for cmd in "replay --source file:not-a-record.avro --db nr.db" "dump --source file:not-a-record.avro" \
		"ingest --log not-a-record.avro /dev/null"; do
		status=0; "$CONTRAIL" $cmd 2> cmd.err > /dev/null || status=$?
		expect_eq "exit of $cmd on a log of $schema" 3 "$status"
		grep -q "not-a-record.avro: schema: not a record, as the envelope is$" cmd.err || fail "$(cat cmd.err)"
	done
done
# a damaged record inside a block (a string length made negative): one line, exit 3, nothing
# committed before it is lost
python3 - <<'PY'
import re
data = bytearray(open("full.avro", "rb").read())
m = re.compile(rb"[\x10-\x30]e-\d{6}-").search(bytes(data), len(data) // 2)
data[m.start()] = 0x7F
open("damaged.avro", "wb").write(data)
PY
status=0; "$CONTRAIL" replay --source file:damaged.avro --db d.db --batch 100 2> replay.err > /dev/null || status=$?
expect_eq "replay exit on a damaged record" 3 "$status"
expect_eq "one line" 1 "$(wc -l < replay.err)"
grep -q "is damaged" replay.err || fail "$(cat replay.err)"
[ "$(q d.db "SELECT next_offset FROM checkpoints")" -gt 100 ] || fail "nothing committed before the damage"
# a block whose header says one record fewer than it holds: found by the replay that reads it,
# which keeps what it read (the block's records too, as a damaged record keeps those before it),
# and by every replay after it, as by a rebuild: the checkpoint stays at the block
python3 - <<'PY'
def long_at(data, p):
    shift = value = 0
    while True:
        value |= (data[p] & 0x7F) << shift
        shift, p = shift + 7, p + 1
        if not data[p - 1] & 0x80:
            return (value >> 1) ^ -(value & 1), p
def encode(n):
    n, out = (n << 1) ^ (n >> 63), b""
    while n > 0x7F:
        out, n = out + bytes([n & 0x7F | 0x80]), n >> 7
    return out + bytes([n])
data = open("full.avro", "rb").read()
p = 4
while True: # the metadata map
    n, p = long_at(data, p)
    if n == 0:
        break
    if n < 0:
        _, p = long_at(data, p)
    for _ in range(abs(n) * 2):
        length, p = long_at(data, p)
        p += length
p += 16
blocks = []
while p < len(data):
    count, q = long_at(data, p)
    size, r = long_at(data, q)
    blocks.append((p, count, size, r))
    p = r + size + 16
start, count, size, body = blocks[-1]
open("lying-count.avro", "wb").write(data[:start] + encode(count - 1) + encode(size) + data[body:])
open("lying-count.offset", "w").write(str(start))
PY
for run in 1 2; do
	status=0; "$CONTRAIL" replay --source file:lying-count.avro --db lying.db 2> replay.err > /dev/null \
		|| status=$?
	expect_eq "replay $run of a log whose last block's count lies" 3 "$status"
	grep -q "block at offset $(cat lying-count.offset) holds more records than its header's count, [0-9]*$" \
		replay.err || fail "$(cat replay.err)"
done
# the records its header counts are read and kept; the bytes after them are none of its records
expect_eq "what the first run read is kept" "$(($(avrocat full.avro | wc -l) - 1))" \
	"$(q lying.db 'SELECT read FROM runs WHERE run_id = 1')"
status=0; "$CONTRAIL" replay --source file:lying-count.avro --db lying-rebuilt.db --rebuild \
	> /dev/null 2>&1 || status=$?
expect_eq "a rebuild from it" 3 "$status"
# a corrupt header
printf 'not avro at all' > corrupt.avro
status=0; "$CONTRAIL" replay --source file:corrupt.avro --db c.db 2> replay.err > /dev/null || status=$?
expect_eq "replay exit on a corrupt log" 3 "$status"

# databases that are not contrail's
printf 'garbage bytes, not sqlite' > garbage.db
status=0; "$CONTRAIL" replay --source jsonl:mixed.jsonl --db garbage.db 2> db.err > /dev/null || status=$?
expect_eq "exit on a garbage database" 3 "$status"
grep -q "is not a contrail database" db.err || fail "$(cat db.err)"
sqlite3 other.db "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
status=0; "$CONTRAIL" status --db other.db 2> db.err > /dev/null || status=$?
expect_eq "status on a foreign database" 3 "$status"
expect_eq "the foreign database is untouched" 1 "$(q other.db 'SELECT count(*) FROM t')"
# a contrail database in a directory only its owner may write, where SQLite cannot make the -shm
# beside it: read as unchanging, or refused as a failure to read it (4) when a WAL beside it
# holds commits, never taken for a foreign file (3): tests/e2e/read_only_directory.sh
# an empty file (the lock file a first --rebuild killed with SIGKILL leaves) is said to be so
: > empty.db
status=0; "$CONTRAIL" status --db empty.db 2> db.err > /dev/null || status=$?
expect_eq "status on an empty file" 3 "$status"
grep -q "^contrail status: empty.db is empty: no replay or merge into it has finished; replay or merge into it again$" \
	db.err || fail "$(cat db.err)"
expect_eq "a replay into the empty file" 0 \
	"$("$CONTRAIL" replay --source jsonl:mixed.jsonl --db empty.db > /dev/null 2>&1; echo $?)"
# as is an SQLite file without a table: a first replay stopped (killed, the disk full) after its
# switch to WAL committed and before its schema did. It was called foreign, and --rebuild and
# merge refused to replace it; they replace it now, as the empty file
for replace in "replay --source jsonl:mixed.jsonl --rebuild --db" "merge --out"; do
	rm -f tableless.db*
	sqlite3 tableless.db "PRAGMA journal_mode = WAL" > /dev/null
	status=0; "$CONTRAIL" hash --db tableless.db 2> db.err > /dev/null || status=$?
	expect_eq "hash of a file without a table" 3 "$status"
	grep -q "^contrail hash: tableless.db is empty: no replay or merge into it has finished" \
		db.err || fail "$(cat db.err)"
	if [ "$replace" = "merge --out" ]; then
		"$CONTRAIL" replay --source jsonl:mixed.jsonl --db shard.db > /dev/null
		set -- shard.db
	else
		set --
	fi
	status=0; "$CONTRAIL" $replace tableless.db "$@" > /dev/null 2> db.err || status=$?
	expect_eq "$replace a file without a table" 0 "$status"
	expect_eq "its rows then" "$(q empty.db 'SELECT count(*) FROM contracts')" \
		"$(q tableless.db 'SELECT count(*) FROM contracts')"
done
# a file without a table whose writer still holds its lock is being built (exit 4), not empty
rm -f tableless.db*
sqlite3 tableless.db "PRAGMA journal_mode = WAL" > /dev/null
status=0; flock -x tableless.db "$CONTRAIL" status --db tableless.db 2> db.err > /dev/null || status=$?
expect_eq "status while its writer makes the tables" 4 "$status"
grep -q "^contrail status: tableless.db is being built by a replay or merge" db.err || fail "$(cat db.err)"
# a contrail database another program keeps locked past the wait is locked (exit 4) to --rebuild,
# not foreign: the lock lifted while a second look was taken once made it so (exit 3)
cp empty.db locked.db
sqlite3 locked.db "PRAGMA journal_mode = DELETE" > /dev/null
python3 -c 'import sqlite3, time
c = sqlite3.connect("locked.db", isolation_level=None); c.execute("BEGIN EXCLUSIVE")
open("locked.ready", "w").close(); time.sleep(7)' &
locker=$!
for _ in $(seq 1 50); do [ -e locked.ready ] && break; sleep 0.1; done
status=0; "$CONTRAIL" replay --source jsonl:mixed.jsonl --db locked.db --rebuild > /dev/null 2> db.err \
	|| status=$?
wait $locker
expect_eq "--rebuild of a locked contrail database" 4 "$status"
grep -q "locked" db.err || fail "$(cat db.err)"

# exits_with CODE ARGS...: contrail ARGS exits CODE and says why in one line on stderr
exits_with() {
	local code=$1 status=0
	shift
	"$CONTRAIL" "$@" > /dev/null 2> one-line.err || status=$?
	expect_eq "exit of '$*'" "$code" "$status"
	expect_eq "lines of '$*'" 1 "$(wc -l < one-line.err)"
}
# --rebuild replaces a contrail database, not another file under that name
for foreign in garbage.db other.db; do
	cp "$foreign" "kept-$foreign"
	exits_with 3 replay --source jsonl:mixed.jsonl --db "$foreign" --rebuild
	cmp -s "$foreign" "kept-$foreign" || fail "--rebuild replaced $foreign"
done

# a database of schema version 1 (before support_lost): read commands refuse it with one line,
# a replay brings it up to date; a newer version is refused, and --rebuild renews it
"$CONTRAIL" replay --source jsonl:mixed.jsonl --db old.db > /dev/null 2>&1 || true
sqlite3 old.db "DROP TRIGGER support_changed_hands; DROP TABLE support_lost;
	UPDATE meta SET value = '1' WHERE key = 'schema_version'"
exits_with 3 status --db old.db
grep -q "schema version 1.*a replay brings it up to date" one-line.err || fail "$(cat one-line.err)"
"$CONTRAIL" replay --source jsonl:mixed.jsonl --db old.db > /dev/null 2>&1 || true
expect_eq "brought up to date by a replay" "3|0" \
	"$(q old.db "SELECT (SELECT value FROM meta WHERE key = 'schema_version'), count(*) FROM support_lost")"
expect_eq "status after the replay" 0 "$("$CONTRAIL" status --db old.db > /dev/null 2>&1; echo $?)"
sqlite3 old.db "UPDATE meta SET value = '4' WHERE key = 'schema_version'"
exits_with 3 replay --source jsonl:mixed.jsonl --db old.db
grep -q "schema version 4, newer than" one-line.err || fail "$(cat one-line.err)"
"$CONTRAIL" replay --source jsonl:mixed.jsonl --db old.db --rebuild > /dev/null 2>&1 || true
expect_eq "renewed by --rebuild" 0 "$("$CONTRAIL" status --db old.db > /dev/null 2>&1; echo $?)"

# a bad command line: one line, exit 2
for args in "replay" "replay --source jsonl:x" "replay --source nope:x --db a.db" \
	"replay --source jsonl:x --db a.db --batch 0" "replay --source jsonl:x --db a.db --business-date 2023-02-30" \
	"replay --source kafka://127.0.0.1:1/events,events --db a.db" \
	"replay --source kafka://127.0.0.1:1/events --db a.db -X fetch.max.bytes=1000" \
	"ingest" "frobnicate" "replay --source file: --db a.db" "dump --source nope:x" \
	"audit --source jsonl: --stream S1" "publish --to kafka://127.0.0.1:1/events nope:x" \
	"ingest --log v9.avro --schema-version 9 one.jsonl" "schema extra" "schema --version abc" \
	"replay --source jsonl:x --db a.db --batch 99999999999999999999"; do
	exits_with 2 $args
done
for cmd in replay ingest status export hash generate schema dump; do
	"$CONTRAIL" $cmd --help | grep -q "usage: contrail $cmd" || fail "$cmd --help"
done

# an input that cannot be read (here a directory: reading it gives EISDIR) is not the end of
# it: exit 3, one line naming it, as a file or as standard input
mkdir input.jsonl
exits_with 3 ingest --log unread.avro input.jsonl
grep -q "^contrail ingest: cannot read input.jsonl: Is a directory" one-line.err || fail "$(cat one-line.err)"
status=0; "$CONTRAIL" ingest --log unread.avro - < input.jsonl 2> one-line.err || status=$?
expect_eq "exit of an ingest whose standard input cannot be read" 3 "$status"
grep -q "^contrail ingest: cannot read -: Is a directory" one-line.err || fail "$(cat one-line.err)"

# an output that cannot be made is a failure (4), not bad data: one line
printf '%s\n' "$(head -n 1 "$EXAMPLES/portal_example/events.jsonl")" > one.jsonl
for args in "replay --source jsonl:one.jsonl --db no-such-dir/a.db" \
	"replay --source jsonl:one.jsonl --db no-such-dir/a.db --rebuild" \
	"ingest --log no-such-dir/a.avro one.jsonl" "merge --out no-such-dir/r.db big.db"; do
	exits_with 4 $args
done

# a failed export leaves the file --out names as it was: the rows go to a file of their own,
# renamed into place only when all are written (here the table's later pages are damaged)
"$CONTRAIL" generate --seed 4 --accounts 60 --out exp.jsonl 2> /dev/null
"$CONTRAIL" replay --source jsonl:exp.jsonl --db exp.db --business-date 2024-04-01 > /dev/null
leaves=$(q exp.db "SELECT group_concat(pageno) FROM (SELECT pageno FROM dbstat WHERE name = 'members' AND pagetype = 'leaf' ORDER BY pageno)")
[ "$(tr ',' '\n' <<< "$leaves" | wc -l)" -ge 3 ] || fail "members has too few pages to damage: $leaves"
python3 - "$leaves" <<'PY'
import sys
pages = [int(p) for p in sys.argv[1].split(",")]
with open("exp.db", "r+b") as f:
    for page in pages[1:]:
        f.seek((page - 1) * 4096)
        f.write(b"\xff" * 4096)
PY
echo precious > out.csv
status=0; "$CONTRAIL" export --db exp.db --table members --format csv --out out.csv 2> exp.err || status=$?
[ "$status" -ne 0 ] || fail "an export of a damaged table succeeded"
expect_eq "the file --out names" precious "$(cat out.csv)"
[ ! -e out.csv.partial ] || fail "the partial export was left behind"
# two exports to one file at once: the second stops at once (exit 4) and leaves the first's
# partial file alone (here the first is flock(1) holding the lock an export takes)
"$CONTRAIL" export --db exp.db --table contracts --format csv --out mine.csv
touch mine.csv.partial
flock mine.csv.partial sh -c 'touch export.held; sleep 3' &
holder=$!
while [ ! -e export.held ]; do sleep 0.01; done # the lock held, however slow the machine
status=0
"$CONTRAIL" export --db exp.db --table contracts --format csv --out mine.csv 2> second.err || status=$?
kill "$holder" 2> /dev/null || true
expect_eq "exit of a second export to one file" 4 "$status"
grep -q "another command is writing .*mine\.csv\.partial" second.err || fail "$(cat second.err)"
[ -e mine.csv.partial ] || fail "the second export removed the first's partial file"
expect_eq "the file it would have replaced" "$(q exp.db 'SELECT count(*) FROM contracts')" \
	"$(($(wc -l < mine.csv) - 1))"
# what is not a regular file is written in place, never renamed over (here a named pipe, read
# from the other end); `-` is standard output
"$CONTRAIL" export --db exp.db --table contracts --format csv > contracts.csv
mkfifo pipe.csv
timeout 20 cat pipe.csv > piped.csv &
reader=$!
"$CONTRAIL" export --db exp.db --table contracts --format csv --out pipe.csv
[ -p pipe.csv ] || { kill "$reader" 2> /dev/null; fail "the named pipe was replaced"; }
wait "$reader" || fail "nothing came through the pipe"
expect_eq "export into a pipe" "$(cat contracts.csv)" "$(cat piped.csv)"
expect_eq "export --out -" "$(cat contracts.csv)" \
	"$("$CONTRAIL" export --db exp.db --table contracts --format csv --out -)"
[ ! -e ./- ] || fail "export --out - wrote a file named -"
# a symbolic link is followed: its target gets the rows, the link stays a link
echo old > target.csv
ln -s target.csv link.csv
"$CONTRAIL" export --db exp.db --table contracts --format csv --out link.csv
[ -L link.csv ] || fail "the link was replaced"
expect_eq "export through a link" "$(cat contracts.csv)" "$(cat target.csv)"
# through a link that names no file yet: the file is made, the link stays; /dev/stdout is
# standard output, appended to as the shell set it up
ln -s new-target.csv dangling.csv
"$CONTRAIL" export --db exp.db --table contracts --format csv --out dangling.csv
[ -L dangling.csv ] || fail "the dangling link was replaced"
expect_eq "export through a dangling link" "$(cat contracts.csv)" "$(cat new-target.csv)"
echo "earlier line" > appended.csv
"$CONTRAIL" export --db exp.db --table contracts --format csv --out /dev/stdout >> appended.csv
expect_eq "export to /dev/stdout appended" "earlier line" "$(head -n 1 appended.csv)"
expect_eq "the rows after it" "$(cat contracts.csv)" "$(tail -n +2 appended.csv)"
