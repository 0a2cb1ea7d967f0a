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

// From now on, parallel regions started on the calling thread run on it alone: it never grows a
// team of its own. For threads that run only tiny models (the server's HTTP and gRPC threads):
// each team adds OpenMP threads, and once there are more than CPUs libgomp stops spinning for
// every team, the run threads' included. No effect without an OpenMP runtime.
void keep_openmp_on_this_thread();
// Whether keep_openmp_on_this_thread() was called on this thread (plans then ask oneDNN for
// one thread here, whatever their own thread count).
bool openmp_kept_on_this_thread();

}  // namespace tfport::runtime
