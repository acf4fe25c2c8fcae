# Our local logs are standard Avro object container files: avrocat (Avro C's own tool)
# reads every record ingest appended.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" ingest --log events.avro "$EXAMPLES/portal_example/events.jsonl" 2> ingest.log
grep -q "appended 9 events" ingest.log || fail "ingest: $(cat ingest.log)"
avrocat events.avro > records.txt
expect_eq "records avrocat reads" 9 "$(wc -l < records.txt)"
grep -q '"p7"' records.txt || fail "avrocat output lacks event p7"
# appending keeps one valid file
"$CONTRAIL" ingest --log events.avro "$EXAMPLES/portal_example/events.jsonl" 2> /dev/null
expect_eq "records after an append" 18 "$(avrocat events.avro | wc -l)"
# and our dump reads back what we wrote, field for field
"$CONTRAIL" dump --source file:events.avro > all.jsonl
head -n 9 all.jsonl > dumped.jsonl
python3 - "$EXAMPLES/portal_example/events.jsonl" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
got = [json.loads(l) for l in open("dumped.jsonl", encoding="utf-8")]
for w, g in zip(want, got):
    assert w == g, (w, g)
assert len(got) == len(want) == 9
PY
