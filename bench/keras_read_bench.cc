// The file-reading part of a Keras HDF5 model load, piece by piece: the HDF5 snapshot alone,
// the model config parse alone, and read_keras_h5 whole with the KerasModel's destruction
// (which Model::load no longer pays: the model keeps it), and without it. Same files as
// load_bench (TFPORT_LOAD_BENCH_EXTRA adds more).
// Run: build/bench/keras_read_bench [--benchmark_filter=inception]
#include <benchmark/benchmark.h>

#include <filesystem>

#include "keras_bench_models.h"
#include "formats/hdf5/hdf5_file.h"
#include "formats/keras/keras_config.h"
#include "support/test_support.h"
#include "tfport/keras.h"

namespace {

void hdf5_open(benchmark::State& state, std::string path) {
  for (auto _ : state) {
    auto file = tfport::hdf5::File::open(path);
    if (!file.ok()) {
      state.SkipWithError(file.status().message().c_str());
      return;
    }
  }
}

void parse_config(benchmark::State& state, std::string path) {
  auto file = tfport::hdf5::File::open(path);
  if (!file.ok()) {
    state.SkipWithError(file.status().message().c_str());
    return;
  }
  auto text = file->root().string_attribute("model_config");
  if (!text.ok()) {
    state.SkipWithError(text.status().message().c_str());
    return;
  }
  for (auto _ : state) {
    tfport::KerasModel model;
    tfport::Status s = tfport::keras::parse_model_config(*text, path, &model);
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      return;
    }
  }
}

void read_keras(benchmark::State& state, std::string path) {
  for (auto _ : state) {
    auto model = tfport::read_keras_h5(path);
    if (!model.ok()) {
      state.SkipWithError(model.status().message().c_str());
      return;
    }
  }
}

// The same without the model's destruction (which Model::load no longer pays).
void read_keras_kept(benchmark::State& state, std::string path) {
  for (auto _ : state) {
    auto model = tfport::read_keras_h5(path);
    if (!model.ok()) {
      state.SkipWithError(model.status().message().c_str());
      return;
    }
    state.PauseTiming();
    model = tfport::KerasModel();
    state.ResumeTiming();
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const std::string& p : tfport::bench::keras_bench_models()) {
    std::string file = std::filesystem::path(p).filename().string();
    benchmark::RegisterBenchmark(("hdf5_open/" + file).c_str(), hdf5_open, p)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("parse_config/" + file).c_str(), parse_config, p)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("read_keras_h5/" + file).c_str(), read_keras, p)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("read_keras_h5_kept/" + file).c_str(), read_keras_kept, p)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
