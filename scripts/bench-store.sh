#!/usr/bin/env bash
# Benchmark of the adapter's SQLite store: import rate and selectievraag latency at 100k and 1M stored
# werkzoekenden (Benchmarks/store-benchmark, release build). Writes its tables to Docs/benchmarks.md.
#
#   scripts/bench-store.sh [--no-docs] [--records 100000,1000000] [--questions 400]
#
# Needs about 5 GB free in $TMPDIR (the 1M store is 4.3 GB) and takes about five minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"
docs=1
if [ "${1:-}" = "--no-docs" ]; then docs=0; shift; fi
ensure_packages libsqlite3-dev librabbitmq-dev pkg-config python3
export VUM_PC4_TABLE="${VUM_PC4_TABLE:-$(cd "$root/.." && pwd)/shared/data/nl-pc4.csv}"
[ -f "$VUM_PC4_TABLE" ] || die "no PC4 table at $VUM_PC4_TABLE: set VUM_PC4_TABLE"

cd "$root"
swift build -c release --product store-benchmark >&2
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
command=(.build/release/store-benchmark --pc4 "$VUM_PC4_TABLE" --dir "${TMPDIR:-/tmp}" "$@")
"${command[@]}" | tee "$out"
if [ "$docs" = 1 ]; then
    write_docs_block "$root/Docs/benchmarks.md" store-bench \
        "Measured $(date -u +%Y-%m-%d) with \`scripts/bench-store.sh $*\` (release build, one question at a time, result cap 100, warm page cache)." \
        "$(cat "$out")"
    echo "updated Docs/benchmarks.md" >&2
fi
