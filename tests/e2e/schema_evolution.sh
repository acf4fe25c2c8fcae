# Old logs keep replaying as schemas evolve: a log written under catalog version 1 (before
# member.invited.lang and environment.created.sort_key existed) replays under version 2, the
# added fields taking their defaults — written by us and by python3-avro.
source "$(dirname "$0")/lib.sh"
v1_jsonl
"$CONTRAIL" ingest --log ours-v1.avro --schema-version 1 v1.jsonl 2> /dev/null
"$CONTRAIL" schema --version 1 > v1.avsc
cmp -s v1.avsc <("$CONTRAIL" schema) && fail "versions 1 and 2 should differ"
$PYTHON_AVRO - <<'PY'
import json
import avro.datafile, avro.io, avro.schema
schema = avro.schema.parse(open("v1.avsc").read())
with open("python-v1.avro", "wb") as out:
    writer = avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema)
    for line in open("v1.jsonl", encoding="utf-8"):
        event = json.loads(line)
        event.setdefault("recorded", None)
        writer.append(event)
    writer.close()
PY
current=$(replay_hash jsonl:v1.jsonl current.db --business-date 2023-03-15)
for log in ours-v1.avro python-v1.avro; do
	db=${log%.avro}.db
	expect_eq "$log hash" "$current" "$(replay_hash "file:$log" "$db" --business-date 2023-03-15)"
	expect_eq "$log: lang takes its default" "ja" \
		"$(q "$db" "SELECT lang FROM members WHERE user = 'maruyama@example.com'")"
	expect_eq "$log: sort_key is null" "1|1" \
		"$(q "$db" 'SELECT count(*) > 0, count(*) = count(*) FILTER (WHERE sort_key IS NULL) FROM environments')"
	expect_eq "$log: counts" "9|6|1|2" "$(q "$db" 'SELECT read, applied, duplicates, rejected FROM runs')"
done
# E1: the same events delivered again in the current schema (JSON Lines, a version-2 log) after
# the version-1 log are duplicates, as a redelivery after a schema upgrade is, not conflicting
# ones: contents are compared in the current schema's encoding
"$CONTRAIL" ingest --log ours-v2.avro v1.jsonl 2> /dev/null
for again in jsonl:v1.jsonl file:ours-v2.avro; do
	"$CONTRAIL" replay --source "$again" --db ours-v1.db --business-date 2023-03-15 > /dev/null
	expect_eq "$again after the version-1 log: counts" "9|0|9|0" \
		"$(q ours-v1.db 'SELECT read, applied, duplicates, rejected FROM runs ORDER BY run_id DESC LIMIT 1')"
done
expect_eq "rejections after the redeliveries" "not_owner over_allocation" \
	"$(q ours-v1.db 'SELECT group_concat(code, " ") FROM (SELECT code FROM rejected_events ORDER BY code)')"
expect_eq "hash after the redeliveries" "$current" "$("$CONTRAIL" hash --db ours-v1.db)"
# a version-1 log keeps its version when appended to
"$CONTRAIL" ingest --log ours-v1.avro v1.jsonl 2> /dev/null
expect_eq "records" 18 "$(avrocat ours-v1.avro | wc -l)"
"$CONTRAIL" ingest --log ours-v1.avro --schema-version 2 v1.jsonl 2> err.txt && fail "version mismatch accepted"
grep -q "schema version 1" err.txt || fail "unclear message: $(cat err.txt)"
