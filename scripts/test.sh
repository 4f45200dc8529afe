#!/usr/bin/env bash
# Runs every test against real parts: installs what is missing, builds, starts a private RabbitMQ node
# (TLS and EXTERNAL enabled), runs `swift test`, and stops every node it started, also on failure. Tests
# that need PostgreSQL start private clusters with scripts/postgres.sh; they are stopped here too.
#
#   scripts/test.sh [swift test arguments, e.g. --filter PublishTests]
#
# Exits with swift test's status. Tests that stop or block a broker start nodes of their own under
# this run's temporary folder; they are stopped here too if a test was killed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

ensure_packages rabbitmq-server librabbitmq-dev libsqlite3-dev openssl python3 python3-pip pkg-config chromium-headless-shell \
    postgresql systemd
# The schema tests validate with an independent JSON Schema validator.
python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install --quiet jsonschema >&2 ||
    die "could not install the python3 module jsonschema"
# ... and the aggregator's OpenAPI document with an independent OpenAPI validator.
python3 -c "import openapi_spec_validator" 2>/dev/null || python3 -m pip install --quiet openapi-spec-validator >&2 ||
    die "could not install the python3 module openapi-spec-validator"
# ... and fuzzes the REST API against that document with schemathesis (pinned: its checks change between releases).
python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '4.32.5')" 2>/dev/null ||
    python3 -m pip install --quiet schemathesis==4.32.5 >&2 || die "could not install the python3 module schemathesis"

# The PC4 table the tests use: configuration, read from ../shared/data, never copied into the project.
export VUM_PC4_TABLE="${VUM_PC4_TABLE:-$(cd "$root/.." && pwd)/shared/data/nl-pc4.csv}"
[ -f "$VUM_PC4_TABLE" ] || die "no PC4 table at $VUM_PC4_TABLE: the tests need ../shared/data/nl-pc4.csv beside the project (or set VUM_PC4_TABLE)"

run_dir="$(mktemp -d /tmp/vum-tests.XXXXXX)"
export TMPDIR="$run_dir/tmp"
mkdir -p "$TMPDIR"
cleanup() {
    for node in "$run_dir/broker" "$TMPDIR"/vum-test-*; do
        [ -f "$node/node.env" ] && bash "$here/broker.sh" stop --dir "$node" >/dev/null 2>&1 || true
    done
    # PostgreSQL clusters of tests that were killed before they could stop theirs.
    for cluster in "$TMPDIR"/vum-test-pg-*; do
        [ -f "$cluster/postgres.env" ] && bash "$here/postgres.sh" stop --dir "$cluster" >/dev/null 2>&1 || true
    done
    if [ -n "${VUM_KEEP_BROKER_FILES:-}" ]; then
        echo "VUM_KEEP_BROKER_FILES: broker folders and logs kept in $run_dir" >&2
    else
        rm -rf "$run_dir"
    fi
}
trap cleanup EXIT

cd "$root"
# STYLE.md's layout (.swift-format: 4 spaces, 120 columns), checked before anything is built.
echo "== swift format lint" >&2
swift format lint --strict --recursive --parallel Sources Tests Benchmarks Package.swift ||
    die "swift format lint: the code above is not in the project's format; 'swift format --in-place --recursive --parallel Sources Tests Benchmarks Package.swift' puts it right"

echo "== building (debug, with tests)" >&2
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Wrapping|Build)' >&2 || {
    echo "build failed" >&2; exit 1; }

echo "== starting a private RabbitMQ node" >&2
start_private_broker "$run_dir/broker"

echo "== swift test" >&2
# The output is also kept so that a failed run ends with what failed: the lines of the failed tests and
# their recorded issues, then the runner's summary line again, last, where a CI log's tail shows it.
log="$run_dir/swift-test.log"
status=0
swift test --skip-build "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
    echo "== what failed (repeated from above)"
    grep -E '^(✘ Test |.*error: |.*: error|Test Case .* failed)' "$log" | grep -v '^✘ Test run ' | cut -c1-400 || true
    grep -E '^✘ Test run |Executed [0-9]+ tests?, with [1-9]' "$log" | tail -1 ||
        echo "swift test ended with status $status before its summary line (crash or signal?)"
fi
exit $status
