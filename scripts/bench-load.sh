#!/usr/bin/env bash
# The load benchmark of issue 11: per scenario a local federation in separate processes (a private
# RabbitMQ node loaded with generated definitions, vum-aggregator, N vum-adapter processes answering from
# SQLite stores of M generated werkzoekenden, vum-audit), then `vum-bench` sends zoekvragen at a fixed
# arrival rate over the REST API or the AMQP entry. In the same scenario, on the same broker, the floor:
# a raw rabbitmq-c request/reply (Benchmarks/c/amqp_baseline.c). Also the CPU seconds of every daemon,
# the broker and the load generator, the machine's busy share, and each daemon's peak resident memory
# (VmHWM). Results go to a JSON-lines file, Docs/benchmarks.md (block "load-bench") and SVG plots in
# Docs/plots/ (scripts/bench-load-report.py).
#
#   scripts/bench-load.sh [--quick] [--no-docs] [--seconds S] [--scenario "N M RATE ENTRY [DELAYS [DEADLINE]]"]...
#                         [--data DIR]
#
# DELAYS, optional: the adapters' source.delay (artificial per-bron latency, a slow legacy system), a
# comma-separated list given to the bronnen in turn: "0ms,50ms,200ms" delays bron 1 not at all, bron 2 by
# 50 ms, bron 3 by 200 ms, bron 4 not at all, and so on; "-" for none. DEADLINE, optional: the zoekvraag's
# deadline in milliseconds (default 2000).
#
# Scenarios (default, about 11 minutes with the data already generated): bronnen 1, 5, 20, 50 at 10k
# records and 20/s; records 10k, 100k, 1M with one bron at 20/s; arrival rate 10 to 100/s with 5 bronnen;
# the goal, 20 bronnen x 100k at 50/s, over REST and over AMQP; 5 bronnen with per-bron delays of 0 to
# 200 ms; 200 zoekvragen in flight (50/s, one of 5 bronnen slower than the 4 s deadline, so every
# zoekvraag stays open until its deadline). --quick: three small scenarios (a smoke run). --data: where
# generated stores are kept between runs (default /tmp/vum-bench-data; a 1M store is 4.3 GB and takes
# minutes to generate). Every bron of a scenario reads the same store file (SQLite in WAL
# mode serves many processes), so the bronnen hold the same records and share the page cache.
# VUM_BENCH_PROFILE=DIR records perf profiles of the aggregator and the first adapter per scenario.
# VUM_BENCH_AGGREGATOR=FILE runs that vum-aggregator binary instead of this build's (A/B runs of a change);
# VUM_BENCH_ADAPTER=FILE does the same for every vum-adapter.
# VUM_BENCH_BROKER_POLICY=JSON applies that policy definition to every queue of each scenario's broker, set
# right after the definitions are imported (broker experiments: '{"queue-version":2}').
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

docs=1 seconds=20 warmup=3 data="${VUM_BENCH_DATA:-/tmp/vum-bench-data}" quick=0
scenarios=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-docs) docs=0; shift ;;
        --quick) quick=1; shift ;;
        --seconds) seconds="$2"; shift 2 ;;
        --scenario) scenarios+=("$2"); shift 2 ;;
        --data) data="$2"; shift 2 ;;
        *) die "bench-load.sh: unknown argument '$1' (see the comment at the top of scripts/bench-load.sh)" ;;
    esac
done
if [ ${#scenarios[@]} -eq 0 ]; then
    if [ "$quick" = 1 ]; then
        scenarios=("1 10000 10 rest" "5 10000 20 rest" "5 10000 20 amqp")
    else
        scenarios=(
            "1 10000 20 rest" "5 10000 20 rest" "20 10000 20 rest" "50 10000 20 rest"
            "1 100000 20 rest" "1 1000000 20 rest"
            "5 10000 10 rest" "5 10000 50 rest" "5 10000 100 rest"
            "5 10000 20 amqp"
            "20 100000 50 rest" "20 100000 50 amqp"
            "5 10000 20 rest 0ms,20ms,50ms,100ms,200ms"
            "5 10000 50 rest 0ms,0ms,0ms,0ms,60s 4000"
        )
    fi
fi

ensure_packages rabbitmq-server librabbitmq-dev libsqlite3-dev gcc python3 pkg-config
export VUM_PC4_TABLE="${VUM_PC4_TABLE:-$(cd "$root/.." && pwd)/shared/data/nl-pc4.csv}"
[ -f "$VUM_PC4_TABLE" ] || die "no PC4 table at $VUM_PC4_TABLE: set VUM_PC4_TABLE"
for var in VUM_BENCH_AGGREGATOR VUM_BENCH_ADAPTER; do
    [ -z "${!var:-}" ] || [ -x "${!var}" ] || die "$var=${!var} is not an executable file"
done

cd "$root"
echo "== building (release)" >&2
for p in vum vum-adapter vum-aggregator vum-audit vum-bench; do
    swift build -c release --product "$p" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^warning: |CMakeLists.txt' >&2 || true
done
bin="$(swift build -c release --show-bin-path)"
for p in vum vum-adapter vum-aggregator vum-audit vum-bench; do [ -x "$bin/$p" ] || die "building $p failed"; done
run="$(mktemp -d /tmp/vum-bench-load.XXXXXX)"
c_bin="$run/amqp_baseline"
gcc -O2 -o "$c_bin" Benchmarks/c/amqp_baseline.c $(pkg-config --cflags --libs librabbitmq) -lpthread
results="$run/results.jsonl"
pids=()
broker_dir=""
stop_federation() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
    if [ -n "$broker_dir" ]; then bash "$here/broker.sh" stop --dir "$broker_dir" >/dev/null 2>&1 || true; fi
    broker_dir=""
}
cleanup() { stop_federation; [ -f "$results" ] && cp "$results" /tmp/vum-bench-load-last.jsonl; rm -rf "$run"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A store of M generated werkzoekenden, made once and kept in $data.
store_for() {
    local m="$1" store="$data/werkzoekenden-$1.sqlite"
    if [ ! -f "$store.done" ]; then
        mkdir -p "$data"
        rm -f "$store" "$store-wal" "$store-shm"
        echo "== generating $m werkzoekenden into $store (once; kept for later runs)" >&2
        "$bin/vum" genereer werkzoekenden --aantal "$m" --seed 21 --uitvoer "$data/werkzoekenden-$m.ndjson" >&2
        "$bin/vum" import --store "$store" "$data/werkzoekenden-$m.ndjson" | tail -1 >&2
        rm -f "$data/werkzoekenden-$m.ndjson"
        touch "$store.done"
    fi
    echo "$store"
}

# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Samples RssAnon (kB) of the given processes until it gets SIGTERM, then writes {pid: largest} to FILE.
# `exec`, so that the background job is python itself and the SIGTERM reaches it.
own_memory_peaks() {
    exec python3 - "$@" <<'PY'
import json, signal, sys, time
out, pids = sys.argv[1], sys.argv[2:]
peaks = {pid: 0 for pid in pids}
def finish(*_):
    with open(out, "w") as f:
        json.dump(peaks, f)
    sys.exit(0)
signal.signal(signal.SIGTERM, finish)
while True:
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        peaks[pid] = max(peaks[pid], int(line.split()[1]))
        except OSError:
            pass
    time.sleep(0.25)
PY
}

# Busy jiffies of the whole machine (user, nice, system, irq, softirq, steal), in clock ticks.
machine_busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
peak_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# A daemon's broker URL on the scenario's node (RABBITMQ_* come from start_private_broker).
url() { echo "amqp://$1@$RABBITMQ_HOST:$RABBITMQ_PORT/vum"; }

oin=00000001002220647000
index=0
for scenario in "${scenarios[@]}"; do
    read -r n m rate entry delays deadline <<< "$scenario"
    [ "${delays:-}" = "-" ] && delays=""
    IFS=, read -r -a delay_list <<< "${delays:-0ms}"
    deadline="${deadline:-2000}"
    index=$((index + 1))
    store="$(store_for "$m")"
    dir="$run/s$index"
    mkdir -p "$dir/logs"
    echo "== scenario $index/${#scenarios[@]}: $n bronnen x $m records, $rate zoekvragen/s over $entry${delays:+, delays $delays}" >&2
    {
        echo "operator: operator"
        echo "aggregator: aggregator"
        echo "bronnen:"
        for i in $(seq 1 "$n"); do printf '  - {id: bron-%02d, naam: Bron %02d, gegevenssets: [werkzoekenden]}\n' "$i" "$i"; done
        echo "bemiddelaars:"
        echo "  - {oin: \"$oin\", naam: Gemeente, suwi: true, gegevenssets: [werkzoekenden, vacatures], amqp: gemeente}"
        echo "auditors:"
        echo "  - {naam: bench}"
    } > "$dir/federatie.yaml"
    "$bin/vum" deploy definitions --federatie "$dir/federatie.yaml" --output "$dir/generated" --development-passwords >/dev/null
    set -a; source "$dir/generated/passwords.env"; set +a
    broker_dir="$dir/broker"
    start_private_broker "$broker_dir" --no-tls 2>/dev/null
    bash "$here/broker.sh" ctl --dir "$broker_dir" -- import_definitions "$dir/generated/definitions.json" >/dev/null
    if [ -n "${VUM_BENCH_BROKER_POLICY:-}" ]; then
        bash "$here/broker.sh" ctl --dir "$broker_dir" -- set_policy bench-experiment ".*" "$VUM_BENCH_BROKER_POLICY" \
            --apply-to queues >/dev/null || die "bench-load.sh: the broker refused VUM_BENCH_BROKER_POLICY"
    fi
    head -c 48 /dev/urandom > "$dir/vumid.secret"
    http_port=$(free_port)
    printf 'store = "%s"\nbroker.url = %s\nlog-level = warning\n' "$dir/audit.sqlite" "$(url auditor-bench)" > "$dir/audit.conf"
    cat > "$dir/aggregator.conf" <<CONF
exchange-oin = 00000009000000000001
registry = "$dir/generated/registry.json"
broker.url = $(url aggregator)
http.port = $http_port
request-store = "$dir/requests.sqlite"
vumid-secret-file = "$dir/vumid.secret"
log-level = warning
CONF
    VUM_AUDIT_BROKER_PASSWORD="$VUM_PASSWORD_AUDITOR_BENCH" "$bin/vum-audit" --config "$dir/audit.conf" > "$dir/logs/audit.log" 2>&1 &
    pids+=($!); audit_pid=$!
    VUM_AGGREGATOR_BROKER_PASSWORD="$VUM_PASSWORD_AGGREGATOR" "${VUM_BENCH_AGGREGATOR:-$bin/vum-aggregator}" --config "$dir/aggregator.conf" > "$dir/logs/aggregator.log" 2>&1 &
    pids+=($!); aggregator_pid=$!
    adapter_pids=()
    for i in $(seq 1 "$n"); do
        bron=$(printf 'bron-%02d' "$i")
        printf 'bron = %s\ngegevenssets = werkzoekenden\nbroker.url = %s\nstore = "%s"\nheartbeat = 2s\nlog-level = warning\nsource.delay = %s\n' \
            "$bron" "$(url "bron-$bron")" "$store" "${delay_list[$(( (i - 1) % ${#delay_list[@]} ))]}" > "$dir/$bron.conf"
        var="VUM_PASSWORD_BRON_$(echo "$bron" | tr 'a-z-' 'A-Z_')"
        VUM_ADAPTER_BROKER_PASSWORD="${!var}" "${VUM_BENCH_ADAPTER:-$bin/vum-adapter}" --config "$dir/$bron.conf" > "$dir/logs/$bron.log" 2>&1 &
        pids+=($!); adapter_pids+=($!)
    done
    export VUM_AGGREGATOR_URL="http://127.0.0.1:$http_port"
    online=0
    for _ in $(seq 1 600); do
        online=$("$bin/vum" bronnen --json 2>/dev/null | python3 -c 'import json,sys; print(sum(b["online"] for b in json.load(sys.stdin)["bronnen"]))' 2>/dev/null || echo 0)
        [ "$online" = "$n" ] && break
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { tail -n 20 "$dir"/logs/*.log >&2; die "a daemon stopped during start-up (logs above)"; }; done
        sleep 0.2
    done
    [ "$online" = "$n" ] || { tail -n 5 "$dir"/logs/*.log >&2; die "only $online of $n bronnen came online within 120 s"; }

    floor="$("$c_bin" "$RABBITMQ_HOST" "$RABBITMQ_PORT" "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" rtt 2000)"
    broker_pid="$(cat "$broker_dir/rabbitmq.pid")"
    bench_args=(--oin "$oin" --rate "$rate" --seconds "$seconds" --deadline-ms "$deadline"
                --label "$n bronnen x $m records, $rate/s, $entry${delays:+, delays $delays}, deadline $deadline ms")
    if [ "$entry" = amqp ]; then
        bench_args+=(--entry amqp --amqp-url "$(url "bemiddelaar-gemeente:$VUM_PASSWORD_BEMIDDELAAR_GEMEENTE")")
    else
        bench_args+=(--url "$VUM_AGGREGATOR_URL")
    fi
    if [ -n "${VUM_BENCH_PROFILE:-}" ]; then
        # Where the CPU goes: perf samples of the aggregator and the first adapter during the load.
        mkdir -p "$VUM_BENCH_PROFILE"
        for who in "aggregator:$aggregator_pid" "adapter:${adapter_pids[0]}"; do
            perf record -F 499 -g -p "${who#*:}" -o "$VUM_BENCH_PROFILE/${who%%:*}-s$index.data" -- sleep "$seconds" >/dev/null 2>&1 &
        done
    fi
    "$bin/vum-bench" --warmup "$warmup" "${bench_args[@]}" > "$dir/bench.json" &
    bench_pid=$!; pids+=("$bench_pid")
    # The daemons' own memory: VmHWM also counts the program's and its libraries' code and, for adapters,
    # the pages of the memory-mapped store they touched, so the largest anonymous resident set (RssAnon) of
    # the aggregator and each adapter is sampled four times a second as well.
    own_memory_peaks "$dir/own-memory.json" "$aggregator_pid" "${adapter_pids[@]}" &
    poller=$!; pids+=("$poller")
    # CPU is counted from the end of the generator's warm-up (it starts sending 0.2 s after it starts) to
    # the end of its run, for every daemon, the broker and the whole machine (/proc/stat: busy jiffies).
    sleep "$(python3 -c "print($warmup + 0.2)")"
    declare -A before=()
    for pid in "$aggregator_pid" "$audit_pid" "$broker_pid" "${adapter_pids[@]}"; do before[$pid]=$(cpu_ticks "$pid"); done
    machine_before=$(machine_busy_ticks); window_start=$(date +%s.%N)
    wait "$bench_pid" || die "vum-bench failed (scenario $index)"
    kill -TERM "$poller"; wait "$poller" || true
    machine_after=$(machine_busy_ticks); window=$(python3 -c "print($(date +%s.%N) - $window_start)")
    bench="$(cat "$dir/bench.json")"
    ticks=$(getconf CLK_TCK)
    cpu_json="{\"aggregator\": $(( $(cpu_ticks "$aggregator_pid") - before[$aggregator_pid] )), \"audit\": $(( $(cpu_ticks "$audit_pid") - before[$audit_pid] )), \"broker\": $(( $(cpu_ticks "$broker_pid") - before[$broker_pid] )), \"machine\": $(( machine_after - machine_before )), \"window\": $window, \"cores\": $(nproc), \"adapters\": ["
    peak_json="{\"aggregator\": $(peak_kb "$aggregator_pid"), \"audit\": $(peak_kb "$audit_pid"), \"own\": $(cat "$dir/own-memory.json"), \"aggregator_pid\": \"$aggregator_pid\", \"adapters\": ["
    sep=""
    for pid in "${adapter_pids[@]}"; do
        cpu_json+="$sep$(( $(cpu_ticks "$pid") - before[$pid] ))"
        peak_json+="$sep$(peak_kb "$pid")"
        sep=", "
    done
    cpu_json+="]}"; peak_json+="]}"
    unset before
    python3 - "$n" "$m" "$rate" "$entry" "$ticks" "$floor" "$bench" "$cpu_json" "$peak_json" "$seconds" "$(du -m "$store" | cut -f1)" "${delays:-}" "$deadline" >> "$results" <<'PY'
import json, sys
n, m, rate, entry, ticks, floor, bench, cpu, peak, seconds, store_mb, delays, deadline = sys.argv[1:14]
b = json.loads(bench); f = json.loads(floor); cpu = json.loads(cpu); peak = json.loads(peak)
t = float(ticks)
b.update({"bronnen": int(n), "records": int(m), "rate": float(rate), "entry": entry,
          "floor_p50_us": f["p50_us"], "floor_p99_us": f["p99_us"], "store_mb": int(store_mb),
          "cpu_s": {"aggregator": cpu["aggregator"] / t, "audit": cpu["audit"] / t, "broker": cpu["broker"] / t,
                    "generator": b.pop("generator_cpu_s"), "machine": cpu["machine"] / t,
                    "window_s": cpu["window"], "available": cpu["window"] * cpu["cores"],
                    "adapters_total": sum(cpu["adapters"]) / t, "adapter_max": max(cpu["adapters"]) / t},
          "peak_mb": {"aggregator": peak["aggregator"] / 1024, "audit": peak["audit"] / 1024,
                      "aggregator_own": peak["own"].pop(peak["aggregator_pid"], 0) / 1024,
                      "adapter_own_max": max(peak["own"].values(), default=0) / 1024,
                      "adapter_max": max(peak["adapters"]) / 1024},
          "measured_seconds": float(seconds), "delays": delays, "deadline_ms": int(deadline)})
print(json.dumps(b, sort_keys=True))
PY
    tail -n 1 "$results" >&2
    for f in $(grep -l -i "error\|fatal" "$dir"/logs/*.log 2>/dev/null | head -3 || true); do
        echo "  (log with errors: $(basename "$f"): $(grep -i -m1 'error\|fatal' "$f" | cut -c1-200))" >&2
    done
    stop_federation
    rm -rf "$dir"
done

cp "$results" /tmp/vum-bench-load-last.jsonl
echo "== results in /tmp/vum-bench-load-last.jsonl" >&2
if [ "$docs" = 1 ]; then
    python3 "$here/bench-load-report.py" "$results" "$root/Docs/benchmarks.md" "$root/Docs/plots" \
        "scripts/bench-load.sh $( [ "$quick" = 1 ] && echo --quick ) --seconds $seconds"
fi
