# E3, E4: a last line read whole without its newline, which its writer then ends with JSON
# whitespace (spaces, tabs, a CR) before the newline, is the line read already: the next run
# reads on after it, as one run over the finished file reads the line once. Its rest used to
# be read as a line of spaces (bad_json, one read and one rejection more than a single run),
# and when it was the file's first line the next run refused the file as another (exit 3).
source "$(dirname "$0")/lib.sh"
DATE=2023-06-01
cat > first.jsonl <<'JSON'
{"id":"a1","type":"contract.opened","stream":"C-1","seq":1,"account":"100001","at":"2023-01-01T10:00:00+09:00","data":{"name":"N","kind":"license","start_date":"2023-01-01","end_date":"2024-01-01","owners":[{"user":"o@x","email":"o@x","name":"O"}],"products":[{"sku":"A","name":"A","licenses":5}]}}
JSON
cat > second.jsonl <<'JSON'
{"id":"a2","type":"environment.created","stream":"C-1","seq":2,"account":"100001","at":"2023-01-02T10:00:00+09:00","data":{"env_id":"e","name":"E"}}
JSON
cat > third.jsonl <<'JSON'
{"id":"a3","type":"environment.allocated","stream":"C-1","seq":3,"account":"100001","at":"2023-01-02T10:00:00+09:00","data":{"env_id":"e","allocations":[{"sku":"A","count":2}]}}
JSON
one=$(tr -d '\n' < first.jsonl)
two=$(tr -d '\n' < second.jsonl)
three=$(tr -d '\n' < third.jsonl)

# finish: the whitespace a writer ends the line with; the same file in one run and in two
check() {
	local name=$1 finish=$2 before=$3 after=$4
	printf "%s$finish%s" "$before" "$after" > "whole-$name.jsonl"
	replay_hash "jsonl:whole-$name.jsonl" "whole-$name.db" --business-date "$DATE" > "whole-$name.hash"
	printf '%s' "$before" > "grown-$name.jsonl"
	"$CONTRAIL" replay --source "jsonl:grown-$name.jsonl" --db "grown-$name.db" \
		--business-date "$DATE" > /dev/null
	printf "$finish%s" "$after" >> "grown-$name.jsonl"
	cmp -s "whole-$name.jsonl" "grown-$name.jsonl" || fail "$name: the files differ"
	# replay_hash fails the test unless the run exits 0 with a hash
	replay_hash "jsonl:grown-$name.jsonl" "grown-$name.db" --business-date "$DATE" \
		> "grown-$name.hash"
	expect_eq "$name: hash" "$(cat "whole-$name.hash")" "$(cat "grown-$name.hash")"
	expect_eq "$name: lines read" "$(q "whole-$name.db" 'SELECT sum(read) FROM runs')" \
		"$(q "grown-$name.db" 'SELECT sum(read) FROM runs')"
	expect_eq "$name: rejected" "$(q "whole-$name.db" 'SELECT count(*) FROM rejected_events')" \
		"$(q "grown-$name.db" 'SELECT count(*) FROM rejected_events')"
}
# the last line of several, then of one: the first line is the file's fingerprint
check "spaces after a later line" '  \n' "$one
$two" "$three
"
check "a tab and a CR after a later line" '\t\r\n' "$one
$two" "$three
"
check "a space after the first line" ' \n' "$one" "$two
$three
"
check "spaces, no newline yet" '   ' "$one
$two" ""
check "a CR after the first line" '\r\n' "$one" "$two
"

# whitespace in two steps: a run between the spaces and the newline reads nothing more
printf '%s\n%s' "$one" "$two" > steps.jsonl
"$CONTRAIL" replay --source jsonl:steps.jsonl --db steps.db --business-date "$DATE" > /dev/null
printf '  ' >> steps.jsonl
"$CONTRAIL" replay --source jsonl:steps.jsonl --db steps.db --business-date "$DATE" > /dev/null
printf ' \n%s\n' "$three" >> steps.jsonl
expect_eq "whitespace in two steps" "$(replay_hash jsonl:steps.jsonl steps-one.db --business-date "$DATE")" \
	"$(replay_hash jsonl:steps.jsonl steps.db --business-date "$DATE")"
expect_eq "whitespace in two steps: lines read" 3 "$(q steps.db 'SELECT sum(read) FROM runs')"
expect_eq "whitespace in two steps: nothing rejected" 0 "$(q steps.db 'SELECT count(*) FROM rejected_events')"

# the same on the first line: the run between the spaces and the newline stores its checkpoint,
# whose fingerprint is of the first line as it will end, not with the spaces it has so far
printf '%s' "$one" > first-steps.jsonl
"$CONTRAIL" replay --source jsonl:first-steps.jsonl --db first-steps.db --business-date "$DATE" > /dev/null
printf '  ' >> first-steps.jsonl
"$CONTRAIL" replay --source jsonl:first-steps.jsonl --db first-steps.db --business-date "$DATE" > /dev/null
printf ' \n%s\n' "$two" >> first-steps.jsonl
status=0
"$CONTRAIL" replay --source jsonl:first-steps.jsonl --db first-steps.db --business-date "$DATE" \
	> /dev/null 2> first-steps.err || status=$?
expect_eq "first line in two steps: exit" 0 "$status"
expect_eq "first line in two steps" "$(replay_hash jsonl:first-steps.jsonl first-steps-one.db --business-date "$DATE")" \
	"$(replay_hash jsonl:first-steps.jsonl first-steps.db --business-date "$DATE")"
expect_eq "first line in two steps: lines read" 2 "$(q first-steps.db 'SELECT sum(read) FROM runs')"

# a rest that is not whitespace cannot be part of the line read: it is a line of its own
printf '%s\n%s' "$one" "$two" > rest.jsonl
"$CONTRAIL" replay --source jsonl:rest.jsonl --db rest.db --business-date "$DATE" > /dev/null
printf ' x\n%s\n' "$three" >> rest.jsonl
"$CONTRAIL" replay --source jsonl:rest.jsonl --db rest.db --business-date "$DATE" > /dev/null
expect_eq "a rest that is not whitespace" "bad_json" "$(q rest.db 'SELECT code FROM rejected_events')"

# E6 too_large: a last line already over 1 MiB without its newline is still being written too:
# left for the next run, which rejects it once, whole, as one run over the finished file does,
# its message giving the line's own length (its rest used to be read as a line of its own)
python3 - "$one" "$two" "$three" <<'PY'
import sys
one, two, three = sys.argv[1:4]
big = '{"id":"b1","type":"environment.created","stream":"C-1","seq":3,"account":"100001",' \
      '"at":"2023-01-02T10:00:00+09:00","data":{"env_id":"b","name":"%s"}}' % ("x" * 1500000)
whole = "%s\n%s\n%s\n%s\n" % (one, two, big, three.replace('"seq":3', '"seq":4'))
open("big-whole.jsonl", "w").write(whole)
cut = len(one) + len(two) + 2 + 1048576 + 100
open("big-grown.jsonl", "w").write(whole[:cut])
open("big-rest", "w").write(whole[cut:])
print(len(big), file=open("big-len", "w"))
PY
status=0
"$CONTRAIL" replay --source jsonl:big-grown.jsonl --db big-grown.db --business-date "$DATE" \
	> /dev/null 2> big-grown.err || status=$?
expect_eq "an over-long line still being written: exit" 0 "$status"
grep -q "the last line (1048676 bytes) has no newline .*left for the next run" big-grown.err ||
	fail "$(cat big-grown.err)"
expect_eq "an over-long line still being written: lines read" 2 \
	"$(q big-grown.db 'SELECT sum(read) FROM runs')"
cat big-rest >> big-grown.jsonl
cmp -s big-whole.jsonl big-grown.jsonl || fail "the over-long line's files differ"
expect_eq "an over-long line finished later" \
	"$(replay_hash jsonl:big-whole.jsonl big-whole.db --business-date "$DATE")" \
	"$(replay_hash jsonl:big-grown.jsonl big-grown.db --business-date "$DATE")"
expect_eq "an over-long line finished later: lines read" 4 "$(q big-grown.db 'SELECT sum(read) FROM runs')"
expect_eq "an over-long line finished later: rejections" \
	"$(q big-whole.db 'SELECT count(*) FROM rejected_events')" \
	"$(q big-grown.db 'SELECT count(*) FROM rejected_events')"
expect_eq "an over-long line finished later: rejected once, whole" \
	"jsonl::3|line of $(cat big-len) bytes is over 1 MiB" \
	"$(q big-grown.db "SELECT replace(position, '$PWD/big-grown.jsonl', ''), message
		FROM rejected_events WHERE code = 'too_large'")"
