#!/usr/bin/env bash
# The Kafka half of `make bench` (run by bench/run.sh in its work directory, on its log
# base.avro): publishing the log to `contrail broker` (64 partitions) next to kcat producing the
# same framed bytes, and a replay of the topic into the projections next to kcat reading the same
# topic to /dev/null with the same fetch settings. Figures are printed, not asserted.
set -euo pipefail
contrail=${CONTRAIL:?}
events=${1:?events in base.avro}
# the settings contrail sets for itself (engine/kafka_config.c), so both clients fetch alike
fetch=(-X fetch.wait.max.ms=10 -X queued.min.messages=1000000 -X queued.max.messages.kbytes=32768)

"$contrail" broker --topic events --partitions 64 --topic bytes --partitions 64 > broker.out 2> broker.err &
broker=$!
trap 'kill $broker 2> /dev/null; wait $broker 2> /dev/null || true' EXIT
# its address, a whole line, once it listens (within a minute, or the bench stops saying why)
boot=
for _ in $(seq 1 600); do
	boot=$(grep -m 1 -x '[^ ]*:[0-9]*' broker.out || true)
	[ -z "$boot" ] && kill -0 "$broker" 2> /dev/null || break
	sleep 0.1
done
if [ -z "$boot" ]; then
	echo "contrail broker gave no address: $(cat broker.err)" >&2
	exit 1
fi

source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

echo
echo "== publish to the embedded broker (1 run each)"
start=$(date +%s.%N)
"$contrail" publish --to "kafka://$boot/events" file:base.avro 2>&1 | tail -n 1
publish_s=$(seconds "$start")
# the same keys and framed values, as kcat input: key \x1f value \x1e\x1d\x1c\x1b
kcat -C -b "$boot" -t events -e -q "${fetch[@]}" -f '%k\x1f%s\x1e\x1d\x1c\x1b' > frames.bin
start=$(date +%s.%N)
kcat -P -b "$boot" -t bytes -K '\x1f' -D '\x1e\x1d\x1c\x1b' < frames.bin # delimiters apply to stdin only
kcat_produce_s=$(seconds "$start")
produced=$(kcat -C -b "$boot" -t bytes -e -q "${fetch[@]}" -f '%o\n' | wc -l)
echo "kcat produced $produced messages"

echo
echo "== replay of the topic vs kcat reading it (hyperfine, 3 runs each)"
hyperfine --style basic --runs 3 --warmup 1 --export-json kafka.json \
	-n "contrail replay --rebuild from Kafka" \
	"$contrail replay --source kafka://$boot/events --db kafka.db --rebuild --business-date 2024-04-01" \
	-n "kcat -C -e > /dev/null" "kcat -C -b $boot -t events -e -q ${fetch[*]} > /dev/null"
replay_s=$(median kafka.json 0)
kcat_s=$(median kafka.json 1)

echo
echo "== Kafka results ($events events, 64 partitions)"
printf "%-34s %10s %12s\n" "" "seconds" "events/s"
printf "%-34s %10.3f %12s\n" "contrail publish" "$publish_s" "$(rate "$publish_s")"
printf "%-34s %10.3f %12s\n" "kcat -P, the same bytes" "$kcat_produce_s" "$(rate "$kcat_produce_s")"
printf "%-34s %10.3f %12s\n" "contrail replay (projections)" "$replay_s" "$(rate "$replay_s")"
printf "%-34s %10.3f %12s\n" "kcat -C -e > /dev/null" "$kcat_s" "$(rate "$kcat_s")"
echo "replay vs kcat: $(awk -v a="$kcat_s" -v b="$replay_s" 'BEGIN { printf "%.2f", a / b }') of kcat's rate (target 0.8)"
echo "publish vs kcat: $(awk -v a="$kcat_produce_s" -v b="$publish_s" 'BEGIN { printf "%.2f", a / b }') of kcat's rate"
