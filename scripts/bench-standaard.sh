#!/usr/bin/env bash
# Benchmarks of VUMStandaard (decode, encode, evaluate, generate) with ordo-one/benchmark, which counts
# allocations. Runs the package in Benchmarks/standaard and writes its table to Docs/benchmarks.md.
#
#   scripts/bench-standaard.sh [--no-docs]      (VUM_PC4_TABLE defaults to ../shared/data/nl-pc4.csv)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"
docs=1
[ "${1:-}" = "--no-docs" ] && docs=0
export VUM_PC4_TABLE="${VUM_PC4_TABLE:-$(cd "$root/.." && pwd)/shared/data/nl-pc4.csv}"
[ -f "$VUM_PC4_TABLE" ] || die "no PC4 table at $VUM_PC4_TABLE: set VUM_PC4_TABLE"

cd "$root/Benchmarks/standaard"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
swift package benchmark --format markdown --no-progress 2>/dev/null | sed -n '/^## StandaardBenchmarks/,$p' > "$out"
[ -s "$out" ] || die "the benchmark printed no results"
cat "$out"
if [ "$docs" = 1 ]; then
    python3 - "$root/Docs/benchmarks.md" "$out" "$(date -u +%Y-%m-%d)" <<'PY'
import re, sys
path, results, day = sys.argv[1:4]
table = open(results).read().replace("## StandaardBenchmarks", "").strip()
block = (f"<!-- standaard-bench:start -->\nMeasured {day} with `scripts/bench-standaard.sh` (release build, "
         f"ordo-one/benchmark; metrics marked * are per record).\n\n{table}\n<!-- standaard-bench:end -->")
text = open(path).read()
text = re.sub(r"<!-- standaard-bench:start -->.*?<!-- standaard-bench:end -->", lambda m: block, text, flags=re.S)
open(path, "w").write(text)
PY
    echo "updated Docs/benchmarks.md" >&2
fi
