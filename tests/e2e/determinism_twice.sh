# E1, E4: every event delivered twice (the copies later in the log) gives the same hash;
# every second copy counts as a duplicate.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 13 --accounts 100 --out history.jsonl 2> /dev/null
python3 - <<'PY'
import json
lines = open("history.jsonl", encoding="utf-8").readlines()
half = len(lines) // 2
# the first half again after it, the second half again at the very end
out = lines[:half] + lines[:half] + lines[half:] + lines[half:]
open("twice.jsonl", "w", encoding="utf-8").writelines(out)
PY
a=$(replay_hash jsonl:history.jsonl a.db --business-date 2024-04-01)
b=$(replay_hash jsonl:twice.jsonl b.db --business-date 2024-04-01)
expect_eq "hash with every event twice" "$a" "$b"
applied_once=$(q a.db "SELECT applied FROM runs")
rejected_once=$(q a.db "SELECT rejected FROM runs")
dup_once=$(q a.db "SELECT duplicates FROM runs")
lines=$(wc -l < history.jsonl)
# each copy of an event that took a place is a duplicate; envelope rejections are rejected again
expect_eq "read twice" "$((2 * lines))" "$(q b.db 'SELECT read FROM runs')"
expect_eq "applied" "$applied_once" "$(q b.db 'SELECT applied FROM runs')"
expect_eq "E3" 0 "$(q b.db 'SELECT count(*) FROM runs WHERE read != applied + duplicates + rejected')"
[ "$(q b.db 'SELECT duplicates FROM runs')" -ge "$((applied_once + dup_once))" ] || fail "too few duplicates"
