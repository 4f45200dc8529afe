#!/usr/bin/env bash
# Measures AMQPClient against raw rabbitmq-c on one private broker, in the same run, alternating the two
# so drift on a noisy machine hits both. Writes the figures to Docs/benchmarks.md (between markers).
#
#   scripts/bench-amqp.sh [--rounds N] [--rtt-count N] [--oneway-count N] [--size BYTES] [--no-docs]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

rounds=5 rtt_count=5000 oneway_count=200000 size=256 docs=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --rtt-count) rtt_count="$2"; shift 2 ;;
        --oneway-count) oneway_count="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        --no-docs) docs=0; shift ;;
        *) die "bench-amqp.sh: unknown argument $1" ;;
    esac
done

ensure_packages rabbitmq-server librabbitmq-dev gcc python3 pkg-config
run_dir="$(mktemp -d /tmp/vum-bench.XXXXXX)"
trap 'bash "$here/broker.sh" stop --dir "$run_dir/broker" >/dev/null 2>&1 || true; rm -rf "$run_dir"' EXIT

cd "$root"
echo "== building (release)" >&2
swift build -c release --product amqp-benchmark 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' >&2
swift_bin="$(swift build -c release --show-bin-path)/amqp-benchmark"
c_bin="$run_dir/amqp_baseline"
gcc -O2 -o "$c_bin" Benchmarks/c/amqp_baseline.c $(pkg-config --cflags --libs librabbitmq) -lpthread

start_private_broker "$run_dir/broker" --no-tls
args=("$RABBITMQ_HOST" "$RABBITMQ_PORT" "$RABBITMQ_USER" "$RABBITMQ_PASSWORD")

results="$run_dir/results.jsonl"
run() { # impl round args...: one run, its JSON line tagged with implementation and round
    local impl="$1" round="$2"; shift 2
    local bin="$c_bin"; [ "$impl" = swift ] && bin="$swift_bin"
    "$bin" "${args[@]}" "$@" | sed "s/^{/{\"impl\":\"$impl\",\"round\":$round,/" | tee -a "$results" >&2
}
for round in $(seq 1 "$rounds"); do
    echo "== round $round of $rounds" >&2
    # Back to back within a round, so each round's ratios see the same machine.
    run c "$round" rtt "$rtt_count"
    run swift "$round" rtt "$rtt_count"
    run swift "$round" rtt-owner "$rtt_count"
    run c "$round" oneway "$oneway_count" "$size"
    run swift "$round" oneway "$oneway_count" "$size"
    run swift "$round" oneway-owner "$oneway_count" "$size"
done

table="$(python3 - "$results" "$rounds" "$rtt_count" "$oneway_count" "$size" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rounds, rtt_count, oneway_count, size = sys.argv[2:6]
def med(impl, mode, key):
    return statistics.median(r[key] for r in rows if r["impl"] == impl and r["mode"] == mode)
def ratio(mode, key, invert=False):
    # Paired by round: the two runs of a round are minutes apart at most, so drift of the machine
    # between rounds (large on a shared 2-core VM) cancels out of each round's ratio.
    c = {r["round"]: r[key] for r in rows if r["impl"] == "c" and r["mode"] == mode.removesuffix("-owner")}
    s = {r["round"]: r[key] for r in rows if r["impl"] == "swift" and r["mode"] == mode}
    return statistics.median((c[k] / s[k]) if invert else (s[k] / c[k]) for k in c if k in s)
out = []
out.append(f"Median of {rounds} alternating rounds; round trip: {rtt_count} sequential request/reply pairs "
           f"after warm-up; one-way: {oneway_count} messages of {size} bytes, manual acks, prefetch 500. "
           f"The ratio is the median of the rounds' ratios (each round runs C and Swift back to back).\n")
out.append("| benchmark | raw rabbitmq-c | AMQPClient (Swift) | ratio Swift / C | goal |")
out.append("|---|---|---|---|---|")
for mode, suffix in (("rtt", ""), ("rtt-owner", ", consumers on the connection's executor")):
    for key, label in (("p50_us", "p50"), ("p90_us", "p90"), ("p99_us", "p99")):
        c, s = med("c", "rtt", key), med("swift", mode, key)
        out.append(f"| round trip {label} (µs){suffix} | {c:.0f} | {s:.0f} | {ratio(mode, key):.2f} | ≤ 1.25 |")
for mode, suffix in (("oneway", ""), ("oneway-owner", ", consumer on the connection's executor")):
    c, s = med("c", "oneway", "msgs_per_s"), med("swift", mode, "msgs_per_s")
    out.append(f"| one-way throughput (msg/s){suffix} | {c:.0f} | {s:.0f} | {ratio(mode, 'msgs_per_s', invert=True):.2f} (C / Swift) | ≤ 1.25 |")
print("\n".join(out))
PY
)"
echo "$table"
if [ "$docs" = 1 ]; then
    python3 - "$root/Docs/benchmarks.md" "$table" "$(date -u +%Y-%m-%d)" "$(nproc)" <<'PY'
import sys, re
path, table, day, cores = sys.argv[1:5]
text = open(path).read()
block = (f"<!-- amqp-bench:start -->\nMeasured {day} on this project's {cores}-core machine with "
         f"`scripts/bench-amqp.sh` (release build, plain TCP, one private RabbitMQ node).\n\n{table}\n<!-- amqp-bench:end -->")
text = re.sub(r"<!-- amqp-bench:start -->.*?<!-- amqp-bench:end -->", lambda m: block, text, flags=re.S)
open(path, "w").write(text)
PY
    echo "updated Docs/benchmarks.md" >&2
fi
