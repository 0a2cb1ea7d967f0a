// How long opening each fixture model takes with the reader of its format (detect + parse +
// index; checkpoint data stays mapped, not read). Target: under 5 ms for models under 10 MB.
// Run: build/bench/open_bench [--benchmark_filter=keras]
#include <benchmark/benchmark.h>

#include "support/fixture_list.h"
#include "tfport/checkpoint.h"
#include "tfport/formats.h"
#include "tfport/graph_def.h"
#include "tfport/keras.h"
#include "tfport/saved_model.h"

namespace {

tfport::Status open_once(const tfport::DetectedModel& m) {
  using tfport::ModelFormat;
  switch (m.format) {
    case ModelFormat::kSavedModel: {
      auto sm = tfport::read_saved_model(m.path);
      if (!sm.ok()) return sm.status();
      if (sm->variables_prefix.empty()) return tfport::Status::OK();
      return tfport::CheckpointReader::open(sm->variables_prefix).status();
    }
    case ModelFormat::kCheckpoint:
      return tfport::CheckpointReader::open(m.checkpoint_prefix).status();
    case ModelFormat::kTf1MetaGraph: {
      auto meta = tfport::read_meta_graph_file(m.path);
      if (!meta.ok()) return meta.status();
      return tfport::CheckpointReader::open(m.checkpoint_prefix).status();
    }
    case ModelFormat::kFrozenGraph:
      return tfport::read_graph_def(m.path).status();
    case ModelFormat::kKerasH5:
      return tfport::read_keras_h5(m.path).status();
    case ModelFormat::kKerasV3:
      return tfport::read_keras_v3(m.path).status();
  }
  return tfport::internal_error("unknown format");
}

void open_model(benchmark::State& state, std::string path) {
  for (auto _ : state) {
    auto m = tfport::detect_model(path);
    tfport::Status s = m.ok() ? open_once(*m) : m.status();
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& a : tfport::testing::list_fixture_artifacts()) {
    benchmark::RegisterBenchmark(("open/" + a.id).c_str(), open_model, a.path)->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
