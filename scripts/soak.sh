#!/usr/bin/env bash
# Soak (opt-in, issue 10): the local federation of federation.sh under a steady open-model load of
# zoekvragen for a while, sampling every daemon's resident memory. It passes when no request failed
# without an answer and no daemon's memory grew, after a warm-up, by more than the stated bound.
#
#   scripts/soak.sh [--minutes N] [--rate R] [--records N] [--no-docs]
#
# --minutes: length of the load (default 30); --rate: zoekvragen per second (default 10); --records: per
# bron (default 5000). The figures go to Docs/reliability.md (block "soak") unless --no-docs.
# Bound: after the first fifth of the run (warm-up: caches, SQLite pages, connection buffers) a daemon's
# RSS may grow by at most 10 MB plus 10 %.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

minutes=30 rate=10 records=5000 docs=1
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --records) records="$2"; shift 2 ;;
        --no-docs) docs=0; shift ;;
        *) die "soak.sh: unknown argument '$1'" ;;
    esac
done

run="$(mktemp -d /tmp/vum-soak.XXXXXX)"
log="$run/federation.out"
bash "$here/federation.sh" --keep "$run/federatie" --records "$records" > "$log" 2>&1 &
federation=$!
stop() { kill -TERM "$federation" 2>/dev/null || true; wait "$federation" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 1800); do
    grep -q "Ctrl-C stops everything" "$log" && break
    kill -0 "$federation" 2>/dev/null || { tail -n 40 "$log" >&2; die "soak.sh: the federation did not come up (output above)"; }
    sleep 1
done
grep -q "Ctrl-C stops everything" "$log" || die "soak.sh: the federation was not up within 30 minutes"
url="$(sed -n 's/^  REST API:  \(http[^ ]*\).*/\1/p' "$log")"
oin="$(sed -n 's/.*VUM_OIN=\([0-9]*\).*/\1/p' "$log" | head -1)"
dir="$run/federatie"
declare -A daemons
daemons[vum-aggregator]="$(pgrep -f -- "--config $dir/aggregator.conf")"
daemons[vum-audit]="$(pgrep -f -- "--config $dir/audit.conf")"
for conf in "$dir"/*.conf; do
    name="$(basename "$conf" .conf)"
    case "$name" in aggregator|audit) continue ;; esac
    pid="$(pgrep -f -- "--config $conf" || true)"
    [ -n "$pid" ] && daemons["vum-adapter $name"]="$pid"
done
pids_json="$(for k in "${!daemons[@]}"; do printf '%s=%s\n' "$k" "${daemons[$k]}"; done)"
echo "soak: $minutes min at $rate zoekvragen/s against $url; daemons:" >&2
echo "$pids_json" >&2

result="$(python3 - "$url" "$oin" "$rate" "$minutes" "$pids_json" <<'PY'
import json, random, sys, threading, time, urllib.request, urllib.error
url, oin, rate, minutes, pids_text = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
pids = dict(line.split("=", 1) for line in pids_text.strip().splitlines())
seconds = minutes * 60
postcodes = ["3511AB", "1012JS", "3011AD", "2511CV", "5611AZ", "9712CP", "6511LT", "7511JE"]
statuses, lock = {}, threading.Lock()
latencies = []
def ask(i):
    body = json.dumps({"vraagObject": {"selectiegebied": {"postcode": random.choice(postcodes), "afstand": 25},
                                       "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 24}}}).encode()
    req = urllib.request.Request(url + "/api/v3/werkzoekendeProfielen/matches", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "API-Version": "3.0.0", "X-VUM-fromParty": oin})
    t = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read(); code = r.status
    except urllib.error.HTTPError as e:
        code = e.code
    except Exception as e:
        code = "error: " + type(e).__name__
    with lock:
        statuses[str(code)] = statuses.get(str(code), 0) + 1
        latencies.append(time.monotonic() - t)
def rss(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    except OSError:
        return None
samples = {name: [] for name in pids}
start = time.monotonic(); i = 0; next_sample = start
while True:
    now = time.monotonic()
    if now - start >= seconds: break
    if now >= next_sample:
        for name, pid in pids.items(): samples[name].append((round(now - start), rss(pid)))
        next_sample += 10
    due = start + i / rate
    if now >= due:
        threading.Thread(target=ask, args=(i,), daemon=True).start(); i += 1
    else:
        time.sleep(max(0, min(due, next_sample) - now))
for name, pid in pids.items(): samples[name].append((round(time.monotonic() - start), rss(pid)))
deadline = time.monotonic() + 90
while time.monotonic() < deadline and sum(statuses.values()) < i: time.sleep(0.5)
latencies.sort()
pct = lambda p: round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000) if latencies else None
print(json.dumps({"sent": i, "statuses": statuses, "unanswered": i - sum(statuses.values()),
                  "p50_ms": pct(0.5), "p99_ms": pct(0.99), "samples": samples, "seconds": seconds}))
PY
)"
echo "$result" > "$run/soak.json"
report="$(python3 - "$result" "$rate" "$minutes" "$records" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); rate, minutes, records = sys.argv[2], sys.argv[3], sys.argv[4]
warm = r["seconds"] / 5
lines = [f"{r['sent']} zoekvragen at {rate}/s for {minutes} min ({records} records per bron): "
         + ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items())) + f", unanswered: {r['unanswered']}; "
         + f"latency p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms.", "",
         "| daemon | RSS after warm-up (MB) | RSS at the end (MB) | highest (MB) | growth after warm-up | within bound |",
         "|---|---|---|---|---|---|"]
ok = r["unanswered"] == 0 and all(not k.startswith("error") for k in r["statuses"])
for name, samples in sorted(r["samples"].items()):
    values = [(t, v) for t, v in samples if v is not None]
    if not values:
        lines.append(f"| {name} | gone | | | | no |"); ok = False; continue
    after = [v for t, v in values if t >= warm] or [values[-1][1]]
    base, end, high = after[0], values[-1][1], max(v for _, v in values)
    growth = end - base
    within = growth <= 10 + 0.10 * base
    ok = ok and within
    lines.append(f"| {name} | {base:.1f} | {end:.1f} | {high:.1f} | {growth:+.1f} MB | {'yes' if within else 'NO'} |")
lines.append(""); lines.append("Result: " + ("passed" if ok else "FAILED"))
print("\n".join(lines))
sys.exit(0 if ok else 1)
PY
)" && passed=1 || passed=0
echo "$report"
if [ "$docs" = 1 ]; then
    write_docs_block "$root/Docs/reliability.md" soak \
        "Measured $(date -u +%Y-%m-%d) with \`bash scripts/soak.sh --minutes $minutes --rate $rate --records $records\`:" "$report"
fi
[ "$passed" = 1 ]
