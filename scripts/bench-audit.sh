#!/usr/bin/env bash
# Benchmark of the audit trail (Benchmarks/audit-benchmark, release build): events stored per second,
# straight into the store and through a private broker with the AuditService; verify, report and check
# times over a million events. Writes the table to Docs/benchmarks.md.
#
#   scripts/bench-audit.sh [--no-docs] [--events 1000000] [--broker-events 100000]
#
# Needs about 1 GB free in $TMPDIR; takes a few minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"
docs=1
if [ "${1:-}" = "--no-docs" ]; then docs=0; shift; fi
ensure_packages rabbitmq-server librabbitmq-dev libsqlite3-dev python3 pkg-config
run_dir="$(mktemp -d /tmp/vum-bench-audit.XXXXXX)"
trap 'bash "$here/broker.sh" stop --dir "$run_dir/broker" >/dev/null 2>&1 || true; rm -rf "$run_dir"' EXIT

cd "$root"
echo "== building (release)" >&2
swift build -c release --product audit-benchmark 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' >&2
bin="$(swift build -c release --show-bin-path)/audit-benchmark"
start_private_broker "$run_dir/broker" --no-tls
out="$run_dir/table.md"
"$bin" "$RABBITMQ_HOST" "$RABBITMQ_PORT" "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" --dir "${TMPDIR:-/tmp}" "$@" | tee "$out"
if [ "$docs" = 1 ]; then
    write_docs_block "$root/Docs/benchmarks.md" audit-bench \
        "Measured $(date -u +%Y-%m-%d) with \`scripts/bench-audit.sh $*\` (release build; SQLite in WAL with synchronous=FULL on this machine's disk; one private RabbitMQ node, durable queue)." \
        "$(cat "$out")"
    echo "updated Docs/benchmarks.md" >&2
fi
