# Command lines that a user can get wrong without noticing (docs/cli.md): an option that takes
# a value given twice (getopt would let the second silently win) or given an empty value is a
# bad command line, exit 2 with one line; export refuses to write over the database it reads;
# hash --recompute says when the kept sums differ from the rows; audit takes the replay's
# options that judge states (L5 --expiring-days, K3 --store-cutoff); a business date is one the
# holiday calendar covers.
source "$(dirname "$0")/lib.sh"
"$CONTRAIL" generate --seed 21 --accounts 5 --out history.jsonl 2> /dev/null
"$CONTRAIL" replay --source jsonl:history.jsonl --db x.db --business-date 2024-04-01 > /dev/null
hash=$("$CONTRAIL" hash --db x.db)

# usage_line WHAT EXPECTED_LINE ARGS...: exit 2 and that one line on stderr
usage_line() {
	local what=$1 line=$2 status=0
	shift 2
	"$CONTRAIL" "$@" > out.txt 2> err.txt || status=$?
	expect_eq "exit of $what" 2 "$status"
	expect_eq "stderr of $what" "$line" "$(cat err.txt)"
}
usage_line "a second --until" "contrail audit: --until is given twice" audit \
	--source jsonl:history.jsonl --stream 100001 --until 2020-01-01T00:00:00+09:00 \
	--until=2030-01-01T00:00:00+09:00
# an audit's --until is refused as a replay's, saying what form it takes
for args in "audit --stream 100001" "replay --db u.db"; do
	# shellcheck disable=SC2086 # the command and its options, split
	usage_line "${args%% *} --until without an offset" "contrail ${args%% *}: --until 2024-01-01T00:00:00 is not an RFC 3339 timestamp with an offset, its date in Japan in years 0000-9999" \
		$args --source jsonl:history.jsonl --until 2024-01-01T00:00:00
done
usage_line "a second --stream" "contrail audit: --stream is given twice" audit \
	--source jsonl:history.jsonl --stream 100001 --stream 100002
usage_line "a second --db, by a prefix" "contrail replay: --db is given twice" replay \
	--source jsonl:history.jsonl --db x.db --d other.db
usage_line "a second --format" "contrail export: --format is given twice" export --db x.db \
	--table runs --format csv --format=json
# every command refuses an option it does not know, and one missing its value, in the same words
for cmd in replay ingest status export hash generate dump audit publish merge reconcile invoices \
	schema diff; do
	usage_line "$cmd --bogus" "contrail $cmd: unknown option --bogus (see contrail $cmd --help)" \
		"$cmd" --bogus
done
for cmd in replay dump audit publish; do
	usage_line "$cmd -X without a value" "contrail $cmd: -X needs a value" "$cmd" -X
done
usage_line "--accounts without a value" "contrail generate: --accounts needs a value" generate \
	--accounts
# an unknown letter inside a cluster of short options is the one named
usage_line "replay -zh" "contrail replay: unknown option -z (see contrail replay --help)" replay -zh
usage_line "invoices --db x.db -qz" \
	"contrail invoices: unknown option -q (see contrail invoices --help)" invoices --db x.db -qz
# a value given to an option that takes none, and a prefix of two options, are named as such
usage_line "--rebuild=yes" "contrail replay: --rebuild takes no value" replay \
	--source jsonl:history.jsonl --db other.db --rebuild=yes
usage_line "--help=1" "contrail status: --help takes no value" status --db x.db --help=1
usage_line "replay --s" "contrail replay: --s is ambiguous: --source, --store-cutoff" replay \
	--s jsonl:history.jsonl --db other.db
usage_line "audit --st=x" "contrail audit: --st is ambiguous: --stream, --store-cutoff" audit \
	--source jsonl:history.jsonl --st=100001
usage_line "an empty --db" "contrail replay: --db needs a value" replay \
	--source jsonl:history.jsonl --db ''
usage_line "an empty --out=" "contrail generate: --out needs a value" generate --accounts 1 --out=
usage_line "an empty --stream" "contrail audit: --stream needs a value" audit \
	--source jsonl:history.jsonl --stream ''
usage_line "a blank --group" "contrail replay: --group needs a name, not blanks" replay \
	--source kafka://127.0.0.1:1/t --db g.db --group ' '
# a bootstrap server or topic a broker would not take is a bad command line, not a connection to
# another port (librdkafka wraps a port past 65535 around) or a topic refused later
usage_line "a port past 65535" "contrail replay: kafka://127.0.0.1:106863/t: bootstrap server \"127.0.0.1:106863\" is not HOST[:PORT] (a port from 1 to 65535; an IPv6 address in brackets)" \
	replay --source kafka://127.0.0.1:106863/t --db g.db
usage_line "an empty bootstrap server" "contrail dump: kafka://h:1,/t: bootstrap server \"\" is not HOST[:PORT] (a port from 1 to 65535; an IPv6 address in brackets)" \
	dump --source kafka://h:1,/t
usage_line "a port that is not a number" "contrail publish: --to kafka://h:x/t: bootstrap server \"h:x\" is not HOST[:PORT] (a port from 1 to 65535; an IPv6 address in brackets)" \
	publish --to kafka://h:x/t jsonl:history.jsonl
usage_line "a topic name Kafka refuses" "contrail replay: kafka://h/a,b\$1: topic \"b\$1\" is not a Kafka topic name (1 to 249 letters, digits, '.', '_' or '-'; not \".\" or \"..\")" \
	replay --source 'kafka://h/a,b$1' --db g.db
usage_line "a topic named .." "contrail publish: --to kafka://[::1]:9092/..: topic \"..\" is not a Kafka topic name (1 to 249 letters, digits, '.', '_' or '-'; not \".\" or \"..\")" \
	publish --to 'kafka://[::1]:9092/..' jsonl:history.jsonl
usage_line "an -X value out of librdkafka's range" "contrail replay: -X queued.min.messages: Configuration property \"queued.min.messages\" value 0 is outside allowed range 1..10000000" \
	replay --source kafka://h/t --db g.db -X queued.min.messages=0
# E5, B9: a business date past the holiday calendar's years would bill every month up to it
usage_line "a business date past 2099" "contrail replay: --business-date 9999-12-31 is outside the years the holiday calendar covers (1955 to 2099)" \
	replay --source jsonl:history.jsonl --db other.db --business-date 9999-12-31
usage_line "an audit's business date before 1955" "contrail audit: --business-date 1954-12-31 is outside the years the holiday calendar covers (1955 to 2099)" \
	audit --source jsonl:history.jsonl --stream 100001 --business-date 1954-12-31
[ ! -e other.db ] && [ ! -e g.db ] || fail "a refused command line made a file"
# -X repeats by design, and a value after -X is not an option of its own
"$CONTRAIL" replay --source jsonl:history.jsonl --db x.db -X a=1 -X --db=y 2> err.txt && fail "-X on a file source"
grep -q "^contrail replay: --group, --follow and -X are for kafka:// sources$" err.txt || fail "$(cat err.txt)"

# export --out naming the database, by its name or through a link, leaves it whole
ln -s x.db link.csv
usage_line "export over its database" "contrail export: --out x.db is the database it exports from" \
	export --db x.db --table runs --format csv --out x.db
usage_line "export over its database by a link" \
	"contrail export: --out link.csv is the database it exports from" \
	export --db x.db --table runs --format csv --out link.csv
expect_eq "the database after both" "$hash" "$("$CONTRAIL" hash --db x.db)"
[ ! -e x.db.partial ] && [ ! -e link.csv.partial ] || fail "a partial file was left"

# hash --recompute checks the kept sums (E4a) against the rows
expect_eq "the rows' hash of an untouched database" "$hash" "$("$CONTRAIL" hash --db x.db --recompute)"
cp x.db edited.db
q edited.db "$(q edited.db "SELECT group_concat('DROP TRIGGER \"' || name || '\"', ';') FROM
	sqlite_schema WHERE type = 'trigger' AND sql LIKE '%contracts%'")"
q edited.db "UPDATE contracts SET name = name || ' (edited)' WHERE contract_id =
	(SELECT min(contract_id) FROM contracts)"
expect_eq "the kept hash, blind to the edit" "$hash" "$("$CONTRAIL" hash --db edited.db)"
status=0
"$CONTRAIL" hash --db edited.db --recompute > out.txt 2> err.txt || status=$?
expect_eq "exit of hash --recompute on edited sums" 3 "$status"
[ "$(cat out.txt)" != "$hash" ] && [ "$(wc -c < out.txt)" = 65 ] || fail "the rows' hash: $(cat out.txt)"
grep -q "^contrail hash: contracts: the kept sums differ from its rows" err.txt || fail "$(cat err.txt)"
expect_eq "its lines on stderr" 1 "$(wc -l < err.txt)"

# audit judges as a replay given the same --expiring-days and --store-cutoff does (L5, K3)
cat > judged.jsonl <<'JSONL'
{"id":"x1","type":"contract.opened","stream":"C-X","seq":1,"account":"1","at":"2024-01-05T10:00:00+09:00","data":{"name":"n","kind":"license","start_date":"2024-01-01","end_date":"2024-07-31","owners":[{"user":"o@x.jp","email":"o@x.jp","name":"O"}],"products":[{"sku":"A","name":"A","licenses":3}]}}
{"id":"m1","type":"store.account_migrated","stream":"s1/a@x.jp","seq":1,"account":"1","at":"2024-01-05T10:00:00+09:00","data":{"store_id":"s1","email":"a@x.jp","orders":0,"valid_quotes":0}}
JSONL
judge=(--business-date 2024-06-01 --expiring-days 30 --store-cutoff 2024-05-01)
"$CONTRAIL" replay --source jsonl:judged.jsonl --db judged.db "${judge[@]}" > /dev/null
expect_eq "the replay's states" "active deactivated" \
	"$(q judged.db "SELECT (SELECT status FROM contracts) || ' ' || (SELECT state FROM store_accounts)")"
"$CONTRAIL" audit --source jsonl:judged.jsonl --stream C-X "${judge[@]}" --format json > c.json
"$CONTRAIL" audit --source jsonl:judged.jsonl --stream s1/a@x.jp "${judge[@]}" --format json > s.json
"$CONTRAIL" audit --source jsonl:judged.jsonl --stream C-X --business-date 2024-06-01 \
	--format json > c_default.json
python3 - <<'PY'
import json
contract = json.load(open("c.json"))[-1]["state"]
store = json.load(open("s.json"))[-1]["state"]
default = json.load(open("c_default.json"))[-1]["state"]
def find(state, key):
    if isinstance(state, dict):
        if key in state:
            return state[key]
        for v in state.values():
            found = find(v, key)
            if found is not None:
                return found
    if isinstance(state, list):
        for v in state:
            found = find(v, key)
            if found is not None:
                return found
    return None
assert find(contract, "status") == "active", contract          # 60 days left, 30 asked
assert find(default, "status") == "expiring", default          # within the default 90
assert find(store, "state") == "deactivated", store            # K3 from the cutoff on
PY
usage_line "a bad --expiring-days to audit" \
	"contrail audit: --expiring-days must be an integer from 0 to 100000" \
	audit --source jsonl:judged.jsonl --stream C-X --expiring-days 9x

# the broker's --brokers once and a whole number; each topic's --partitions at most once
usage_line "a second --brokers" "contrail broker: bad, repeated or misplaced --brokers 3 (--brokers 1-16, once; each --topic NAME followed by at most one --partitions 1-1024)" \
	broker --brokers 2 --brokers 3
usage_line "a number with junk" "contrail broker: bad, repeated or misplaced --brokers 2x (--brokers 1-16, once; each --topic NAME followed by at most one --partitions 1-1024)" \
	broker --brokers 2x
usage_line "a topic's second --partitions" "contrail broker: bad, repeated or misplaced --partitions 3 (--brokers 1-16, once; each --topic NAME followed by at most one --partitions 1-1024)" \
	broker --topic a --partitions 2 --partitions 3

# schema into a full disk fails as every other command does; ingest of a directory makes no log
status=0
"$CONTRAIL" schema > /dev/full 2> err.txt || status=$?
expect_eq "exit of schema into a full disk" 4 "$status"
expect_eq "its line" "contrail schema: cannot write to standard output" "$(cat err.txt)"
# an --out whose partial file cannot be made beside it says so: the file itself is not what failed
status=0
"$CONTRAIL" generate --seed 21 --accounts 5 --out /proc/version 2> err.txt || status=$?
expect_eq "exit of generate into /proc/version" 4 "$status"
grep -q "^contrail generate: cannot write /proc/version: /proc/version.partial, written first and renamed over it, cannot be made: " \
	err.txt || fail "$(cat err.txt)"
mkdir blocked.jsonl.partial # so is a partial in the way (here a directory) of a file not there
status=0
"$CONTRAIL" generate --seed 21 --accounts 5 --out blocked.jsonl 2> err.txt || status=$?
expect_eq "exit of generate with its partial a directory" 4 "$status"
expect_eq "its line" "contrail generate: cannot write blocked.jsonl: blocked.jsonl.partial, written first and renamed over it, cannot be made: Is a directory" \
	"$(cat err.txt)"
# so does a command whose summary is lost there (a replay's, its runs committed), and --help
status=0
"$CONTRAIL" replay --source jsonl:history.jsonl --db full.db > /dev/full 2> err.txt || status=$?
expect_eq "exit of replay into a full disk" 4 "$status"
expect_eq "its line" "contrail replay: cannot write to standard output" "$(cat err.txt)"
expect_eq "the run committed" 1 "$(q full.db 'SELECT count(*) FROM runs')"
for args in "--help" "replay --help"; do
	status=0
	"$CONTRAIL" $args > /dev/full 2> err.txt || status=$?
	expect_eq "exit of $args into a full disk" 4 "$status"
done
mkdir adir
status=0
"$CONTRAIL" ingest --log made.avro adir 2> err.txt || status=$?
expect_eq "exit of ingest of a directory" 3 "$status"
expect_eq "its line" "contrail ingest: cannot read adir: Is a directory" "$(cat err.txt)"
[ ! -e made.avro ] || fail "an ingest of a directory made a log"

# ingest: a closed standard input is an input that cannot be read (the log was opened as
# descriptor 0 and read back as the input); --schema-version a whole number; a log that is a
# pipe is no log
"$CONTRAIL" ingest --log closed.avro history.jsonl 2> /dev/null || [ $? -eq 1 ]
cp closed.avro closed-before.avro
status=0
"$CONTRAIL" ingest --log closed.avro - <&- 2> err.txt || status=$?
expect_eq "exit of ingest from a closed standard input" 3 "$status"
expect_eq "its line" "contrail ingest: cannot read -: Bad file descriptor" "$(cat err.txt)"
cmp -s closed.avro closed-before.avro || fail "the log changed"
# so is jsonl:- for every command that reads a source: no events is not what was meant. (The
# line names the source as `-` when contrail finds the descriptor closed as it starts, and as
# `jsonl:-` when it finds out by reading it, as under valgrind, which holds it meanwhile; a
# publish has then started its producer, whose failed connection librdkafka logs.)
for args in "replay --source jsonl:- --db closed.db" "dump --source jsonl:-" \
	"audit --source jsonl:- --stream 100001" "publish --to kafka://127.0.0.1:9/t jsonl:-"; do
	status=0
	"$CONTRAIL" $args <&- > /dev/null 2> "closed-${args%% *}.err" || status=$?
	expect_eq "exit of $args from a closed standard input" 3 "$status"
	expect_eq "its lines" 1 "$(grep -c '^contrail ' "closed-${args%% *}.err")"
	grep -Eq "^contrail ${args%% *}: (cannot read -|jsonl:-): Bad file descriptor$" \
		"closed-${args%% *}.err" || fail "$(cat "closed-${args%% *}.err")"
done
# found closed as it starts, before anything is opened
if grep -q "cannot read -" closed-replay.err; then
	[ ! -e closed.db ] || fail "a replay from a closed standard input made its database"
fi
usage_line "a version with junk" "contrail ingest: --schema-version must be a positive integer" \
	ingest --log v.avro --schema-version 2x history.jsonl
mkfifo pipe.avro
status=0
timeout 20 "$CONTRAIL" ingest --log pipe.avro history.jsonl 2> err.txt || status=$?
expect_eq "exit of ingest into a pipe" 3 "$status"
expect_eq "its line" "contrail ingest: pipe.avro is not a regular file" "$(cat err.txt)"
# so is a named pipe given as a database or read as a log, by every command, at once: an open of
# a pipe waits for a writer
for args in "replay --source jsonl:history.jsonl --db pipe.avro" "status --db pipe.avro" \
	"hash --db pipe.avro" "export --db pipe.avro --table runs --format csv" \
	"invoices --db pipe.avro" "diff pipe.avro x.db"; do
	status=0
	timeout 20 "$CONTRAIL" $args 2> err.txt > /dev/null || status=$?
	expect_eq "exit of $args" 3 "$status"
	expect_eq "its line" "contrail ${args%% *}: pipe.avro is not a regular file" "$(cat err.txt)"
done
for args in "replay --source file:pipe.avro --db from-pipe.db" "dump --source file:pipe.avro"; do
	status=0
	timeout 20 "$CONTRAIL" $args 2> err.txt > /dev/null || status=$?
	expect_eq "exit of $args" 3 "$status"
	expect_eq "its line" "contrail ${args%% *}: log pipe.avro is not a regular file" "$(cat err.txt)"
done
# invoices of a database that is not there: one line, exit 3 (it closed a connection it never had)
status=0
"$CONTRAIL" invoices --db missing.db 2> err.txt > /dev/null || status=$?
expect_eq "exit of invoices of a missing database" 3 "$status"
expect_eq "its line" "contrail invoices: cannot open missing.db: no such readable file" "$(cat err.txt)"
# a database named by a symbolic link to a file that is not there is not made through it
ln -s missing-target.db dangling.db
status=0
"$CONTRAIL" replay --source jsonl:history.jsonl --db dangling.db 2> err.txt > /dev/null || status=$?
expect_eq "exit of a replay into a dangling link" 4 "$status"
expect_eq "its line" "contrail replay: cannot create dangling.db: it is a symbolic link to a file that does not exist" \
	"$(cat err.txt)"
# a closed standard error is held by /dev/null: the refusals do not go into the log, which opens
# as the lowest free descriptor
printf '{"broken":\n' > broken.jsonl
status=0
"$CONTRAIL" ingest --log stderr.avro broken.jsonl 2>&- || status=$?
expect_eq "exit of ingest with standard error closed" 1 "$status"
"$CONTRAIL" dump --source file:stderr.avro > /dev/null || fail "the log took what was meant for stderr"
mkdir dir.avro
status=0
"$CONTRAIL" ingest --log dir.avro history.jsonl 2> err.txt || status=$?
expect_eq "exit of ingest into a directory" 3 "$status"
expect_eq "its line" "contrail ingest: dir.avro is not a regular file" "$(cat err.txt)"
# a replay reading the file it writes (the log or JSON Lines named as the database too, or
# through a link): one line, exit 2, and the file left alone
cp x.db same.db
ln -s same.db same-link.db
for source in file:same.db jsonl:same.db jsonl:same-link.db; do
	usage_line "a replay of $source into same.db" \
		"contrail replay: --source $source and --db same.db are one file" \
		replay --source "$source" --db same.db
done
cmp -s x.db same.db || fail "same.db changed"
# the broker: a topic named twice is a bad command line
usage_line "a topic named twice" "contrail broker: --topic a is named twice" broker --topic a \
	--partitions 2 --topic a
# a value with control characters is shown escaped in the line, which stays one line and
# takes no terminal escape
usage_line "a business date with a line feed" \
	'contrail replay: --business-date 2024\n01-01 is not a date (YYYY-MM-DD)' \
	replay --source jsonl:history.jsonl --db x.db --business-date $'2024\n01-01'
status=0
"$CONTRAIL" status --db $'\e[2Jgone.db' 2> err.txt || status=$?
expect_eq "exit of status of a missing database with an escape in its name" 3 "$status"
expect_eq "its line" 'contrail status: cannot open \x1b[2Jgone.db: no such readable file' "$(cat err.txt)"
cp history.jsonl $'two\nlines.jsonl'
printf '{"broken":\n' >> $'two\nlines.jsonl'
"$CONTRAIL" ingest --log two.avro $'two\nlines.jsonl' 2> err.txt || [ $? -eq 1 ]
grep -q '^two\\nlines.jsonl:[0-9]*: bad_json: ' err.txt || fail "$(cat err.txt)"
expect_eq "no line of the refusals starts with the name's second half" 0 "$(grep -c '^lines.jsonl' err.txt || true)"
echo ok

# An option given where another's value belongs is not taken for that value: getopt would
# make a database named --rebuild, and no rebuild (nor a report named --help)
usage_line "an option as --db's value" "contrail replay: --db needs a value (--rebuild is an option)" \
	replay --source jsonl:history.jsonl --db --rebuild
[ ! -e ./--rebuild ] || fail "a database named --rebuild was made"
usage_line "an option as --out's value" "contrail export: --out needs a value (--help is an option)" \
	export --db x.db --table runs --format csv --out --help
usage_line "an option as --stream's value" "contrail audit: --stream needs a value (--format is an option)" \
	audit --source jsonl:history.jsonl --stream --format json
usage_line "-h as --out's value" "contrail generate: --out needs a value (-h is an option)" \
	generate --accounts 1 --out -h
# an empty path where a command takes one as an argument is a bad command line too
usage_line "an empty shard" "contrail merge: a shard's path is empty" merge --out m.db x.db ''
usage_line "an empty database to diff" "contrail diff: a database path is empty" diff x.db ''
usage_line "an empty input" "contrail ingest: the input path is empty" ingest --log e.avro ''
# after `--` diff takes a word beginning with '-' for a path
cp x.db ./-x.db
"$CONTRAIL" diff -- -x.db x.db > out.txt 2> err.txt || fail "diff -- -x.db x.db: $(cat err.txt)"
grep -qx "0 rows differ" out.txt || fail "$(cat out.txt)"
usage_line "diff -x.db x.db" "contrail diff: unknown option -x.db (see contrail diff --help)" \
	diff -x.db x.db
usage_line "diff -- x.db" "contrail diff: usage: contrail diff A.db B.db" diff -- x.db
# -h is --help for every command, and diff takes it wherever it is
for command in replay ingest status export hash generate schema dump merge invoices diff \
	reconcile audit broker publish; do
	status=0
	"$CONTRAIL" "$command" -h > help.txt 2> err.txt || status=$?
	expect_eq "exit of $command -h" 0 "$status"
	grep -q "^usage: contrail $command" help.txt || fail "$command -h: $(cat help.txt err.txt)"
done
"$CONTRAIL" diff x.db x.db --help > help.txt || fail "diff with --help last"
grep -q "^usage: contrail diff" help.txt || fail "$(cat help.txt)"
# -X is for a kafka:// source, in dump and audit as in replay
usage_line "dump's -X for a log" "contrail dump: -X is for kafka:// sources" \
	dump --source jsonl:history.jsonl -X fetch.wait.max.ms=5
usage_line "audit's -X for a log" "contrail audit: -X is for kafka:// sources" \
	audit --source jsonl:history.jsonl --stream 100001 -X fetch.wait.max.ms=5
# publish sends a log or JSON Lines; a topic is replayed, not published again
usage_line "a topic as publish's source" "contrail publish: kafka://127.0.0.1:9/t is not a source publish reads: use file:PATH, jsonl:PATH or jsonl:-" \
	publish --to kafka://127.0.0.1:9/t kafka://127.0.0.1:9/t
# the broker's topics are named as Kafka names them, as replay's and publish's are
usage_line "a broker topic Kafka refuses" "contrail broker: --topic bad topic is not a Kafka topic name (1 to 249 letters, digits, '.', '_' or '-'; not \".\" or \"..\")" \
	broker --topic 'bad topic'
# a directory given as JSON Lines is refused as it is opened, before a database is made
mkdir -p adir
status=0
"$CONTRAIL" replay --source jsonl:adir --db from-dir.db 2> err.txt > /dev/null || status=$?
expect_eq "exit of a replay of a directory" 3 "$status"
expect_eq "its line" "contrail replay: cannot open adir: Is a directory" "$(cat err.txt)"
[ ! -e from-dir.db ] || fail "a replay of a directory made its database"
# a local log given as JSON Lines is refused as it is opened: read as lines each of its records
# would be rejected as bad_json (and a replay's checkpoint stored past them)
"$CONTRAIL" ingest --log lines.avro history.jsonl 2> /dev/null || [ $? -eq 1 ]
for args in "replay --source jsonl:lines.avro --db from-log.db" "dump --source jsonl:lines.avro"; do
	status=0
	"$CONTRAIL" $args 2> err.txt > /dev/null || status=$?
	expect_eq "exit of $args" 3 "$status"
	expect_eq "its line" "contrail ${args%% *}: lines.avro is an Avro log, not JSON Lines: read it as file:lines.avro" \
		"$(cat err.txt)"
done
[ ! -e from-log.db ] || fail "a replay of a log as JSON Lines made its database"
cp lines.avro lines-before.avro
status=0
"$CONTRAIL" ingest --log other.avro lines.avro 2> err.txt || status=$?
expect_eq "exit of ingest of a log" 3 "$status"
expect_eq "its line" "contrail ingest: lines.avro is an Avro log, not JSON Lines" "$(cat err.txt)"
[ ! -e other.avro ] || fail "ingest of a log made a log"
# and ingest into the file it reads is a bad command line, as replay's --source and --db are
usage_line "ingest of its own log" "contrail ingest: lines.avro and --log lines.avro are one file" \
	ingest --log lines.avro lines.avro
cmp -s lines.avro lines-before.avro || fail "the log changed"
# so is one given on standard input
status=0
"$CONTRAIL" replay --source jsonl:- --db from-stdin.db < lines.avro 2> err.txt > /dev/null || status=$?
expect_eq "exit of a replay of a log on standard input" 3 "$status"
expect_eq "its line" "contrail replay: standard input is an Avro log, not JSON Lines" "$(cat err.txt)"
[ ! -e from-stdin.db ] || fail "a replay of a log on standard input made its database"
# the closing counts say one event, line and account in the singular
head -n 1 history.jsonl > one.jsonl
printf '{bad\n' >> one.jsonl
status=0
"$CONTRAIL" ingest --log one.avro one.jsonl 2> err.txt || status=$?
expect_eq "exit of an ingest with a line refused" 1 "$status"
expect_eq "its closing line" "appended 1 event to one.avro; 1 line refused" "$(tail -n 1 err.txt)"
"$CONTRAIL" generate --seed 3 --accounts 1 --out one-account.jsonl 2> err.txt
grep -q "^generated [0-9]* events for 1 account (" err.txt || fail "$(cat err.txt)"
