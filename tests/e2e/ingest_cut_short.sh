# An ingest cut short (killed, or the machine stopped) leaves the log ending inside its last
# block. A replay commits what comes before it and stops with exit 3, naming the way on; the
# next ingest moves the cut block's bytes to LOG.torn-OFFSET (nothing is lost) and appends from
# the last whole block, so the log replays again, and the input ingested again ends with the
# hash of a log that was never cut (its events already in the log are duplicates, E1).
source "$(dirname "$0")/lib.sh"
log_in_two 17 80 2
cp events.avro whole.avro
reference=$(replay_hash file:whole.avro whole.db)

# the second ingest cut 100 bytes before its end: inside its last block
size=$(stat -c %s events.avro)
truncate -s $((size - 100)) events.avro
cp events.avro cut.avro
status=0; "$CONTRAIL" replay --source file:events.avro --db t.db 2> replay.err > /dev/null || status=$?
expect_eq "replay exit on a log cut short" 3 "$status"
grep -q "the next ingest into the log moves it aside" replay.err || fail "$(cat replay.err)"

# the next ingest (here of nothing) moves the cut block aside, byte for byte
status=0; "$CONTRAIL" ingest --log events.avro /dev/null 2> ingest.err || status=$?
expect_eq "ingest exit" 0 "$status"
aside=$(ls events.avro.torn-*)
grep -q "moved to $aside" ingest.err || fail "$(cat ingest.err)"
kept=$(stat -c %s events.avro)
expect_eq "the log and the moved bytes are the cut log" "$(stat -c %s cut.avro)" \
	"$((kept + $(stat -c %s "$aside")))"
cmp -s <(cat events.avro "$aside") cut.avro || fail "the log and the moved bytes differ from the cut log"
expect_eq "the offset in the name is where the log now ends" "events.avro.torn-$kept" "$aside"

# the log replays again from where the stopped run left it; the input ingested again
# completes it
"$CONTRAIL" replay --source file:events.avro --db t.db > /dev/null
"$CONTRAIL" ingest --log events.avro rest.jsonl 2> /dev/null || [ $? -eq 1 ]
expect_eq "hash after the input is ingested again" "$reference" \
	"$(replay_hash file:events.avro t.db)"
expect_eq "nothing else was moved aside" 1 "$(ls events.avro.torn-* | wc -l)"

# damage that is not a cut end is still refused, and the log left as it is
python3 - <<'PY'
data = bytearray(open("whole.avro", "rb").read())
sync = data[-16:]
at = data.find(bytes(sync), len(data) // 2)
data[at] ^= 0xFF
open("bad.avro", "wb").write(data)
PY
cp bad.avro bad-before.avro
status=0; "$CONTRAIL" ingest --log bad.avro /dev/null 2> /dev/null || status=$?
expect_eq "ingest exit on a bad sync marker" 3 "$status"
cmp -s bad.avro bad-before.avro || fail "a damaged log was changed"
[ -z "$(ls bad.avro.torn-* 2> /dev/null)" ] || fail "a damaged log's bytes were moved"

# a block in the middle whose size was damaged to run past the end of the file is not a cut
# end: whole blocks follow it (their sync markers are there). Refused, the log left as it is;
# cutting the log there would take every later block out of it.
python3 - <<'PY'
data = bytearray(open("whole.avro", "rb").read())
sync = bytes(data[-16:])
at = data.find(sync, 16) + 16  # the first block, after the header's sync marker
at = data.find(sync, at) + 16  # the second
def read_long(i):
    shift = value = 0
    while True:
        byte = data[i]; i += 1; value |= (byte & 0x7F) << shift; shift += 7
        if not byte & 0x80:
            return i
size_at = read_long(at)        # past the record count
size_end = read_long(size_at)
assert data.find(sync, size_end) < len(data) - 16, "the log needs blocks after the second"
big = len(data) * 2            # zigzag varint of a size past the end of the file
big = big << 1
enc = bytearray()
while big > 0x7F:
    enc.append((big & 0x7F) | 0x80); big >>= 7
enc.append(big)
data[size_at:size_end] = enc
open("mid.avro", "wb").write(data)
PY
cp mid.avro mid-before.avro
status=0; "$CONTRAIL" ingest --log mid.avro /dev/null 2> mid.err || status=$?
expect_eq "ingest exit on a block in the middle that runs past the end" 3 "$status"
cmp -s mid.avro mid-before.avro || fail "a log damaged in the middle was cut"
[ -z "$(ls mid.avro.torn-* 2> /dev/null)" ] || fail "a log damaged in the middle had bytes moved"
grep -q "not an append cut short" mid.err || fail "$(cat mid.err)"
# ... and a replay of it says the same, not that an ingest would mend it
status=0; "$CONTRAIL" replay --source file:mid.avro --db mid.db 2> mid-replay.err > /dev/null || status=$?
expect_eq "replay exit on a block in the middle that runs past the end" 3 "$status"
grep -q "not an append cut short" mid-replay.err || fail "$(cat mid-replay.err)"

# a move that fails part-way (here: a file size limit of 1 KiB, under the cut block's bytes) leaves no file that looks like the moved
# bytes, and the log as it was; the next ingest moves them under the plain name
cp cut.avro limited.avro
status=0
( trap '' XFSZ; ulimit -f 1; "$CONTRAIL" ingest --log limited.avro /dev/null ) 2> limited.err || status=$?
expect_eq "ingest exit when the bytes cannot be moved" 4 "$status"
cmp -s limited.avro cut.avro || fail "the log was changed by a move that failed"
[ -z "$(ls limited.avro.torn-* 2> /dev/null)" ] || fail "a failed move left $(ls limited.avro.torn-*)"
"$CONTRAIL" ingest --log limited.avro /dev/null 2> /dev/null
cmp -s <(cat limited.avro limited.avro.torn-"$(stat -c %s limited.avro)") cut.avro ||
	fail "the moved bytes after a failed move differ"

# a cut log that ingest refuses for its header (a schema that does not parse, or another
# schema version than asked for) is left as it was: the cut block is moved only by an ingest
# that then appends
for damage in schema version; do
	cp cut.avro refused.avro
	if [ "$damage" = schema ]; then
		python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); i = b.index(b"\"type\""); b[i + 1] = 7; open(p, "wb").write(b)' refused.avro
		args=()
	else
		args=(--schema-version 999)
	fi
	cp refused.avro refused-before.avro
	status=0; "$CONTRAIL" ingest --log refused.avro "${args[@]}" /dev/null 2> /dev/null || status=$?
	[ "$status" -ne 0 ] || fail "$damage: a refused log was ingested into"
	cmp -s refused.avro refused-before.avro || fail "$damage: a refused log was changed"
	[ -z "$(ls refused.avro.torn-* 2> /dev/null)" ] || fail "$damage: a refused log had bytes moved aside"
done

# An ingest killed as it created a new log (its header written in part, or not at all) leaves a
# file that holds no event: the next ingest takes it for missing, the bytes of a cut header moved
# to LOG.torn-0, and the log begins afresh under its lock.
head -n 40 first.jsonl > few.jsonl
expected=$(replay_hash jsonl:few.jsonl few.db --business-date 2024-04-01)
head -c 4096 whole.avro > header_cut.avro
"$CONTRAIL" ingest --log header_cut.avro few.jsonl 2> header_cut.err || [ $? -eq 1 ] || fail "$(cat header_cut.err)"
grep -q "^contrail ingest: header_cut.avro ended inside its header, as a creation cut short leaves it; its 4096 bytes were moved to header_cut.avro.torn-0, and the log begins afresh$" \
	header_cut.err || fail "$(cat header_cut.err)"
cmp -s header_cut.avro.torn-0 <(head -c 4096 whole.avro) || fail "the cut header's bytes were not kept"
expect_eq "the log begun afresh" "$expected" \
	"$(replay_hash file:header_cut.avro header_cut.db --business-date 2024-04-01)"
: > empty.avro
"$CONTRAIL" ingest --log empty.avro few.jsonl 2> /dev/null || [ $? -eq 1 ]
expect_eq "an empty file taken as a new log" "$expected" \
	"$(replay_hash file:empty.avro empty.db --business-date 2024-04-01)"

# Two ingests creating one log at the same time: one creates it, the other appends after it
# (both used to race: "File exists", or a header not yet written read as damage).
"$CONTRAIL" ingest --log single.avro few.jsonl 2> /dev/null || [ $? -eq 1 ]
once=$("$CONTRAIL" dump --source file:single.avro 2> /dev/null | grep -c .)
for i in $(seq 1 15); do
	rm -f both.avro
	"$CONTRAIL" ingest --log both.avro few.jsonl 2> a.err & first=$!
	status=0; "$CONTRAIL" ingest --log both.avro few.jsonl 2> b.err || status=$?
	wait "$first" || [ $? -eq 1 ] || fail "try $i, the first: $(cat a.err)"
	[ "$status" -le 1 ] || fail "try $i, the second: $(cat b.err)"
	expect_eq "try $i: both appended" "$((once * 2))" \
		"$("$CONTRAIL" dump --source file:both.avro 2> /dev/null | grep -c .)"
done

# A small log whose header is damaged (a length that runs past the end) is not one cut short:
# the ingest refuses it and leaves it as it was (only the bytes of the very header an ingest
# writes, cut, are taken for a creation cut short)
"$CONTRAIL" ingest --log small.avro few.jsonl 2> /dev/null || [ $? -eq 1 ]
printf '\x02' | dd of=small.avro bs=1 seek=19 conv=notrunc 2> /dev/null
cp small.avro small-before.avro
status=0; "$CONTRAIL" ingest --log small.avro few.jsonl 2> small.err || status=$?
expect_eq "exit of an ingest into a small log with a damaged header" 3 "$status"
cmp -s small.avro small-before.avro || fail "a damaged log was changed"
[ -z "$(ls small.avro.torn-* 2> /dev/null)" ] || fail "a damaged log's bytes were moved aside"
