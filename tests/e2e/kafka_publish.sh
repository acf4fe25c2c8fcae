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
