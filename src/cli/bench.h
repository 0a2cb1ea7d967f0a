// `tfport bench`: load a model, run its default signature on seeded random inputs and report
// the JSON contract of ../shared/bench/README.md (load time, p50/p99 latency, throughput,
// peak memory).
#pragma once

#include <ostream>
#include <string>

#include "tfport/status.h"

namespace tfport::cli {

struct BenchOptions {
  std::string model;
  std::string signature = "serving_default";
  int batch = 1;
  int threads = 0;  // 0 = all cores
  int runs = 0;     // 0 = enough for 2 s, at least 10
  bool json = false;
  bool profile = false;  // time per op type over the timed runs, on stderr
};

Status run_bench(const BenchOptions& options, std::ostream& out);

}  // namespace tfport::cli
