// Parsing a REST predict body into its input tensor: the fast path (json_fast.h) against the
// exact RapidJSON path and a simdjson DOM, on the bench CNN's batch-1 request (1x224x224x3
// floats, ~0.9 MB of JSON). BM_ScanRange is the fast path's range scanner on one thread with
// each instruction set, reporting ns per number; BM_FastPath splits large bodies over two
// threads (its CPU time is the request thread's; _AllThreads adds the helper's).
//
//   build/bench/json_predict_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <simdjson.h>

#include "serving/json_codec.h"
#include "serving/json_fast.h"
#include "serving/json_scan.h"

namespace {

using tfport::serving::FastPredictRequest;

std::string mobilenet_body() {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(0.f, 1.f);
  std::string s = "{\"instances\": [[";
  char buf[32];
  for (int i = 0; i < 224; ++i) {
    s += i ? ",[" : "[";
    for (int j = 0; j < 224; ++j) {
      s += j ? ",[" : "[";
      for (int k = 0; k < 3; ++k) {
        std::snprintf(buf, sizeof(buf), k ? ",%.3f" : "%.3f", static_cast<double>(dist(rng)));
        s += buf;
      }
      s += ']';
    }
    s += ']';
  }
  s += "]]}";
  s.reserve(s.size() + 64);  // as the HTTP server leaves it
  return s;
}

tfport::Signature signature() {
  tfport::Signature sig;
  sig.key = "serving_default";
  tfport::TensorSpec spec;
  spec.key = "input_1";
  spec.dtype = tfport::DType::kFloat;
  sig.inputs.push_back(spec);
  return sig;
}

void BM_FastPath(benchmark::State& state) {
  const std::string body = mobilenet_body();
  const tfport::Signature sig = signature();
  for (auto _ : state) {
    FastPredictRequest fast;
    if (!fast.parse(body, [&](const std::string&) { return &sig; }, std::size_t{1} << 30)) {
      state.SkipWithError("fast path refused the body");
      break;
    }
    benchmark::DoNotOptimize(fast.inputs());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_FastPath)->Unit(benchmark::kMillisecond);
// The same with the CPU time of both threads (the request's and the helper scanning the
// second half): what a request costs the machine.
BENCHMARK(BM_FastPath)->Name("BM_FastPath_AllThreads")->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

// The tensor's numbers scanned by one thread with each classifier (0 portable, 1 AVX2,
// 2 AVX-512; a CPU without it runs the next best), shape check included: the per-number cost.
void BM_ScanRange(benchmark::State& state) {
  namespace jf = tfport::serving::json_fast;
  const std::string body = mobilenet_body();
  const jf::ScanIsa before = jf::scan_isa();
  jf::set_scan_isa(static_cast<jf::ScanIsa>(state.range(0)));
  const char* first = body.data() + body.find_first_not_of("{\"instances: [");
  const char* end = body.data() + body.size();
  std::vector<float> out(static_cast<std::size_t>(end - first) / 2 + 2);
  std::size_t numbers = 0;
  for (auto _ : state) {
    jf::RangeScan scan = jf::scan_range(first, nullptr, end, 4, out.data(), out.size());
    auto shape = jf::shape_of(scan.count, 4, scan.breaks);
    if (!scan.ended || !shape) {
      state.SkipWithError("scan refused the body");
      break;
    }
    numbers = scan.count;
    benchmark::DoNotOptimize(out.data());
  }
  jf::set_scan_isa(before);
  state.counters["ns_per_number"] = benchmark::Counter(
      static_cast<double>(state.iterations() * numbers), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ScanRange)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// For comparison: simdjson's DOM (run-time dispatched SIMD) with a reused parser, then a walk
// of the DOM into a float buffer; what the fast path did before it scanned the text itself.
bool fill(simdjson::dom::element e, float** out) {
  if (e.is_array()) {
    simdjson::dom::array a = e.get_array().value_unsafe();
    for (simdjson::dom::element x : a) {
      if (!fill(x, out)) return false;
    }
    return true;
  }
  double d;
  if (e.get_double().get(d) != simdjson::SUCCESS) return false;
  *(*out)++ = static_cast<float>(d);
  return true;
}

void BM_SimdjsonDom(benchmark::State& state) {
  const std::string body = mobilenet_body();
  simdjson::dom::parser parser;
  std::vector<float> out(224 * 224 * 3 + 1);
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(body.data(), body.size(), false).get(root) != simdjson::SUCCESS) break;
    float* o = out.data();
    if (!fill(root["instances"].value_unsafe(), &o)) break;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_SimdjsonDom)->Unit(benchmark::kMillisecond);

void BM_ExactPath(benchmark::State& state) {
  const std::string body = mobilenet_body();
  const tfport::Signature sig = signature();
  for (auto _ : state) {
    rapidjson::Document doc;
    tfport::serving::JsonFormat format;
    if (!tfport::serving::parse_json_body(body, &doc).ok()) break;
    auto inputs = tfport::serving::json_predict_inputs(doc, sig.inputs, std::size_t{1} << 30, &format);
    benchmark::DoNotOptimize(inputs);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ExactPath)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
