#!/usr/bin/env bash
# Runs `tfport bench --json` for every model and batch of ../shared/fixtures/bench/MANIFEST.tsv
# (building the large model first if missing) and prints one TSV row per run, in the columns of
# ../shared/bench/peers.tsv, so the figures sit beside the peers'.
# Usage: scripts/bench.sh [OUT.tsv]
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="${TFPORT_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
out="${1:-/dev/stdout}"
[ -x build/src/cli/tfport ] || scripts/build.sh release
large_dir="build/bench-models"
if [ ! -f "$fixtures/bench/inception_v3_nsfw.h5" ] && [ ! -f "$large_dir/inception_v3_nsfw.h5" ]; then
  bash "$fixtures/bench/make-large.sh" "$large_dir" >&2 || echo "bench: could not build inception_v3 (needs npm)" >&2
fi
{
  printf 'engine\tmodel\tbatch\tthreads\tload_ms\tlatency_ms_p50\tlatency_ms_p99\tthroughput_sps\tpeak_rss_mb\n'
  while IFS=$'\t' read -r name rel input batches _; do
    case "$name" in ''|'#'*) continue ;; esac
    path="$fixtures/$rel"
    [ -e "$path" ] || path="$large_dir/$(basename "$rel")"
    [ -e "$path" ] || { echo "bench: $name: $rel not found, skipped" >&2; continue; }
    for b in ${batches//,/ }; do
      if json=$(build/src/cli/tfport bench --model "$path" --batch "$b" --json 2>/tmp/tfport-bench.err); then
        python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print("\t".join(str(j[k]) for k in
          ["engine","model","batch","threads","load_ms","latency_ms_p50","latency_ms_p99","throughput_sps","peak_rss_mb"]).replace(j["model"], sys.argv[2]))' "$json" "$name"
      else
        echo "bench: $name batch $b failed: $(cat /tmp/tfport-bench.err)" >&2
      fi
    done
  done < "$fixtures/bench/MANIFEST.tsv"
} > "$out"
