#!/usr/bin/env bash
# Builds Jejak's Debian package: a Release build in build-package/ (apart from the
# development build in build/), then CPack's DEB generator (cmake/Packaging.cmake). Prints
# the path of build-package/jejak_<version>_<arch>.deb as its last line. Needs only the
# Debian build tools from ops/install-deps.sh (cmake, dpkg-dev for dpkg-shlibdeps, file).
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [[ -f build-package/CMakeCache.txt ]]; then generator=(); fi
cmake -S . -B build-package "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >&2
cmake --build build-package --parallel "$(nproc)" --target jejak >&2
rm -f build-package/jejak_*.deb
(cd build-package && cpack -G DEB >&2)
shopt -s nullglob
debs=(build-package/jejak_*.deb)
if ((${#debs[@]} != 1)); then
  echo "package: expected one build-package/jejak_*.deb, found ${#debs[@]}" >&2
  exit 1
fi
echo "$PWD/${debs[0]}"
