# Helpers for the end-to-end tests: each test runs in a fresh temporary directory.
set -euo pipefail
CONTRAIL=${CONTRAIL:?}
EXAMPLES=${EXAMPLES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/scenarios}
PYTHON_AVRO=/usr/bin/python3

fail() { echo "FAILED: $*" >&2; exit 1; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"; }

# replay SOURCE DB ARGS... -> prints the projection hash. A run that exits other than 0 or
# prints no hash fails, and prints a value no other call prints, so that two such runs never
# compare equal (a comparison often stands in an argument, where the failure of $(...) does not
# stop the script: errexit is off in a command substitution).
replay_hash() {
	local source=$1 db=$2 out hash status=0; shift 2
	out=$("$CONTRAIL" replay --source "$source" --db "$db" "$@") || status=$?
	hash=$(printf '%s\n' "$out" | sed -n 's/^projection hash //p')
	if [ "$status" -ne 0 ] || ! [[ $hash =~ ^[0-9a-f]{64}$ ]]; then
		echo "no projection hash from replay of $source (exit $status; $BASHPID $RANDOM)"
		fail "replay of $source into $db exited $status, printing [${hash}] for its hash"
	fi
	echo "$hash"
}

q() { sqlite3 "$1" "$2"; }

# log_in_two SEED ACCOUNTS PARTS: a generated history (history.jsonl) whose first 1/PARTS of
# lines are first.jsonl and the rest rest.jsonl; first.avro logs the first, events.avro both
log_in_two() {
	"$CONTRAIL" generate --seed "$1" --accounts "$2" --out history.jsonl 2> /dev/null
	local total
	total=$(wc -l < history.jsonl)
	head -n $((total / $3)) history.jsonl > first.jsonl
	tail -n +$((total / $3 + 1)) history.jsonl > rest.jsonl
	"$CONTRAIL" ingest --log events.avro first.jsonl 2> /dev/null || [ $? -eq 1 ]
	cp events.avro first.avro
	"$CONTRAIL" ingest --log events.avro rest.jsonl 2> /dev/null || [ $? -eq 1 ]
}

# split_by_account HISTORY N PREFIX: the lines of a JSON Lines history over N files
# PREFIX-0.jsonl ... by account, the unit of sharding (lines without one go together)
split_by_account() {
	python3 - "$@" <<'PY'
import json, sys
history, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
shards = [open("%s-%d.jsonl" % (prefix, i), "w", encoding="utf-8") for i in range(count)]
for line in open(history, encoding="utf-8"):
    try:
        account = json.loads(line)["account"]
    except (ValueError, KeyError, TypeError):
        account = "bad"
    shards[sum(map(ord, str(account))) % count].write(line)
PY
}

# v1_jsonl: the portal example without the fields schema version 2 added (lang, sort_key),
# as a writer of catalog version 1 would have sent it -> v1.jsonl
v1_jsonl() {
	python3 - "$EXAMPLES/portal_example/events.jsonl" <<'PY'
import json, sys
with open("v1.jsonl", "w", encoding="utf-8") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        event = json.loads(line)
        event["data"].pop("lang", None)
        event["data"].pop("sort_key", None)
        out.write(json.dumps(event, ensure_ascii=False) + "\n")
PY
}

# read_to DB COUNT -> $read: waits, a minute at most (slow machines, valgrind), until the
# checkpoints of DB, a following replay's, add up to COUNT events; $read is what they reached
read_to() {
	for _ in $(seq 1 600); do
		read=$(q "$1" "SELECT coalesce(sum(next_offset), 0) FROM checkpoints" 2> /dev/null || echo 0)
		[ "$read" = "$2" ] && return 0
		sleep 0.1
	done
}

# start_broker ARGS... -> $boot: `contrail broker` on loopback, stopped when the test exits
start_broker() {
	"$CONTRAIL" broker "$@" > broker.out 2> broker.err &
	broker=$!
	trap 'kill $broker 2> /dev/null; wait $broker 2> /dev/null' EXIT
	for _ in $(seq 1 100); do [ -s broker.out ] && break; sleep 0.1; done
	boot=$(head -n 1 broker.out)
	[ -n "$boot" ] || fail "the broker printed no bootstrap servers: $(cat broker.err)"
}

# kill_part_way DELAYS COMMAND...: runs COMMAND once per delay (seconds, space-separated) and
# kills it with SIGKILL after that delay; fails unless at least one run was still going
kill_part_way() {
	local delays=$1 kills=0 pid delay; shift
	for delay in $delays; do
		"$@" > /dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		if kill -KILL "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
		wait "$pid" 2> /dev/null || true
	done
	[ "$kills" -ge 1 ] || fail "the replay finished before it could be killed"
}

# sync_shim: tests/e2e/sync_shim.c built as shim.so; shimmed COMMAND... then runs COMMAND with
# it preloaded, logging to sync.log (an ASan build wants its runtime first: told not to check)
sync_shim() {
	cc -shared -fPIC -o shim.so "$(dirname "${BASH_SOURCE[0]}")/sync_shim.c" -ldl ||
		fail "cannot build the shim"
}
shimmed() {
	SYNC_SHIM_LOG=$PWD/sync.log LD_PRELOAD=$PWD/shim.so \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"
}

# line_of PATTERN: the number of the first line of sync.log matching PATTERN, or fails
line_of() {
	local n
	n=$(grep -n -m 1 -E "$1" sync.log | cut -d: -f1)
	[ -n "$n" ] || fail "no [$1] in the syncs and renames: $(cat sync.log)"
	echo "$n"
}
