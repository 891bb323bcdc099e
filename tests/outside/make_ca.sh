#!/usr/bin/env bash
# Makes a throwaway certificate authority and a server certificate for localhost signed by it.
#   make_ca.sh OUTDIR   ->  OUTDIR/ca.pem (trust this one), OUTDIR/cert.pem, OUTDIR/key.pem (0600)
# The CA's own key is deleted once the certificate is signed: nothing else can be issued with it.
# 90 days of validity: long enough that no scanner flags a certificate about to expire.
set -euo pipefail
out=${1:?usage: make_ca.sh OUTDIR}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 90 \
  -subj "/CN=Bastion throwaway test CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2> "$work/log" || { cat "$work/log" >&2; exit 1; }

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
  -subj "/CN=localhost" -keyout "$work/key.pem" -out "$work/server.csr" 2> "$work/log" \
  || { cat "$work/log" >&2; exit 1; }

cat > "$work/ext.cnf" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 90 -sha256 -extfile "$work/ext.cnf" -out "$work/cert.pem" 2> "$work/log" \
  || { cat "$work/log" >&2; exit 1; }

install -m 0644 "$work/ca.pem" "$out/ca.pem"
install -m 0644 "$work/cert.pem" "$out/cert.pem"
install -m 0600 "$work/key.pem" "$out/key.pem"
openssl verify -CAfile "$out/ca.pem" "$out/cert.pem" > /dev/null
