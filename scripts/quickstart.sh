#!/usr/bin/env bash
# Sets everything up, builds tfport and runs the main job on the bundled example model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
build/src/cli/tfport show --dir examples/half_plus_two --all
