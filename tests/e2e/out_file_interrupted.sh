# `generate --out FILE` and `export --out FILE` write FILE.partial and rename it over FILE at the
# end (cli/output_file.c). SIGINT or SIGTERM part-way stops the command as it stops a merge: exit
# 4, one line naming FILE as left as it was, FILE as it was (or still absent) and no FILE.partial.
# A signal that comes while the whole file is put in place is ignored: the file is kept.
source "$(dirname "$0")/lib.sh"

# A signal ignored by the shell that starts a background job (SIGINT here) is given its default
# action back, as at a terminal, so that a command that does not catch it dies of it.
restore=()
if env --default-signal=INT true 2> /dev/null; then restore=(env --default-signal=INT,TERM); fi

# stop_part_way SIGNAL FILE COMMAND...: runs COMMAND, which writes FILE, in the background and
# sends it SIGNAL once FILE.partial holds some of it -> $status, stop.out, stop.err; $stopped is 1
# when the signal was sent and COMMAND did not exit 0, else 0 (it finished first)
stop_part_way() {
	local signal=$1 file=$2 pid; shift 2
	"${restore[@]}" "$@" > stop.out 2> stop.err &
	pid=$!
	while [ ! -s "$file.partial" ] && kill -0 "$pid" 2> /dev/null; do sleep 0.01; done
	stopped=0
	if [ -s "$file.partial" ]; then
		kill "-$signal" "$pid" 2> /dev/null || true
		stopped=1
	fi
	status=0
	wait "$pid" || status=$?
	[ "$status" -ne 0 ] || stopped=0
}

# expect_left COMMAND SIGNAL FILE BEFORE: COMMAND stopped by SIGNAL left FILE with checksum BEFORE
# ("absent": no FILE) and said so in one line
expect_left() {
	local command=$1 signal=$2 file=$3 before=$4 now=absent
	expect_eq "exit of $command stopped by SIG$signal" 4 "$status"
	expect_eq "its lines on stderr ($command, $signal)" 1 "$(wc -l < stop.err)"
	grep -q "^contrail $command: stopped by a signal; $file is left as it was$" stop.err ||
		fail "$command, $signal: $(cat stop.err)"
	expect_eq "nothing on stdout ($command, $signal)" 0 "$(wc -c < stop.out)"
	[ ! -e "$file.partial" ] || fail "$command, $signal: $file.partial left behind"
	[ ! -e "$file" ] || now=$(sha256sum < "$file")
	expect_eq "$file after $command stopped by SIG$signal" "$before" "$now"
}

# what the file a stopped command wrote must be: old's checksum as it was, new still absent
expected_of() {
	if [ "$1" = old ]; then echo "$before"; else echo absent; fi
}

# generate: a history far too long to be written before the signal (about 1 GB)
"$CONTRAIL" generate --seed 3 --accounts 5 --out old.jsonl 2> /dev/null
before=$(sha256sum < old.jsonl)
for signal in INT TERM; do
	for target in old new; do
		stop_part_way "$signal" "$target.jsonl" \
			"$CONTRAIL" generate --accounts 100000 --out "$target.jsonl"
		expect_eq "generate stopped part-way ($signal, $target)" 1 "$stopped"
		expect_left generate "$signal" "$target.jsonl" "$(expected_of "$target")"
	done
done

# export: a table of about 8 MB as JSON, written in a few tenths of a second, so a run that
# finished before the signal reached it is tried again (and checked whole)
"$CONTRAIL" generate --seed 5 --accounts 3000 --out h.jsonl 2> /dev/null
"$CONTRAIL" replay --source jsonl:h.jsonl --db c.db > /dev/null
"$CONTRAIL" export --db c.db --table invoice_lines --format json --out whole.json
"$CONTRAIL" export --db c.db --table allocations --format json --out old.json
before=$(sha256sum < old.json)
for signal in INT TERM; do
	for target in old new; do
		for _ in $(seq 1 20); do
			stop_part_way "$signal" "$target.json" "$CONTRAIL" export --db c.db \
				--table invoice_lines --format json --out "$target.json"
			[ "$stopped" -eq 1 ] && break
			cmp -s whole.json "$target.json" || fail "an export run through differs"
			rm "$target.json"
			if [ "$target" = old ]; then
				"$CONTRAIL" export --db c.db --table allocations --format json --out old.json
			fi
		done
		expect_eq "export stopped part-way ($signal, $target)" 1 "$stopped"
		expect_left export "$signal" "$target.json" "$(expected_of "$target")"
	done
done

# a signal as the whole file is put in place (the shim sends SIGTERM just before the rename)
# leaves it there: exit 0, its summary, the same bytes as a run left alone
"$CONTRAIL" generate --seed 3 --accounts 50 --out clean.jsonl 2> /dev/null
sync_shim
status=0
SYNC_SHIM_SIGNAL_RENAME=late.jsonl shimmed "$CONTRAIL" generate --seed 3 --accounts 50 \
	--out late.jsonl 2> late.err || status=$?
expect_eq "exit of a generate sent SIGTERM as its file is put in place" 0 "$status"
grep -q "^rename \(.*/\)\?late.jsonl.partial \(.*/\)\?late.jsonl$" sync.log ||
	fail "no rename: $(cat sync.log)"
grep -q "^generated " late.err || fail "$(cat late.err)"
cmp -s clean.jsonl late.jsonl || fail "the history put in place differs from a run left alone"
[ ! -e late.jsonl.partial ] || fail "late.jsonl.partial left behind"
status=0
SYNC_SHIM_SIGNAL_RENAME=late.json shimmed "$CONTRAIL" export --db c.db --table allocations \
	--format json --out late.json 2> late.err || status=$?
expect_eq "exit of an export sent SIGTERM as its file is put in place" 0 "$status"
cmp -s old.json late.json || fail "the rows put in place differ: $(cat late.err)"
[ ! -e late.json.partial ] || fail "late.json.partial left behind"
