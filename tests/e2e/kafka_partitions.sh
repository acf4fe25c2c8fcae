# Partitions of a Kafka replay over several runs (issue 3): a partition that was empty when a
# shard was made belongs to that shard as much as those it read, so a later run of the same
# group reads it when events arrive; and the offsets committed to a group are the database's
# checkpoints even for partitions with nothing new (lag tools must not see a caught-up shard
# lag behind).
source "$(dirname "$0")/lib.sh"
start_broker --topic scratch --partitions 2 --topic events --partitions 2 --topic lagged --partitions 2
"$CONTRAIL" generate --seed 3 --accounts 20 --out history.jsonl 2> /dev/null
group=(--group solo -X session.timeout.ms=6000)

# which partition each account's key lands in, learnt from a scratch topic
"$CONTRAIL" publish --to "kafka://$boot/scratch" jsonl:history.jsonl 2> /dev/null || [ $? -eq 1 ]
kcat -C -b "$boot" -t scratch -e -q -f '%p %k\n' | sort -u > keys
first=$(awk '$1 == 0 { print $2; exit }' keys)
second=$(awk '$1 == 1 { print $2; exit }' keys)
[ -n "$first" ] && [ -n "$second" ] || fail "no account for each partition: $(cat keys)"
python3 - "$first" "$second" <<'PY'
import json, sys
first, second = sys.argv[1:3]
with open("first.jsonl", "w") as a, open("second.jsonl", "w") as b:
    for line in open("history.jsonl", encoding="utf-8"):
        try:
            account = json.loads(line).get("account")
        except (ValueError, AttributeError):
            continue
        if account == first:
            a.write(line)
        elif account == second:
            b.write(line)
PY

# one member alone in its group: partition 1 is empty at the first run, and has events at the
# second; the shard was handed it both times, so the second run reads it
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:first.jsonl 2> /dev/null || [ $? -eq 1 ]
"$CONTRAIL" replay --source "kafka://$boot/events" --db solo.db "${group[@]}" > /dev/null
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:second.jsonl 2> /dev/null || [ $? -eq 1 ]
status=0
"$CONTRAIL" replay --source "kafka://$boot/events" --db solo.db "${group[@]}" > /dev/null 2> solo.err \
	|| status=$?
expect_eq "exit of the run that finds events in the partition empty before" 0 "$status"
expect_eq "checkpoints" "$(kcat -C -b "$boot" -t events -e -q -f '%p\n' | sort | uniq -c | awk '{ print $2 "|" $1 }')" \
	"$(q solo.db "SELECT partition, next_offset FROM checkpoints ORDER BY partition")"
expect_eq "hash of the two runs" "$(replay_hash "kafka://$boot/events" once.db)" \
	"$(q solo.db 'SELECT projection_hash FROM runs WHERE run_id = 2')"

# a database replayed without a group, then with one: nothing new, yet the group is told the
# checkpoints, so a member starting where the group stands finds nothing left
"$CONTRAIL" publish --to "kafka://$boot/lagged" jsonl:history.jsonl 2> /dev/null || [ $? -eq 1 ]
"$CONTRAIL" replay --source "kafka://$boot/lagged" --db lagged.db > /dev/null
"$CONTRAIL" replay --source "kafka://$boot/lagged" --db lagged.db --group watched \
	-X session.timeout.ms=6000 > /dev/null
expect_eq "the second run read nothing" 0 "$(q lagged.db 'SELECT read FROM runs WHERE run_id = 2')"
left=$(timeout 60 kcat -b "$boot" -X auto.offset.reset=earliest -X session.timeout.ms=6000 \
	-e -q -f '%o\n' -G watched lagged | wc -l)
expect_eq "messages after the group's committed offsets" 0 "$left"

# a checkpoint for a partition the topic does not have: not the topic the database was
# replayed from, refused by a run without --until and, though it reads from the start, by one
# with it (exit 3, nothing written)
cp once.db other.db
q other.db "UPDATE checkpoints SET partition = 7 WHERE partition = 1"
for until in "" "--until 2030-01-01T00:00:00+09:00"; do
	status=0
	# shellcheck disable=SC2086 # no --until, or --until and its value
	"$CONTRAIL" replay --source "kafka://$boot/events" --db other.db $until > out.txt 2> err.txt ||
		status=$?
	expect_eq "exit on a partition the topic lacks ($until)" 3 "$status"
	grep -q "kafka: events has 2 partitions but this database has a checkpoint for partition 7" \
		err.txt || fail "$(cat err.txt)"
done
expect_eq "runs after the refused runs" 1 "$(q other.db 'SELECT count(*) FROM runs')"
