# A log written by another Avro implementation (python3-avro) with our schema replays in
# contrail with the same projection hash as the JSON Lines it was made from.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" schema > schema.avsc
$PYTHON_AVRO - "$EXAMPLES/portal_example/events.jsonl" <<'PY'
import json, sys
import avro.datafile, avro.io, avro.schema
schema = avro.schema.parse(open("schema.avsc").read())
with open("python.avro", "wb") as out:
    writer = avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema, codec="deflate")
    for line in open(sys.argv[1], encoding="utf-8"):
        event = json.loads(line)
        event.setdefault("recorded", None)
        if event["type"] == "environment.created":
            event["data"].setdefault("sort_key", None)
        writer.append(event)
    writer.close()
PY
a=$(replay_hash file:python.avro py.db --business-date 2023-03-15)
b=$(replay_hash "jsonl:$EXAMPLES/portal_example/events.jsonl" json.db --business-date 2023-03-15)
expect_eq "hash of the python-written log" "$b" "$a"
expect_eq "runs" "9|6|1|2" "$(q py.db 'SELECT read, applied, duplicates, rejected FROM runs')"
