#!/usr/bin/env bash
# `make bench`: a rebuild of about 1,000,000 generated events from the local log, side by side
# with avrocat reading the same log and with a naive loader issuing one SQL statement per event;
# then an incremental run of 10,000 new events on top of that history; then Kafka (bench/kafka.sh).
# Figures are printed, not asserted. BENCH_ACCOUNTS scales the history (default 25,000 accounts, about 1M events).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
contrail=$(realpath "${CONTRAIL:-build/contrail}")
naive=${NAIVE:-build/naive-loader}
accounts=${BENCH_ACCOUNTS:-25000}
work=${BENCH_DIR:-bench-work}
mkdir -p "$work"
cd "$work"

echo "== preparing: $accounts accounts"
"$contrail" generate --seed 2024 --accounts "$accounts" --out history.jsonl 2> /dev/null
total=$(wc -l < history.jsonl)
head -n $((total - 10000)) history.jsonl > base.jsonl
tail -n 10000 history.jsonl > increment.jsonl
rm -f base.avro log.avro
"$contrail" ingest --log base.avro base.jsonl 2> /dev/null || [ $? -eq 1 ]
cp base.avro log.avro
events=$(avrocat base.avro | wc -l)
echo "log: $events events, $(du -h base.avro | cut -f1) ($(stat -c %s base.avro) bytes)"
cat base.avro > /dev/null # warm the page cache: reads are timed, not the disk

source "$here/lib.sh"

echo
echo "== rebuild vs avrocat (hyperfine, 5 runs each)"
hyperfine --style basic --runs 5 --warmup 1 --export-json rebuild.json \
	-n "contrail replay --rebuild" \
	"$contrail replay --source file:log.avro --db rebuilt.db --rebuild --business-date 2024-04-01" \
	-n "avrocat > /dev/null" "avrocat log.avro > /dev/null"
rebuild_s=$(median rebuild.json 0)
avrocat_s=$(median rebuild.json 1)

echo
echo "== SQLite alone: the rebuilt tables copied into an empty file (hyperfine, 5 runs each)"
# What SQLite takes to write what a rebuild writes, with nothing of contrail's: the schema
# without its triggers (they call functions only contrail registers), then one INSERT ...
# SELECT per table in one transaction, with the rebuild's pragmas. No decoding, no binding,
# no rules: a floor under any rebuild that writes its projections with SQLite. Twice: as
# SQLite's transfer of whole records between tables of one shape (its fastest write, open
# only to a copy from another SQLite table), and row by row in key order (a `WHERE 1` turns
# the transfer off), as a program that builds its rows writes them at best.
sqlite3 rebuilt.db "SELECT sql || ';' FROM sqlite_schema WHERE type IN ('table', 'index')
	AND sql IS NOT NULL" > floor-schema.sql
{
	echo "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
	echo "PRAGMA locking_mode = EXCLUSIVE; ATTACH 'rebuilt.db' AS done; BEGIN;"
	sqlite3 rebuilt.db "SELECT 'INSERT INTO main.' || name || ' SELECT * FROM done.' || name || ';'
		FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	echo "COMMIT;"
} > floor-copy.sql
sed 's/ SELECT \* FROM \(done\.[a-z_]*\);$/ SELECT * FROM \1 WHERE 1;/' floor-copy.sql \
	> floor-rows.sql
hyperfine --style basic --runs 5 --export-json floor.json \
	--prepare "rm -f floor.db && sqlite3 floor.db < floor-schema.sql" \
	-n "sqlite3: INSERT ... SELECT of every table" "sqlite3 floor.db < floor-copy.sql > /dev/null" \
	-n "sqlite3: the same, row by row" "sqlite3 floor.db < floor-rows.sql > /dev/null"
floor_s=$(median floor.json 0)
floor_rows_s=$(median floor.json 1)

echo
echo "== naive loader, one statement per event (1 run)"
rm -f naive.db*
start=$(date +%s.%N)
"$naive" base.avro naive.db > /dev/null
naive_s=$(seconds "$start")

echo
echo "== peak memory of the rebuild"
/usr/bin/time -f "%M" -o rss.txt "$contrail" replay --source file:log.avro --db rss.db --rebuild \
	--business-date 2024-04-01 > /dev/null
rss_mb=$(awk '{ printf "%.0f", $1 / 1024 }' rss.txt)

echo
echo "== incremental run of 10,000 new events on top of the history (hyperfine, 10 runs)"
# sync: the database at rest, as a nightly run finds it; else the run's first fsync (turning
# the rebuilt file's journal into a WAL) would write out the 140 MB the copy just left dirty
hyperfine --style basic --runs 10 --export-json incremental.json \
	--prepare "cp base.avro log.avro && $contrail ingest --log log.avro increment.jsonl 2> /dev/null; cp rebuilt.db inc.db && rm -f inc.db-wal inc.db-shm && sync" \
	-n "contrail replay (incremental)" \
	"$contrail replay --source file:log.avro --db inc.db --business-date 2024-04-01"
inc_s=$(median incremental.json 0)

echo
echo "== SQLite alone: the rows the incremental run changed, written into the rebuilt file (hyperfine, 10 runs each)"
# What SQLite takes to write what the incremental run writes, with nothing of contrail's: the
# rows that differ between the rebuilt file and the last run's inc.db (kept in inc-delta.db),
# deleted and upserted table by table in one transaction into the rebuilt file without its
# triggers (they call functions only contrail registers, and keep the digests, which this
# leaves out). Once with the incremental run's pragmas (WAL, synchronous NORMAL, the WAL
# checkpointed and removed at close), once with no journal and no sync (not safe; a floor
# under any way of writing those rows with SQLite).
keys="(SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info(s.name)
	WHERE pk > 0 ORDER BY pk))"
tables="FROM sqlite_schema s WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
rm -f inc-delta.db
{
	echo "ATTACH 'rebuilt.db' AS b; ATTACH 'inc-delta.db' AS d;"
	sqlite3 inc.db "SELECT 'CREATE TABLE d.up_' || name || ' AS SELECT * FROM main.' || name
		|| ' EXCEPT SELECT * FROM b.' || name || '; CREATE TABLE d.gone_' || name
		|| ' AS SELECT ' || $keys || ' FROM b.' || name || ' EXCEPT SELECT ' || $keys
		|| ' FROM main.' || name || ';' $tables"
} | sqlite3 inc.db
changed_rows=$(sqlite3 inc-delta.db "SELECT name FROM sqlite_schema WHERE type = 'table'" |
	while read -r t; do sqlite3 inc-delta.db "SELECT count(*) FROM $t"; done |
	awk '{ n += $1 } END { print n }')
cp rebuilt.db inc-floor-base.db && rm -f inc-floor-base.db-wal inc-floor-base.db-shm
sqlite3 inc-floor-base.db "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_schema
	WHERE type = 'trigger'" | sqlite3 inc-floor-base.db
write_rows() {
	echo "$1 ATTACH 'inc-delta.db' AS d; BEGIN;"
	sqlite3 rebuilt.db "SELECT 'DELETE FROM main.' || name || ' WHERE (' || k || ') IN (SELECT '
		|| k || ' FROM d.gone_' || name || '); INSERT OR REPLACE INTO main.' || name
		|| ' SELECT * FROM d.up_' || name || ';' FROM (SELECT name, $keys AS k $tables)"
	echo "COMMIT;"
}
write_rows "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
	PRAGMA mmap_size = 2147418112; PRAGMA temp_store = MEMORY;" > inc-floor-wal.sql
write_rows "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;" \
	> inc-floor-bare.sql
hyperfine --style basic --runs 10 --export-json inc-floor.json \
	--prepare "cp inc-floor-base.db inc-floor.db && rm -f inc-floor.db-wal inc-floor.db-shm && sync" \
	-n "sqlite3: the changed rows, WAL" "sqlite3 inc-floor.db < inc-floor-wal.sql > /dev/null" \
	-n "sqlite3: the changed rows, no journal" "sqlite3 inc-floor.db < inc-floor-bare.sql > /dev/null"
inc_wal_s=$(median inc-floor.json 0)
inc_bare_s=$(median inc-floor.json 1)

echo
echo "== results ($events events)"
printf "%-34s %10s %12s %8s\n" "" "seconds" "events/s" "ratio"
printf "%-34s %10.3f %12s %8s\n" "contrail rebuild" "$rebuild_s" "$(rate "$rebuild_s")" "1.00"
printf "%-34s %10.3f %12s %8.2f\n" "avrocat to /dev/null" "$avrocat_s" "$(rate "$avrocat_s")" \
	"$(awk -v a="$avrocat_s" -v b="$rebuild_s" 'BEGIN { print a / b }')"
printf "%-34s %10.3f %12s %8.2f\n" "naive loader (statement per event)" "$naive_s" "$(rate "$naive_s")" \
	"$(awk -v a="$naive_s" -v b="$rebuild_s" 'BEGIN { print a / b }')"
printf "%-34s %10.3f %12s %8.2f\n" "SQLite copying the rebuilt tables" "$floor_s" "-" \
	"$(awk -v a="$floor_s" -v b="$rebuild_s" 'BEGIN { print a / b }')"
printf "%-34s %10.3f %12s %8.2f\n" "  the same, row by row (key order)" "$floor_rows_s" "-" \
	"$(awk -v a="$floor_rows_s" -v b="$rebuild_s" 'BEGIN { print a / b }')"
echo "ratio column: the other command's time over contrail's (above 1: contrail is faster)"
echo "rebuild vs avrocat: $(awk -v a="$avrocat_s" -v b="$rebuild_s" 'BEGIN { printf "%.2fx", a / b }') (target 4x)"
echo "  4x avrocat is $(awk -v a="$avrocat_s" 'BEGIN { printf "%.3f s", a / 4 }'); SQLite alone copies the rebuilt tables in $(awk -v a="$floor_s" 'BEGIN { printf "%.3f s", a }')"
echo "  by its transfer of whole records, $(awk -v a="$floor_rows_s" 'BEGIN { printf "%.3f s", a }') row by row in key order, on one thread"
echo "rebuild vs naive:   $(awk -v a="$naive_s" -v b="$rebuild_s" 'BEGIN { printf "%.2fx", a / b }') (target 10x)"
echo "peak RSS of the rebuild: ${rss_mb} MB (target under 300 MB)"
echo "incremental 10,000 events: $(awk -v a="$inc_s" 'BEGIN { printf "%.3f s", a }'), $(awk -v a="$inc_s" -v b="$rebuild_s" 'BEGIN { printf "%.1f%%", 100 * a / b }') of the rebuild (target under 3%)"
pct() { awk -v a="$1" -v b="$rebuild_s" 'BEGIN { printf "%.3f s (%.1f%% of the rebuild)", a, 100 * a / b }'; }
echo "  SQLite alone writing the $changed_rows rows it changed: $(pct "$inc_wal_s") in WAL as"
echo "  the run does, $(pct "$inc_bare_s") with no journal and no sync"

CONTRAIL=$contrail bash "$here/kafka.sh" "$events"
