# E5: --until replays what was known at T, --business-date judges states on D.
# E2: an event held by one run is applied by the next once the gap is filled, and leaves
# rejected_events; it is counted as released.
source "$(dirname "$0")/lib.sh"
ev() { # id seq recorded data-json [type]
	printf '{"id":"%s","type":"%s","stream":"C-1","seq":%s,"account":"1","at":"%s","recorded":"%s","data":%s}\n' \
		"$1" "${5:-contract.licenses_changed}" "$2" "$3" "$3" "$4"
}
{
	ev u1 1 2023-01-01T10:00:00+09:00 '{"name":"n","kind":"license","start_date":"2023-01-01","end_date":"2023-12-31","owners":[{"user":"o","email":"o@example.com","name":"O"}],"products":[{"sku":"A","name":"A","licenses":5}]}' contract.opened
	ev u2 2 2023-02-01T10:00:00+09:00 '{"sku":"A","licenses":7}'
	ev u3 3 2023-03-01T10:00:00+09:00 '{"sku":"A","licenses":9}'
} > history.jsonl
"$CONTRAIL" replay --source jsonl:history.jsonl --db feb.db --until 2023-02-15T00:00:00+09:00 \
	--business-date 2023-02-15 > out.txt
grep -q "after --until 1" out.txt || fail "summary: $(cat out.txt)"
expect_eq "licenses known on Feb 15" 7 "$(q feb.db 'SELECT licenses FROM contract_products')"
expect_eq "no checkpoint for an --until run" 0 "$(q feb.db 'SELECT count(*) FROM checkpoints')"
# status says what the last run was known up to, for an auditor reading it later
"$CONTRAIL" status --db feb.db | grep -q "^  until           2023-02-15T00:00:00+09:00$" ||
	fail "status: $("$CONTRAIL" status --db feb.db)"
expect_eq "status json until" '"2023-02-15T00:00:00+09:00"' \
	"$("$CONTRAIL" status --db feb.db --format json | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["last_run"]["until"]))')"
expect_eq "status on Feb 15" "active|319" "$(q feb.db 'SELECT status, days_left FROM contracts')"
# recorded after T and not valid (licenses missing; no account; no seq; a `recorded` that is not
# a time, so its `at` says): not known at T either, so skipped, not rejected
{
	cat history.jsonl
	ev u4 4 2023-04-01T10:00:00+09:00 '{"sku":"A"}'
	printf '{"id":"u5","type":"contract.licenses_changed","stream":"C-1","seq":5,"at":"2023-05-01T10:00:00+09:00","data":{"sku":"A","licenses":3}}\n'
	printf '{"id":"u6","type":"contract.licenses_changed","stream":"C-1","account":"1","at":"2023-06-01T10:00:00+09:00","data":{"sku":"A","licenses":3}}\n'
	printf '{"id":"u7","type":"contract.licenses_changed","stream":"C-1","seq":7,"account":"1","at":"2023-07-01T10:00:00+09:00","recorded":"garbage","data":{"sku":"A","licenses":3}}\n'
} > bad-later.jsonl
"$CONTRAIL" replay --source jsonl:bad-later.jsonl --db bad-later.db --until 2023-02-15T00:00:00+09:00 \
	--business-date 2023-02-15 > out.txt
grep -q "rejected 0, after --until 5" out.txt || fail "summary: $(cat out.txt)"
expect_eq "none of them rejected, the licenses as at T" "0|1|7" \
	"$(q bad-later.db 'SELECT (SELECT count(*) FROM rejected_events), count(*), licenses FROM contract_products')"
# timestamps compare as instants, whatever their offset (01:00Z on Feb 1 is 10:00 in Japan)
"$CONTRAIL" replay --source jsonl:history.jsonl --db utc.db --until 2023-02-01T00:59:59Z > /dev/null
expect_eq "before u2 in UTC" 5 "$(q utc.db 'SELECT licenses FROM contract_products')"
# the same database, replayed on without --until, catches up
"$CONTRAIL" replay --source jsonl:history.jsonl --db feb.db --business-date 2024-01-15 > /dev/null
expect_eq "licenses now" 9 "$(q feb.db 'SELECT licenses FROM contract_products')"
expect_eq "expired on 2024-01-15" "expired|-15" "$(q feb.db 'SELECT status, days_left FROM contracts')"
expect_eq "product expired" 1 "$(q feb.db 'SELECT expired FROM contract_products')"

# held across runs: seq 3 arrives first, in its own run
ev h1 1 2023-01-01T10:00:00+09:00 '{"name":"n","kind":"license","start_date":"2023-01-01","end_date":"2023-12-31","owners":[],"products":[{"sku":"A","name":"A","licenses":5}]}' contract.opened > part1.jsonl
ev h3 3 2023-03-01T10:00:00+09:00 '{"sku":"A","licenses":9}' >> part1.jsonl
"$CONTRAIL" replay --source jsonl:part1.jsonl --db held.db > /dev/null
expect_eq "held" "h3|sequence_gap" "$(q held.db 'SELECT event_id, code FROM rejected_events')"
ev h2 2 2023-02-01T10:00:00+09:00 '{"sku":"A","licenses":7}' > part2.jsonl
"$CONTRAIL" replay --source jsonl:part2.jsonl --db held.db > out.txt
grep -q "released 1" out.txt || fail "summary: $(cat out.txt)"
"$CONTRAIL" status --db held.db | grep -q "^  events          read [0-9]*, applied [0-9]*, duplicates 0, rejected 0, released 1$" ||
	fail "status: $("$CONTRAIL" status --db held.db)"
expect_eq "status json released" 1 \
	"$("$CONTRAIL" status --db held.db --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["last_run"]["released"])')"
expect_eq "applied in order" 9 "$(q held.db 'SELECT licenses FROM contract_products')"
expect_eq "rejected_events is empty" 0 "$(q held.db 'SELECT count(*) FROM rejected_events')"
expect_eq "next seq" 4 "$(q held.db 'SELECT next_seq FROM streams')"

# a stored stream whose first event in a later run fails before the projections see it
# still has its aggregate read back for the events after it
ev s1 1 2023-01-01T10:00:00+09:00 '{"name":"n","kind":"license","start_date":"2023-01-01","end_date":"2023-12-31","owners":[],"products":[{"sku":"A","name":"A","licenses":5}]}' contract.opened > s1.jsonl
"$CONTRAIL" replay --source jsonl:s1.jsonl --db stored.db > /dev/null
{
	ev s2 2 2023-02-01T10:00:00+09:00 '{"sku":"A"}' contract.no_such_type
	ev s3 3 2023-03-01T10:00:00+09:00 '{"sku":"A","licenses":8}'
} > s2.jsonl
"$CONTRAIL" replay --source jsonl:s2.jsonl --db stored.db --batch 1 > /dev/null
expect_eq "applied after a rejected first event" 8 "$(q stored.db 'SELECT licenses FROM contract_products')"
expect_eq "rejections" "s2|unknown_type" "$(q stored.db 'SELECT event_id, code FROM rejected_events')"

# two events held for one seq: the first to arrive takes it, after a restart too (E2, E4), though
# its position sorts after the other's as text (line 2 against line 10)
held_ev() { # id seq type data
	printf '{"id":"%s","type":"%s","stream":"C-9","seq":%s,"account":"9","at":"2022-01-0%sT10:00:00+09:00","data":%s}\n' \
		"$1" "$3" "$2" "$2" "$4"
}
{
	held_ev t1 1 contract.opened '{"name":"T","kind":"license","start_date":"2022-01-01","end_date":"2025-12-31","owners":[{"user":"o","email":"o@example.com","name":"O"}],"products":[{"sku":"S","name":"P","licenses":5}]}'
	held_ev t3a 3 member.invited '{"email":"a@example.com","role":"member","lang":"ja","by":"o"}'
	for i in 1 2 3 4 5 6 7; do
		printf '{"id":"pad%s","type":"customer.registered","stream":"90000%s","seq":1,"account":"9","at":"2022-01-01T10:00:00+09:00","data":{"customer_no":"90000%s","email":"p%s@example.com"}}\n' $i $i $i $i
	done
	held_ev t3b 3 member.invited '{"email":"b@example.com","role":"member","lang":"ja","by":"o"}'
} > twice-held.jsonl
held_ev t2 2 group_company.added '{"company":"G","by":"o"}' > twice-rest.jsonl
cat twice-held.jsonl twice-rest.jsonl > twice-all.jsonl
cp twice-held.jsonl twice-grown.jsonl
"$CONTRAIL" replay --source jsonl:twice-grown.jsonl --db twice.db > /dev/null
cat twice-rest.jsonl >> twice-grown.jsonl
expect_eq "the first of two held for one seq, after a restart" \
	"$(replay_hash jsonl:twice-all.jsonl twice-one.db)" "$(replay_hash jsonl:twice-grown.jsonl twice.db)"
expect_eq "it is the first to arrive" "a@example.com" "$(q twice.db "SELECT user FROM members WHERE state = 'invited'")"

# jsonl:- reads standard input; two runs keep both runs' rejected events (E3)
cat part1.jsonl | "$CONTRAIL" replay --source jsonl:- --db stdin.db > /dev/null
cat part1.jsonl | "$CONTRAIL" replay --source jsonl:- --db stdin.db > out.txt
grep -q "read 2, applied 0, duplicates 2, rejected 0" out.txt || fail "second stdin run: $(cat out.txt)"
expect_eq "held row kept" 1 "$(q stdin.db 'SELECT count(*) FROM rejected_events')"
# a pipe is read ahead on a thread: a whole history through it equals the file, in batches too,
# and SIGINT stops a run waiting for its writer (the lines so far committed, exit 0)
"$CONTRAIL" generate --seed 8 --accounts 30 --out piped.jsonl 2> /dev/null
expect_eq "a history through a pipe" "$(replay_hash jsonl:piped.jsonl piped-file.db)" \
	"$(cat piped.jsonl | replay_hash jsonl:- piped.db --batch 7)"
# a pipe named by its path is read once from its first line (not read twice for a fingerprint)
expect_eq "a pipe by name" "read 5," \
	"$(head -n 5 piped.jsonl | "$CONTRAIL" replay --source jsonl:/dev/stdin --db byname.db | grep -o 'read 5,')"
mkfifo slow.fifo
{ head -n 50 piped.jsonl; exec sleep 30; } > slow.fifo &
writer=$!
"$CONTRAIL" replay --source jsonl:- --db slow.db < slow.fifo > slow.out &
reader=$!
for _ in $(seq 50); do [ -s slow.db ] && break; sleep 0.1; done
# what a pipe gave is committed once it has been quiet for a second, the run still going
committed=
for _ in $(seq 100); do
	committed=$(q slow.db 'SELECT sum(read) FROM runs' 2> /dev/null || true)
	[ "$committed" = 50 ] && break
	sleep 0.1
done
expect_eq "events committed while the pipe is quiet" 50 "$committed"
kill -0 "$reader" 2> /dev/null || fail "the run ended with the pipe still open"
kill -INT "$reader"
for _ in $(seq 50); do kill -0 "$reader" 2> /dev/null || break; sleep 0.1; done
kill -0 "$reader" 2> /dev/null && { kill "$reader" "$writer"; fail "SIGINT did not stop a run waiting on a pipe"; }
status=0; wait "$reader" || status=$?
kill "$writer" 2> /dev/null
expect_eq "SIGINT while waiting on a pipe" 0 "$status"
grep -q "(interrupted): read 50," slow.out || fail "$(cat slow.out)"

# E5: a run with no new events on a later business date re-judges the stored rows (L5)
"$CONTRAIL" replay --source "jsonl:$EXAMPLES/portal_example/events.jsonl" --db judge.db \
	--business-date 2023-03-15 > /dev/null
expect_eq "on 2023-03-15" "active|382" "$(q judge.db 'SELECT status, days_left FROM contracts')"
h1=$("$CONTRAIL" hash --db judge.db)
"$CONTRAIL" replay --source "jsonl:$EXAMPLES/portal_example/events.jsonl" --db judge.db \
	--business-date 2024-05-01 > /dev/null
expect_eq "on 2024-05-01" "expired|-31" "$(q judge.db 'SELECT status, days_left FROM contracts')"
expect_eq "product expired" 1 "$(q judge.db 'SELECT expired FROM contract_products')"
expect_eq "same as a fresh replay on that date" \
	"$(replay_hash "jsonl:$EXAMPLES/portal_example/events.jsonl" fresh.db --business-date 2024-05-01)" \
	"$("$CONTRAIL" hash --db judge.db)"
[ "$h1" != "$("$CONTRAIL" hash --db judge.db)" ] || fail "the hash did not change with the date"

# E1 for an event held by an earlier run (E2): a copy with its id and other content is a
# conflicting duplicate, a true copy a duplicate, as in one replay of everything
python3 - "$EXAMPLES/portal_example/events.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
stream = lines[0]["stream"]
first3 = [l for l in lines if l["stream"] == stream][:3]
changed = dict(first3[2], at="2022-08-12T11:00:00+09:00")
with open("held-run1.jsonl", "w", encoding="utf-8") as f:
    for e in (first3[0], first3[2]):
        f.write(json.dumps(e, ensure_ascii=False) + "\n")
with open("held-run2.jsonl", "w", encoding="utf-8") as f:
    for e in (changed, first3[2], first3[1]):
        f.write(json.dumps(e, ensure_ascii=False) + "\n")
PY
cat held-run1.jsonl held-run2.jsonl > held-all.jsonl
"$CONTRAIL" replay --source jsonl:held-all.jsonl --db held-one.db > /dev/null
"$CONTRAIL" replay --source jsonl:held-run1.jsonl --db held-two.db > /dev/null
"$CONTRAIL" replay --source jsonl:held-run2.jsonl --db held-two.db > /dev/null
expect_eq "codes over two runs" "$(q held-one.db 'SELECT code FROM rejected_events ORDER BY code')" \
	"$(q held-two.db 'SELECT code FROM rejected_events ORDER BY code')"
expect_eq "a changed copy of a held event" 1 \
	"$(q held-two.db "SELECT count(*) FROM rejected_events WHERE code = 'conflicting_duplicate'")"
expect_eq "duplicates over two runs" "$(q held-one.db 'SELECT sum(duplicates) FROM runs')" \
	"$(q held-two.db 'SELECT sum(duplicates) FROM runs')"
expect_eq "hash over two runs" "$("$CONTRAIL" hash --db held-one.db)" "$("$CONTRAIL" hash --db held-two.db)"
# E1 for an event held by an earlier run: a copy of the same content written otherwise (keys in
# another order, other spacing) is a duplicate, as it is within one run
cat > held-text.jsonl <<'JSON'
{"id":"k2","type":"contract.licenses_changed","stream":"C-K","seq":2,"account":"1","at":"2023-02-01T10:00:00+09:00","data":{"sku":"A","licenses":7}}
JSON
cat > held-text2.jsonl <<'JSON'
{"data": {"licenses": 7, "sku": "A"}, "at": "2023-02-01T10:00:00+09:00", "account": "1", "seq": 2, "stream": "C-K", "type": "contract.licenses_changed", "id": "k2"}
JSON
cat held-text.jsonl held-text2.jsonl > held-text-all.jsonl
"$CONTRAIL" replay --source jsonl:held-text-all.jsonl --db text-one.db > /dev/null
cp held-text.jsonl held-text-grown.jsonl
"$CONTRAIL" replay --source jsonl:held-text-grown.jsonl --db text-two.db > /dev/null
cat held-text2.jsonl >> held-text-grown.jsonl
"$CONTRAIL" replay --source jsonl:held-text-grown.jsonl --db text-two.db > /dev/null
expect_eq "a copy written otherwise, in one run" "k2|sequence_gap" \
	"$(q text-one.db 'SELECT event_id, code FROM rejected_events')"
expect_eq "a copy written otherwise, after a restart" "k2|sequence_gap" \
	"$(q text-two.db 'SELECT event_id, code FROM rejected_events')"
expect_eq "duplicates over two runs" 1 "$(q text-two.db 'SELECT sum(duplicates) FROM runs')"

# E1 after --until: a run with --until stores no checkpoint, so the next run reads its events
# again. An event it held (X, seq 3 of C-1) is read again after another event took its id (X,
# C-2, recorded after T): the copy is a duplicate of the held event, which stays held, its row
# and its stream's count as they were (the copy's rejection used to replace the held row,
# leaving the stream counting an event no row held)
cp /dev/null taken.jsonl
for line in \
	'{"id":"t1","type":"contract.opened","stream":"C-1","seq":1,"account":"1","at":"2023-01-10T10:00:00+09:00","data":{"name":"C","kind":"license","start_date":"2022-04-01","end_date":"2024-03-31","owners":[{"user":"o@x.jp","email":"o@x.jp","name":"O"}],"products":[{"sku":"A","name":"A","licenses":5}]}}' \
	'{"id":"X","type":"contract.opened","stream":"C-2","seq":1,"account":"1","at":"2023-01-10T10:30:00+09:00","data":{"name":"C","kind":"license","start_date":"2022-04-01","end_date":"2024-03-31","owners":[{"user":"o@x.jp","email":"o@x.jp","name":"O"}],"products":[{"sku":"A","name":"A","licenses":5}]}}' \
	'{"id":"X","type":"environment.created","stream":"C-1","seq":3,"account":"1","at":"2023-01-10T10:00:00+09:00","data":{"env_id":"e3","name":"E3"}}'; do
	echo "$line" >> taken.jsonl
done
"$CONTRAIL" replay --source jsonl:taken.jsonl --db taken.db --until 2023-01-10T10:10:00+09:00 > /dev/null
"$CONTRAIL" replay --source jsonl:taken.jsonl --db taken.db > taken.out
grep -q "^run 2: read 3, applied 1, duplicates 2, rejected 0$" taken.out || fail "$(cat taken.out)"
expect_eq "the held event's row" "X|sequence_gap|1|1" \
	"$(q taken.db 'SELECT event_id, code, run_id, held_json IS NOT NULL FROM rejected_events')"
expect_eq "its stream's count" 1 "$(q taken.db "SELECT held FROM streams WHERE stream = 'C-1'")"
