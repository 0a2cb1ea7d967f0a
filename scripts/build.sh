#!/usr/bin/env bash
# Configures and builds tfport. Usage: scripts/build.sh [release|asan|fuzz]  (default: release)
# Build trees: build/ (release), build-asan/ (ASan+UBSan), build-fuzz/ (clang, libFuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
jobs="$(nproc)"
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DTFPORT_SANITIZE=ON -DTFPORT_BUILD_BENCH=OFF) ;;
  fuzz)    dir=build-fuzz; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTFPORT_FUZZ=ON -DTFPORT_BUILD_TESTS=OFF
                                  -DTFPORT_BUILD_BENCH=OFF -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: $0 [release|asan|fuzz]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G "Unix Makefiles" -DTFPORT_WERROR=ON "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^Consolidate compiler' || true
test "${PIPESTATUS[0]}" -eq 0
