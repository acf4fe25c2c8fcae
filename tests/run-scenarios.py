#!/usr/bin/env python3
"""End-to-end scenarios: JSON Lines in, SQL results out (tests/scenarios/NAME/).

Each scenario folder holds:
  events.jsonl  the history
  args          extra `contrail replay` arguments (optional, one line)
  expect        checks: a `> SQL` line followed by the expected rows, `|`-separated,
                as the sqlite3 shell prints them; `#` lines name the rule checked.
Each scenario is replayed six ways that must agree (E4): from JSON Lines with
the default batch, from JSON Lines with --batch 1, one event per run (each line
a source of its own, each run resuming from the last; on the scenario's business
date, and on another then judged again by a run of none on the scenario's; not
when SCENARIOS_ONE_RUN_EACH=0, as under valgrind), and from a local Avro log
written by `contrail ingest`, incrementally and with --rebuild (lines ingest
refuses are left out of those runs, so their checks are skipped when ingest
refused any line and only the hash of the first two is compared).
Scenarios run side by side, one per core (SCENARIOS_JOBS sets how many).
"""
import concurrent.futures
import os
import sqlite3
import subprocess
import sys
import tempfile

CONTRAIL = os.environ["CONTRAIL"]
HERE = os.path.dirname(os.path.abspath(__file__))


def parse_expect(path):
    checks, current, comment = [], None, ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.startswith("#"):
            comment = line[1:].strip()
        elif line.startswith("> "):
            current = {"sql": line[2:], "rows": [], "why": comment}
            checks.append(current)
        elif line.strip() and current is not None:
            current["rows"].append(line)
    return checks


def as_text(value):
    return "" if value is None else str(value)


def run_checks(db, checks):
    failures = []
    con = sqlite3.connect(db)
    for check in checks:
        rows = ["|".join(as_text(v) for v in row) for row in con.execute(check["sql"])]
        if rows != check["rows"]:
            failures.append("%s\n    %s\n    expected %s\n    got      %s"
                            % (check["why"], check["sql"], check["rows"], rows))
    con.close()
    return failures


def replay(source, db, args):
    result = subprocess.run([CONTRAIL, "replay", "--source", source, "--db", db] + args,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("replay failed: " + result.stderr.strip())
    return result.stdout.split("projection hash ")[1].strip()


def another_date(args):
    """args with another business date than theirs (or today's)."""
    out = [a for i, a in enumerate(args)
           if a != "--business-date" and (i == 0 or args[i - 1] != "--business-date")]
    return out + ["--business-date", "2001-02-03"]


def run_scenario(folder):
    events = os.path.join(folder, "events.jsonl")
    args_path = os.path.join(folder, "args")
    args = open(args_path).read().split() if os.path.exists(args_path) else []
    checks = parse_expect(os.path.join(folder, "expect"))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        hashes = {}
        for name, extra in (("jsonl", []), ("jsonl-batch-1", ["--batch", "1"])):
            db = os.path.join(tmp, name + ".db")
            hashes[name] = replay("jsonl:" + events, db, args + extra)
            failures += ["[%s] %s" % (name, f) for f in run_checks(db, checks)]
        # every event in a run of its own, each run resuming from the last: on the scenario's
        # business date, and on another one followed by a run of no events on the scenario's,
        # which judges every row again (E4, E5)
        none = os.path.join(tmp, "none.jsonl")
        open(none, "w").close()
        one_run_each = (("one-run-each", args), ("one-run-each-judged-again", another_date(args)))
        if os.environ.get("SCENARIOS_ONE_RUN_EACH", "1") == "0":
            one_run_each = ()  # under valgrind: a process an event would take most of an hour
        for name, each_args in one_run_each:
            db = os.path.join(tmp, name + ".db")
            for number, line in enumerate(open(events, encoding="utf-8", newline="\n"), 1):
                one = os.path.join(tmp, "event-%d.jsonl" % number)
                with open(one, "w", encoding="utf-8", newline="\n") as out:
                    out.write(line)
                hashes[name] = replay("jsonl:" + one, db, each_args)
            if each_args != args:
                hashes[name] = replay("jsonl:" + none, db, args)
            # each of its runs counts its own event: the checks of `runs` are for one run
            failures += ["[%s] %s" % (name, f) for f in
                         run_checks(db, [c for c in checks if "FROM runs" not in c["sql"]])]
        log = os.path.join(tmp, "events.avro")
        ingest = subprocess.run([CONTRAIL, "ingest", "--log", log, events],
                                capture_output=True, text=True)
        if ingest.returncode == 0:
            for name, extra in (("file", []), ("file-rebuild", ["--rebuild"])):
                db = os.path.join(tmp, name + ".db")
                hashes[name] = replay("file:" + log, db, args + extra)
                failures += ["[%s] %s" % (name, f) for f in run_checks(db, checks)]
        elif ingest.returncode != 1:
            failures.append("ingest failed: " + ingest.stderr.strip())
        if len(set(hashes.values())) != 1:
            failures.append("projection hashes differ (E4): %s" % hashes)
    return failures


def failures_of(folder):
    try:
        return run_scenario(folder)
    except Exception as error:  # a crash is a failure of this scenario only
        return [str(error)]


def main(only):
    """Runs every scenario, or only those named on the command line, one per core at a time."""
    root = os.path.join(HERE, "scenarios")
    passed = failed = 0
    unknown = [name for name in only if not os.path.isdir(os.path.join(root, name))]
    if unknown:
        print("no such scenario: %s" % " ".join(unknown))
        return 2
    names = [name for name in sorted(os.listdir(root))
             if os.path.isdir(os.path.join(root, name)) and (not only or name in only)]
    workers = int(os.environ.get("SCENARIOS_JOBS", os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(failures_of, [os.path.join(root, name) for name in names])
        for name, failures in zip(names, results):  # in name order, as each is done
            if failures:
                failed += 1
                print("FAIL %s" % name)
                for f in failures:
                    print("  " + f)
            else:
                passed += 1
                print("ok   %s" % name)
            sys.stdout.flush()
    print("scenarios: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
