# The tools of the three users: contrail audit (a stream's history as known at a time),
# contrail reconcile (against a snapshot, exit 0/1/2) and contrail diff (two databases).
source "$(dirname "$0")/lib.sh"
portal="$EXAMPLES/portal_example/events.jsonl"
stream=2022-8gqhhbpgcbejqjz

# audit: every event of the stream in order, its outcome, the state after it
"$CONTRAIL" audit --source "jsonl:$portal" --stream "$stream" --business-date 2023-03-15 > audit.txt
expect_eq "events audited" 9 "$(grep -c '^#' audit.txt)"
grep -q "^#7 p7 environment.allocated seq 7 .*: rejected over_allocation" audit.txt || fail "p7: $(cat audit.txt)"
grep -q "^#9 p3 .*: duplicate" audit.txt || fail "the redelivered p3"
"$CONTRAIL" audit --source "jsonl:$portal" --stream "$stream" --business-date 2023-03-15 --format json > audit.json
python3 - <<'PY'
import json
entries = json.load(open("audit.json"))
assert [e["outcome"] for e in entries] == ["applied"] * 6 + ["rejected", "rejected", "duplicate"], entries
after_p3 = entries[2]["state"]["products"][0]
assert (after_p3["licenses"], after_p3["assigned"], after_p3["unassigned"]) == (3, 1, 2), after_p3
assert entries[6]["code"] == "over_allocation" and entries[6]["state"]["products"][0]["assigned"] == 1
assert entries[-1]["state"]["members"][1]["state"] == "active"
# what explains the counts: the allocations (assigned counts those of environments not deleted,
# L7), the product's end, the activation
assert entries[2]["state"]["allocations"] == [
    {"env_id": "env-01", "sku": "CSL-IAP-PRO", "count": 1, "env_deleted": 0}]
assert after_p3["end_date"] == "2024-03-31", after_p3
assert entries[2]["state"]["environments"][0]["activated_at"] is None, entries[2]
PY
# text shows the allocations too, and leaves out a NULL column (mode before an activation)
expect_eq "text: the state after p3" "    environments:
      env_id env-01, name サンプル環境01, status unlinked, deleted 0
    allocations:
      env_id env-01, sku CSL-IAP-PRO, count 1, env_deleted 0" "$(sed -n '/^#3 /,/^#4 /p' audit.txt | sed -n '/environments:/,/count/p')"
# audit into a full disk: a failure with one line, as for status and export
for format in text json; do
	status=0
	"$CONTRAIL" audit --source "jsonl:$portal" --stream "$stream" --business-date 2023-03-15 \
		--format "$format" > /dev/full 2> full.err || status=$?
	expect_eq "exit of audit ($format) into a full disk" 4 "$status"
	expect_eq "its lines on stderr ($format)" 1 "$(wc -l < full.err)"
	grep -q "^contrail audit: cannot write to standard output$" full.err || fail "$(cat full.err)"
done
# audit --until: before and after a correction recorded later
cat > corrected.jsonl <<'JL'
{"id":"c1","type":"contract.opened","stream":"C-9","seq":1,"account":"1","at":"2023-01-05T10:00:00+09:00","data":{"name":"n","kind":"license","start_date":"2023-01-01","end_date":"2023-12-31","owners":[],"products":[{"sku":"A","name":"A","licenses":3}]}}
{"id":"c2","type":"contract.licenses_changed","stream":"C-9","seq":2,"account":"1","at":"2023-01-05T10:00:00+09:00","recorded":"2023-02-01T09:00:00+09:00","data":{"sku":"A","licenses":5}}
JL
"$CONTRAIL" audit --source jsonl:corrected.jsonl --stream C-9 --until 2023-01-31T00:00:00+09:00 --format json > before.json
"$CONTRAIL" audit --source jsonl:corrected.jsonl --stream C-9 --until 2023-02-02T00:00:00+09:00 --format json > after.json
expect_eq "known before the correction" "1 3" "$(python3 -c "import json; d=json.load(open('before.json')); print(len(d), d[-1]['state']['products'][0]['licenses'])")"
expect_eq "known after the correction" "2 5" "$(python3 -c "import json; d=json.load(open('after.json')); print(len(d), d[-1]['state']['products'][0]['licenses'])")"
# text shows when an event was recorded where that is not its own time (what --until compares)
"$CONTRAIL" audit --source jsonl:corrected.jsonl --stream C-9 > corrected.txt
expect_eq "text: the entries' lines" "#1 c1 contract.opened seq 1 at 2023-01-05T10:00:00+09:00: applied
#2 c2 contract.licenses_changed seq 2 at 2023-01-05T10:00:00+09:00 recorded 2023-02-01T09:00:00+09:00: applied" \
	"$(grep '^#' corrected.txt)"

# audit --until with held events: seq 3 recorded after T leaves seq 4 and 5 held at T, as a
# replay --until T holds them; once it is known, 3 is applied with the two it releases, and the
# three entries share the state after the last of them (cli.md)
cat > held.jsonl <<'JL'
{"id":"h1","type":"contract.opened","stream":"C-H","seq":1,"account":"1","at":"2023-01-10T10:00:00+09:00","data":{"name":"n","kind":"license","start_date":"2023-01-10","end_date":"2025-01-31","owners":[{"user":"o@x.jp","email":"o@x.jp","name":"O"}],"products":[{"sku":"A","name":"A","licenses":5}]}}
{"id":"h2","type":"environment.created","stream":"C-H","seq":2,"account":"1","at":"2023-01-11T10:00:00+09:00","data":{"env_id":"env-01","name":"prod"}}
{"id":"h4","type":"environment.created","stream":"C-H","seq":4,"account":"1","at":"2023-01-13T10:00:00+09:00","data":{"env_id":"env-02","name":"dev"}}
{"id":"h5","type":"environment.allocated","stream":"C-H","seq":5,"account":"1","at":"2023-01-14T10:00:00+09:00","data":{"env_id":"env-01","allocations":[{"sku":"A","count":2}]}}
{"id":"h3","type":"environment.allocated","stream":"C-H","seq":3,"account":"1","at":"2023-01-12T10:00:00+09:00","recorded":"2023-02-01T10:00:00+09:00","data":{"env_id":"env-01","allocations":[{"sku":"A","count":1}]}}
JL
until=2023-01-20T00:00:00+09:00
"$CONTRAIL" audit --source jsonl:held.jsonl --stream C-H --until "$until" --business-date 2024-01-01 --format json > held.json
"$CONTRAIL" replay --source jsonl:held.jsonl --db held.db --until "$until" --business-date 2024-01-01 > /dev/null
expect_eq "outcomes known at T" "applied applied held:sequence_gap held:stream_blocked" \
	"$(python3 -c "import json; print(' '.join(e['outcome'] + (':' + e['code'] if e['code'] else '') for e in json.load(open('held.json'))))")"
expect_eq "held at T, as the replay holds them" "h4 sequence_gap
h5 stream_blocked" "$(q held.db "SELECT event_id || ' ' || code FROM rejected_events ORDER BY seq")"
expect_eq "state at T, as the replay has it" "$(q held.db "SELECT env_id || ' ' || name FROM environments ORDER BY env_id")" \
	"$(python3 -c "import json; print('\n'.join(e['env_id'] + ' ' + e['name'] for e in json.load(open('held.json'))[-1]['state']['environments']))")"
"$CONTRAIL" audit --source jsonl:held.jsonl --stream C-H --business-date 2024-01-01 --format json > released.json
python3 - <<'PY'
import json
entries = json.load(open("released.json"))
assert [e["event_id"] for e in entries] == ["h1", "h2", "h4", "h5", "h3", "h4", "h5"], entries
assert [e["outcome"] for e in entries[4:]] == ["applied"] * 3, entries
assert entries[4]["state"] == entries[5]["state"] == entries[6]["state"], entries
PY
"$CONTRAIL" audit --source jsonl:held.jsonl --stream C-H --business-date 2024-01-01 > released.txt
expect_eq "text: the shared state printed once, after the last" "#5 h3 environment.allocated seq 3 at 2023-01-12T10:00:00+09:00 recorded 2023-02-01T10:00:00+09:00: applied
#6 h4 environment.created seq 4 at 2023-01-13T10:00:00+09:00: applied
#7 h5 environment.allocated seq 5 at 2023-01-14T10:00:00+09:00: applied
    contract:" "$(sed -n '/^#5 /,/^    contract:/p' released.txt)"

# a held event whose seq another took meanwhile ends as a step back (E2): the audit shows that
# end, as the replay records it, instead of leaving it held
cat > taken.jsonl <<'JL'
{"id":"t1","type":"contract.opened","stream":"C-T","seq":1,"account":"1","at":"2023-01-10T10:00:00+09:00","data":{"name":"n","kind":"license","start_date":"2023-01-10","end_date":"2025-01-31","owners":[{"user":"o@x.jp","email":"o@x.jp","name":"O"}],"products":[{"sku":"A","name":"A","licenses":5}]}}
{"id":"x3","type":"contract.licenses_changed","stream":"C-T","seq":3,"account":"1","at":"2023-02-01T10:00:00+09:00","data":{"sku":"A","licenses":7}}
{"id":"y3","type":"contract.licenses_changed","stream":"C-T","seq":3,"account":"1","at":"2023-02-01T10:00:00+09:00","data":{"sku":"A","licenses":9}}
{"id":"z4","type":"contract.licenses_changed","stream":"C-T","seq":4,"account":"1","at":"2023-02-01T10:00:00+09:00","data":{"sku":"A","licenses":8}}
{"id":"t2","type":"contract.licenses_changed","stream":"C-T","seq":2,"account":"1","at":"2023-01-20T10:00:00+09:00","data":{"sku":"A","licenses":6}}
JL
"$CONTRAIL" audit --source jsonl:taken.jsonl --stream C-T --business-date 2024-01-01 --format json > taken.json
"$CONTRAIL" replay --source jsonl:taken.jsonl --db taken.db --business-date 2024-01-01 > /dev/null
expect_eq "outcomes of the held events once their turn came" \
	"t1:applied x3:held y3:held z4:held t2:applied x3:applied y3:rejected:sequence_gap z4:applied" \
	"$(python3 -c "import json; print(' '.join(':'.join([e['event_id'], e['outcome']] + ([e['code']] if e['code'] and e['outcome'] != 'held' else [])) for e in json.load(open('taken.json'))))")"
expect_eq "the replay's record of them" "y3 sequence_gap" \
	"$(q taken.db "SELECT event_id || ' ' || code FROM rejected_events")"

# reconcile: a clean snapshot, then planted differences, then bad input
"$CONTRAIL" replay --source "jsonl:$portal" --db portal.db --business-date 2023-03-15 > /dev/null
python3 - <<'PY'
import csv, sqlite3
db = sqlite3.connect("portal.db")
with open("clean.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["table", "key", "column", "expected"])
    for sku, lic, assigned in db.execute("SELECT sku, licenses, assigned FROM contract_products"):
        w.writerow(["contract_products", "2022-8gqhhbpgcbejqjz/" + sku, "licenses", lic])
        w.writerow(["contract_products", "2022-8gqhhbpgcbejqjz/" + sku, "assigned", assigned])
    for user, role in db.execute("SELECT user, role FROM members"):
        w.writerow(["members", "2022-8gqhhbpgcbejqjz/" + user, "role", role])
PY
"$CONTRAIL" reconcile --db portal.db --expected clean.csv > clean.txt
expect_eq "clean" "0 findings" "$(tail -n 1 clean.txt)"
# reports into a full disk: a failure with one line, not the exit of a clean or a finding result
reports=("reconcile --db portal.db --expected clean.csv" "diff portal.db portal.db"
	"dump --source jsonl:$portal")
for report in "${reports[@]}"; do
	status=0
	"$CONTRAIL" $report > /dev/full 2> full.err || status=$?
	expect_eq "exit of ${report%% *} into a full disk" 4 "$status"
	grep -q "^contrail ${report%% *}: cannot write to standard output$" full.err || fail "$(cat full.err)"
done
{ cat clean.csv; echo 'contract_products,2022-8gqhhbpgcbejqjz/CSL-IAP-PRO,licenses,5'; echo 'contracts,C-404,status,active'; } > planted.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected planted.csv --format csv > planted.txt || status=$?
expect_eq "planted exit" 1 "$status"
grep -q "^mismatch,contract_products,2022-8gqhhbpgcbejqjz/CSL-IAP-PRO,licenses,5,3" planted.txt || fail "$(cat planted.txt)"
grep -q "^missing_row,contracts,C-404" planted.txt || fail "missing row"
# a missing row is one finding however many of its columns the snapshot names, and a line the
# snapshot repeats is one finding: a job counting findings counts each difference once
{ cat planted.csv; echo 'contracts,C-404,kind,license'; echo 'contracts,C-404,name,x'
  echo 'contract_products,2022-8gqhhbpgcbejqjz/CSL-IAP-PRO,licenses,5'
  echo 'contract_products,2022-8gqhhbpgcbejqjz/CSL-IAP-PRO,licenses,6'; } > repeated.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected repeated.csv --format csv > repeated.txt || status=$?
expect_eq "repeated exit" 1 "$status"
expect_eq "one missing_row for C-404" 1 "$(grep -c '^missing_row,contracts,C-404,' repeated.txt)"
expect_eq "the repeated line once, the other value too" \
	"mismatch,contract_products,2022-8gqhhbpgcbejqjz/CSL-IAP-PRO,licenses,5,3
mismatch,contract_products,2022-8gqhhbpgcbejqjz/CSL-IAP-PRO,licenses,6,3" \
	"$(grep '^mismatch,' repeated.txt | tr -d '\r')"
# text is one finding a line, whatever the values hold (a line break escaped as in diff)
printf '%s\n' '{"id":"nl1","type":"contract.opened","stream":"C-NL","seq":1,"account":"1","at":"2023-01-05T10:00:00+09:00","data":{"name":"two\r\nlines \\ here","kind":"license","start_date":"2023-01-01","end_date":"2023-12-31","owners":[],"products":[]}}' > broken-value.jsonl
"$CONTRAIL" replay --source jsonl:broken-value.jsonl --db broken-value.db > /dev/null
printf 'table,key,column,expected\r\ncontracts,C-NL,name,one line\r\n' > broken-value.csv
status=0; "$CONTRAIL" reconcile --db broken-value.db --expected broken-value.csv > broken-value.txt || status=$?
expect_eq "a value with a line break: exit" 1 "$status"
expect_eq "a value with a line break: lines (two findings, the count)" 3 "$(wc -l < broken-value.txt)"
grep -qF 'expected [one line], found [two\r\nlines \\ here]' broken-value.txt || fail "$(cat broken-value.txt)"
# the reports for a person (status, audit, invoices as text) show a value's control characters
# as escapes, so that none makes a line of its own or reaches the terminal: a held event on a
# stream whose id holds a line feed, an environment named with a line break and an escape
printf '%s\n' '{"id":"nl2","type":"environment.created","stream":"C-NL","seq":2,"account":"1","at":"2023-01-05T10:00:00+09:00","data":{"env_id":"e1","name":"a\r\nb\u001b[2J"}}' \
	'{"id":"nl3","type":"environment.deleted","stream":"C-x\nlast run          999","seq":3,"account":"1","at":"2023-01-05T10:00:00+09:00","data":{"env_id":"e1"}}' \
	>> broken-value.jsonl
"$CONTRAIL" replay --source jsonl:broken-value.jsonl --db broken-value.db > /dev/null
"$CONTRAIL" status --db broken-value.db > status.txt
expect_eq "status: one line holds the held stream" '  C-x\nlast run          999 1 held, waiting for seq 1' \
	"$(grep 'held, waiting' status.txt)"
expect_eq "status: one last run" 1 "$(grep -c '^last run' status.txt)"
"$CONTRAIL" audit --source jsonl:broken-value.jsonl --stream C-NL > audit.txt
grep -qF 'name a\r\nb\x1b[2J' audit.txt || fail "$(cat audit.txt)"
[ "$(tr -cd '\r\033' < audit.txt | wc -c)" = 0 ] || fail "a control character in the audit's text"
# its last line names the stream as its entries do, and says what the report shows: the events
# known at T, judged on D
"$CONTRAIL" audit --source jsonl:broken-value.jsonl --stream $'C-x\nlast run          999' \
	--until 2023-01-06T00:00:00+09:00 --business-date 2023-02-01 > audit.txt
expect_eq "audit's last line" '1 events of C-x\nlast run          999 recorded at or before 2023-01-06T00:00:00+09:00, judged on 2023-02-01' \
	"$(tail -n 1 audit.txt)"
expect_eq "audit's lines that begin with the stream id's second line" 0 "$(grep -c '^last run' audit.txt)"
# diff escapes them too (its rows split at '|'), and so do the refusals an ingest and a dump
# print, which quote the line: a type holding a line feed and an escape
head -n 1 broken-value.jsonl > opened-only.jsonl
"$CONTRAIL" replay --source jsonl:opened-only.jsonl --db opened-only.db > /dev/null
"$CONTRAIL" diff opened-only.db broken-value.db > control.txt || true
grep -qF '+ C-NL|e1|a\r\nb\x1b[2J|' control.txt || fail "$(cat control.txt)"
printf '%s\n' '{"id":"t1","type":"x\nFAKE: line\u001b[2J","stream":"C-1","seq":1,"account":"1","at":"2023-01-01T00:00:00+09:00","data":{}}' \
	> control.jsonl
"$CONTRAIL" ingest --log control.avro control.jsonl 2>> control.txt > /dev/null || true
"$CONTRAIL" dump --source jsonl:control.jsonl 2>> control.txt > /dev/null || true
expect_eq "the refusals, a line each" 2 "$(grep -c 'unknown_type: type: x\\nFAKE: line\\x1b\[2J is not' control.txt)"
[ "$(tr -cd '\r\033' < control.txt | wc -c)" = 0 ] || fail "a control character in diff, ingest or dump"
# a store account whose store id is long (nothing bounds it) is found by the audit
long_store=$(printf 's%.0s' $(seq 300))
printf '{"id":"ls1","type":"store.account_registered","stream":"%s/u@x","seq":1,"account":"1","at":"2024-06-01T10:00:00+09:00","data":{"store_id":"%s","email":"u@x"}}\n' \
	"$long_store" "$long_store" > long-store.jsonl
"$CONTRAIL" audit --source jsonl:long-store.jsonl --stream "$long_store/u@x" > long-store.txt
grep -q "state active" long-store.txt || fail "$(cat long-store.txt)"
# a snapshot line that cannot be read whole (here longer than the memory reconcile may have) is a
# failure to read the snapshot, exit 2, not a line left out of it (it was, and exit 1 said the
# rest); left out where the binary cannot start under the limit (a sanitizer's shadow memory)
if (ulimit -v 150000; "$CONTRAIL" --help > /dev/null 2>&1); then
	status=0
	(ulimit -v 150000; { printf 'table,key,column,expected\n'; head -c 300M /dev/zero | tr '\0' x; echo; } |
		"$CONTRAIL" reconcile --db portal.db --expected /dev/stdin > /dev/null 2> err.txt) || status=$?
	expect_eq "reconcile of a line it cannot hold" 2 "$status"
	grep -q "cannot read /dev/stdin after line 1: Cannot allocate memory" err.txt || fail "$(cat err.txt)"
fi
printf 'table,key,column,expected\nnot_a_table,x,y,z\n' > bad.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected bad.csv 2> err.txt || status=$?
expect_eq "unknown table exit" 2 "$status"
grep -q "bad.csv:2: not_a_table is not a projection table" err.txt || fail "$(cat err.txt)"
printf 'table,key,column,expected\ncontracts,"unterminated,status,x\n' > broken.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected broken.csv 2> err.txt || status=$?
expect_eq "malformed row exit" 2 "$status"
grep -q "broken.csv:2" err.txt || fail "$(cat err.txt)"
printf "table,key,column,expected\ncontracts,x,no_such_column,1\n" > column.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected column.csv 2> err.txt || status=$?
expect_eq "unknown column exit" 2 "$status"
grep -q "column.csv:2: contracts has no column no_such_column" err.txt || fail "$(cat err.txt)"
# a file whose first line is not the header, or with no line at all, is refused (reconcile.md)
printf 'table,key,column,value\ncontracts,x,status,active\n' > header.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected header.csv 2> err.txt || status=$?
expect_eq "no header: exit" 2 "$status"
expect_eq "no header: its line" \
	"contrail reconcile: header.csv:1: the header must be table,key,column,expected" "$(cat err.txt)"
printf '\n\n' > blank.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected blank.csv 2> err.txt || status=$?
expect_eq "no lines: exit" 2 "$status"
expect_eq "no lines: its line" \
	"contrail reconcile: blank.csv is empty: it needs the header table,key,column,expected" \
	"$(cat err.txt)"
# a key with fewer parts than its table's key is a malformed line, not a row that is missing
printf 'table,key,column,expected\nstore_accounts,webstore-edu,state,active\n' > parts.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected parts.csv > parts.txt 2> err.txt || status=$?
expect_eq "a key too short: exit" 2 "$status"
expect_eq "its line" "contrail reconcile: parts.csv:2: the key of store_accounts is store_id, email, joined with /; webstore-edu has fewer parts" \
	"$(cat err.txt)"
expect_eq "nothing reported" 0 "$(wc -c < parts.txt)"
# a file saved in Latin-1 is not the UTF-8 the format is: refused naming the line, not a
# mismatch that JSON cannot hold (it was left out of --format json, which still exited 1)
{ head -n 1 clean.csv; printf 'contract_products,2022-8gqhhbpgcbejqjz/CSL-IAP-PRO,licenses,M\xfcller\n'; } > latin1.csv
status=0; "$CONTRAIL" reconcile --db portal.db --expected latin1.csv --format json > latin1.json \
	2> err.txt || status=$?
expect_eq "not UTF-8 exit" 2 "$status"
grep -q "latin1.csv:2: not UTF-8 text" err.txt || fail "$(cat err.txt)"
expect_eq "not UTF-8: nothing reported" "" "$(cat latin1.json)"
# a spreadsheet's file: a byte order mark, CRLF line ends and blank lines at the end
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' clean.csv; printf '\r\n\n'; } > excel.csv
"$CONTRAIL" reconcile --db portal.db --expected excel.csv > excel.txt
expect_eq "byte order mark and blank lines" "0 findings" "$(tail -n 1 excel.txt)"
# keys and values of any length are compared and reported whole (contract ids are kept whole,
# L4): a 600-character id, its 700-character name matched, then missed in its last character
long_id=C-$(printf '%0600d' 1)
long_name=$(printf 'N%0699d' 2)
sed "s/\"stream\": \"C-1\"/\"stream\": \"$long_id\"/; s/\"name\": \"Contract\"/\"name\": \"$long_name\"/" \
	"$EXAMPLES/licenses_l1_l4_l8/events.jsonl" > long.jsonl
"$CONTRAIL" replay --source jsonl:long.jsonl --db long.db --business-date 2024-06-01 > /dev/null
{ head -n 1 clean.csv; echo "contracts,$long_id,name,$long_name"; } > long.csv
status=0; "$CONTRAIL" reconcile --db long.db --expected long.csv --format csv > long.txt || status=$?
expect_eq "long values: exit (the over-allocation is found)" 1 "$status"
expect_eq "long values: the over-allocation's whole key" "over_allocated,contract_products,$long_id/B" \
	"$(grep -o "^over_allocated,contract_products,[^,]*" long.txt)"
expect_eq "long values: findings" 2 "$(wc -l < long.txt)"
{ head -n 1 clean.csv; echo "contracts,$long_id,name,${long_name%2}3"; } > long-miss.csv
status=0; "$CONTRAIL" reconcile --db long.db --expected long-miss.csv --format json > long-miss.json ||
	status=$?
expect_eq "long values: mismatch exit" 1 "$status"
expect_eq "long values: the mismatch reported whole" "$long_id name ${long_name%2}3 $long_name" \
	"$(python3 -c "import json; m = [f for f in json.load(open('long-miss.json')) if f['finding'] == 'mismatch']
print(m[0]['key'], m[0]['column'], m[0]['expected'], m[0]['actual'])")"
printf "not sqlite" > junk.db
status=0; "$CONTRAIL" reconcile --db junk.db --expected clean.csv 2> /dev/null || status=$?
expect_eq "not a contrail database" 2 "$status"
# built-in findings that need a person: an over-allocation after a licence cut (L8)
"$CONTRAIL" replay --source "jsonl:$EXAMPLES/licenses_l1_l4_l8/events.jsonl" --db l8.db --business-date 2024-06-01 > /dev/null
status=0; "$CONTRAIL" reconcile --db l8.db --expected clean.csv > l8.txt || status=$?
expect_eq "findings exit" 1 "$status"
grep -q "^over_allocated contract_products C-1/B" l8.txt || fail "$(cat l8.txt)"

# diff: the same history judged on two dates
"$CONTRAIL" replay --source "jsonl:$portal" --db later.db --business-date 2024-05-01 > /dev/null
status=0; "$CONTRAIL" diff portal.db later.db > diff.txt || status=$?
expect_eq "diff exit" 1 "$status"
grep -q "status: active -> expired" diff.txt || fail "$(cat diff.txt)"
expect_eq "rows that differ" "2 rows differ" "$(tail -n 1 diff.txt)"
"$CONTRAIL" diff portal.db portal.db > same.txt
expect_eq "no difference" "0 rows differ" "$(tail -n 1 same.txt)"
# a value holding a line break, a backslash or the column separator is escaped: each row and
# each changed column stays one line
sed 's/"name": "Contract"/"name": "two\\nlines|a\\\\b"/' "$EXAMPLES/licenses_l1_l4_l8/events.jsonl" \
	> named.jsonl
"$CONTRAIL" replay --source "jsonl:$EXAMPLES/licenses_l1_l4_l8/events.jsonl" --db plain.db \
	--business-date 2024-06-01 > /dev/null
"$CONTRAIL" replay --source jsonl:named.jsonl --db named.db --business-date 2024-06-01 > /dev/null
status=0; "$CONTRAIL" diff plain.db named.db > named.txt || status=$?
expect_eq "diff exit, names" 1 "$status"
expect_eq "the changed name on one line" '    name: Contract -> two\nlines\|a\\b' \
	"$(grep '^    name: ' named.txt)"
expect_eq "lines besides the tables' names" "3" "$(grep -vc '^== ' named.txt)"
# SQL's NULL and the text NULL are told apart: a migration planned to a contract named NULL
{
	cat "$EXAMPLES/licenses_l1_l4_l8/events.jsonl"
	echo '{"id":"null-target","type":"contract.migration_planned","stream":"C-1","seq":14,"account":"100001","at":"2023-01-10T10:00:00+09:00","data":{"to_contract":"NULL"}}'
} > null-text.jsonl
"$CONTRAIL" replay --source jsonl:null-text.jsonl --db null-text.db --business-date 2024-06-01 > /dev/null
status=0; "$CONTRAIL" diff plain.db null-text.db > null-text.txt || status=$?
expect_eq "diff exit, NULL against 'NULL'" 1 "$status"
expect_eq "NULL is \\N, the text NULL itself" '    migration_to: \N -> NULL' \
	"$(grep '^    migration_to: ' null-text.txt)"

