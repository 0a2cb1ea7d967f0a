// TFPORT_TRACE_LOAD=1 prints how long each phase of a SavedModel load took, on stderr:
//   tfport load <dir>: read saved_model.pb 3.10 ms
// A diagnostic for load-time work; nothing reads it back, and it costs one getenv per load
// when unset.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tfport::runtime {

class SavedModelLoadTrace {
 public:
  explicit SavedModelLoadTrace(std::string what) : what_(std::move(what)) {
    const char* v = std::getenv("TFPORT_TRACE_LOAD");
    on_ = v != nullptr && *v != '\0' && std::string_view(v) != "0";
    last_ = std::chrono::steady_clock::now();
  }

  // The time since the previous phase (or since construction) is charged to `phase`.
  void phase(std::string_view phase) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    std::fprintf(stderr, "tfport load %s: %.*s %.2f ms\n", what_.c_str(), static_cast<int>(phase.size()),
                 phase.data(), ms);
    last_ = now;
  }

 private:
  std::string what_;
  bool on_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace tfport::runtime
