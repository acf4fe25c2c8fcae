# A database read that fails part-way while a run loads what it resumes from (a view that raises
# an error at step time standing in for a damaged page): the run stops with one line naming the
# file (exit 4) and commits nothing, instead of taking the failure for the end of the rows.
source "$(dirname "$0")/lib.sh"
log_in_two 32 40 2
cp first.avro log.avro
replay_hash file:log.avro base.db --business-date 2024-04-01 > /dev/null
cp events.avro log.avro

# fails_to_read TABLE VIEW_SQL TRIGGER_SQL: TABLE kept under TABLE_rows, read through a view
# whose reading overflows an integer, written through a trigger
fails_to_read() {
	cp base.db "$1.db"
	q "$1.db" "ALTER TABLE $1 RENAME TO $1_rows; $2; $3"
}

# stops_at_read TABLE WHAT DATE [hash]: a run on TABLE.db stops with one line naming the file
# (exit 4) and records nothing; with "hash", the database's projection hash is unchanged too
stops_at_read() {
	local before="" status=0
	[ "${4:-}" = hash ] && before=$("$CONTRAIL" hash --db "$1.db")
	"$CONTRAIL" replay --source file:log.avro --db "$1.db" --business-date "$3" \
		> "$1.out" 2> "$1.err" || status=$?
	expect_eq "exit of a run that cannot read $2" 4 "$status"
	expect_eq "its lines on stderr, $2" 1 "$(wc -l < "$1.err")"
	grep -q "^contrail replay: database $PWD/$1.db: integer overflow\$" "$1.err" ||
		fail "$(cat "$1.err")"
	expect_eq "runs recorded, $2" 1 "$(q "$1.db" 'SELECT count(*) FROM runs')"
	[ -z "$before" ] ||
		expect_eq "the database as it was, $2" "$before" "$("$CONTRAIL" hash --db "$1.db")"
}

# the checkpoints: read as none, the run would start over from offset 0
fails_to_read checkpoints \
	"CREATE VIEW checkpoints AS SELECT source, partition,
		abs(-9223372036854775808 + 0 * next_offset) AS next_offset, byte_offset, block_first,
		fingerprint FROM checkpoints_rows" \
	"CREATE TRIGGER checkpoints_put INSTEAD OF INSERT ON checkpoints BEGIN
		INSERT OR REPLACE INTO checkpoints_rows VALUES (NEW.source, NEW.partition,
		NEW.next_offset, NEW.byte_offset, NEW.block_first, NEW.fingerprint); END"
stops_at_read checkpoints "its checkpoints" 2024-04-01 hash

# the stored event ids: read as none, events delivered again would be applied twice (E1)
fails_to_read event_ids \
	"CREATE VIEW event_ids AS SELECT chunk, CASE WHEN length(ids) >= 0
		THEN abs(-9223372036854775808) END AS ids FROM event_ids_rows" \
	"CREATE TRIGGER event_ids_put INSTEAD OF INSERT ON event_ids BEGIN
		INSERT INTO event_ids_rows (ids) VALUES (NEW.ids); END"
stops_at_read event_ids "its event ids" 2024-04-01 hash

# the date the states were judged on: read as none, a run on a later date would leave them
# judged on the earlier one (L5)
fails_to_read meta \
	"CREATE VIEW meta AS SELECT key, CASE WHEN key = 'judged_on'
		THEN abs(-9223372036854775807 - 1) ELSE value END AS value FROM meta_rows" \
	"CREATE TRIGGER meta_put INSTEAD OF INSERT ON meta BEGIN
		INSERT OR REPLACE INTO meta_rows VALUES (NEW.key, NEW.value); END"
stops_at_read meta "the date it was judged on" 2024-06-01 hash

# a contract's group companies: read as none, the contract would be judged and written without
# them (the hash is not taken here: it would read them too)
fails_to_read group_companies \
	"CREATE VIEW group_companies AS SELECT contract_id, company, CASE WHEN length(added_by) >= 0
		THEN abs(-9223372036854775807 - 1) END AS added_by FROM group_companies_rows" \
	"CREATE TRIGGER group_companies_put INSTEAD OF INSERT ON group_companies BEGIN
		INSERT OR REPLACE INTO group_companies_rows VALUES (NEW.contract_id, NEW.company,
		NEW.added_by); END"
[ "$(q base.db 'SELECT count(*) FROM group_companies')" -gt 0 ] || fail "no group companies to read"
stops_at_read group_companies "a contract's companies" 2024-04-01
