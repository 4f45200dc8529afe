#!/usr/bin/env bash
# A private RabbitMQ node for tests and demos: its own node name, ports, data, logs and Erlang cookie,
# all under one folder. Never touches the system service. Several nodes may run side by side.
#
#   scripts/broker.sh start --dir DIR [--name NAME] [--port N] [--tls-port N] [--dist-port N] [--no-tls]
#                           [--definitions FILE] [--tls-only] [--client-certs "CN CN ..."] [--join DIR]
#   scripts/broker.sh stop  --dir DIR
#   scripts/broker.sh ctl   --dir DIR -- ARGS...     (rabbitmqctl against this node)
#   scripts/broker.sh env   --dir DIR                (prints the node's variables, for `eval`)
#
# `start` on a folder that already holds a node starts that node again with the same ports and data
# (the reconnect tests stop and start a node this way). Ports default to free ones. With TLS (the
# default) it generates a throwaway CA, a server certificate for `localhost`, a client certificate with
# common name `vum-tls-client` for EXTERNAL login, and a second CA with a client certificate that the
# broker must refuse. --tls-only is production's shape: no plain listener, a client certificate required
# (fail_if_no_peer_cert), EXTERNAL the only login. --client-certs issues a client certificate per common
# name (DIR/tls/clients/CN.pem and .key), and an expired one for the first (DIR/tls/expired-client.pem).
# --join DIR makes the new node a member of the cluster of the node in DIR (same Erlang cookie, TLS
# files and definitions; `rabbitmqctl join_cluster` once, after its first start): three such nodes are
# the reliability tests' cluster. Started again later, a member rejoins its cluster by itself.
# The variables a client needs are written to DIR/broker.env:
#   RABBITMQ_HOST RABBITMQ_PORT RABBITMQ_TLS_PORT RABBITMQ_USER RABBITMQ_PASSWORD RABBITMQ_CA_FILE
#   RABBITMQ_CLIENT_CERT RABBITMQ_CLIENT_KEY RABBITMQ_ROGUE_CERT RABBITMQ_ROGUE_KEY RABBITMQ_NODENAME
#   VUM_BROKER_DIR
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

cmd="${1:-}"; shift || true
dir="" name="" port="" tls_port="" dist_port="" tls=1 definitions="" tls_only=0 client_certs="" join=""
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir="$2"; shift 2 ;;
        --name) name="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --tls-port) tls_port="$2"; shift 2 ;;
        --dist-port) dist_port="$2"; shift 2 ;;
        --no-tls) tls=0; shift ;;
        --definitions) definitions="$2"; shift 2 ;;
        --tls-only) tls=1; tls_only=1; shift ;;
        --client-certs) client_certs="$2"; shift 2 ;;
        --join) join="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) die "broker.sh: unknown argument '$1' (see the comment at the top of scripts/broker.sh)" ;;
    esac
done
[ -n "$dir" ] || die "broker.sh $cmd: --dir DIR is required"

RMQ_BIN=/usr/lib/rabbitmq/bin

node_env() {
    # Everything the server and its CLI tools must agree on. HOME holds the Erlang cookie, so the CLI
    # must use the same HOME as the node (the /usr/sbin wrappers would reset it: use the lib scripts).
    set -a
    # shellcheck disable=SC1091
    source "$dir/node.env"
    set +a
}

ctl() { (node_env; "$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" "$@"); }

password_hash() {
    # rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), 4-byte salt.
    python3 -c 'import base64,hashlib,os,sys; s=os.urandom(4); print(base64.b64encode(s+hashlib.sha256(s+sys.argv[1].encode()).digest()).decode())' "$1"
}

make_certificates() {
    if [ -n "$join" ]; then
        # One cluster, one CA: a member uses the first node's certificates.
        cp -r "$join/tls" "$dir/tls"
        return 0
    fi
    # shellcheck disable=SC2086
    bash "$here/certificates.sh" "$dir/tls" $client_certs
}

write_definitions() {
    local f="$dir/definitions.json"
    if [ -n "$definitions" ]; then cp "$definitions" "$f"; return 0; fi
    local admin other limited
    admin=$(password_hash vum-admin); other=$(password_hash vum-other); limited=$(password_hash vum-limited)
    cat > "$f" <<JSON
{
  "vhosts": [{"name": "/"}, {"name": "vum"}],
  "users": [
    {"name": "vum-admin", "password_hash": "$admin", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "vum-other", "password_hash": "$other", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []},
    {"name": "vum-limited", "password_hash": "$limited", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []},
    {"name": "vum-tls-client", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}
  ],
  "permissions": [
    {"user": "vum-admin", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "vum-admin", "vhost": "vum", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "vum-other", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "vum-limited", "vhost": "/", "configure": "^$", "write": "^amq\\\\.default$", "read": "^$"},
    {"user": "vum-tls-client", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "vum-tls-client", "vhost": "vum", "configure": ".*", "write": ".*", "read": ".*"}
  ]
}
JSON
}

create_node() {
    mkdir -p "$dir"/{home,mnesia,log}
    dir="$(cd "$dir" && pwd)"
    [ -n "$name" ] || name="vum-$(basename "$dir" | tr -cd "a-zA-Z0-9_-")-$$"
    [ -n "$port" ] || port=$(free_port)
    [ -n "$dist_port" ] || dist_port=$(free_port)
    [ -n "$tls_port" ] || tls_port=$(free_port)
    if [ -n "$join" ]; then
        join="$(cd "$join" && pwd)"
        [ -f "$join/node.env" ] || die "broker.sh: --join $join: no node there"
        [ -f "$join/home/.erlang.cookie" ] || die "broker.sh: --join $join: that node has not started yet (no Erlang cookie)"
        install -m 400 "$join/home/.erlang.cookie" "$dir/home/.erlang.cookie"
        [ -n "$definitions" ] || definitions="$join/definitions.json"
        grep -q '^RABBITMQ_TLS_PORT=' "$join/broker.env" || tls=0
        # shellcheck disable=SC1090
        (source "$join/node.env"; echo "$RABBITMQ_NODENAME") > "$dir/join-cluster"
    fi
    write_definitions
    {
        echo "loopback_users = none"
        echo "load_definitions = $dir/definitions.json"
        echo "disk_free_limit.absolute = 50MB"
        if [ "$tls_only" = 1 ]; then
            echo "listeners.tcp = none"
            echo "auth_mechanisms.1 = EXTERNAL"
        else
            echo "auth_mechanisms.1 = PLAIN"
            echo "auth_mechanisms.2 = AMQPLAIN"
        fi
        if [ "$tls" = 1 ]; then
            make_certificates
            [ "$tls_only" = 1 ] || echo "auth_mechanisms.3 = EXTERNAL"
            echo "listeners.ssl.1 = 127.0.0.1:$tls_port"
            echo "ssl_options.cacertfile = $dir/tls/ca.pem"
            echo "ssl_options.certfile = $dir/tls/server.pem"
            echo "ssl_options.keyfile = $dir/tls/server.key"
            echo "ssl_options.verify = verify_peer"
            if [ "$tls_only" = 1 ]; then echo "ssl_options.fail_if_no_peer_cert = true"
            else echo "ssl_options.fail_if_no_peer_cert = false"; fi
            echo "ssl_options.versions.1 = tlsv1.3"
            echo "ssl_options.versions.2 = tlsv1.2"
            echo "ssl_cert_login_from = common_name"
        fi
    } > "$dir/rabbitmq.conf"
    if [ "$tls" = 1 ]; then echo "[rabbitmq_auth_mechanism_ssl]." > "$dir/enabled_plugins"
    else echo "[]." > "$dir/enabled_plugins"; fi
    cat > "$dir/node.env" <<ENV
HOME=$dir/home
RABBITMQ_NODENAME=$name@localhost
RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
RABBITMQ_NODE_PORT=$port
RABBITMQ_DIST_PORT=$dist_port
RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
RABBITMQ_MNESIA_BASE=$dir/mnesia
RABBITMQ_LOG_BASE=$dir/log
RABBITMQ_PID_FILE=$dir/rabbitmq.pid
ENV
    {
        echo "RABBITMQ_HOST=localhost"
        echo "RABBITMQ_PORT=$port"
        echo "RABBITMQ_USER=vum-admin"
        echo "RABBITMQ_PASSWORD=vum-admin"
        echo "RABBITMQ_NODENAME=$name@localhost"
        echo "VUM_BROKER_DIR=$dir"
        if [ "$tls" = 1 ]; then
            echo "RABBITMQ_TLS_PORT=$tls_port"
            echo "RABBITMQ_CA_FILE=$dir/tls/ca.pem"
            echo "RABBITMQ_CLIENT_CERT=$dir/tls/client.pem"
            echo "RABBITMQ_CLIENT_KEY=$dir/tls/client.key"
            echo "RABBITMQ_ROGUE_CERT=$dir/tls/rogue-client.pem"
            echo "RABBITMQ_ROGUE_KEY=$dir/tls/rogue-client.key"
            if [ -n "$client_certs" ]; then
                echo "RABBITMQ_CLIENT_CERTS_DIR=$dir/tls/clients"
                echo "RABBITMQ_EXPIRED_CERT=$dir/tls/expired-client.pem"
                echo "RABBITMQ_EXPIRED_KEY=$dir/tls/expired-client.key"
            fi
        fi
    } > "$dir/broker.env"
}

case "$cmd" in
    start)
        ensure_packages rabbitmq-server librabbitmq-dev
        [ -f "$dir/node.env" ] || create_node
        dir="$(cd "$dir" && pwd)"
        node_env
        if ctl status >/dev/null 2>&1; then
            echo "broker.sh: node $RABBITMQ_NODENAME is already running" >&2
            exit 0
        fi
        rm -f "$RABBITMQ_PID_FILE"
        "$RMQ_BIN/rabbitmq-server" -detached >"$dir/log/startup.out" 2>&1 ||
            die "broker.sh: rabbitmq-server did not start; see $dir/log/"
        # `await_startup` fails at once while the node is not registered yet: wait for its pid file first.
        if ! ctl wait "$RABBITMQ_PID_FILE" --timeout 90 >/dev/null 2>&1 ||
            ! ctl await_startup --timeout 90 >/dev/null 2>&1; then
            tail -n 30 "$dir"/log/*.log >&2 2>/dev/null || true
            die "broker.sh: node $RABBITMQ_NODENAME did not become ready within 90 s; logs in $dir/log/"
        fi
        if [ -f "$dir/join-cluster" ]; then
            target="$(cat "$dir/join-cluster")"
            { ctl stop_app && ctl join_cluster "$target" && ctl start_app && ctl await_startup --timeout 90; } >"$dir/log/join.out" 2>&1 ||
                { cat "$dir/log/join.out" >&2; die "broker.sh: node $RABBITMQ_NODENAME could not join the cluster of $target"; }
            rm -f "$dir/join-cluster"
            echo "broker.sh: node $RABBITMQ_NODENAME joined the cluster of $target" >&2
        fi
        echo "broker.sh: node $RABBITMQ_NODENAME ready on 127.0.0.1:$RABBITMQ_NODE_PORT (variables in $dir/broker.env)" >&2
        ;;
    stop)
        [ -f "$dir/node.env" ] || die "broker.sh stop: no node in $dir"
        node_env
        if [ -f "$RABBITMQ_PID_FILE" ]; then
            ctl stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
        else
            ctl stop >/dev/null 2>&1 || true
        fi
        ;;
    ctl)
        [ -f "$dir/node.env" ] || die "broker.sh ctl: no node in $dir"
        ctl "${extra[@]}"
        ;;
    env)
        [ -f "$dir/broker.env" ] || die "broker.sh env: no node in $dir"
        sed 's/^/export /' "$dir/broker.env"
        ;;
    *) die "usage: broker.sh start|stop|ctl|env --dir DIR (see the comment at the top of scripts/broker.sh)" ;;
esac
