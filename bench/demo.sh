#!/usr/bin/env bash
# The main job on the embedded default: a synthetic history of about 5,000 accounts is ingested
# into a local Avro log and replayed into contrail.db, then summarised. Run by `make demo`.
set -euo pipefail
contrail=${CONTRAIL:-build/contrail}
accounts=${DEMO_ACCOUNTS:-5000}
work=demo
mkdir -p "$work"

echo "== generating a history of $accounts accounts"
"$contrail" generate --seed 42 --accounts "$accounts" --out "$work/history.jsonl"

echo "== ingesting it into the local log $work/events.avro"
rm -f "$work/events.avro"
status=0
"$contrail" ingest --log "$work/events.avro" "$work/history.jsonl" 2> "$work/ingest.log" || status=$?
tail -n 1 "$work/ingest.log"
if [ "$status" -gt 1 ]; then cat "$work/ingest.log" >&2; exit "$status"; fi
[ "$status" -eq 0 ] || echo "   (the refused lines, with line numbers and codes: $work/ingest.log)"

# the synthetic history runs from 2019 into 2026; judge it in the middle of it
business_date=${DEMO_BUSINESS_DATE:-2023-06-30}
echo "== replaying into contrail.db (business date $business_date)"
"$contrail" replay --source "file:$work/events.avro" --db contrail.db --rebuild \
	--business-date "$business_date"

echo
echo "== contracts by status"
sqlite3 -column -header contrail.db \
  "SELECT kind, status, count(*) AS contracts FROM contracts GROUP BY kind, status ORDER BY kind, status"
echo
echo "== license utilization by product (10 most used)"
sqlite3 -column -header contrail.db \
  "SELECT sku, sum(licenses) AS licenses, sum(assigned) AS assigned,
          printf('%.1f%%', 100.0 * sum(assigned) / max(sum(licenses), 1)) AS used,
          sum(over_allocated) AS over_allocated
     FROM contract_products WHERE sku NOT LIKE 'other:%'
     GROUP BY sku ORDER BY sum(assigned) DESC LIMIT 10"
echo
echo "== support ids by state, and why suspended"
sqlite3 -column -header contrail.db \
  "SELECT state, count(*) AS support_ids, sum(usable) AS usable,
          sum(suspension_reasons != '') AS suspended FROM support_ids GROUP BY state ORDER BY state"
sqlite3 -column -header contrail.db \
  "SELECT suspension_reasons AS reasons, count(*) AS customers FROM customers
    WHERE suspended GROUP BY suspension_reasons ORDER BY count(*) DESC LIMIT 5"
echo
echo "== cloud invoices of the last billed month"
sqlite3 -column -header contrail.db \
  "SELECT period, status, count(*) AS invoices, printf('%,d', sum(total)) AS total_yen
     FROM invoices WHERE period = (SELECT max(period) FROM invoices WHERE status = 'issued')
    GROUP BY period, status"
echo
echo "== migrations by step"
sqlite3 -column -header contrail.db \
  "SELECT step, count(*) AS migrations, sum(overdue) AS overdue FROM migrations GROUP BY step"
echo
echo "== rejected events by code"
sqlite3 -column -header contrail.db \
  "SELECT code, count(*) AS events FROM rejected_events GROUP BY code ORDER BY count(*) DESC"
echo
"$contrail" status --db contrail.db | head -n 12
