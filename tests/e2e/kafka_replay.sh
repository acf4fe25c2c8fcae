# contrail replay --source kafka:// (issue 3): a topic replays to the hash of the local log it
# was published from; an incremental run reads only new messages; a topic of version-1 frames
# replays under the current schema (resolution by schema id); messages produced by kcat from
# frames that python3-avro encoded replay too; bad messages land in rejected_events with
# topic, partition, offset and raw bytes; offsets are committed to the group.
source "$(dirname "$0")/lib.sh"
start_broker --topic events --partitions 8 --topic old --partitions 2 --topic bad --partitions 1
"$CONTRAIL" generate --seed 21 --accounts 300 --out history.jsonl 2> /dev/null
head -n 9000 history.jsonl > first.jsonl
"$CONTRAIL" ingest --log first.avro first.jsonl 2> /dev/null || [ $? -eq 1 ]
"$CONTRAIL" ingest --log all.avro history.jsonl 2> /dev/null || [ $? -eq 1 ]
date=(--business-date 2024-04-01)

"$CONTRAIL" publish --to "kafka://$boot/events" file:first.avro 2> /dev/null
reference=$(replay_hash file:first.avro file.db "${date[@]}")
got=$(replay_hash "kafka://$boot/events" kafka.db "${date[@]}" --group contrail-test -X session.timeout.ms=6000)
expect_eq "hash of the topic and of the log" "$reference" "$got"
expect_eq "runs" "$(q file.db 'SELECT read, applied, duplicates, rejected FROM runs')" \
	"$(q kafka.db 'SELECT read, applied, duplicates, rejected FROM runs')"
expect_eq "one checkpoint per partition" 8 "$(q kafka.db "SELECT count(*) FROM checkpoints WHERE source = 'kafka:events'")"
expect_eq "checkpoints sum to the messages" "$(q file.db 'SELECT read FROM runs')" \
	"$(q kafka.db "SELECT sum(next_offset) FROM checkpoints")"

# incremental: the rest of the history is published and only it is read
tail -n +9001 history.jsonl > rest.jsonl
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:rest.jsonl 2> publish.err || [ $? -eq 1 ]
sent=$(sed -n 's/^published \([0-9]*\) events.*/\1/p' publish.err)
"$CONTRAIL" replay --source "kafka://$boot/events" --db kafka.db "${date[@]}" --group contrail-test \
	-X session.timeout.ms=6000 > run2.out
expect_eq "the second run reads only the new messages" "$sent" "$(q kafka.db 'SELECT read FROM runs WHERE run_id = 2')"
"$CONTRAIL" ingest --log sent.avro rest.jsonl 2> /dev/null || [ $? -eq 1 ]
"$CONTRAIL" replay --source file:first.avro --db both.db "${date[@]}" > /dev/null
"$CONTRAIL" replay --source file:sent.avro --db both.db "${date[@]}" > /dev/null
expect_eq "hash after the incremental run" "$(q both.db 'SELECT projection_hash FROM runs WHERE run_id = 2')" \
	"$(q kafka.db 'SELECT projection_hash FROM runs WHERE run_id = 2')"
# the offsets are also committed to the group: a member of it starting where the group
# stands (earliest only where nothing was committed) finds nothing left to read
left() { timeout 60 kcat -b "$boot" -X auto.offset.reset=earliest -X session.timeout.ms=6000 \
	-e -q -f '%o\n' -G "$1" events | wc -l; }
expect_eq "messages after the committed offsets" 0 "$(left contrail-test)"
expect_eq "messages for a group that committed nothing" "$(q kafka.db 'SELECT sum(read) FROM runs')" \
	"$(left another-group)"

# two topics in one replay, each account's events in one of them: checkpoints per topic
python3 - first.jsonl <<'PY'
import json, sys
with open("even.jsonl", "w") as even, open("odd.jsonl", "w") as odd:
    for line in open(sys.argv[1], encoding="utf-8"):
        try:
            account = int(json.loads(line).get("account", "0"))
        except (ValueError, TypeError, AttributeError):
            account = 0
        (even if account % 2 == 0 else odd).write(line)
PY
"$CONTRAIL" publish --to "kafka://$boot/even" jsonl:even.jsonl 2> /dev/null || [ $? -eq 1 ]
"$CONTRAIL" publish --to "kafka://$boot/odd" jsonl:odd.jsonl 2> /dev/null || [ $? -eq 1 ]
expect_eq "hash of two topics" "$reference" "$(replay_hash "kafka://$boot/even,odd" two.db "${date[@]}")"
expect_eq "checkpoints of both topics" "kafka:even kafka:odd" \
	"$(q two.db 'SELECT DISTINCT source FROM checkpoints ORDER BY source' | tr '\n' ' ' | sed 's/ $//')"

# version-1 frames (schema id 1) replay under the current schema
v1_jsonl
"$CONTRAIL" ingest --log v1.avro --schema-version 1 v1.jsonl 2> /dev/null
"$CONTRAIL" publish --to "kafka://$boot/old" file:v1.avro 2> /dev/null
expect_eq "a topic of version-1 frames" \
	"$(replay_hash file:v1.avro v1.db --business-date 2023-03-15)" \
	"$(replay_hash "kafka://$boot/old" old.db --business-date 2023-03-15)"

"$CONTRAIL" replay --source "jsonl:$EXAMPLES/portal_example/events.jsonl" --db json.db \
	--business-date 2023-03-15 > /dev/null
# kcat produces: frames encoded by python3-avro, then bad messages of every kind
"$CONTRAIL" schema > schema.avsc
$PYTHON_AVRO - "$EXAMPLES/portal_example/events.jsonl" <<'PY'
import io, json, struct, sys
import avro.io, avro.schema
schema = avro.schema.parse(open("schema.avsc").read())
writer = avro.io.DatumWriter(schema)
frames = []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    event = json.loads(line)
    event.setdefault("recorded", None)
    if event["type"] == "environment.created":
        event["data"].setdefault("sort_key", None)
    buf = io.BytesIO()
    writer.write(event, avro.io.BinaryEncoder(buf))
    frames.append(buf.getvalue())
    open("good-%02d.bin" % n, "wb").write(b"\0" + struct.pack(">I", 2) + buf.getvalue())
record = frames[0]
open("bad-1-random.bin", "wb").write(bytes((i * 89 + 7) % 256 for i in range(1, 80)))
open("bad-2-magic.bin", "wb").write(b"\x01" + struct.pack(">I", 2) + record)
open("bad-3-schema.bin", "wb").write(b"\0" + struct.pack(">I", 99) + record)
open("bad-4-payload.bin", "wb").write(b"\0" + struct.pack(">I", 2) + record[:7])
open("bad-5-short.bin", "wb").write(b"\0\0")
PY
kcat -P -b "$boot" -t bad -p 0 -k 100001 good-*.bin
kcat -P -b "$boot" -t bad -p 0 -k x bad-*.bin
printf 'x:\n' | kcat -P -b "$boot" -t bad -p 0 -K:
printf 'x:\n' | kcat -P -b "$boot" -t bad -p 0 -K: -Z
"$CONTRAIL" replay --source "kafka://$boot/bad" --db bad.db --business-date 2023-03-15 > bad.out
expect_eq "counts with the bad messages" "16|6|1|9" "$(q bad.db 'SELECT read, applied, duplicates, rejected FROM runs')"
expect_eq "rejected bad messages" "kafka:bad/0@9|bad_frame|79
kafka:bad/0@10|bad_frame|$(wc -c < bad-2-magic.bin)
kafka:bad/0@11|unknown_schema|$(wc -c < bad-3-schema.bin)
kafka:bad/0@12|bad_avro|12
kafka:bad/0@13|bad_frame|2
kafka:bad/0@14|bad_frame|0
kafka:bad/0@15|bad_frame|0" \
	"$(q bad.db "SELECT position, code, length(raw) FROM rejected_events
	             WHERE code IN ('bad_frame', 'unknown_schema', 'bad_avro') ORDER BY length(position), position")"
expect_eq "raw bytes kept whole" "$(od -An -tx1 bad-2-magic.bin | tr -d ' \n')" \
	"$(q bad.db "SELECT hex(raw) FROM rejected_events WHERE position = 'kafka:bad/0@10'" | tr 'A-F' 'a-f')"
# the valid frames kcat produced are the portal example, judged as from any other source
expect_eq "the example's rejections" \
	"$(q json.db 'SELECT code FROM rejected_events ORDER BY code')" \
	"$(q bad.db "SELECT code FROM rejected_events WHERE code NOT IN ('bad_frame', 'unknown_schema', 'bad_avro') ORDER BY code")"

# a librdkafka setting that does not exist is a bad command line: one line, exit 2
status=0; "$CONTRAIL" replay --source "kafka://$boot/events" --db x.db -X no.such.setting=1 \
	> /dev/null 2> usage.err || status=$?
expect_eq "exit with a bad -X" 2 "$status"
expect_eq "one line" 1 "$(wc -l < usage.err)"

# dump and audit take a kafka:// source's consumer settings as replay does (-X, a secured
# cluster's SASL and TLS): -X debug=metadata reaches librdkafka, whose log says so on stderr,
# and what they print is what they print without it
"$CONTRAIL" dump --source "kafka://$boot/events" 2> /dev/null | sort > plain.jsonl
"$CONTRAIL" dump --source "kafka://$boot/events" -X debug=metadata 2> dump.err | sort > dumped.jsonl
grep -q "|METADATA|" dump.err || fail "dump's -X did not reach the consumer: $(head -3 dump.err)"
[ -s plain.jsonl ] || fail "dump printed nothing"
cmp -s plain.jsonl dumped.jsonl || fail "dump with -X printed other events"
stream=$(head -n 1 first.jsonl | sed 's/.*"stream": *"\([^"]*\)".*/\1/')
"$CONTRAIL" audit --source "kafka://$boot/events" --stream "$stream" "${date[@]}" > plain.audit
"$CONTRAIL" audit --source "kafka://$boot/events" --stream "$stream" "${date[@]}" \
	-X debug=metadata > dumped.audit 2> audit.err
grep -q "|METADATA|" audit.err || fail "audit's -X did not reach the consumer: $(head -3 audit.err)"
[ -s plain.audit ] || fail "audit printed nothing"
cmp -s plain.audit dumped.audit || fail "audit with -X printed another history"
