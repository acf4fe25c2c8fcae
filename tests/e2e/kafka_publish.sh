# contrail broker and contrail publish (issue 3, first part): the mock cluster on loopback, and
# events produced in the Confluent wire format, checked with kcat as an independent client:
# key = account, value = byte 0, the 4-byte schema id, the Avro record; a version-1 log keeps
# its schema id.
source "$(dirname "$0")/lib.sh"
start_broker --topic events --partitions 4 --topic old --partitions 2

"$CONTRAIL" publish --to "kafka://$boot/events" "jsonl:$EXAMPLES/portal_example/events.jsonl" 2> publish.err
grep -q "published 9 events" publish.err || fail "$(cat publish.err)"
consume() { timeout 30 kcat -C -b "$boot" -t "$1" -e -q -f '%S %k %s' > "$1.bin"; }
frames() { # topic -> "count key schema_id" lines, checking the frame
	python3 - "$1.bin" <<'PY'
import struct, sys
data, out, at = open(sys.argv[1], "rb").read(), [], 0
while at < len(data):
    space = data.index(b" ", at)
    size = int(data[at:space])
    key_end = data.index(b" ", space + 1)
    key = data[space + 1:key_end].decode()
    value = data[key_end + 1:key_end + 1 + size]
    assert value[0] == 0, "magic byte %r" % value[0]
    out.append((key, struct.unpack(">I", value[1:5])[0]))
    at = key_end + 1 + size
for pair in sorted(set(out)):
    print(sum(1 for o in out if o == pair), *pair)
PY
}
consume events
expect_eq "keys and schema ids of the current schema" "9 100001 2" "$(frames events)"

# a version-1 log keeps its records and its schema id (for resolution by id when replayed)
v1_jsonl
"$CONTRAIL" ingest --log v1.avro --schema-version 1 v1.jsonl 2> /dev/null
"$CONTRAIL" publish --to "kafka://$boot/old" file:v1.avro 2> /dev/null
consume old
expect_eq "a version-1 log" "9 100001 1" "$(frames old)"

# events that do not decode are not sent, and the exit status says so
{ head -n 2 "$EXAMPLES/portal_example/events.jsonl"; echo '{"broken":'; } > some-bad.jsonl
status=0; "$CONTRAIL" publish --to "kafka://$boot/events" jsonl:some-bad.jsonl 2> bad.err || status=$?
expect_eq "exit with a refused event" 1 "$status"
grep -q "1 not sent" bad.err || fail "$(cat bad.err)"
# a bad command line
for args in "--to kafka://$boot jsonl:x" "--to http://x/y jsonl:x" "--to kafka://$boot/t -X no.such.setting=1 jsonl:x"; do
	status=0; "$CONTRAIL" publish $args > /dev/null 2> usage.err || status=$?
	expect_eq "exit of publish $args" 2 "$status"
	expect_eq "one line" 1 "$(wc -l < usage.err)"
done
"$CONTRAIL" broker --help | grep -q "64 for a million events" || fail "broker --help"
# a broker that cannot be reached delivers nothing (exit 1, as cli.md says); a client that
# cannot start is exit 4
head -n 2 "$EXAMPLES/portal_example/events.jsonl" > two.jsonl
status=0; "$CONTRAIL" publish --to kafka://127.0.0.1:9/t -X message.timeout.ms=2000 jsonl:two.jsonl \
	> /dev/null 2> unreachable.err || status=$?
expect_eq "exit of publish to no broker" 1 "$status"
grep -q "2 not delivered" unreachable.err || fail "$(tail -n 1 unreachable.err)"
status=0; "$CONTRAIL" publish --to "kafka://$boot/t" -X security.protocol=ssl -X ssl.ca.location=/nonexistent \
	jsonl:two.jsonl > /dev/null 2>&1 || status=$?
expect_eq "exit of publish when the client cannot start" 4 "$status"

# Formats are the replay's to judge (E6): publish and dump pass on an event that decodes however
# bad its fields, as ingest appends it, so that a replay of the topic or of the dump judges it as
# a replay of the file does. An event the producer refuses as too large is that event's alone
# (not sent, exit 1), and one of up to 1 MiB (E6) goes to the broker. An empty account has no
# partition key: not sent, where a replay rejects it (bad_format, taking its place).
python3 - <<'PY' > judged.jsonl
import json
at = "2024-01-05T10:00:00+09:00"
def line(i, seq, kind, data, **envelope):
    event = {"id": "j%d" % i, "type": kind, "stream": "C-J", "seq": seq, "account": "7", "at": at, "data": data}
    event.update(envelope)
    print(json.dumps(event))
line(1, 1, "contract.opened", {"name": "n", "kind": "license", "start_date": "2024-01-01",
     "end_date": "2024-12-31", "owners": [], "products": [{"sku": "A", "name": "A", "licenses": 3}]})
line(2, 2, "contract.licenses_changed", {"sku": "A", "licenses": 5}, at="garbage")
line(3, 3, "contract.licenses_changed", {"sku": "A", "licenses": 6}, recorded="yesterday")
line(4, 4, "contract.renewed", {"end_date": "2025-02-30"})
line(5, 5, "contract.licenses_changed", {"sku": "A", "licenses": 9})
PY
"$CONTRAIL" dump --source jsonl:judged.jsonl > dumped.jsonl 2> dump.err || fail "dump: $(cat dump.err)"
expect_eq "events dumped" 5 "$(wc -l < dumped.jsonl)"
"$CONTRAIL" publish --to "kafka://$boot/judged" jsonl:judged.jsonl 2> judged.err || fail "$(cat judged.err)"
grep -q "published 5 events.* 0 not delivered, 0 not sent" judged.err || fail "$(cat judged.err)"
from_file=$(replay_hash jsonl:judged.jsonl file.db --business-date 2024-06-01)
expect_eq "bad formats rejected from the file" 3 "$(q file.db "SELECT count(*) FROM rejected_events WHERE code = 'bad_format'")"
expect_eq "the dump replays as the file" "$from_file" "$(replay_hash jsonl:dumped.jsonl dump.db --business-date 2024-06-01)"
expect_eq "the topic replays as the file" "$from_file" \
	"$(replay_hash "kafka://$boot/judged" topic.db --business-date 2024-06-01)"

python3 - <<'PY' > sizes.jsonl
import json
at = "2023-01-10T10:00:00+09:00"
def line(i, kind, data, account="900101"):
    print(json.dumps({"id": "s%d" % i, "type": kind, "stream": "900101", "seq": i, "account": account, "at": at, "data": data}))
line(1, "customer.registered", {"customer_no": "900101", "email": "a@example.com"})
line(2, "support.violation_flagged", {"note": "x" * 1020000})
line(3, "support.admin_changed", {"email": "b@example.com"}, account="")
line(4, "support.admin_changed", {"email": "c@example.com"})
PY
status=0
"$CONTRAIL" publish --to "kafka://$boot/sizes" jsonl:sizes.jsonl 2> sizes.err || status=$?
expect_eq "exit of publish with an empty account" 1 "$status"
grep -q "^jsonl:.*/sizes.jsonl:3: bad_format: account: empty, so no partition key (not sent)$" sizes.err ||
	fail "$(cat sizes.err)"
grep -q "published 3 events .*; 0 not delivered, 1 not sent$" sizes.err || fail "$(cat sizes.err)"
status=0
"$CONTRAIL" publish --to "kafka://$boot/small" -X message.max.bytes=1000000 jsonl:sizes.jsonl \
	2> small.err || status=$?
expect_eq "exit of publish under a lower limit" 1 "$status"
grep -q "^jsonl:.*/sizes.jsonl:2: kafka: .*(not sent)$" small.err || fail "$(cat small.err)"
grep -q "published 2 events .*; 0 not delivered, 2 not sent$" small.err || fail "$(cat small.err)"
"$CONTRAIL" replay --source jsonl:sizes.jsonl --db sizes.db --business-date 2024-04-01 > /dev/null
expect_eq "the empty account rejected from the file" "bad_format account: empty" \
	"$(q sizes.db "SELECT code || ' ' || message FROM rejected_events")"

# a topic list with an empty name is a bad command line, in every command that reads one
for spec in "kafka://$boot/,judged" "kafka://$boot/judged,,sizes" "kafka://$boot/judged,"; do
	for cmd in "replay --db never.db --source" "dump --source" "audit --stream C-J --source"; do
		status=0; "$CONTRAIL" $cmd "$spec" > /dev/null 2> topics.err || status=$?
		expect_eq "exit of $cmd $spec" 2 "$status"
		grep -q 'topic "" is not a Kafka topic name' topics.err || fail "$(cat topics.err)"
	done
done
[ ! -e never.db ] || fail "a refused topic list made a database"
