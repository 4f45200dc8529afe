# Shared helpers for the scripts in this folder. Sourced, not run.

die() { echo "$*" >&2; exit 1; }

# Installs the named Debian packages when any is missing (CI and new machines start without them).
ensure_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing ${missing[*]} with apt-get" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    # The rabbitmq-server package would start the system service; policy-rc.d 101 keeps it stopped,
    # because we only ever run private nodes.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
    fi
    $sudo apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 ||
        die "could not install ${missing[*]} with apt-get"
    [ "$created_policy" = 1 ] && $sudo rm -f "$policy"
    return 0
}

# A TCP port on 127.0.0.1 that nobody listens on right now.
# A free port below the kernel's ephemeral range (ip_local_port_range), so that no outgoing connection is
# given it as its own port: a client reconnecting to a stopped node on an ephemeral port can be handed
# that very port and connect to itself, and the node then cannot listen on it when it restarts
# (eaddrinuse). Falls back to a port the kernel picks.
free_port() {
    python3 - <<'PY'
import random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except Exception:
    low = 32768
for _ in range(200 if low > 11000 else 0):
    port = random.randrange(10000, low)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        print(port)
        break
    except OSError:
        pass
    finally:
        s.close()
else:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# Starts a private node in DIR (extra arguments go to broker.sh start) and exports its RABBITMQ_*
# variables into the calling shell.
start_private_broker() {
    local dir="$1"; shift
    bash "$(dirname "${BASH_SOURCE[0]}")/broker.sh" start --dir "$dir" "$@"
    set -a
    # shellcheck disable=SC1091
    source "$dir/broker.env"
    set +a
}

# Replaces the block between <!-- MARKER:start --> and <!-- MARKER:end --> in a Markdown file with a
# heading line and a body (the benchmark scripts write their figures to Docs/benchmarks.md this way).
#   write_docs_block FILE MARKER "Measured ... with `command`." BODY
write_docs_block() {
    python3 - "$1" "$2" "$3" "$4" <<'PY'
import re, sys
path, marker, heading, body = sys.argv[1:5]
text = open(path).read()
start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
if start not in text:
    raise SystemExit(f"{path} has no {marker} markers")
block = f"{start}\n{heading}\n\n{body.strip()}\n{end}"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
open(path, "w").write(text)
PY
}
