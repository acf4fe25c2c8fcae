# A rebuild in a consumer group tells the group its positions (the committed offsets lag tools
# read, docs/kafka.md) only once its new database is in place: one that fails at its end keeps
# the old database, and the group is told nothing of the file thrown away. And a group reads
# one topic: Kafka's assignor would split an account's streams in several topics between
# shards (docs/cli.md, exit 2).
source "$(dirname "$0")/lib.sh"
start_broker --topic events --partitions 3
"$CONTRAIL" generate --seed 12 --accounts 40 --out history.jsonl 2> /dev/null
"$CONTRAIL" publish --to "kafka://$boot/events" jsonl:history.jsonl 2> /dev/null || [ $? -eq 1 ]
messages=$(kcat -C -b "$boot" -t events -e -q -f '%o\n' | wc -l)
[ "$messages" -gt 0 ] || fail "nothing published"
sync_shim
group_args=(-X session.timeout.ms=6000 --business-date 2024-04-01)

# left_for GROUP: the messages after GROUP's committed offsets (all of them when it has none)
left_for() {
	timeout 60 kcat -b "$boot" -X auto.offset.reset=earliest -X session.timeout.ms=6000 \
		-e -q -f '%o\n' -G "$1" events | wc -l
}

# the rename into place fails: exit 4, the old database kept, no offset committed
replay_hash "jsonl:$EXAMPLES/portal_example/events.jsonl" kept.db --business-date 2024-04-01 \
	> /dev/null
before=$("$CONTRAIL" hash --db kept.db)
status=0
SYNC_SHIM_FAIL_RENAME=kept.db shimmed "$CONTRAIL" replay --source "kafka://$boot/events" \
	--db kept.db --rebuild --group failed --batch 50 "${group_args[@]}" > out.txt 2> err.txt ||
	status=$?
expect_eq "exit of a group's rebuild whose rename fails: $(cat err.txt)" 4 "$status"
expect_eq "the old database" "$before" "$("$CONTRAIL" hash --db kept.db)"
expect_eq "messages left for the group of the failed rebuild" "$messages" "$(left_for failed)"

# the rebuild in place: the group is told the positions its file holds
replay_hash "kafka://$boot/events" kept.db --rebuild --group done --batch 50 \
	"${group_args[@]}" > /dev/null
expect_eq "messages left for the group of the rebuild in place" 0 "$(left_for done)"

# a group over two topics is refused before anything is read or made
status=0
"$CONTRAIL" replay --source "kafka://$boot/events,other" --db two.db --group two \
	> out.txt 2> err.txt || status=$?
expect_eq "exit of a group over two topics" 2 "$status"
grep -q "^contrail replay: --group reads one topic" err.txt || fail "$(cat err.txt)"
[ ! -e two.db ] || fail "a refused group made its database"
