// Work on the OpenMP team oneDNN runs its ops on. In the server the run thread decodes a large
// request and then runs the model; decoding in halves on that thread's own team keeps its
// worker busy (and spinning into the first op) instead of waking some other helper thread while
// the worker goes to sleep.
#pragma once

#include <functional>

namespace tfport::runtime {

// Calls fn(0) .. fn(n - 1) in parallel on the calling thread's OpenMP team and returns true once
// all have returned. Returns false, having called nothing, when no OpenMP runtime is loaded or
// the caller is already inside a parallel region.
bool run_on_openmp_team(int n, const std::function<void(int index)>& fn);

}  // namespace tfport::runtime
