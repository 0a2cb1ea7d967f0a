// Progress reporting for long writes (checkpoints, SavedModel variables, Keras files).
#pragma once

#include <cstdint>
#include <functional>

namespace tfport {

// Called as work is done: (units done so far, units in total; 0 = unknown). Writers count
// bytes of tensor data.
using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

}  // namespace tfport
