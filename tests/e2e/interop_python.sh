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

# E4 with E6: a record within 1 MiB whose JSON is longer (200,000 control characters, each
# escaped in six bytes) is judged on the record. Held (its seq before the one it waits for) and
# kept as JSON to be retried, it is applied as when it came in order, in one run or across two.
$PYTHON_AVRO - <<'PY'
import avro.datafile, avro.io, avro.schema
schema = avro.schema.parse(open("schema.avsc").read())
registered = {"id": "r1", "type": "customer.registered", "stream": "100001", "seq": 1,
              "account": "100001", "at": "2024-01-10T10:00:00+09:00", "recorded": None,
              "data": {"customer_no": "100001", "email": "a@b.example"}}
flagged = {"id": "v2", "type": "support.violation_flagged", "stream": "100001", "seq": 2,
           "account": "100001", "at": "2024-01-11T10:00:00+09:00", "recorded": None,
           "data": {"note": "\u0001" * 200000}}
class Writer(avro.io.DatumWriter):  # the branch by the event's type
    def write(self, datum, encoder):
        for f in schema.fields:
            if f.name == "data":
                types = [b.get_prop("event_type") for b in f.type.schemas]
                i = types.index(datum["type"])
                encoder.write_long(i)
                self.write_data(f.type.schemas[i], datum["data"], encoder)
            else:
                self.write_data(f.type, datum[f.name], encoder)
for name, events in (("escaped-in-order.avro", [registered, flagged]),
                     ("escaped-held.avro", [flagged, registered]),
                     ("escaped-first.avro", [flagged])):
    with open(name, "wb") as out:
        writer = avro.datafile.DataFileWriter(out, Writer(), schema)
        for event in events:
            writer.append(event)
        writer.close()
PY
in_order=$(replay_hash file:escaped-in-order.avro escaped-in-order.db --business-date 2024-04-01)
expect_eq "the long-escaped record in order" "2|0|violation" \
	"$(q escaped-in-order.db "SELECT (SELECT applied FROM runs), (SELECT count(*) FROM rejected_events),
		(SELECT suspension_reasons FROM customers)")"
expect_eq "held, then applied" "$in_order" \
	"$(replay_hash file:escaped-held.avro escaped-held.db --business-date 2024-04-01)"
cp escaped-first.avro escaped-runs.avro
replay_hash file:escaped-runs.avro escaped-runs.db --business-date 2024-04-01 > /dev/null
expect_eq "held by one run" "sequence_gap" "$(q escaped-runs.db 'SELECT code FROM rejected_events')"
printf '%s\n' '{"id":"r1","type":"customer.registered","stream":"100001","seq":1,"account":"100001","at":"2024-01-10T10:00:00+09:00","data":{"customer_no":"100001","email":"a@b.example"}}' \
	> registered-later.jsonl
"$CONTRAIL" ingest --log escaped-runs.avro registered-later.jsonl 2> /dev/null
expect_eq "applied by the next" "$in_order" \
	"$(replay_hash file:escaped-runs.avro escaped-runs.db --business-date 2024-04-01)"
# dump does not print what a replay of its lines would reject as too_large: it says so, exit 1
status=0
"$CONTRAIL" dump --source file:escaped-held.avro > escaped.jsonl 2> escaped.err || status=$?
expect_eq "exit of a dump with a JSON line over 1 MiB" 1 "$status"
expect_eq "the events printed" "r1" "$(python3 -c "import json, sys; print(' '.join(json.loads(l)['id'] for l in open('escaped.jsonl')))")"
grep -q "^file:.*escaped-held.avro#1: too_large: as a JSON line it takes 1200143 bytes, over the 1 MiB a line may hold (its record takes [0-9]*): not printed$" \
	escaped.err || fail "$(cat escaped.err)"

# Another writer's schema that is none of the catalog's: Avro resolves a union's branches by the
# records' names, so a log whose data union lists our payloads in another order, or whose data is
# one payload record alone, replays as the JSON Lines do; a record in a payload of the writer's
# own (a branch after ours) is rejected alone (bad_avro, no place), and a log whose envelope gives
# a field another type (seq as text) is refused whole: a foreign log, one line, exit 3.
$PYTHON_AVRO - "$EXAMPLES/portal_example/events.jsonl" <<'PY'
import copy, json, sys
import avro.datafile, avro.io, avro.schema
base = json.load(open("schema.avsc"))
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
for event in events:
    event.setdefault("recorded", None)
    if event["type"] == "environment.created":
        event["data"].setdefault("sort_key", None)

def write(name, change, items):
    s = copy.deepcopy(base)
    change(s)
    data = [f for f in s["fields"] if f["name"] == "data"][0]
    schema = avro.schema.parse(json.dumps(s))
    class Writer(avro.io.DatumWriter):  # the branch by the event's type, as python cannot tell
        def write(self, datum, encoder):
            for f in schema.fields:
                if f.name == "data" and isinstance(f.type, avro.schema.UnionSchema):
                    names = [b.name for b in f.type.schemas]
                    i = names.index(datum["payload"])
                    encoder.write_long(i)
                    if datum["payload"] == "Node":  # 200,000 deep, past python's own recursion
                        encoder.write(b"\x02" * 200000 + b"\x00")
                    else:
                        self.write_data(f.type.schemas[i], datum["data"], encoder)
                else:
                    self.write_data(f.type, datum[f.name], encoder)
    with open(name, "wb") as out:
        writer = avro.datafile.DataFileWriter(out, Writer(), schema)
        for item in items:
            writer.append(item)
        writer.close()

def payload_of(event):
    union = [f for f in base["fields"] if f["name"] == "data"][0]["type"]
    return [b["name"] for b in union if b.get("event_type") == event["type"]][0]

for event in events:
    event["payload"] = payload_of(event)
def reverse(s):
    [f for f in s["fields"] if f["name"] == "data"][0]["type"].reverse()
write("reversed.avro", reverse, events)

foreign = dict(events[0], id="foreign-1", type="x.foreign", stream="S-9", seq=1,
               payload="Foreign", data={"q": "hi"})
def add_foreign(s):
    [f for f in s["fields"] if f["name"] == "data"][0]["type"].append(
        {"type": "record", "name": "Foreign", "fields": [{"name": "q", "type": "string"}]})
write("foreign.avro", add_foreign, events[:3] + [foreign] + events[3:])

registered = [e for e in events if e["type"] == events[0]["type"]]  # the contracts opened
def one_payload(s):
    data = [f for f in s["fields"] if f["name"] == "data"][0]
    data["type"] = [b for b in data["type"] if b.get("event_type") == events[0]["type"]][0]
write("one_payload.avro", one_payload, registered)
with open("registered.jsonl", "w") as out:
    for e in registered:
        out.write(json.dumps({k: v for k, v in e.items() if k not in ("payload", "recorded")}) + "\n")

deep = dict(events[0], id="deep-1", type="x.deep", stream="S-8", seq=1, payload="Node", data=None)
def add_node(s):
    [f for f in s["fields"] if f["name"] == "data"][0]["type"].append(
        {"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]})
write("deep.avro", add_node, [deep])

def no_recorded(s):
    s["fields"] = [f for f in s["fields"] if f["name"] != "recorded"]
write("no_recorded.avro", no_recorded, events)
def no_account(s):
    s["fields"] = [f for f in s["fields"] if f["name"] != "account"]
write("no_account.avro", no_account, events)

def seq_as_text(s):
    [f for f in s["fields"] if f["name"] == "seq"][0]["type"] = "string"
write("seq_text.avro", seq_as_text, [dict(e, seq=str(e["seq"])) for e in events])
PY
expect_eq "a union in another order" "$b" "$(replay_hash file:reversed.avro reversed.db --business-date 2023-03-15)"
replay_hash file:foreign.avro foreign.db --business-date 2023-03-15 > /dev/null
expect_eq "the payload of the writer's own" "bad_avro|10" \
	"$(q foreign.db "SELECT code, (SELECT read FROM runs) FROM rejected_events WHERE position LIKE '%#4'")"
expect_eq "the others as from the JSON Lines" "$(q json.db 'SELECT count(*) FROM contracts') 6" \
	"$(q foreign.db 'SELECT count(*) FROM contracts') $(q foreign.db 'SELECT applied FROM runs')"
[ -s registered.jsonl ] || fail "no events of one payload"
expect_eq "a data of one payload record" \
	"$(replay_hash jsonl:registered.jsonl registered.db --business-date 2023-03-15)" \
	"$(replay_hash file:one_payload.avro one_payload.db --business-date 2023-03-15)"
status=0
"$CONTRAIL" replay --source file:seq_text.avro --db seq_text.db > /dev/null 2> seq_text.err || status=$?
expect_eq "exit of a log whose seq is text" 3 "$status"
expect_eq "its line" "contrail replay: log seq_text.avro: schema: the envelope's seq is a string, where the catalog has a long" \
	"$(cat seq_text.err)"
# an envelope field the writer leaves out is filled with the catalog's default, as Avro resolves
# (recorded's null); one without a default (account) cannot be, and the log is refused whole.
# ingest does not append to the first: a line's recorded would have no place to go.
expect_eq "an envelope without recorded" "$b" \
	"$(replay_hash file:no_recorded.avro no_recorded.db --business-date 2023-03-15)"
# E5: its events' recorded is their at, as for JSON lines that leave it out
until=(--business-date 2023-03-15 --until 2023-03-01T12:00:00+09:00)
expect_eq "an envelope without recorded, --until" \
	"$(replay_hash "jsonl:$EXAMPLES/portal_example/events.jsonl" json-until.db "${until[@]}")" \
	"$(replay_hash file:no_recorded.avro no_recorded-until.db "${until[@]}")"
expect_eq "the same events skipped" "$(q json-until.db 'SELECT read, applied FROM runs')" \
	"$(q no_recorded-until.db 'SELECT read, applied FROM runs')"
status=0
"$CONTRAIL" replay --source file:no_account.avro --db no_account.db > /dev/null 2> no_account.err ||
	status=$?
expect_eq "exit of a log without account" 3 "$status"
expect_eq "its line" "contrail replay: log no_account.avro: schema: the envelope lacks field account" \
	"$(cat no_account.err)"
cp no_recorded.avro no_recorded-before.avro
status=0
"$CONTRAIL" ingest --log no_recorded.avro "$EXAMPLES/portal_example/events.jsonl" 2> no_recorded.err ||
	status=$?
expect_eq "exit of an ingest into a log without recorded" 3 "$status"
grep -q "^contrail ingest: log no_recorded.avro was written by another writer whose envelope has no recorded;" \
	no_recorded.err || fail "$(cat no_recorded.err)"
cmp -s no_recorded.avro no_recorded-before.avro || fail "the log without recorded changed"
# a writer's schema may be recursive (a record naming itself): a record nested 200,000 deep in
# 200 KB is a damaged record of the log (exit 3, one line), where following it ran the stack out
for command in "replay --db deep.db --source" "dump --source"; do
	status=0
	"$CONTRAIL" $command file:deep.avro > /dev/null 2> deep.err || status=$?
	expect_eq "exit of $command a log nested too deep" 3 "$status"
	grep -q "record 1 of the block at offset [0-9]* is damaged: .*values nested more than 64 deep$" \
		deep.err || fail "$(cat deep.err)"
done
# ingest does not append to such a log: a line's payload would go to the branch its type has in
# the catalog, not in the writer's order (the log is left as it was, exit 3)
cp reversed.avro reversed-before.avro
status=0
"$CONTRAIL" ingest --log reversed.avro "$EXAMPLES/portal_example/events.jsonl" 2> reversed.err || status=$?
expect_eq "exit of an ingest into a log of another order" 3 "$status"
grep -q "^contrail ingest: log reversed.avro was written by another writer with its payloads in another order" \
	reversed.err || fail "$(cat reversed.err)"
cmp -s reversed.avro reversed-before.avro || fail "the log changed"
