#!/usr/bin/env bash
# Makes the test certificates of the tls module's host test and of
# tests/boot/browser-https.sh into DIR (never committed: generated per run):
#   ca.pem               the test CA (the bundle the tests trust)
#   server.pem/.key      for NAME (DNS and IP SAN), signed by the test CA
#   wrongname.pem/.key   for wrong.example, signed by the test CA
#   unknown-ca.pem       another CA, which the tests do not trust
#   unknown.pem/.key     for NAME, signed by that other CA
#   make_certs.sh DIR NAME      (NAME: an IPv4 address or a host name)
set -euo pipefail
dir=$1 name=$2
mkdir -p "$dir"
cd "$dir"
if [[ $name =~ ^[0-9.]+$ ]]; then san="DNS:$name,IP:$name"; else san="DNS:$name"; fi
ca() { # ca NAME SUBJECT
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
        -subj "/CN=$2" -keyout "$1.key" -out "$1.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() { # leaf NAME CA SAN   (RSA, as most servers' certificates are)
    openssl req -newkey rsa:2048 -nodes -subj "/CN=${3#DNS:}" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 30 \
        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}
ca ca "Anunix Test CA"
ca unknown-ca "Unknown Test CA"
leaf server ca "$san"
leaf wrongname ca "DNS:wrong.example"
leaf unknown unknown-ca "$san"
