#!/usr/bin/env bash
# Installs what is needed, builds Jejak, records a sample regency under var/demo (OPDs,
# budgets, a month of payments on every instrument, a reversal, tax deposits), verifies
# it as an auditor would (online and from an offline bundle), then serves it over HTTPS
# on 127.0.0.1:8443 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
ops/build.sh
demo=var/demo
if [[ -f "$demo/jejak.conf" ]]; then
  echo "demo: $demo already holds a ledger (rm -rf $demo to start over)"
else
  build/jejak init --data "$demo" --region "Pemerintah Kabupaten Contoh Lestari" \
    --origin jejak.demo/contoh-lestari
  build/jejak append --data "$demo" --sub admin.bpkad ops/demo/registry.ndjson
  build/jejak append --data "$demo" --sub bendahara.dinkes ops/demo/expenditures.ndjson
  build/jejak append --data "$demo" --sub bendahara.dinkes ops/demo/corrections.ndjson
fi
build/jejak verify --data "$demo"
rm -f "$demo/bundle.ndjson.tmp"
build/jejak export-bundle --data "$demo" --out "$demo/bundle.ndjson.tmp"
mv "$demo/bundle.ndjson.tmp" "$demo/bundle.ndjson"
build/jejak verify-bundle "$demo/bundle.ndjson" --key "$demo/keys/checkpoint.vkey"
cat <<TIP

Serving $demo on https://127.0.0.1:8443 (Ctrl-C stops it). In another terminal:
  TOKEN=\$(build/jejak token --data $demo --role auditor --sub bpk.auditor)
  curl --cacert $demo/tls/cert.pem -H "Authorization: Bearer \$TOKEN" https://127.0.0.1:8443/v1/verify
README.md has more examples.
TIP
exec build/jejak serve --data "$demo"
