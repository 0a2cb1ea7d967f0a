// A deadline for the model runs of the current thread, as TF's RunOptions.timeout_in_ms: plans
// check it before each step (While loops run their bodies through plans, so long loops are
// caught too) and give up with DEADLINE_EXCEEDED "Timed out waiting for notification", the
// status TF's session returns, so a timed-out request frees its thread at the next op.
//
//   { ScopedRunDeadline d(std::chrono::steady_clock::now() + 500ms); model->run(...); }
#pragma once

#include <chrono>

#include "tfport/status.h"

namespace tfport::runtime {

class ScopedRunDeadline {
 public:
  explicit ScopedRunDeadline(std::chrono::steady_clock::time_point deadline);
  ~ScopedRunDeadline();
  ScopedRunDeadline(const ScopedRunDeadline&) = delete;
  ScopedRunDeadline& operator=(const ScopedRunDeadline&) = delete;

 private:
  std::chrono::steady_clock::time_point previous_;
};

// OK, or DEADLINE_EXCEEDED once this thread's deadline has passed. Without a deadline it only
// reads a thread-local value.
Status check_run_deadline();

Status run_deadline_error();
bool is_run_deadline_error(const Status& s);

// This thread's deadline; time_point::max() when there is none. For code that waits on other
// threads' runs (the batcher) on behalf of this one.
std::chrono::steady_clock::time_point current_run_deadline();

}  // namespace tfport::runtime
