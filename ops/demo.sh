#!/usr/bin/env bash
# Installs what is needed, builds Jejak, records a sample regency's fiscal year under
# var/demo (about 30 OPDs, Rp1.1 trillion of budgets, 50,000 payments on every instrument,
# reversals, refunds, tax deposits and a few planted anomalies), verifies it, and serves the
# API and the web app (the Bupati's, the auditor's and the bendahara's pages) on
# https://127.0.0.1:8443 until Ctrl-C, with two witnesses
# (the Inspektorat and BPK Perwakilan) cosigning every checkpoint. It prints a token per role.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
ops/build.sh
if [[ -f var/demo/jejak.conf ]]; then
  build/jejak verify --data var/demo
fi
exec build/jejak demo --data var/demo "$@"
