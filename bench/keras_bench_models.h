// The Keras bench models the load benchmarks repeat: mobilenet_v2 and mnist_cnn from the
// fixtures, plus any files listed in TFPORT_LOAD_BENCH_EXTRA (colon-separated, e.g. the
// inception_v3 file make-large.sh builds). Only files that exist are returned.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace tfport::bench {

inline std::vector<std::string> keras_bench_models() {
  std::vector<std::string> paths = {tfport::testing::fixture("bench/mobilenet_v2_nsfw.h5"),
                                    tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5")};
  if (const char* extra = std::getenv("TFPORT_LOAD_BENCH_EXTRA")) {
    std::stringstream list(extra);
    for (std::string p; std::getline(list, p, ':');) {
      if (!p.empty()) paths.push_back(p);
    }
  }
  std::vector<std::string> existing;
  for (const std::string& p : paths) {
    if (std::filesystem::exists(p)) existing.push_back(p);
  }
  return existing;
}

}  // namespace tfport::bench
