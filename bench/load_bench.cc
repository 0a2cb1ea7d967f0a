// Model::load of the Keras HDF5 bench models, end to end (file, graph, plan): what `tfport
// bench` reports as load_ms, repeated so that profilers see it. Extra files (e.g. the large
// inception_v3_nsfw.h5 built outside the fixtures) come from TFPORT_LOAD_BENCH_EXTRA,
// colon-separated.
// Run: build/bench/load_bench [--benchmark_filter=mobilenet]
#include <benchmark/benchmark.h>

#include <filesystem>

#include "keras_bench_models.h"
#include "support/test_support.h"
#include "tfport/model.h"

namespace {

void load_model(benchmark::State& state, std::string path) {
  for (auto _ : state) {
    auto model = tfport::Model::load(path);
    if (!model.ok()) {
      state.SkipWithError(model.status().message().c_str());
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const std::string& p : tfport::bench::keras_bench_models()) {
    std::string name = "load/" + std::filesystem::path(p).filename().string();
    benchmark::RegisterBenchmark(name.c_str(), load_model, p)->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
