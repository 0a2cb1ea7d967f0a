#!/usr/bin/env bash
# Sets everything up, builds tfport and starts the model server on the bundled example model
# (TF Serving's half_plus_two) in the foreground: gRPC on 8500, REST on 8501. Ctrl-C stops it.
#   curl -d '{"instances": [1.0, 2.0, 5.0]}' http://localhost:8501/v1/models/half_plus_two:predict
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/src/cli/tfport serve --port=8500 --rest_api_port=8501 --model_name=half_plus_two \
  --model_base_path=examples/half_plus_two
