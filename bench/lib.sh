# Helpers of the benchmark scripts (sourced). rate uses $events, the events timed.
# seconds START: seconds since START (a `date +%s.%N` reading)
seconds() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }
# rate SECONDS: events per second
rate() { awk -v n="$events" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
# median JSON INDEX: hyperfine's median in seconds for command INDEX of its JSON export
median() { python3 -c "import json; print(json.load(open('$1'))['results'][$2]['median'])"; }
