#include "runtime/run_deadline.h"

namespace tfport::runtime {
namespace {

constexpr char kTimedOut[] = "Timed out waiting for notification";

thread_local std::chrono::steady_clock::time_point run_deadline = std::chrono::steady_clock::time_point::max();

}  // namespace

ScopedRunDeadline::ScopedRunDeadline(std::chrono::steady_clock::time_point deadline) : previous_(run_deadline) {
  run_deadline = std::min(deadline, previous_);  // nested scopes only ever tighten it
}

ScopedRunDeadline::~ScopedRunDeadline() { run_deadline = previous_; }

Status check_run_deadline() {
  if (run_deadline == std::chrono::steady_clock::time_point::max()) return Status::OK();
  if (std::chrono::steady_clock::now() < run_deadline) return Status::OK();
  return run_deadline_error();
}

Status run_deadline_error() { return Status(StatusCode::kDeadlineExceeded, kTimedOut); }

std::chrono::steady_clock::time_point current_run_deadline() { return run_deadline; }

bool is_run_deadline_error(const Status& s) { return s.code() == StatusCode::kDeadlineExceeded && s.message() == kTimedOut; }

}  // namespace tfport::runtime
