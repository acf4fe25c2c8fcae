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
# E2: the events lost on the way leave two events each held for good, the first a sequence_gap,
# the second stream_blocked; a removal of someone who never joined is unknown_member (M1)
gaps=$(q a.db "SELECT count(*) FROM rejected_events WHERE code = 'sequence_gap'")
[ "$gaps" -gt 0 ] || fail "no event held for good"
expect_eq "stream_blocked events, one after each lost event's gap" "$gaps" \
	"$(q a.db "SELECT count(*) FROM rejected_events WHERE code = 'stream_blocked'")"
expect_eq "streams left waiting" "$gaps" "$(q a.db 'SELECT count(*) FROM streams WHERE held > 0')"
[ "$(q a.db "SELECT count(*) FROM rejected_events WHERE code = 'unknown_member'")" -gt 0 ] ||
	fail "no unknown_member"

# --out FILE is put in place whole or not at all: a write that fails part-way (a file size limit
# standing in for a full disk) exits 4 with one line and leaves FILE as it was, with nothing
# beside it; a history written whole reaches the disk before it takes FILE's name
echo precious > kept.jsonl
status=0
( trap '' XFSZ; ulimit -f 64; "$CONTRAIL" generate --seed 7 --accounts 400 --out kept.jsonl ) \
	2> kept.err || status=$?
expect_eq "exit of a generate that cannot write" 4 "$status"
expect_eq "its lines on stderr" 1 "$(wc -l < kept.err)"
grep -q "^contrail generate: cannot write kept\.jsonl: File too large$" kept.err ||
	fail "$(cat kept.err)"
expect_eq "the file --out names" precious "$(cat kept.jsonl)"
[ ! -e kept.jsonl.partial ] || fail "the partial history was left behind"
sync_shim
shimmed "$CONTRAIL" generate --seed 7 --accounts 400 --out kept.jsonl 2> /dev/null
synced=$(line_of "^fsync $PWD/kept\.jsonl\.partial\$")
renamed=$(line_of "^rename (.*/)?kept\.jsonl\.partial (.*/)?kept\.jsonl\$")
[ "$synced" -lt "$renamed" ] || fail "the history was renamed before it was synced: $(cat sync.log)"
cmp -s a.jsonl kept.jsonl || fail "the history put in place differs from standard output's"
