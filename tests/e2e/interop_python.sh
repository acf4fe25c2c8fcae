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

# E6 in a log: a record over 1 MiB (another writer may make one; contrail's ingest refuses such a
# line) is rejected as too_large, kept whole, and the run goes on with the events after it
$PYTHON_AVRO - "$EXAMPLES/portal_example/events.jsonl" <<'PY'
import json, sys
import avro.datafile, avro.io, avro.schema
schema = avro.schema.parse(open("schema.avsc").read())
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
huge = {"id": "huge-1", "type": "customer.registered", "stream": "990001", "seq": 1,
        "account": "990001", "at": "2023-03-01T10:00:00+09:00", "recorded": None,
        "data": {"customer_no": "990001", "email": "x" * (1 << 20) + "@example.jp"}}
with open("huge.avro", "wb") as out:
    writer = avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema)
    for i, event in enumerate(events):
        event.setdefault("recorded", None)
        if event["type"] == "environment.created":
            event["data"].setdefault("sort_key", None)
        if i == 3:
            writer.append(huge)
        writer.append(event)
    writer.close()
PY
replay_hash file:huge.avro huge.db --business-date 2023-03-15 > /dev/null
expect_eq "runs with a record over 1 MiB" "10|6|1|3" \
	"$(q huge.db 'SELECT read, applied, duplicates, rejected FROM runs')"
expect_eq "the record over 1 MiB" "too_large|1" \
	"$(q huge.db "SELECT code, length(raw) > 1048576 FROM rejected_events WHERE code = 'too_large'")"
expect_eq "the other projections as without it" \
	"$(q py.db 'SELECT count(*) FROM contracts') $(q py.db 'SELECT count(*) FROM members')" \
	"$(q huge.db 'SELECT count(*) FROM contracts') $(q huge.db 'SELECT count(*) FROM members')"
