#!/usr/bin/env bash
# Builds the libFuzzer targets (the clang ASan+UBSan tree, build-asan/) and runs each for
# SECONDS (default 60), seeded with real files from ../shared/fixtures. A crash leaves its
# input in build-asan/crashes/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
fixtures="${TFPORT_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
scripts/build.sh asan

# Seeds per target: file patterns under the fixtures directory.
seeds_for() {
  case "$1" in
    bundle_*)     find "$fixtures" -name '*.index' ;;
    savedmodel_*) find "$fixtures" -name 'saved_model.pb' -size -200k ;;
    graphdef_*)   find "$fixtures" \( -name '*.pb' -o -name '*.meta' \) ! -name 'saved_model.pb' ! -name 'keras_metadata.pb' ! -name 'fingerprint.pb' -size -2M ;;
    keras_h5_*|hdf5_*) find "$fixtures" -name '*.h5' -size -3M ;;
    keras_v3_*|zip_*) find "$fixtures" -name '*.keras' -size -2M ;;
    image_decode_*) find fuzz/seeds/image_decode -type f ;;
    keras_lower_*) find "$fixtures" -name '*.keras' -size -2M; find fuzz/seeds/keras_lower -name '*.json' ;;
    npy_*)        find "$fixtures" -name '*.npy' ;;
    *)            true ;;
  esac
}

# Targets listed in TFPORT_FUZZ_SEEDS_ONLY only replay their seed corpus (none by default;
# keras_h5_fuzz needed it before the HDF5 library ran in tfport's sandbox process).
seeds_only="${TFPORT_FUZZ_SEEDS_ONLY-}"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi
mkdir -p build-asan/crashes
status=0
for t in "${targets[@]}"; do
  corpus="build-asan/corpus/$t"
  mkdir -p "$corpus"
  # Fixtures share base names (saved_model.pb ...): prefix each seed with a hash of its path.
  while IFS= read -r f; do
    cp -f "$f" "$corpus/$(printf '%s' "$f" | md5sum | cut -c1-8)-$(basename "$f")" 2>/dev/null || true
  done < <(seeds_for "$t")
  mode=(-max_total_time="$seconds")
  if [[ " $seeds_only " == *" $t "* ]]; then
    mode=(-runs=0)
    echo "fuzz: $t replays its $(ls "$corpus" | wc -l) seeds only (see TFPORT_FUZZ_SEEDS_ONLY above)"
  else
    echo "fuzz: $t for ${seconds}s ($(ls "$corpus" | wc -l) seeds)"
  fi
  if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
       "build-asan/fuzz/$t" "${mode[@]}" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
       -seed=1 -timeout=30 -artifact_prefix="build-asan/crashes/$t-" -print_final_stats=0 "$corpus" \
       > "build-asan/$t.log" 2>&1; then
    echo "fuzz: $t FAILED (see build-asan/$t.log)"; tail -40 "build-asan/$t.log"; status=1
  fi
done
exit $status
