#!/usr/bin/env bash
# The local demo. Until the federation (aggregator, adapters, auditor) exists, it shows the foundation:
# a private RabbitMQ node and a request/reply round trip through it with the AMQP layer.
#
#   scripts/demo.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

ensure_packages rabbitmq-server librabbitmq-dev libsqlite3-dev openssl python3 pkg-config
run_dir="$(mktemp -d /tmp/vum-demo.XXXXXX)"
trap 'bash "$here/broker.sh" stop --dir "$run_dir/broker" >/dev/null 2>&1 || true; rm -rf "$run_dir"' EXIT

cd "$root"
echo "== building" >&2
swift build --product amqp-example 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' >&2
echo "== starting a private RabbitMQ node" >&2
start_private_broker "$run_dir/broker" --no-tls
"$(swift build --show-bin-path)/amqp-example"
