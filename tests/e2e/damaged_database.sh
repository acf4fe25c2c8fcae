# A database whose file is damaged (a page SQLite finds malformed) is bad data in every command
# that reads it: one line naming the file and exit 3 (docs/cli.md), 2 for reconcile, whose
# database is its input (docs/reconcile.md); a replay commits nothing to it.
source "$(dirname "$0")/lib.sh"
log_in_two 41 60 2
cp first.avro log.avro
replay_hash file:log.avro base.db --business-date 2024-04-01 > /dev/null
cp events.avro log.avro

# the contracts table's root page overwritten, as a failing disk might
cp base.db damaged.db
page_size=$(q damaged.db "PRAGMA page_size")
root=$(q damaged.db "SELECT rootpage FROM sqlite_master WHERE name = 'contracts'")
printf '\377%.0s' $(seq 12) |
	dd of=damaged.db bs=1 seek=$(((root - 1) * page_size)) conv=notrunc 2> /dev/null
runs_before=$(q damaged.db "SELECT count(*) FROM runs")

# says COMMAND EXPECTED_EXIT ARGS...: one line naming the file, that exit
says() {
	local command=$1 expected=$2 status=0
	shift 2
	"$CONTRAIL" "$command" "$@" > "$command.out" 2> "$command.err" || status=$?
	expect_eq "exit of $command on a damaged database" "$expected" "$status"
	expect_eq "lines of $command on stderr" 1 "$(wc -l < "$command.err")"
	grep -q "^contrail $command: .*damaged\.db.*: database disk image is malformed\$" \
		"$command.err" || fail "$command: $(cat "$command.err")"
}
says replay 3 --source file:log.avro --db damaged.db --business-date 2024-04-01
says status 3 --db damaged.db
says export 3 --db damaged.db --table contracts --format csv
says hash 3 --db damaged.db --recompute
printf 'table,key,column,expected\ncontracts,C-1,status,active\n' > expected.csv
says reconcile 2 --db damaged.db --expected expected.csv
says diff 3 damaged.db base.db
expect_eq "runs after the refused replay" "$runs_before" "$(q damaged.db 'SELECT count(*) FROM runs')"

# every table and index damaged in turn: the replay of the rest on a new date reads or writes
# it, and stops with exit 3 naming the file, whichever statement (a load, a judge, an upsert)
# met the damage first
for name in $(q base.db "SELECT name FROM sqlite_master WHERE rootpage > 0 ORDER BY name"); do
	cp base.db each.db
	root=$(q each.db "SELECT rootpage FROM sqlite_master WHERE name = '$name'")
	printf '\377%.0s' $(seq 12) |
		dd of=each.db bs=1 seek=$(((root - 1) * page_size)) conv=notrunc 2> /dev/null
	status=0
	"$CONTRAIL" replay --source file:log.avro --db each.db --business-date 2024-06-01 \
		> each.out 2> each.err || status=$?
	expect_eq "exit of a replay with $name damaged" 3 "$status"
	grep -q "^contrail replay: database $PWD/each.db: database disk image is malformed\$" \
		each.err || fail "$name: $(cat each.err)"
done

# invoices' lines damaged: json prints an invoice only once its lines are read, so the array
# (closed, of the invoices before the damage) never shows one with its lines cut short
[ "$(q base.db "SELECT count(*) FROM invoice_lines")" -gt 0 ] || fail "no invoice lines to damage"
cp base.db lines.db
root=$(q lines.db "SELECT rootpage FROM sqlite_master WHERE name = 'invoice_lines'")
printf '\377%.0s' $(seq 12) |
	dd of=lines.db bs=1 seek=$(((root - 1) * page_size)) conv=notrunc 2> /dev/null
status=0
"$CONTRAIL" invoices --db lines.db --format json > lines.json 2> lines.err || status=$?
expect_eq "exit of invoices with invoice_lines damaged" 3 "$status"
grep -q "database disk image is malformed" lines.err || fail "invoices: $(cat lines.err)"
python3 - lines.json <<'PY' || fail "invoices printed an invoice whose lines were not read"
import json, sys
text = open(sys.argv[1]).read()
assert all(invoice["lines"] for invoice in (json.loads(text) if text else []))
PY
echo ok
