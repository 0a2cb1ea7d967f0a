// TFPORT_TRACE_LOAD=1: phase times of a model load on stderr, to find where load time goes
// without a profiler. Off (one getenv, cached) when unset.
//
//   LoadTrace trace("keras h5");
//   ... trace.mark("hdf5 open"); ... trace.mark("lower");
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace tfport {

bool load_trace_enabled();

class LoadTrace {
 public:
  explicit LoadTrace(std::string scope);
  // Prints the time since the previous mark (or construction) under `phase`.
  void mark(std::string_view phase);

 private:
  std::string scope_;
  bool on_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace tfport
