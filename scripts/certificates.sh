#!/usr/bin/env bash
# Throwaway certificates for tests and demos, in DIR: a CA (ca.pem/.key), a server certificate for
# localhost and 127.0.0.1 (server.pem/.key), a client certificate with common name vum-tls-client
# (client.pem/.key), a client certificate of the party with OIN 00000001111111111111 (in its subject
# serialNumber, where PKIoverheid puts the OIN: oin-client.pem/.key, for the REST API's mutual TLS), a
# second CA with a client certificate that must be refused (rogue-client.pem/.key),
# and, for each common name given, clients/CN.pem/.key plus an expired one for the first
# (expired-client.pem/.key, valid in January 2020). Does nothing when DIR already holds ca.pem.
#
#   scripts/certificates.sh DIR [CN ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"
[ $# -ge 1 ] || die "usage: certificates.sh DIR [CN ...]"
c="$1"; shift
command -v openssl >/dev/null || ensure_packages openssl

mkdir -p "$c"
[ -f "$c/ca.pem" ] && exit 0
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=VUM test CA" \
    -keyout "$c/ca.key" -out "$c/ca.pem" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=VUM rogue CA" \
    -keyout "$c/rogue-ca.key" -out "$c/rogue-ca.pem" >/dev/null 2>&1
issue() { # name cn ca ext
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$c/$1.key" -out "$c/$1.csr" >/dev/null 2>&1
    printf '%s\n' "$4" > "$c/$1.ext"
    openssl x509 -req -in "$c/$1.csr" -CA "$c/$3.pem" -CAkey "$c/$3.key" -CAcreateserial -days 30 \
        -extfile "$c/$1.ext" -out "$c/$1.pem" >/dev/null 2>&1
    rm -f "$c/$1.csr" "$c/$1.ext"
}
issue server localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue client vum-tls-client ca "extendedKeyUsage=clientAuth"
issue oin-client "VUM test bemiddelaar/serialNumber=00000001111111111111" ca "extendedKeyUsage=clientAuth"
issue rogue-client vum-tls-client rogue-ca "extendedKeyUsage=clientAuth"
if [ $# -gt 0 ]; then
    mkdir -p "$c/clients"
    for cn in "$@"; do issue "clients/$cn" "$cn" ca "extendedKeyUsage=clientAuth"; done
    # An expired certificate (valid in January 2020) for the first name, signed by the right CA.
    mkdir -p "$c/ca-db"
    : > "$c/ca-db/index.txt"
    echo 1000 > "$c/ca-db/serial"
    cat > "$c/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $c/ca-db/index.txt
serial = $c/ca-db/serial
new_certs_dir = $c/ca-db
certificate = $c/ca.pem
private_key = $c/ca.key
default_md = sha256
policy = any
x509_extensions = client
[any]
commonName = supplied
[client]
extendedKeyUsage = clientAuth
CNF
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$c/expired-client.key" -out "$c/expired-client.csr" >/dev/null 2>&1
    openssl ca -batch -notext -config "$c/ca.cnf" -startdate 20200101000000Z -enddate 20200201000000Z \
        -in "$c/expired-client.csr" -out "$c/expired-client.pem" >/dev/null 2>&1 ||
        die "certificates.sh: could not issue the expired test certificate"
    rm -f "$c/expired-client.csr"
    chmod 644 "$c"/clients/*.pem "$c"/clients/*.key
fi
chmod 644 "$c"/*.pem "$c"/*.key
