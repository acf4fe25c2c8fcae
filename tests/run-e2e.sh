#!/usr/bin/env bash
# Runs the end-to-end tests against the built binary ($CONTRAIL): the scenarios of
# tests/scenarios/ and every tests/e2e/*.sh. Prints one line per test and a closing
# `N passed, N failed` line; exits non-zero when any failed. E2E_ONLY="name ..." runs
# only those tests of tests/e2e/, and the scenarios only when it names `scenarios`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export CONTRAIL=${CONTRAIL:?set CONTRAIL to the contrail binary}
passed=0
failed=0

if [ -z "${E2E_ONLY:-}" ] || [[ " $E2E_ONLY " == *" scenarios "* ]]; then
	started=$SECONDS
	if python3 "$here/run-scenarios.py"; then
		echo "ok   scenarios ($((SECONDS - started)) s)"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
fi

for test in "$here"/e2e/*.sh; do
	[ "$(basename "$test")" = lib.sh ] && continue
	name=$(basename "$test" .sh)
	if [ -n "${E2E_ONLY:-}" ] && [[ " $E2E_ONLY " != *" $name "* ]]; then
		continue
	fi
	work=$(mktemp -d)
	started=$SECONDS
	# a test that hangs fails after 5 minutes (E2E_TIMEOUT seconds) instead of holding the run
	status=0
	(cd "$work" && timeout "${E2E_TIMEOUT:-300}" bash "$test") > "$work.log" 2>&1 || status=$?
	if [ "$status" -eq 0 ]; then
		echo "ok   $name ($((SECONDS - started)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		[ "$status" -ne 124 ] || echo "    stopped after ${E2E_TIMEOUT:-300} s"
		sed 's/^/    /' "$work.log" | tail -n 30
		failed=$((failed + 1))
	fi
	rm -rf "$work" "$work.log"
done

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
