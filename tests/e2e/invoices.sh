# contrail invoices, and E5 for the invoices: a replay with --until shows the invoices as they
# were known on a past date; the same history on a later business date adds invoices and turns
# drafts into issued ones (B9).
source "$(dirname "$0")/lib.sh"
events="$EXAMPLES/billing_seed_examples/events.jsonl"
# known on 2025-06-15: the seat changes (recorded 06-10 and 06-18) and the cancellation not all in
"$CONTRAIL" replay --source "jsonl:$events" --db june.db --until 2025-06-15T00:00:00+09:00 \
	--business-date 2025-12-15 > /dev/null
expect_eq "July as known on 2025-06-15 (the raise recorded, the cut not yet)" "16473" \
	"$(q june.db "SELECT subtotal FROM invoices WHERE period = '2025-07'")"
expect_eq "no cancellation known: invoices run to the business date" 9 "$(q june.db 'SELECT count(*) FROM invoices')"
"$CONTRAIL" replay --source "jsonl:$events" --db now.db --business-date 2025-12-15 > /dev/null
expect_eq "July now" 15363 "$(q now.db "SELECT subtotal FROM invoices WHERE period = '2025-07'")"
# B9 on a date inside a month: that month's invoice is a draft until its issue date
"$CONTRAIL" replay --source "jsonl:$events" --db early.db --business-date 2025-05-20 > /dev/null
expect_eq "drafts and issued on 2025-05-20" "2025-04|issued
2025-05|draft" "$(q early.db 'SELECT period, status FROM invoices ORDER BY period')"
# the next run on a later date (no new events) re-judges which invoices exist
"$CONTRAIL" replay --source "jsonl:$events" --db early.db --business-date 2025-12-15 > /dev/null
expect_eq "same as a fresh replay on that date" "$("$CONTRAIL" hash --db now.db)" "$("$CONTRAIL" hash --db early.db)"

# the command: text as an accountant reads it, csv and json
"$CONTRAIL" invoices --db now.db --period 2025-11 > text.txt
grep -q "84,496 yen" text.txt || fail "text total: $(cat text.txt)"
grep -q "early termination" text.txt || fail "text lines"
expect_eq "csv rows (8 invoices x 2 lines + 1)" 18 "$("$CONTRAIL" invoices --db now.db --format csv | wc -l)"
"$CONTRAIL" invoices --db now.db --format json --contract CL-0001 > all.json
python3 -c "
import json; d = json.load(open('all.json'))
assert len(d) == 8 and d[-1]['total'] == 84496 and d[-1]['lines'][2]['kind'] == 'early_termination', d[-1]"
for period in 2025-1 2025-13 2025-00 abcd-ef; do
	status=0; "$CONTRAIL" invoices --db now.db --period "$period" 2> err.txt || status=$?
	expect_eq "bad period $period" 2 "$status"
done

# a period without invoices: csv is still the header line (a nightly job reads the columns from
# it), json an empty array, text nothing
expect_eq "csv of a period without invoices" \
	"invoice_no,contract_id,period,issue_date,due_date,status,line_no,kind,quantity,unit_price,amount,subtotal,tax,total" \
	"$("$CONTRAIL" invoices --db now.db --period 1999-01 --format csv | tr -d '\r')"
expect_eq "json of a period without invoices" "[]" "$("$CONTRAIL" invoices --db now.db --period 1999-01 --format json)"
"$CONTRAIL" invoices --db now.db --period 1999-01 > none.txt # exits 0 (errexit)
expect_eq "text of a period without invoices" 0 "$(wc -c < none.txt)"

# a read that fails part-way (here: an invoice's lines, made to overflow an integer) stops with
# one line and exit 4, not with what was printed so far and exit 0
cp now.db broken.db
sqlite3 broken.db "DROP TABLE invoice_lines; CREATE VIEW invoice_lines AS SELECT invoice_no,
	1 AS line_no, 'seats_full' AS kind, abs(-9223372036854775807 - 1) AS quantity, 0 AS unit_price,
	0 AS amount FROM invoices"
for format in text csv json; do
	status=0; "$CONTRAIL" invoices --db broken.db --format "$format" > /dev/null 2> err.txt || status=$?
	expect_eq "exit of invoices ($format) when a read fails" 4 "$status"
	grep -q "integer overflow" err.txt || fail "$(cat err.txt)"
done
"$CONTRAIL" invoices --help | grep -q "4 a read of it that fails" || fail "invoices --help does not list exit 4"
grep -A8 '^## `contrail invoices' "$(dirname "$0")/../../docs/cli.md" | grep -q "4 a read of the database that fails" ||
	fail "docs/cli.md does not list exit 4 of invoices"

# output that cannot be written (a full disk) is a failure with one line, as for status and export
for format in text csv json; do
	status=0; "$CONTRAIL" invoices --db now.db --format "$format" > /dev/full 2> err.txt || status=$?
	expect_eq "exit of invoices ($format) into a full disk" 4 "$status"
	expect_eq "its lines on stderr ($format)" 1 "$(wc -l < err.txt)"
	grep -q "^contrail invoices: cannot write to standard output$" err.txt || fail "$(cat err.txt)"
done
