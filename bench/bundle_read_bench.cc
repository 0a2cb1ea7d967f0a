// Checkpoint read throughput: open the largest fixture bundle and read every variable, and the
// same over a synthetic 128 MiB bundle (written once to a temp dir by the test-only writer).
// Reports bytes/s of tensor data; run with a warm page cache (the first iteration warms it).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "../tests/formats/bundle/test_bundle_writer.h"
#include "core/crc32c.h"
#include "tfport/checkpoint.h"

namespace {

namespace fs = std::filesystem;

std::string fixtures_dir() {
  const char* env = std::getenv("TFPORT_FIXTURES");
  return env != nullptr ? env : TFPORT_DEFAULT_FIXTURES;
}

uint64_t data_bytes(const std::string& prefix) {
  uint64_t total = 0;
  const fs::path dir = fs::path(prefix).parent_path();
  const std::string stem = fs::path(prefix).filename().string() + ".data-";
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(stem, 0) == 0) total += e.file_size();
  }
  return total;
}

// The fixture bundle with the most tensor bytes.
std::string largest_fixture_prefix() {
  std::string best;
  uint64_t best_bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(fixtures_dir())) {
    const std::string p = e.path().string();
    if (!e.is_regular_file() || !p.ends_with(".index") || p.find("/invalid/") != std::string::npos) continue;
    const std::string prefix = p.substr(0, p.size() - 6);
    const uint64_t bytes = data_bytes(prefix);
    if (bytes > best_bytes) {
      best_bytes = bytes;
      best = prefix;
    }
  }
  return best;
}

uint64_t read_all(const tfport::CheckpointReader& reader, benchmark::State& state) {
  uint64_t bytes = 0;
  for (const tfport::CheckpointVariable& v : reader.variables()) {
    auto t = reader.read(v.name);
    if (!t.ok()) {
      state.SkipWithError(t.status().to_string().c_str());
      return bytes;
    }
    benchmark::DoNotOptimize(t->raw_data());
    bytes += v.byte_size;
  }
  return bytes;
}

void BM_OpenLargestFixture(benchmark::State& state) {
  const std::string prefix = largest_fixture_prefix();
  state.SetLabel(prefix.substr(fixtures_dir().size()));
  for (auto _ : state) {
    auto reader = tfport::CheckpointReader::open(prefix);
    if (!reader.ok()) state.SkipWithError(reader.status().to_string().c_str());
    benchmark::DoNotOptimize(reader);
  }
}
BENCHMARK(BM_OpenLargestFixture)->Unit(benchmark::kMicrosecond);

void BM_OpenAndReadAllLargestFixture(benchmark::State& state) {
  const std::string prefix = largest_fixture_prefix();
  state.SetLabel(prefix.substr(fixtures_dir().size()));
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto reader = tfport::CheckpointReader::open(prefix);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().to_string().c_str());
      break;
    }
    bytes += read_all(*reader, state);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_OpenAndReadAllLargestFixture)->Unit(benchmark::kMicrosecond);

// 32 float tensors of 4 MiB each.
class SyntheticBundle {
 public:
  SyntheticBundle() {
    dir_ = fs::temp_directory_path() / ("tfport-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    tfport::testing::TestBundleWriter w;
    std::vector<float> values(1 << 20);
    for (int i = 0; i < 32; ++i) {
      for (size_t k = 0; k < values.size(); ++k) values[k] = static_cast<float>(k * 0.001 + i);
      w.add<float>("layer_" + std::to_string(100 + i) + "/kernel", 1, {1024, 1024}, values);
    }
    prefix_ = w.write((dir_ / "ckpt").string());
  }
  ~SyntheticBundle() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& prefix() const { return prefix_; }

 private:
  fs::path dir_;
  std::string prefix_;
};

void BM_ReadAllSynthetic128MiB(benchmark::State& state) {
  static SyntheticBundle bundle;
  auto reader = tfport::CheckpointReader::open(bundle.prefix());
  if (!reader.ok()) {
    state.SkipWithError(reader.status().to_string().c_str());
    return;
  }
  state.SetLabel(tfport::crc32c::uses_hardware() ? "crc32c: sse4.2" : "crc32c: tables");
  uint64_t bytes = 0;
  for (auto _ : state) bytes += read_all(*reader, state);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ReadAllSynthetic128MiB)->Unit(benchmark::kMillisecond);

void BM_Crc32c(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(tfport::crc32c::value(data.data(), data.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(4096)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
