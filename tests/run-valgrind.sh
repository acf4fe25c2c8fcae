#!/usr/bin/env bash
# Runs the unit tests ($UNIT, Criterion) and the end-to-end tests (run-e2e.sh, which E2E_ONLY
# narrows) with every process of $UNIT and $CONTRAIL under valgrind's memcheck, for
# `make valgrind`. Each process writes its own report to valgrind/logs/ beside $CONTRAIL
# (build/valgrind/logs/); valgrind writes nothing there (-q) unless it found something, so any
# report that is not empty fails the run and is printed at the end: that also catches a process
# that a test expected to fail or killed, whose exit status says nothing. A contrail process with
# a finding also exits 99, which no command uses, and so fails most tests on the spot.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${CONTRAIL:?set CONTRAIL to the contrail binary}" "${UNIT:?set UNIT to the unit-test binary}"
out=$(cd "$(dirname "$CONTRAIL")" && pwd)/valgrind
rm -rf "$out"
mkdir -p "$out/logs" "$out/commands"

# Leaks count when definite or indirect: what is still reachable at exit (the schema catalog kept
# for the process, libsasl2's plugins that librdkafka loads) is not lost. Nothing of Debian's
# libraries needs a suppression; one that comes to need it gets --suppressions, a file in tests/
# and a comment saying why.
memcheck=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --num-callers=30)

# the end-to-end tests run $CONTRAIL as a command: this one runs the binary under valgrind, and
# keeps its arguments for the report (exec keeps the process id valgrind names the report by)
{
	echo '#!/usr/bin/env bash'
	printf 'printf "%%s\\n" "$*" > %q/commands/contrail.$$\n' "$out"
	printf 'exec'
	printf ' %q' "${memcheck[@]}" "--log-file=$out/logs/contrail.%p" "$CONTRAIL"
	echo ' "$@"'
} > "$out/contrail"
chmod +x "$out/contrail"

status=0
# the unit tests meanwhile, on the other core, from the top directory as they expect: Criterion
# runs each test in a child it starts anew (fork and exec), which valgrind follows, one at a time
# (its default under valgrind). It does not look at how a child exited once its test passed, so
# only the reports show a finding there. The sweeps of whole replays and ingests that fail each
# allocation in turn (out_of_memory_replay: some 3,500 runs) are left to `make sanitize`, which
# runs them under ASan in a few minutes; under valgrind they would take most of an hour.
(cd "$here/.." && "${memcheck[@]}" --trace-children=yes "--log-file=$out/logs/unit.%p" "$UNIT" \
	--filter '!(out_of_memory_replay)/*') \
	> "$out/unit.out" 2>&1 &
unit=$!
# the scenarios replayed four ways, not one event per run: that is a process an event
# each process some 50 times slower, beside the unit tests: a test gets 20 minutes, not 5
E2E_TIMEOUT=1200 SCENARIOS_ONE_RUN_EACH=0 CONTRAIL="$out/contrail" bash "$here/run-e2e.sh" ||
	status=1
wait "$unit" || status=1
sed 's/^/unit: /' "$out/unit.out"

found=0
for report in "$out"/logs/*; do
	[ -s "$report" ] || continue
	found=$((found + 1))
	echo "valgrind: $report"
	command=$out/commands/$(basename "$report")
	[ -f "$command" ] && echo "    contrail $(cat "$command")"
	sed 's/^/    /' "$report"
done
echo "valgrind: $found of $(find "$out/logs" -type f | wc -l) processes with findings"
[ "$found" -eq 0 ] && [ "$status" -eq 0 ]
