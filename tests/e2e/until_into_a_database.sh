# An --until run into a database that runs without it go on from (docs/design-choices.md,
# "--until T"): it reads its source from the start, but still refuses another file under the
# name the database read (its events would be taken for the ones the database holds, and an
# event held there lost: E2), and leaves a last line its writer has not finished for the run
# that finds it whole (its half would stay rejected in rejected_events: E3).
source "$(dirname "$0")/lib.sh"
at='"at":"2021-01-01T10:00:00+09:00"'
until_t=2030-01-01T00:00:00+09:00
replay() { "$CONTRAIL" replay --db "$1" --business-date 2024-04-01 --source "${@:2}"; }

# another file under the name: refused as a run without --until refuses it, nothing written
cat > a.jsonl <<EOF
{"id":"c1","type":"customer.registered","stream":"100001","seq":1,"account":"100001",$at,"data":{"customer_no":"100001","email":"100001@x.example.jp"}}
{"id":"x3","type":"support.violation_flagged","stream":"100001","seq":3,"account":"100001",$at,"data":{"note":"x"}}
EOF
replay held.db jsonl:a.jsonl > /dev/null
expect_eq "the held event" 1 "$(q held.db 'SELECT held FROM streams WHERE stream = "100001"')"
cp a.jsonl a.orig
cat > a.jsonl <<EOF
{"id":"d1","type":"customer.registered","stream":"100002","seq":1,"account":"100002",$at,"data":{"customer_no":"100002","email":"100002@x.example.jp"}}
{not json
EOF
before=$("$CONTRAIL" hash --db held.db)
status=0
replay held.db jsonl:a.jsonl --until "$until_t" > out.txt 2> err.txt || status=$?
expect_eq "exit of --until on another file" 3 "$status"
grep -q "a.jsonl does not begin as the file this database was replayed from; replay it with --rebuild" \
	err.txt || fail "$(cat err.txt)"
expect_eq "the database after the refused run" "$before" "$("$CONTRAIL" hash --db held.db)"
expect_eq "runs after the refused run" 1 "$(q held.db 'SELECT count(*) FROM runs')"
# the file as it was, and the gap filled: the held event is applied
cp a.orig a.jsonl
echo "{\"id\":\"g2\",\"type\":\"support.password_reset\",\"stream\":\"100001\",\"seq\":2,\"account\":\"100001\",$at,\"data\":{}}" >> a.jsonl
replay held.db jsonl:a.jsonl > /dev/null
expect_eq "the stream after its gap is filled" "4|0" \
	"$(q held.db 'SELECT next_seq, held FROM streams WHERE stream = "100001"')"

# a local Avro log likewise
"$CONTRAIL" ingest --log log.avro a.orig 2> /dev/null
replay log.db file:log.avro > /dev/null
rm log.avro
"$CONTRAIL" ingest --log log.avro a.jsonl 2> /dev/null
status=0
replay log.db file:log.avro --until "$until_t" > out.txt 2> err.txt || status=$?
expect_eq "exit of --until on another log" 3 "$status"
grep -q "log.avro is not the log this database was replayed from; replay it with --rebuild" \
	err.txt || fail "$(cat err.txt)"

# a last line without its newline, not whole JSON: left for the run that finds it whole
head -n 1 a.orig > b.jsonl
replay part.db jsonl:b.jsonl > /dev/null
line="{\"id\":\"g2\",\"type\":\"support.password_reset\",\"stream\":\"100001\",\"seq\":2,\"account\":\"100001\",$at,\"data\":{}}"
printf '%s' "${line:0:60}" >> b.jsonl
replay part.db jsonl:b.jsonl --until "$until_t" > out.txt 2> err.txt || fail "$(cat err.txt)"
grep -q "has no newline and is not whole JSON; left for the next run" err.txt || fail "$(cat err.txt)"
expect_eq "rejected rows after the --until run" 0 "$(q part.db 'SELECT count(*) FROM rejected_events')"
printf '%s\n' "${line:60}" >> b.jsonl
replay part.db jsonl:b.jsonl > /dev/null
expect_eq "the finished line applied" 3 "$(q part.db 'SELECT next_seq FROM streams WHERE stream = "100001"')"
expect_eq "rejected rows at the end" 0 "$(q part.db 'SELECT count(*) FROM rejected_events')"
