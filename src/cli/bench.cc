#include "cli/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "runtime/op_profile.h"
#include "tfport/model.h"

namespace tfport::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Seeded random values: floats in [0, 1), integers in [0, 10), as the fixtures' inputs are.
StatusOr<Tensor> random_input(const TensorSpec& spec, int batch, std::mt19937& rng) {
  std::vector<int64_t> dims;
  if (spec.shape.unknown_rank()) return invalid_argument_error("input '" + spec.key + "' has an unknown rank");
  for (int i = 0; i < spec.shape.rank(); ++i) {
    int64_t d = spec.shape.dims()[static_cast<size_t>(i)];
    dims.push_back(d >= 0 ? d : (i == 0 ? batch : 32));
  }
  if (!dims.empty() && spec.shape.dims()[0] < 0) dims[0] = batch;
  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(spec.dtype, Shape(dims)));
  std::uniform_real_distribution<float> real(0.0f, 1.0f);
  std::uniform_int_distribution<int> integer(0, 9);
  const int64_t n = t.num_elements();
  switch (spec.dtype) {
    case DType::kFloat:
      for (int64_t i = 0; i < n; ++i) t.mutable_data<float>()[i] = real(rng);
      break;
    case DType::kInt32:
      for (int64_t i = 0; i < n; ++i) t.mutable_data<int32_t>()[i] = integer(rng);
      break;
    case DType::kInt64:
      for (int64_t i = 0; i < n; ++i) t.mutable_data<int64_t>()[i] = integer(rng);
      break;
    default:
      return unimplemented_error("bench: input '" + spec.key + "' of type " + std::string(dtype_name(spec.dtype)));
  }
  return t;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

Status run_bench(const BenchOptions& options, std::ostream& out) {
  if (options.batch < 1) return invalid_argument_error("--batch must be at least 1");
  LoadOptions load;
  load.intra_op_threads = options.threads;
  auto start = Clock::now();
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::load(options.model, load));
  double load_ms = ms_since(start);

  std::string key = options.signature;
  if (!model->signature(key).ok() && !model->signatures().empty()) key = model->signatures().front().key;
  TFPORT_ASSIGN_OR_RETURN(const Signature* sig, model->signature(key));
  std::mt19937 rng(42);
  std::map<std::string, Tensor> inputs;
  for (const TensorSpec& spec : sig->inputs) {
    TFPORT_ASSIGN_OR_RETURN(Tensor t, random_input(spec, options.batch, rng));
    inputs[spec.key] = std::move(t);
  }
  TFPORT_RETURN_IF_ERROR(model->run(key, inputs).status());  // warm-up

  if (options.profile) {
    runtime::OpProfile::enable();
    runtime::OpProfile::global().reset();  // the warm-up's one-time costs are not the steady state
  }
  std::vector<double> latencies;
  auto timed = Clock::now();
  for (int i = 0;; ++i) {
    if (options.runs > 0 ? i >= options.runs : (i >= 10 && ms_since(timed) >= 2000.0)) break;
    auto t0 = Clock::now();
    TFPORT_RETURN_IF_ERROR(model->run(key, inputs).status());
    latencies.push_back(ms_since(t0));
  }
  double total_s = ms_since(timed) / 1000.0;
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());

  nlohmann::ordered_json j;
  j["engine"] = "tfport 0.1.0";
  j["model"] = base_name(options.model);
  j["batch"] = options.batch;
  j["threads"] = threads;
  j["load_ms"] = load_ms;
  j["latency_ms_p50"] = percentile(latencies, 0.50);
  j["latency_ms_p99"] = percentile(latencies, 0.99);
  j["throughput_sps"] = static_cast<double>(latencies.size()) * options.batch / total_s;
  j["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  j["runs"] = latencies.size();
  if (options.profile) std::cerr << runtime::OpProfile::global().report();
  if (options.json) {
    out << j.dump() << "\n";
  } else {
    for (auto it = j.begin(); it != j.end(); ++it) out << it.key() << ": " << it.value().dump() << "\n";
  }
  return Status::OK();
}

}  // namespace tfport::cli
