# Dashboards read the database while replays write it. A rebuilt or merged file is left in WAL
# mode, as replays keep theirs: a reader holding a transaction open on it does not make the
# next replay fail (switching the journal would wait for every reader to leave).
source "$(dirname "$0")/lib.sh"
log_in_two 43 80 2
replay_hash file:first.avro rebuilt.db --rebuild --business-date 2024-04-01 > /dev/null
expect_eq "the journal of a rebuilt file" wal "$(q rebuilt.db 'PRAGMA journal_mode')"
"$CONTRAIL" merge --out merged.db rebuilt.db > /dev/null
expect_eq "the journal of a merged file" wal "$(q merged.db 'PRAGMA journal_mode')"

# a reader in a transaction for longer than a replay's busy timeout (5 s) would wait
cp events.avro log.avro
{ echo "BEGIN; SELECT count(*) FROM contracts;"; sleep 6; echo "COMMIT;"; } |
	sqlite3 rebuilt.db > reader.out &
reader=$!
sleep 0.5
status=0
"$CONTRAIL" replay --source file:log.avro --db rebuilt.db --business-date 2024-04-01 \
	> replay.out 2> replay.err || status=$?
expect_eq "exit of a replay beside a reader: $(cat replay.err)" 0 "$status"
wait "$reader"
echo ok
