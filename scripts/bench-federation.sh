#!/usr/bin/env bash
# End-to-end benchmark of the exchange: a zoekvraag over REST through the aggregator to 1, 5, 20 and 50
# adapters answering from memory and back, p50/p90/p99, and throughput with 5 bronnen; in the same run,
# on the same private broker, the floor: a raw rabbitmq-c request/reply (Benchmarks/c/amqp_baseline.c).
# Writes the table to Docs/benchmarks.md.
#
#   scripts/bench-federation.sh [--no-docs] [--postgres] [federation-benchmark options, e.g. --bronnen 1,5 --requests 100]
#
# --postgres: the aggregator keeps its zoekvragen in a private PostgreSQL cluster (scripts/postgres.sh), the
# store that several aggregators share, instead of SQLite.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"
docs=1
if [ "${1:-}" = "--no-docs" ]; then docs=0; shift; fi
postgres=0
if [ "${1:-}" = "--postgres" ]; then postgres=1; shift; fi
invocation="$*"
[ "$postgres" = 0 ] || invocation="--postgres $invocation"
ensure_packages rabbitmq-server librabbitmq-dev libsqlite3-dev gcc python3 pkg-config
export VUM_PC4_TABLE="${VUM_PC4_TABLE:-$(cd "$root/.." && pwd)/shared/data/nl-pc4.csv}"
[ -f "$VUM_PC4_TABLE" ] || die "no PC4 table at $VUM_PC4_TABLE: set VUM_PC4_TABLE"
run_dir="$(mktemp -d /tmp/vum-bench-fed.XXXXXX)"
trap 'bash "$here/broker.sh" stop --dir "$run_dir/broker" >/dev/null 2>&1 || true
      bash "$here/postgres.sh" stop --dir "$run_dir/postgres" >/dev/null 2>&1 || true; rm -rf "$run_dir"' EXIT

cd "$root"
echo "== building (release)" >&2
swift build -c release --product federation-benchmark 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' >&2
bin="$(swift build -c release --show-bin-path)/federation-benchmark"
c_bin="$run_dir/amqp_baseline"
gcc -O2 -o "$c_bin" Benchmarks/c/amqp_baseline.c $(pkg-config --cflags --libs librabbitmq) -lpthread

start_private_broker "$run_dir/broker" --no-tls
store=()
if [ "$postgres" = 1 ]; then
    bash "$here/postgres.sh" start --dir "$run_dir/postgres"
    store=(--postgres-store "127.0.0.1:$(cat "$run_dir/postgres/port")")
fi
results="$run_dir/results.jsonl"
echo "== floor: raw rabbitmq-c request/reply" >&2
"$c_bin" "$RABBITMQ_HOST" "$RABBITMQ_PORT" "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" rtt 3000 | tee -a "$results" >&2
echo "== federation" >&2
"$bin" "$RABBITMQ_HOST" "$RABBITMQ_PORT" "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" --pc4 "$VUM_PC4_TABLE" "${store[@]}" "$@" | tee -a "$results" >&2

table="$(python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
floor = next(r for r in rows if r["mode"] == "rtt")
f50 = floor["p50_us"] / 1000
out = [f"Floor (raw rabbitmq-c request/reply through the same broker, {floor['count']} sequential): "
       f"p50 {floor['p50_us']:.0f} µs, p99 {floor['p99_us']:.0f} µs.\n",
       "| bronnen | REST p50 ms | REST p90 ms | REST p99 ms | REST p50 / floor "
       "| AsyncHTTPClient p50 ms | AsyncHTTPClient p99 ms | AsyncHTTPClient p50 / floor "
       "| in-process p50 ms | in-process p99 ms |",
       "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
direct = {r["bronnen"]: r for r in rows if r["mode"] == "direct"}
lean = {r["bronnen"]: r for r in rows if r["mode"] == "latency-asynchttpclient"}
for r in rows:
    if r["mode"] == "latency":
        d = direct.get(r["bronnen"], {})
        a = lean.get(r["bronnen"], {})
        out.append(f"| {r['bronnen']} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['p50_ms'] / f50:.1f}x "
                   f"| {a.get('p50_ms', float('nan')):.2f} | {a.get('p99_ms', float('nan')):.2f} "
                   f"| {a.get('p50_ms', float('nan')) / f50:.1f}x "
                   f"| {d.get('p50_ms', float('nan')):.2f} | {d.get('p99_ms', float('nan')):.2f} |")
clients = {"urlsession": "URLSession", "asynchttpclient": "AsyncHTTPClient"}
for r in rows:
    if r["mode"] == "throughput":
        out.append(f"\nThroughput with {r['bronnen']} bronnen, {r['clients']} concurrent askers (closed loop) "
                   f"through {clients[r['client']]}: **{r['zoekvragen_per_s']:.0f} zoekvragen/s**.")
print("\n".join(out))
PY
)"
echo "$table"
if [ "$docs" = 1 ]; then
    write_docs_block "$root/Docs/benchmarks.md" federation-bench \
        "Measured $(date -u +%Y-%m-%d) with \`scripts/bench-federation.sh $invocation\` (release build, everything in one process on this 2-core machine beside one private RabbitMQ node)." \
        "$table"
    echo "updated Docs/benchmarks.md" >&2
fi
