#!/usr/bin/env bash
# Makes the seed corpora of the fuzz targets from the scenarios' events: up to two JSON lines of
# each event type and every line that is not an event (json/), the same events as Kafka message
# values under the current schema id and under version 1 (frame/), small local logs written by
# contrail under both versions and with both codecs' blocks (log/), and each scenario's whole
# history (replay/). Run from the top
# directory with CONTRAIL set; the seeds are committed, fuzzing only adds to copies of them.
set -eu
out=tests/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out" && mkdir -p "$out/json" "$out/frame" "$out/log" "$out/replay"
for history in tests/scenarios/*/events.jsonl; do
	cp "$history" "$out/replay/$(basename "$(dirname "$history")")"
done

python3 - "$out/json" "$work/events.jsonl" tests/scenarios/*/events.jsonl <<'PY'
import json, sys
out, events, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
taken, n = {}, 0
with open(events, "w", encoding="utf-8") as all_events:
    for path in sorted(paths):
        for line in open(path, encoding="utf-8"):
            line = line.rstrip("\n")
            try:
                kind = json.loads(line).get("type", "?")
            except Exception:
                kind = "not json"
            if taken.get(kind, 0) >= 2:
                continue
            taken[kind] = taken.get(kind, 0) + 1
            n += 1
            open("%s/%03d" % (out, n), "w", encoding="utf-8").write(line)
            all_events.write(line + "\n")
PY
"$CONTRAIL" ingest --log "$work/v2.avro" "$work/events.jsonl" 2> /dev/null || [ $? -eq 1 ]
python3 - "$work/events.jsonl" "$work/v1.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        try:
            event = json.loads(line)
            event["data"].pop("lang", None)
            event["data"].pop("sort_key", None)
        except Exception:
            continue
        out.write(json.dumps(event, ensure_ascii=False) + "\n")
PY
"$CONTRAIL" ingest --log "$work/v1.avro" --schema-version 1 "$work/v1.jsonl" 2> /dev/null || [ $? -eq 1 ]
cp "$work/v2.avro" "$out/log/v2"
cp "$work/v1.avro" "$out/log/v1"
head -n 3 "$work/events.jsonl" > "$work/three.jsonl"
"$CONTRAIL" ingest --log "$work/three.avro" "$work/three.jsonl" 2> /dev/null
cp "$work/three.avro" "$out/log/three"
/usr/bin/python3 - "$work/v2.avro" "$work/v1.avro" "$out/frame" "$out/log" <<'PY'
import io, struct, sys, zlib
import avro.datafile, avro.io, avro.schema

def varint(f):
    shift = result = 0
    while True:
        b = f.read(1)[0]
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return (result >> 1) ^ -(result & 1)

def records(path):
    """Each record's own bytes, as a decoder reading the blocks finds them."""
    f = open(path, "rb")
    assert f.read(4) == b"Obj\x01"
    meta = {}
    while True:
        count = varint(f)
        if count == 0:
            break
        for _ in range(abs(count)):
            key = f.read(varint(f)).decode()
            meta[key] = f.read(varint(f))
    f.read(16)
    schema = avro.schema.parse(meta["avro.schema"].decode())
    codec = meta.get("avro.codec", b"null")
    while f.read(1):
        f.seek(-1, 1)
        count, size = varint(f), varint(f)
        data = f.read(size)
        f.read(16)
        if codec == b"deflate":
            data = zlib.decompress(data, -15)
        block = io.BytesIO(data)
        for _ in range(count):
            start = block.tell()
            avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(block))
            yield schema, data[start:block.tell()]

v2, v1, frames, logs = sys.argv[1:5]
n = 0
for path, schema_id in ((v2, 2), (v1, 1)):
    for _, record in records(path):
        n += 1
        open("%s/%03d" % (frames, n), "wb").write(b"\0" + struct.pack(">I", schema_id) + record)
    # the first records in a deflate log, as another Avro implementation writes it
    schema = next(records(path))[0]
    reader = avro.datafile.DataFileReader(open(path, "rb"), avro.io.DatumReader())
    with open("%s/v%d-deflate" % (logs, schema_id), "wb") as out:
        writer = avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema, codec="deflate")
        for i, record in enumerate(reader):
            if i == 20:
                break
            try:
                writer.append(record)
            except avro.errors.AvroTypeException:
                pass  # a payload union python3-avro cannot tell apart when writing
        writer.close()
PY
echo "seeds: $(ls "$out/json" | wc -l) json, $(ls "$out/frame" | wc -l) frame, $(ls "$out/log" | wc -l) log," \
	"$(ls "$out/replay" | wc -l) replay"
