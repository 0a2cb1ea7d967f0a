#!/usr/bin/env bash
# The whole test suite: sets up, builds (release, and clang ASan+UBSan), runs every test under
# both, then a short libFuzzer run of each reader (the fuzz targets live in the ASan tree). Usage: scripts/test.sh [--quick]  (--quick: release only)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
(cd build && ctest --output-on-failure -j "$(nproc)")
[ "${1:-}" = "--quick" ] && exit 0
scripts/build.sh asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$(nproc)")
scripts/fuzz.sh 20
