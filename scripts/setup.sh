#!/usr/bin/env bash
# Installs ffasim's Debian packages (only those missing) and builds the project into build/.
# Safe to run again: apt runs only when a package is missing, and the build is incremental.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config
  libsystemc-dev libfdt-dev device-tree-compiler libcapstone-dev
  libgtest-dev googletest
  pybind11-dev python3-pybind11 python3-dev
  python3-pytest python3-numpy python3-pandas python3-matplotlib python3-yaml
  python3-tqdm python3-distributed
  clang libclang-rt-dev   # the libFuzzer target on descriptor parsing (tests/fuzz)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "${FFASIM_SKIP_BUILD:-0}" != "1" ]; then
  # Quiet when it works; the whole configure log when it does not.
  if ! log=$(cmake -S "$top" -B "$top/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
                   -DPython_EXECUTABLE=/usr/bin/python3 2>&1); then
    printf '%s\n' "$log" >&2
    echo "setup: CMake configuration failed (log above)" >&2
    exit 1
  fi
  cmake --build "$top/build" -j "$(nproc)"
fi
