# E1-E4: generated histories mutated into shapes the generator rarely makes give one projection
# hash for batch sizes 1, 7 and 10,000, from JSON Lines and from the local Avro log, across
# streams in another order (each stream's deliveries, held and out-of-order ones included, in
# their own order), over restarts (a file that grows between incremental runs) and rebuilt.
# The mutations, a few of each per history:
#  - E1: a copy delivered later, byte for byte or as other JSON text of the same content; a copy
#    with the same id and seq and other content, after the original or before it; a later event
#    of the stream reusing an earlier one's id;
#  - E2: two events given one seq (a step back); a seq skipped, so two events claim the next; an
#    event delivered after some of its successors, near the end of the log, or a run of events
#    delivered in reverse; true and changed copies of an event while it is held; a held event
#    copied (same content, other text) after a restart and released at the end;
#  - S2, S3: a customer registered under another one's email; a support id issued again to a new
#    customer after its first owner got it, before that owner's events that name it.
# Checked for every database: the kept digests equal a recount (E4a); E3 for every run; over the
# runs every line read once, what one run applied applied or released, and rejected_events
# holding the same events with the same codes (E1-E3 depend only on each stream's own order).
#
# Left out, as a documented limit (docs/design-choices.md): one id on two streams with other
# content (E1 decided: arrival across streams picks the winner).
# MUTATION_SKIP=kind,... leaves kinds out; MUTATION_SEEDS="..." tries other seeds.
source "$(dirname "$0")/lib.sh"
DATE=2024-04-01

cat > mutate.py <<'PY'
import json, random, sys

# mutate.py HISTORY SEED MUTATED REORDERED: MUTATED is HISTORY with mutations applied,
# REORDERED the same deliveries interleaved across streams in another order
history, seed, out_mutated, out_reordered = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = random.Random(seed)
lines = open(history, encoding="utf-8").readlines()


def parse(line):
    """An event with a string id and stream and an integer seq, else None."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict) or not isinstance(event.get("stream"), str) \
            or type(event.get("seq")) is not int or not isinstance(event.get("id"), str):
        return None
    return event


def stream_of(line):
    try:
        key = json.loads(line).get("stream", "?")
    except (ValueError, AttributeError):
        return "?bad"
    return key if isinstance(key, str) else "?bad"


def dumps(event):
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"


untouched = set()
ids = {}
for line in lines:
    event = parse(line)
    if not event:
        continue
    ids.setdefault(event["id"], set()).add(event["stream"])

# a delivery is (stream, line); the list is the log in order
deliveries = [(stream_of(line), line) for line in lines]
sizes = {}
for key, line in deliveries:
    event = parse(line)
    # an id on two streams (documented limit) keeps its stream out of the mutations
    if event and len(ids[event["id"]]) > 1:
        untouched.add(key)
    if event:
        sizes[key] = sizes.get(key, 0) + 1
candidates = sorted(k for k, n in sizes.items() if n >= 6 and k not in untouched)
rng.shuffle(candidates)


def positions(key):
    return [i for i, (k, line) in enumerate(deliveries) if k == key and parse(line)]


def changed(event):
    """The same id, stream and seq with other content."""
    other = json.loads(json.dumps(event))
    if rng.random() < 0.5:
        other["recorded"] = "2030-01-01T00:00:00+09:00"
    else:
        hour = "23" if other["at"][11:13] != "23" else "22"
        other["at"] = other["at"][:11] + hour + other["at"][13:]
    return other


def reserialized(event):
    """The same content as other JSON text: keys in reverse order, other spacing."""
    return json.dumps(dict(reversed(list(event.items()))), ensure_ascii=False,
                      separators=(", ", ": ")) + "\n"


def later_slot(after):
    return rng.randint(after + 1, len(deliveries))


def mutate(kind, key):
    pos = positions(key)
    events = [parse(deliveries[i][1]) for i in pos]
    n = len(pos)
    k = rng.randint(0, n - 3)  # an event with at least two after it in its stream
    if kind == "exact_duplicate":         # E1: the same line again, later
        deliveries.insert(later_slot(pos[k]), deliveries[pos[k]])
    elif kind == "reserialized_duplicate":  # E1: the same content, other key order and spacing
        deliveries.insert(later_slot(pos[k]), (key, reserialized(events[k])))
    elif kind == "conflict_after":        # E1: the same id and seq, other content, later
        deliveries.insert(later_slot(pos[k]), (key, dumps(changed(events[k]))))
    elif kind == "conflict_before":       # E1: the changed copy comes first and takes the place
        deliveries.insert(pos[k], (key, dumps(changed(events[k]))))
    elif kind == "id_reused":             # E1: a later event of the stream reuses an earlier id
        j = rng.randint(k + 1, n - 1)
        events[j]["id"] = events[k]["id"]
        deliveries[pos[j]] = (key, dumps(events[j]))
    elif kind == "seq_repeated":          # E2: two events with one seq (a step back)
        events[k + 1]["seq"] = events[k]["seq"]
        deliveries[pos[k + 1]] = (key, dumps(events[k + 1]))
    elif kind == "seq_skipped":           # E2: a gap, then two events claim the seq after it
        events[k]["seq"] += 1
        deliveries[pos[k]] = (key, dumps(events[k]))
    elif kind == "delayed":               # E2: a gap a later delivery fills
        m = rng.randint(1, min(4, n - 1 - k))
        deliveries.insert(later_slot(pos[k + m]), deliveries[pos[k]])
        del deliveries[pos[k]]
    elif kind == "delayed_far":           # E2: held until the last tenth (over the restarts)
        deliveries.insert(rng.randint(len(deliveries) * 9 // 10, len(deliveries)), deliveries[pos[k]])
        del deliveries[pos[k]]
    elif kind == "reversed":              # E2: later seqs first, released when the first comes
        m = rng.randint(2, min(5, n - k))
        texts = [deliveries[i][1] for i in pos[k:k + m]]
        for i, text in zip(pos[k:k + m], reversed(texts)):
            deliveries[i] = (key, text)
    elif kind == "held_copies":           # E1 on a held event: a true copy and a changed one
        deliveries.insert(later_slot(pos[k + 1]), deliveries[pos[k]])
        del deliveries[pos[k]]
        held = pos[k + 1] - 1
        deliveries.insert(held + 1, deliveries[held])
        deliveries.insert(held + 2, (key, dumps(changed(events[k + 1]))))
    elif kind == "held_copy_over_restart":
        # E1, E2, E4: an event held since the first third of the log, a copy of it with the
        # same content in other JSON text after the first restart, the gap filled at the end
        early = [j for j in range(n - 1) if pos[j + 1] < len(deliveries) // 4]
        if not early:
            return None
        k = rng.choice(early)
        deliveries.insert(rng.randint(len(deliveries) * 9 // 10, len(deliveries)), deliveries[pos[k]])
        del deliveries[pos[k]]
        deliveries.insert(rng.randint(len(deliveries) * 4 // 10, len(deliveries) * 8 // 10),
                          (key, reserialized(events[k + 1])))
        k += 1
    else:
        raise SystemExit("unknown mutation " + kind)
    return "%s %s seq %d" % (kind, key, events[k]["seq"])


def reissue(number):
    """S3, E4: a support id of one customer issued again to a new customer an hour later,
    before the first customer's later events that name it (a renewal, a retirement)."""
    issues = [(i, e) for i, e in ((i, parse(line)) for i, (_, line) in enumerate(deliveries))
              if e and e["type"] == "support.issued" and e["stream"] in candidates
              and isinstance(e.get("data"), dict) and isinstance(e["data"].get("support_id"), str)]
    named = set()
    for line in lines:
        e = parse(line)
        if e and isinstance(e.get("data"), dict) and e["type"].startswith("support."):
            for field in ("replaces", "support_id"):
                named.add((e["stream"], e["data"].get(field), e["id"]))
    rng.shuffle(issues)
    for i, e in issues:
        later = [x for x in named if x[0] == e["stream"] and x[1] == e["data"]["support_id"]
                 and x[2] != e["id"]]
        if not later:
            continue
        customer = "9%05d" % (90000 + number)
        at = e["at"][:11] + "%02d" % min(int(e["at"][11:13]) + 1, 23) + e["at"][13:]
        first = {"id": "reissue-%d-1" % number, "type": "customer.registered", "stream": customer,
                 "seq": 1, "account": customer, "at": e["at"],
                 "data": {"customer_no": customer, "email": "reissue%d@example.com" % number}}
        second = {"id": "reissue-%d-2" % number, "type": "support.issued", "stream": customer,
                  "seq": 2, "account": customer, "at": at,
                  "data": dict(e["data"], reason="purchase", replaces=None)}
        deliveries.insert(i + 1, (customer, dumps(second)))
        deliveries.insert(i + 1, (customer, dumps(first)))
        candidates.remove(e["stream"])
        return "support_id_reissued %s to %s" % (e["data"]["support_id"], customer)
    return None


def share_email():
    """S2: a customer registered under another customer's email, in other letter case."""
    registrations = [(i, parse(line)) for i, (_, line) in enumerate(deliveries)]
    registrations = [(i, e) for i, e in registrations if e and e["type"] == "customer.registered"
                     and isinstance(e.get("data"), dict)
                     and isinstance(e["data"].get("email"), str)]
    usable = [(i, e) for i, e in registrations if e["stream"] in candidates]
    if len(usable) < 1 or len(registrations) < 2:
        return None
    i, e = rng.choice(usable)
    other = rng.choice([r for r in registrations if r[1]["stream"] != e["stream"]])[1]
    e["data"]["email"] = other["data"]["email"].upper() if rng.random() < 0.5 else other["data"]["email"]
    deliveries[i] = (e["stream"], dumps(e))
    candidates.remove(e["stream"])
    return "email_shared %s with %s" % (e["stream"], other["stream"])


KINDS = ["exact_duplicate", "reserialized_duplicate", "conflict_after", "conflict_before",
         "id_reused", "seq_repeated", "seq_skipped", "delayed", "delayed_far", "reversed",
         "held_copies", "held_copy_over_restart"]
skip = set(sys.argv[5].split(",")) if len(sys.argv) > 5 else set()
done = []
for kind in (k for k in KINDS if k not in skip):
    made = 0
    for key in list(candidates):
        if made == 3:
            break
        what = mutate(kind, key)
        if what:
            candidates.remove(key)
            done.append(what)
            made += 1
for number in range(2):
    if "support_id_reissued" not in skip:
        done.append(reissue(number))
    if "email_shared" not in skip:
        done.append(share_email())
done = [d for d in done if d]
open(out_mutated, "w", encoding="utf-8").writelines(line for _, line in deliveries)
open(out_mutated + ".mutations", "w", encoding="utf-8").write("\n".join(done) + "\n")

# E4: the streams interleaved in another order, each stream's deliveries (held and
# out-of-order ones included) in their own order
queues, order = {}, []
for key, line in deliveries:
    if key not in queues:
        queues[key] = []
        order.append(key)
    queues[key].append(line)
pending = [queues[k] for k in order]
out = []
while pending:
    q = rng.choice(pending)
    out.append(q.pop(0))
    if not q:
        pending.remove(q)
open(out_reordered, "w", encoding="utf-8").writelines(out)
PY

# the events and codes of rejected_events, without their positions (which depend on the source)
rejections() { q "$1" "SELECT coalesce(event_id, '-'), code FROM rejected_events ORDER BY 1, 2"; }

# grow FILE DB PARTS ARGS...: replays FILE into DB in PARTS runs, the file growing by a
# share of its lines before each (an incremental run resumes at its checkpoint) -> hash
grow() {
	local file=$1 db=$2 parts=$3 lines i; shift 3
	lines=$(wc -l < "$file")
	: > "grown-$db.jsonl"
	for i in $(seq 1 "$parts"); do
		head -n $((lines * i / parts)) "$file" | tail -n +$(($(wc -l < "grown-$db.jsonl") + 1)) \
			>> "grown-$db.jsonl"
		replay_hash "jsonl:grown-$db.jsonl" "$db" --business-date "$DATE" "$@" > "hash-$db"
	done
	cat "hash-$db"
}

all_failures=""
# 40, 60 or 80 accounts, by the seed modulo 3
for seed in ${MUTATION_SEEDS:-21 22 23}; do
	accounts=$((40 + 20 * (seed % 3)))
	"$CONTRAIL" generate --seed "$seed" --accounts "$accounts" --out "h$seed.jsonl" 2> /dev/null
	python3 mutate.py "h$seed.jsonl" "$seed" "m$seed.jsonl" "r$seed.jsonl" "${MUTATION_SKIP:-}"
	lines=$(wc -l < "m$seed.jsonl")
	expect_eq "seed $seed: reordered line count" "$lines" "$(wc -l < "r$seed.jsonl")"
	ref=$(replay_hash "jsonl:m$seed.jsonl" "s$seed-10000.db" --batch 10000 --business-date "$DATE")
	failures=""
	check() { # WHAT ACTUAL: a mismatch is noted and the other checks still run
		[ "$ref" = "$2" ] || failures="$failures
seed $seed: $1: expected [$ref], got [$2]"
	}
	for batch in 1 7; do
		check "batch $batch" "$(replay_hash "jsonl:m$seed.jsonl" "s$seed-$batch.db" --batch "$batch" \
			--business-date "$DATE")"
	done
	check "rebuild, batch 7" "$(replay_hash "jsonl:m$seed.jsonl" "s$seed-rebuild.db" --rebuild \
		--batch 7 --business-date "$DATE")"
	check "across streams reordered" "$(replay_hash "jsonl:r$seed.jsonl" "s$seed-reordered.db" \
		--business-date "$DATE")"
	check "across streams reordered, batch 7" "$(replay_hash "jsonl:r$seed.jsonl" \
		"s$seed-reordered-7.db" --batch 7 --business-date "$DATE")"
	# the local Avro log: ingest refuses the lines the schema cannot hold (rejected without a
	# place from JSON Lines), so its projections agree
	"$CONTRAIL" ingest --log "m$seed.avro" "m$seed.jsonl" 2> /dev/null || [ $? -eq 1 ]
	check "Avro log, batch 7" "$(replay_hash "file:m$seed.avro" "avro-$seed.db" --batch 7 \
		--business-date "$DATE")"
	[ "$(q "avro-$seed.db" 'SELECT count(*) FROM runs WHERE read != applied + duplicates + rejected')" = 0 ] ||
		failures="$failures
seed $seed: avro-$seed.db: E3 read != applied + duplicates + rejected"
	[ "$("$CONTRAIL" hash --db "avro-$seed.db")" = \
	  "$("$CONTRAIL" hash --db "avro-$seed.db" --recompute)" ] || failures="$failures
seed $seed: avro-$seed.db: hash and hash --recompute differ"
	check "in three runs" "$(grow "m$seed.jsonl" "s$seed-grown.db" 3)"
	check "reordered, in two runs, batch 7" "$(grow "r$seed.jsonl" "s$seed-grown-r.db" 2 --batch 7)"

	for db in s$seed-*.db; do
		# E4a: the digests kept by the triggers equal a recount of every row
		kept=$("$CONTRAIL" hash --db "$db")
		[ "$kept" = "$("$CONTRAIL" hash --db "$db" --recompute)" ] || failures="$failures
seed $seed: $db: hash $kept, hash --recompute $("$CONTRAIL" hash --db "$db" --recompute)"
		# E3: read = applied + duplicates + rejected, for every run
		[ "$(q "$db" 'SELECT count(*) FROM runs WHERE read != applied + duplicates + rejected')" = 0 ] ||
			failures="$failures
seed $seed: $db: E3 read != applied + duplicates + rejected: $(q "$db" 'SELECT read, applied, duplicates, rejected FROM runs')"
		# E3 over the runs: every line read once; what a single run applied is applied or
		# released; rejected_events holds the same events with the same codes
		[ "$(q "$db" 'SELECT sum(read) FROM runs')" = "$lines" ] ||
			failures="$failures
seed $seed: $db: read $(q "$db" 'SELECT sum(read) FROM runs') of $lines lines"
		[ "$(q "$db" 'SELECT sum(applied + released) FROM runs')" = \
			"$(q "s$seed-10000.db" 'SELECT applied FROM runs')" ] ||
			failures="$failures
seed $seed: $db: applied + released $(q "$db" 'SELECT sum(applied + released) FROM runs'), one run applied $(q "s$seed-10000.db" 'SELECT applied FROM runs')"
		[ "$(rejections "$db")" = "$(rejections "s$seed-10000.db")" ] ||
			failures="$failures
seed $seed: $db: rejected_events differ: $(diff <(rejections "s$seed-10000.db") <(rejections "$db") | grep '^[<>]' | head -n 6 | tr '\n' ' ' || true)"
	done
	[ -z "$failures" ] || all_failures="$all_failures
mutations of seed $seed: $(tr '\n' ';' < "m$seed.jsonl.mutations")$failures"
done

# The smallest histories of two shapes above.
# E1, E4: a copy of an event held by an earlier run, with the same content as other JSON text,
# is a duplicate, as in one run over both lines
cat > held.jsonl <<'EOF'
{"id":"a2","type":"contract.licenses_changed","stream":"C-1","seq":2,"account":"1","at":"2023-02-01T10:00:00+09:00","data":{"sku":"A","licenses":7}}
{"data": {"licenses": 7, "sku": "A"}, "at": "2023-02-01T10:00:00+09:00", "account": "1", "seq": 2, "stream": "C-1", "type": "contract.licenses_changed", "id": "a2"}
EOF
replay_hash jsonl:held.jsonl held-one.db --business-date "$DATE" > /dev/null
head -n 1 held.jsonl > held-grown.jsonl
replay_hash jsonl:held-grown.jsonl held-two.db --business-date "$DATE" > /dev/null
tail -n 1 held.jsonl >> held-grown.jsonl
replay_hash jsonl:held-grown.jsonl held-two.db --business-date "$DATE" > /dev/null
[ "$(rejections held-two.db)" = "$(rejections held-one.db)" ] &&
	[ "$(q held-two.db 'SELECT sum(duplicates) FROM runs')" = 1 ] || all_failures="$all_failures
a same-content copy of an event held by an earlier run: rejected_events [$(rejections held-two.db | tr '\n' ' ')], duplicates $(q held-two.db 'SELECT sum(duplicates) FROM runs'); in one run [$(rejections held-one.db | tr '\n' ' ')], duplicates 1"
# E4: a support id issued to 100001, then (by at) to 100002; 100001's renewal naming it is judged
# alike whatever the batch size
cat > reissued.jsonl <<'EOF'
{"id":"a1","type":"customer.registered","stream":"100001","seq":1,"account":"100001","at":"2023-01-01T10:00:00+09:00","data":{"customer_no":"100001","email":"a@example.com"}}
{"id":"a2","type":"support.issued","stream":"100001","seq":2,"account":"100001","at":"2023-01-02T10:00:00+09:00","data":{"support_id":"1111-11111","sku":"S","licenses":2,"starts_on":"2023-01-02","ends_on":"2024-01-01","reason":"purchase"}}
{"id":"b1","type":"customer.registered","stream":"100002","seq":1,"account":"100002","at":"2023-01-01T10:00:00+09:00","data":{"customer_no":"100002","email":"b@example.com"}}
{"id":"b2","type":"support.issued","stream":"100002","seq":2,"account":"100002","at":"2023-02-01T10:00:00+09:00","data":{"support_id":"1111-11111","sku":"S","licenses":3,"starts_on":"2023-02-01","ends_on":"2024-01-31","reason":"purchase"}}
{"id":"a3","type":"support.issued","stream":"100001","seq":3,"account":"100001","at":"2023-12-01T10:00:00+09:00","data":{"support_id":"2222-22222","sku":"S","licenses":2,"starts_on":"2024-01-02","ends_on":"2025-01-01","reason":"renewal","replaces":"1111-11111"}}
EOF
one=$(replay_hash jsonl:reissued.jsonl reissued-one.db --business-date "$DATE")
batch1=$(replay_hash jsonl:reissued.jsonl reissued-1.db --batch 1 --business-date "$DATE")
[ "$one" = "$batch1" ] || all_failures="$all_failures
a support id issued to two customers: batch 10000 [$one] rejected [$(rejections reissued-one.db | tr '\n' ' ')], batch 1 [$batch1] rejected [$(rejections reissued-1.db | tr '\n' ' ')]"

[ -z "$all_failures" ] || fail "$all_failures"
