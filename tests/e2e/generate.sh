# contrail generate: deterministic per seed, every event type of the catalog, a few percent
# bad or duplicate events, and histories that replay from the log as from the text.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 7 --accounts 400 --out a.jsonl 2> summary.txt
"$CONTRAIL" generate --seed 7 --accounts 400 > b.jsonl 2> /dev/null
"$CONTRAIL" generate --seed 8 --accounts 400 --out c.jsonl 2> /dev/null
cmp -s a.jsonl b.jsonl || fail "the same seed gave different bytes"
cmp -s a.jsonl c.jsonl && fail "another seed gave the same bytes"
grep -q "for 400 accounts" summary.txt || fail "summary: $(cat summary.txt)"
cp "$(dirname "$0")/../../schemas/catalog.json" catalog.json
python3 - <<'PY'
import json
catalog = json.load(open("catalog.json"))["types"]
seen, bad, lines = set(), 0, 0
for line in open("a.jsonl", encoding="utf-8"):
    lines += 1
    try:
        seen.add(json.loads(line)["type"])
    except (ValueError, KeyError):
        bad += 1
missing = set(catalog) - seen
assert not missing, "types never generated: %s" % sorted(missing)
assert 0 < bad < lines * 0.05, (bad, lines)
assert 15 * 400 < lines < 60 * 400, lines
PY
# the replay rejects a few percent, by several codes
"$CONTRAIL" replay --source jsonl:a.jsonl --db a.db > /dev/null
share=$(q a.db "SELECT 100.0 * rejected / read FROM runs")
python3 -c "import sys; s = float('$share'); sys.exit(0 if 1 < s < 8 else 1)" || fail "rejected share $share%"
[ "$(q a.db 'SELECT count(DISTINCT code) FROM rejected_events')" -ge 8 ] || fail "too few kinds of rejection"
