# E3, E6: JSON Lines bytes that are not JSON are rejected whole (raw exactly as given, bad_json)
# and reading goes on, from a file as from a pipe, whatever the batch size; a file's checkpoint
# stays at the line boundaries, so the next run reads nothing twice.
source "$(dirname "$0")/lib.sh"
ev() { # id seq env-name
	printf '{"id":"%s","type":"environment.created","stream":"C-1","seq":%s,"account":"1","at":"2023-01-02T10:00:00+09:00","data":{"env_id":"%s","name":"%s"}}' \
		"$1" "$2" "$1" "$3"
}
{
	printf '%s\n' '{"id":"o1","type":"contract.opened","stream":"C-1","seq":1,"account":"1","at":"2023-01-01T10:00:00+09:00","data":{"name":"n","kind":"license","start_date":"2023-01-01","end_date":"2023-12-31","owners":[],"products":[{"sku":"A","name":"A","licenses":5}]}}'
	ev e2 2 E; printf '\n'
	ev n3 3 'E@Z' | tr @ '\0'; printf '\n' # a NUL byte inside a string
	ev e3 3 E; printf '\0junk\n'        # whole JSON, then a NUL and more
	ev e3b 3 E; printf '\n'
	ev e4 4 E; printf '\n'
} > odd.jsonl
expect_eq "two NUL bytes" 2 "$(tr -cd '\0' < odd.jsonl | wc -c)"
reference=$(cat odd.jsonl | replay_hash jsonl:- pipe.db)
expect_eq "pipe: counts" "6|4|0|2" "$(q pipe.db 'SELECT read, applied, duplicates, rejected FROM runs')"
for batch in 1 7 50000; do
	expect_eq "file, batch $batch" "$reference" "$(replay_hash jsonl:odd.jsonl "f$batch.db" --batch "$batch")"
	expect_eq "file, batch $batch: counts" "6|4|0|2" \
		"$(q "f$batch.db" 'SELECT read, applied, duplicates, rejected FROM runs')"
	expect_eq "file, batch $batch: rejected" "|bad_json
|bad_json" "$(q "f$batch.db" 'SELECT event_id, code FROM rejected_events ORDER BY position')"
	# the raw bytes are the lines as given, NUL bytes and what follows them included
	expect_eq "file, batch $batch: raw" "$(q pipe.db 'SELECT hex(raw) FROM rejected_events ORDER BY rowid')" \
		"$(q "f$batch.db" 'SELECT hex(raw) FROM rejected_events ORDER BY rowid')"
	expect_eq "file, batch $batch: checkpoint at the end" "6|$(stat -c %s odd.jsonl)" \
		"$(q "f$batch.db" 'SELECT next_offset, byte_offset FROM checkpoints')"
done
expect_eq "raw of the NUL lines" "$(sed -n 3,4p odd.jsonl | head -c -1 | od -An -tx1 | tr -d ' \n')" \
	"$(q f1.db "SELECT lower(group_concat(hex(raw), '0a')) FROM (SELECT raw FROM rejected_events ORDER BY rowid)")"
expect_eq "environments" "e2 e3b e4" "$(q f1.db 'SELECT env_id FROM environments ORDER BY env_id' | xargs)"
# the next run resumes after the last line: nothing read twice
expect_eq "run 2 reads nothing" "$reference" "$(replay_hash jsonl:odd.jsonl f1.db)"
expect_eq "run 2 counts" "0" "$(q f1.db 'SELECT read FROM runs WHERE run_id = 2')"

# a last line without its newline that holds a NUL byte: not whole JSON, so left for the next
# run (docs/design-choices.md), and read whole once its newline comes
head -n 2 odd.jsonl > tail.jsonl
ev n3 3 'E@Z' | tr @ '\0' >> tail.jsonl
"$CONTRAIL" replay --source jsonl:tail.jsonl --db tail.db > /dev/null 2> tail.err
grep -q "left for the next run" tail.err || fail "the partial line was not left: $(cat tail.err)"
expect_eq "checkpoint before the partial line" "$(head -n 2 odd.jsonl | wc -c)" \
	"$(q tail.db 'SELECT byte_offset FROM checkpoints')"
printf '\n' >> tail.jsonl
"$CONTRAIL" replay --source jsonl:tail.jsonl --db tail.db > /dev/null 2> tail.err
expect_eq "the line read whole" "|bad_json|$(($(sed -n 3p tail.jsonl | wc -c) - 1))" \
	"$(q tail.db 'SELECT event_id, code, length(raw) FROM rejected_events')"

# E6 too_large is over 1 MiB: an event of exactly 1 MiB is read, with a LF or a CRLF ending (the
# CR is cut as for any line); one byte more is too_large, its first 1 MiB kept
python3 - <<'PY'
import json
def sized(i, seq, n):
    ev = lambda name: json.dumps({"id": i, "type": "environment.created", "stream": "C-1", "seq": seq,
                                  "account": "1", "at": "2023-01-02T10:00:00+09:00",
                                  "data": {"env_id": i, "name": name}}, separators=(",", ":"))
    return ev("x" * (n - len(ev(""))))
M = 1 << 20
first = open("odd.jsonl").readline().rstrip("\n")
for name, end in (("lf", "\n"), ("crlf", "\r\n")):
    with open("mib-%s.jsonl" % name, "w", newline="") as out:
        out.write(first + end + sized("exact", 2, M) + end + sized("over", 3, M + 1) + end
                  + sized("after", 3, 200) + end)
PY
for name in lf crlf; do
	"$CONTRAIL" replay --source "jsonl:mib-$name.jsonl" --db "mib-$name.db" > /dev/null
	expect_eq "$name: 1 MiB applied, 1 MiB + 1 too_large" "after exact" \
		"$(q "mib-$name.db" 'SELECT env_id FROM environments ORDER BY env_id' | xargs)"
	expect_eq "$name: rejected" "|too_large|1048576" \
		"$(q "mib-$name.db" 'SELECT event_id, code, length(raw) FROM rejected_events')"
	expect_eq "$name: pipe" "$(q "mib-$name.db" 'SELECT projection_hash FROM runs')" \
		"$(replay_hash jsonl:- "mib-$name-pipe.db" < "mib-$name.jsonl")"
done

# a pipe read outside a replay's loop (dump, publish) whose last line has no newline: the line
# is read as from a file (a pipe cannot be read again from an earlier byte to find its length)
head -n 2 odd.jsonl > nonl.jsonl
ev e3 3 E >> nonl.jsonl
expect_eq "dump of a file, no newline at the end" "3" "$("$CONTRAIL" dump --source jsonl:nonl.jsonl | wc -l)"
expect_eq "dump of a pipe, no newline at the end" "$("$CONTRAIL" dump --source jsonl:nonl.jsonl)" \
	"$("$CONTRAIL" dump --source jsonl:- < <(cat nonl.jsonl))"
head -n 2 odd.jsonl > nonl-nul.jsonl
ev e3 3 E >> nonl-nul.jsonl
printf '\0junk' >> nonl-nul.jsonl
rc=0; "$CONTRAIL" dump --source jsonl:nonl-nul.jsonl > nul-file.out 2> nul-file.err || rc=$?
expect_eq "dump of a file, a NUL in the last line: exit" 1 "$rc"
rc=0; cat nonl-nul.jsonl | "$CONTRAIL" dump --source jsonl:- > nul-pipe.out 2> nul-pipe.err || rc=$?
expect_eq "dump of a pipe, a NUL in the last line: exit" 1 "$rc"
expect_eq "dump of a pipe, a NUL in the last line: the events" "$(cat nul-file.out)" "$(cat nul-pipe.out)"
grep -q ":3: bad_json" nul-pipe.err || fail "the NUL line was not bad_json: $(cat nul-pipe.err)"

# a source whose path is not UTF-8: the JSON and CSV reports carry it with U+FFFD for the byte
# that is not, alike, rather than leave the key out (status) or write bytes that are not text
odd_path=$(printf 'odd\377.jsonl')
head -n 2 odd.jsonl > "$odd_path"
"$CONTRAIL" replay --source "jsonl:$odd_path" --db odd-path.db > /dev/null
"$CONTRAIL" status --db odd-path.db --format json > status.json
python3 - <<'PY' || fail "status --format json: $(cat status.json)"
import json
status = json.load(open("status.json"))
# the source is stored as an absolute path
assert status["last_run"]["source"].endswith("/odd\ufffd.jsonl"), status["last_run"]
assert [c["source"] for c in status["checkpoints"]] == [status["last_run"]["source"]], status
PY
"$CONTRAIL" export --db odd-path.db --table runs --format csv > runs.csv
"$CONTRAIL" export --db odd-path.db --table runs --format json > runs.json
python3 - <<'PY' || fail "export of the runs: $(cat runs.csv)"
import csv, io, json
rows = list(csv.DictReader(io.StringIO(open("runs.csv", "rb").read().decode("utf-8"))))
assert rows[0]["source"].endswith("/odd\ufffd.jsonl"), rows
assert json.load(open("runs.json"))[0]["source"] == rows[0]["source"]
PY
