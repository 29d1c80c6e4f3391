#!/usr/bin/env bash
# The Debian package, installed for real: builds it with ops/package.sh, installs it with
# dpkg -i, checks what it put where (binary, unit, conffile, user, /var/lib/jejak 0750),
# checks the unit with systemd-analyze (verify, and the offline security score), then runs
# the installed binary as the unit would: `jejak init` as the user jejak into
# /var/lib/jejak, and the unit's own ExecStart under an emulation of its sandbox (every
# mount read-only but /var/lib/jejak, a private /tmp, umask 0077) serving HTTPS on a free
# loopback port, where it answers /healthz, takes an append and renders an XLSX
# workpaper; SIGTERM stops it cleanly. Installing over it (the upgrade path) keeps the
# ledger and an edited conffile; dpkg -r keeps the ledger and dpkg --purge keeps it too
# (and says so); the test then removes what it made, leaving the machine as
# it found it. Needs root; as another user it exits 77 (ctest: skipped).
source "$(dirname "$0")/lib.sh"
UNIT=/lib/systemd/system/jejak.service
DATA=/var/lib/jejak
SERVER_PID=""
INSTALLED=no
MADE_USER=no
MADE_DATA=no

# Fails the whole test at once: a step the rest depends on did not work.
die() {
  echo "FAIL: $*" >&2
  exit 1
}

cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  if [[ $INSTALLED == yes ]]; then dpkg --purge jejak >/dev/null 2>&1; fi
  if [[ $MADE_DATA == yes ]]; then rm -rf "$DATA"; fi
  if [[ $MADE_USER == yes ]] && getent passwd jejak >/dev/null; then userdel jejak; fi
  if [[ $MADE_USER == yes ]] && getent group jejak >/dev/null; then groupdel jejak; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: the package test installs a .deb with dpkg -i and needs root (ops/test.sh runs as root)"
  exit 77
fi
# It installs and removes the package system-wide: never over an operator's own.
if dpkg-query -W -f='${Status}' jejak 2>/dev/null | grep -q "installed\|config-files"; then
  die "the jejak package is already on this machine; this test installs and purges it, so run it where it is not (dpkg --purge jejak)"
fi
# Only what an interrupted run of this test (a ctest timeout kills it without cleanup)
# leaves may be deleted by hand; a real ledger in /var/lib/jejak never.
LEFTOVER="if an interrupted run of this test left it: dpkg --purge jejak; rm -r $DATA; userdel jejak"
for path in "$DATA" /etc/jejak "$UNIT" /usr/bin/jejak; do
  [[ ! -e $path ]] || die "$path exists already; this test would install over it and remove it ($LEFTOVER)"
done
getent passwd jejak >/dev/null && die "a user jejak exists already; this test creates and removes it ($LEFTOVER)"
getent group jejak >/dev/null && die "a group jejak exists already; this test creates and removes it ($LEFTOVER)"

# --- Build and inspect --------------------------------------------------------------------
DEB=$("$SOURCE_DIR/ops/package.sh" 2>"$SCRATCH/package.log" | tail -n 1) ||
  { tail -n 40 "$SCRATCH/package.log" >&2; die "ops/package.sh failed"; }
VERSION=$(sed -n 's/^project(jejak VERSION \([0-9.]*\).*/\1/p' "$SOURCE_DIR/CMakeLists.txt")
expect_equal "package file name" "$(basename "$DEB")" "jejak_${VERSION}_$(dpkg --print-architecture).deb"
expect_equal "package name" "$(dpkg-deb -f "$DEB" Package)" "jejak"
depends=$(dpkg-deb -f "$DEB" Depends)
for library in libssl3 libsoci-core4.0 libsoci-sqlite3-4.0 libsqlite3-0 libxlsxwriter4 libstdc++6 adduser; do
  expect_contains "Depends names $library" "$depends" "$library"
done
expect_equal "conffiles" "$(dpkg-deb -I "$DEB" conffiles)" "/etc/jejak/jejak.conf.example"
contents=$(dpkg-deb -c "$DEB")
for path in ./usr/bin/jejak ./lib/systemd/system/jejak.service ./etc/jejak/jejak.conf.example \
            ./usr/share/doc/jejak/deployment.md ./usr/share/doc/jejak/auditor-guide.md; do
  expect_contains "package holds $path" "$contents" " $path"
done

# --- Install ------------------------------------------------------------------------------
# None of these existed (checked above): whatever of them is there from now on is ours.
INSTALLED=yes
MADE_USER=yes
MADE_DATA=yes
dpkg -i "$DEB" >"$SCRATCH/dpkg-i.log" 2>&1 || { cat "$SCRATCH/dpkg-i.log" >&2; die "dpkg -i failed"; }
expect_equal "dpkg status" "$(dpkg-query -W -f='${Status}' jejak)" "install ok installed"
expect_contains "conffile registered" "$(dpkg-query -W -f='${Conffiles}' jejak)" "/etc/jejak/jejak.conf.example"
expect_equal "the example config is the documented one" \
  "$(sha256sum < /etc/jejak/jejak.conf.example)" "$(sha256sum < "$SOURCE_DIR/ops/jejak.example.conf")"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd jejak)
[[ $uid -lt 1000 ]] && PASSES=$((PASSES + 1)) || { echo "FAIL: jejak is not a system user (uid $uid)" >&2; FAILURES=$((FAILURES + 1)); }
expect_equal "jejak's home" "$home" "$DATA"
expect_equal "jejak cannot log in" "$shell" "/usr/sbin/nologin"
expect_equal "data directory owner and mode" "$(stat -c '%U:%G %a' "$DATA")" "jejak:jejak 750"
expect_exit 0 "installed binary runs" -- /usr/bin/jejak --help
expect_contains "installed binary's usage" "$LAST_STDOUT" "serve --data DIR"

# --- The unit -------------------------------------------------------------------------------
# Every line systemd-analyze prints is a warning about the unit (or a unit it names).
verify_output=$(systemd-analyze verify "$UNIT" 2>&1)
verify_status=$?
echo "systemd-analyze verify $UNIT: exit $verify_status, output: '${verify_output}'"
expect_equal "systemd-analyze verify exit" "$verify_status" "0"
expect_equal "systemd-analyze verify prints nothing" "$verify_output" ""
security=$(systemd-analyze security --offline=true "$UNIT" 2>&1)
score_line=$(grep "Overall exposure level" <<<"$security")
echo "systemd-analyze security: $score_line"
score=$(sed -n 's/.*jejak.service: \([0-9.]*\) .*/\1/p' <<<"$score_line")
# 0 is fully confined and 10 not at all; systemd calls up to 2.9 "OK".
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: exposure level '$score' above 2.0: $security" >&2; FAILURES=$((FAILURES + 1)); }
for setting in "User=jejak" "ProtectSystem=strict" "NoNewPrivileges=yes" "StateDirectory=jejak" \
               "CapabilityBoundingSet=" "UMask=0077" "PrivateTmp=yes"; do
  expect_contains "unit sets $setting" "$(cat "$UNIT")" $'\n'"$setting"$'\n'
done

# --- A ledger in /var/lib/jejak, made and served as the unit does ------------------------
as_jejak() { setpriv --reuid=jejak --regid=jejak --init-groups -- "$@"; }
umask 077
expect_exit 0 "init as jejak" -- as_jejak /usr/bin/jejak init --data "$DATA" --region "Pemerintah Kabupaten Uji"
expect_equal "init left the data directory as the package made it" "$(stat -c '%U:%G %a' "$DATA")" "jejak:jejak 750"
expect_equal "ledger files belong to jejak" "$(find "$DATA" ! -user jejak | wc -l)" "0"
expect_exit 0 "append from stdin as jejak" -- \
  bash -c "setpriv --reuid=jejak --regid=jejak --init-groups -- /usr/bin/jejak append --data $DATA --sub admin - < '$SOURCE_DIR/ops/demo/registry.ndjson'"
expect_contains "append" "$LAST_STDOUT" "appended 11 entries"
expect_exit 0 "verify as jejak" -- as_jejak /usr/bin/jejak verify --data "$DATA"
expect_contains "verify" "$LAST_STDOUT" "ok: 12 entries"
ADMIN=$(as_jejak /usr/bin/jejak token --data "$DATA" --role admin --sub pemasang --ttl 1h)
AUDITOR=$(as_jejak /usr/bin/jejak token --data "$DATA" --role auditor --sub pemeriksa --ttl 1h)

# The unit's ExecStart (word for word) as jejak, with the unit's umask, in a mount namespace
# where every mount is read-only but /var/lib/jejak and a fresh /tmp, as ProtectSystem=strict,
# StateDirectory= and PrivateTmp= arrange it; --listen picks a free loopback port.
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
[[ $exec_start == "/usr/bin/jejak serve --config $DATA/jejak.conf" ]] || die "unexpected ExecStart: $exec_start"
read -r -a command <<<"$exec_start"
# What the unit makes writable and private, read from the unit itself.
state_dir=$(sed -n 's/^StateDirectory=//p' "$UNIT")
expect_equal "the unit's writable directory" "/var/lib/$state_dir" "$DATA"
private_tmp=$(sed -n 's/^PrivateTmp=//p' "$UNIT")
umask "$(sed -n 's/^UMask=//p' "$UNIT")"
sandbox='
  mount --bind "$1" "$1" || exit 97
  for m in $(awk "{print \$5}" /proc/self/mountinfo | sort -u); do
    case $m in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$1") continue ;; esac
    mount -o remount,bind,ro "$m" 2>/dev/null
  done
  if [ "$2" = yes ]; then mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp || exit 97; fi
  ! touch /usr/.jejak-rw-probe 2>/dev/null || exit 97
  ! touch /etc/.jejak-rw-probe 2>/dev/null || exit 97
  shift 2
  exec setpriv --reuid=jejak --regid=jejak --init-groups -- "$@"'
unshare --mount --propagation private bash -c "$sandbox" sandbox "/var/lib/$state_dir" "$private_tmp" \
  "${command[@]}" --listen 127.0.0.1:0 >"$SCRATCH/serve.out" 2>"$SCRATCH/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 300); do
  PORT=$(sed -n 's|^listening on https://127.0.0.1:\([0-9]*\)$|\1|p' "$SCRATCH/serve.out")
  [[ -n $PORT ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
[[ -n $PORT ]] || { cat "$SCRATCH/serve.err" >&2; die "the server did not start under the sandbox"; }
BASE=https://127.0.0.1:$PORT
CURL=(curl -sS --max-time 20 --cacert "$DATA/tls/cert.pem")
expect_equal "GET /healthz" "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$BASE/healthz")" "200"
ready=""
for _ in $(seq 1 100); do
  ready=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$BASE/readyz")
  [[ $ready == 200 ]] && break
  sleep 0.1
done
expect_equal "GET /readyz after the start-up verification" "$ready" "200"
status=$("${CURL[@]}" -o "$SCRATCH/append.json" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' \
  --data '{"kind":"opd","code":"9.99.0.00.0.00.01.0000","name":"Dinas Uji Paket"}' "$BASE/v1/entries")
expect_equal "POST /v1/entries under the read-only root" "$status" "201"
expect_contains "the append got seq 12" "$(cat "$SCRATCH/append.json")" '"seq":12'
status=$("${CURL[@]}" -o "$SCRATCH/workpapers.xlsx" -w '%{http_code}' -H "Authorization: Bearer $AUDITOR" \
  "$BASE/v1/export/workpapers?fiscal_year=2026&format=xlsx")
expect_equal "XLSX workpapers (assembled in the private /tmp)" "$status" "200"
expect_equal "XLSX is a zip" "$(head -c 2 "$SCRATCH/workpapers.xlsx")" "PK"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
expect_equal "serve exits 0 on SIGTERM" "$?" "0"
SERVER_PID=""
expect_contains "graceful shutdown logged" "$(cat "$SCRATCH/serve.err")" '"event":"shutdown.done"'
expect_equal "nothing but the data directory was written" "$(grep -c 'Read-only file system' "$SCRATCH/serve.err")" "0"
expect_equal "the kept checkpoint is in the data directory" "$(stat -c %U "$DATA/state/latest-checkpoint")" "jejak"
expect_exit 0 "verify after serving" -- as_jejak /usr/bin/jejak verify --data "$DATA"
expect_contains "verify counts the served append" "$LAST_STDOUT" "ok: 13 entries"

# --- Upgrade (the same version again runs the same scripts) ------------------------------
ledger_sum=$(sha256sum "$DATA/ledger.db" | cut -d' ' -f1)
echo "# edited here" >> /etc/jejak/jejak.conf.example
dpkg -i "$DEB" >"$SCRATCH/dpkg-upgrade.log" 2>&1 || { cat "$SCRATCH/dpkg-upgrade.log" >&2; die "dpkg -i over the installed package failed"; }
expect_equal "upgrade keeps the ledger" "$(sha256sum "$DATA/ledger.db" | cut -d' ' -f1)" "$ledger_sum"
expect_equal "upgrade keeps the data directory" "$(stat -c '%U:%G %a' "$DATA")" "jejak:jejak 750"
expect_equal "upgrade keeps a locally edited conffile" "$(tail -n 1 /etc/jejak/jejak.conf.example)" "# edited here"

# --- Remove, then purge: the ledger stays ------------------------------------------------
dpkg -r jejak >"$SCRATCH/dpkg-r.log" 2>&1 || { cat "$SCRATCH/dpkg-r.log" >&2; die "dpkg -r failed"; }
expect_equal "removed, conffile kept" "$(dpkg-query -W -f='${Status}' jejak)" "deinstall ok config-files"
[[ ! -e /usr/bin/jejak && ! -e $UNIT ]] && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: dpkg -r left the binary or the unit" >&2; FAILURES=$((FAILURES + 1)); }
expect_equal "dpkg -r keeps the ledger" "$(sha256sum "$DATA/ledger.db" | cut -d' ' -f1)" "$ledger_sum"
dpkg --purge jejak >"$SCRATCH/dpkg-purge.log" 2>&1 || { cat "$SCRATCH/dpkg-purge.log" >&2; die "dpkg --purge failed"; }
INSTALLED=no
expect_contains "purge says it kept the ledger" "$(cat "$SCRATCH/dpkg-purge.log")" "kept the ledger in /var/lib/jejak"
expect_equal "dpkg --purge keeps the ledger" "$(sha256sum "$DATA/ledger.db" | cut -d' ' -f1)" "$ledger_sum"
[[ ! -e /etc/jejak ]] && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: purge left /etc/jejak" >&2; FAILURES=$((FAILURES + 1)); }
expect_equal "purged" "$(dpkg-query -W -f='${Status}' jejak 2>/dev/null)" ""

# An empty data directory goes with the purge: install again, purge at once.
rm -rf "$DATA"
INSTALLED=yes
dpkg -i "$DEB" >"$SCRATCH/dpkg-i2.log" 2>&1 || { cat "$SCRATCH/dpkg-i2.log" >&2; die "second dpkg -i failed"; }
dpkg --purge jejak >"$SCRATCH/dpkg-purge2.log" 2>&1 || { cat "$SCRATCH/dpkg-purge2.log" >&2; die "second purge failed"; }
INSTALLED=no
[[ ! -e $DATA ]] && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: purge left an empty $DATA" >&2; FAILURES=$((FAILURES + 1)); }
expect_equal "purge keeps the user jejak" "$(getent passwd jejak | cut -d: -f1)" "jejak"

cleanup
trap - EXIT
leftovers=$(ls -d "$DATA" /etc/jejak "$UNIT" /usr/bin/jejak 2>/dev/null; getent passwd jejak; getent group jejak)
expect_equal "the machine is as it was" "$leftovers" ""
finish
