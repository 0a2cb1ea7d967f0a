#!/usr/bin/env bash
# Runs `tfport bench --json` for every model and batch of ../shared/fixtures/bench/MANIFEST.tsv
# and prints one table with ONNX Runtime's figures from ../shared/bench/peers.tsv beside ours
# (load ms, p50 and p99 latency, and the p50 ratio tfport / ONNX Runtime). Each JSON line is
# checked against the contract's fields; a model that cannot run is listed with the reason.
# Models too large for the fixtures (inception_v3) are built once by make-large.sh into
# $TFPORT_BENCH_MODELS (default ../bench-models), since the fixtures folder may be read-only.
# --omp-passive sets OMP_WAIT_POLICY=passive for oneDNN's OpenMP threads instead of tfport's
# default short spin (GOMP_SPINCOUNT=20000, see src/cli/openmp_defaults.cc).
# Usage: scripts/bench.sh [--runs R] [--threads T] [--raw OUT.jsonl] [--only NAME] [--omp-passive]
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="${TFPORT_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
peers="${TFPORT_PEERS:-$(cd .. && pwd)/shared/bench/peers.tsv}"
large_dir="${TFPORT_BENCH_MODELS:-$(cd .. && pwd)/bench-models}"
runs=() threads=() raw=/dev/null only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=(--runs "$2"); shift 2 ;;
    --threads) threads=(--threads "$2"); shift 2 ;;
    --raw) raw="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --omp-passive) export OMP_WAIT_POLICY=passive; shift ;;
    *) echo "usage: $0 [--runs R] [--threads T] [--raw OUT.jsonl] [--only NAME] [--omp-passive]" >&2; exit 2 ;;
  esac
done
tfport=build/src/cli/tfport
[ -x "$tfport" ] || scripts/build.sh release
if [ ! -f "$fixtures/bench/inception_v3_nsfw.h5" ] && [ ! -f "$large_dir/inception_v3_nsfw.h5" ]; then
  bash "$fixtures/bench/make-large.sh" "$large_dir" >&2 || echo "bench: could not build inception_v3 (needs npm)" >&2
fi
results=$(mktemp); err=$(mktemp); trap 'rm -f "$results" "$err"' EXIT
while IFS=$'\t' read -r name rel _input batches _; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  path="$fixtures/$rel"
  [ -e "$path" ] || path="$large_dir/$(basename "$rel")"
  # load_ms is taken with the model's files in the page cache, as repeated CLI use and servers
  # see them; a first read from disk measures the disk.
  [ -e "$path" ] && find "$path" -type f -exec cat {} + > /dev/null
  for b in ${batches//,/ }; do
    if [ ! -e "$path" ]; then
      printf '%s\t%s\tERROR\t%s not found (run make-large.sh)\n' "$name" "$b" "$rel" >> "$results"
    elif json=$("$tfport" bench --model "$path" --batch "$b" "${runs[@]}" "${threads[@]}" --json 2>"$err"); then
      echo "$json" >> "$raw"
      printf '%s\t%s\tOK\t%s\n' "$name" "$b" "$json" >> "$results"
    else
      # The reason without the model path, which the row already names.
      printf '%s\t%s\tERROR\t%s\n' "$name" "$b" "$(tr '\n' ' ' < "$err" | sed 's/^tfport: error: [^:]*: //' | cut -c1-240)" >> "$results"
    fi
  done
done < "$fixtures/bench/MANIFEST.tsv"
python3 - "$results" "$peers" <<'PY'
import csv, json, sys
contract = ["engine", "model", "batch", "threads", "load_ms", "latency_ms_p50", "latency_ms_p99",
            "throughput_sps", "peak_rss_mb", "runs"]
ort = {}
with open(sys.argv[2]) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        if row["engine"].startswith("onnxruntime"):
            ort[(row["model"], row["batch"])] = row
cols = ["model", "batch", "load_ms", "ORT load", "p50_ms", "ORT p50", "p50/ORT", "p99_ms", "ORT p99",
        "samples/s", "rss_mb", "note"]
rows = []
for line in open(sys.argv[1]):
    name, batch, status, rest = line.rstrip("\n").split("\t", 3)
    o = ort.get((name, batch), {})
    if status != "OK":
        rows.append([name, batch, "-", o.get("load_ms", "-"), "-", o.get("latency_ms_p50", "-"), "-", "-",
                     o.get("latency_ms_p99", "-"), "-", "-", "failed: " + rest])
        continue
    j = json.loads(rest)
    note = "" if list(j.keys()) == contract else "JSON fields differ from the contract: " + ",".join(j.keys())
    ratio = "-"
    if o.get("latency_ms_p50"):
        ratio = "%.2f" % (j["latency_ms_p50"] / float(o["latency_ms_p50"]))
    rows.append([name, batch, "%.1f" % j["load_ms"], o.get("load_ms", "-"), "%.3f" % j["latency_ms_p50"],
                 o.get("latency_ms_p50", "-"), ratio, "%.3f" % j["latency_ms_p99"], o.get("latency_ms_p99", "-"),
                 "%.1f" % j["throughput_sps"], "%.1f" % j["peak_rss_mb"], note])
widths = [max(len(str(r[i])) for r in rows + [cols]) for i in range(len(cols) - 1)]
for r in [cols] + rows:
    print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)) + "  " + str(r[-1]))
PY
