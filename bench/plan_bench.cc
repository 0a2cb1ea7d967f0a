// The graph half of a Keras model load, without reading the file: lowering the already-read
// model to the graph IR, and building the serving plan from that graph (passes, order,
// kernels), so profiles and instruction counts of that half are not drowned by file reading.
// Extra files (e.g. the large inception_v3_nsfw.h5 built outside the fixtures) come from
// TFPORT_LOAD_BENCH_EXTRA, colon-separated.
// Run: build/bench/plan_bench [--benchmark_filter=plan/inception]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "keras_bench_models.h"
#include "graph/keras/lower_keras.h"
#include "runtime/plan.h"
#include "support/test_support.h"
#include "tfport/keras.h"

namespace {

using tfport::runtime::Plan;
using tfport::runtime::PlanSpec;

PlanSpec serving_spec(const tfport::graph::LoweredKerasModel& lowered) {
  PlanSpec spec;
  for (const auto& in : lowered.inputs) spec.feeds.push_back(in.tensor_name);
  for (const auto& out : lowered.outputs) spec.fetches.push_back(out.tensor_name);
  return spec;
}

void lower(benchmark::State& state, std::shared_ptr<const tfport::KerasModel> model) {
  for (auto _ : state) {
    auto lowered = tfport::graph::lower_keras_model(*model);
    if (!lowered.ok()) {
      state.SkipWithError(lowered.status().message().c_str());
      return;
    }
  }
}

void plan(benchmark::State& state, std::shared_ptr<const tfport::KerasModel> model) {
  auto lowered = tfport::graph::lower_keras_model(*model);
  if (!lowered.ok()) {
    state.SkipWithError(lowered.status().message().c_str());
    return;
  }
  const PlanSpec spec = serving_spec(*lowered);
  for (auto _ : state) {
    auto p = Plan::build(lowered->graph, spec);
    if (!p.ok()) {
      state.SkipWithError(p.status().message().c_str());
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const std::string& p : tfport::bench::keras_bench_models()) {
    auto read = tfport::read_keras_h5(p);
    if (!read.ok()) continue;
    auto model = std::make_shared<const tfport::KerasModel>(std::move(*read));
    const std::string file = std::filesystem::path(p).filename().string();
    benchmark::RegisterBenchmark(("lower/" + file).c_str(), lower, model)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("plan/" + file).c_str(), plan, model)->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
