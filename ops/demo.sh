#!/usr/bin/env bash
# Installs what is needed, builds Jejak, creates a sample ledger for a small regency under
# var/demo (OPDs, budgets, a month of non-cash payments, a reversal, a tax deposit) and
# verifies it, then exports and verifies the offline bundle as an auditor would.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
ops/build.sh
demo=var/demo
if [[ -f "$demo/jejak.conf" ]]; then
  echo "demo: $demo already holds a ledger; remove it to start over (rm -rf $demo)"
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
echo
echo "demo ledger: $demo   latest checkpoint:"
build/jejak checkpoint --data "$demo"
