#!/usr/bin/env bash
# Configures and builds tfport. Usage: scripts/build.sh [release|asan]  (default: release)
#   release -> build/       (gcc, -O2, the binary users run and benchmarks)
#   asan    -> build-asan/  (clang, ASan+UBSan, tests and the libFuzzer targets in one tree)
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
jobs="$(nproc)"
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # Line tables only: sanitizer reports keep file:line, and the tree builds much faster than
  # with full debug info.
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DTFPORT_SANITIZE=ON -DTFPORT_FUZZ=ON
                                  -DTFPORT_BUILD_BENCH=OFF -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
                                  "-DCMAKE_C_FLAGS_DEBUG=-O0 -gline-tables-only"
                                  "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -gline-tables-only") ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G "Unix Makefiles" -DTFPORT_WERROR=ON "${flags[@]}" >/dev/null
# Only errors and warnings reach the terminal.
set +e +o pipefail
cmake --build "$dir" -j "$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^Consolidate compiler|^gmake|^make'
status=${PIPESTATUS[0]}
set -e
exit "$status"
