// A SavedModel written at test time whose run time the request chooses: signature
// serving_default takes "n" (int32 scalar) and returns "sum" = 0 + 1 + ... + (n - 1), computed
// by a functional While loop of n iterations.
#pragma once

#include <map>
#include <string>

namespace tfport::serving::testing {

// Writes the model to <base_path>/<version>; `extra_files` go into that directory too (e.g.
// "assets.extra/tf_serving_warmup_requests").
void write_loop_model(const std::string& base_path, int version,
                      const std::map<std::string, std::string>& extra_files = {});

}  // namespace tfport::serving::testing
