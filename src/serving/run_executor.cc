#include "serving/run_executor.h"

#include <pthread.h>

#include "runtime/run_deadline.h"

namespace tfport::serving {
namespace {
thread_local bool t_on_run_thread = false;
}  // namespace

bool RunExecutor::on_run_thread() { return t_on_run_thread; }

struct RunExecutor::Task {
  enum State { kQueued, kRunning, kAbandoned };
  const std::function<Status()>* fn = nullptr;
  std::chrono::steady_clock::time_point deadline;
  std::atomic<int> state{kQueued};
  Status result;
  // Not std::binary_semaphore: libstdc++ 12's timed acquire polls with sched_yield, which
  // steals the CPU from the run it waits for.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;

  void finish() {
    std::lock_guard lock(mu);
    done = true;
    cv.notify_one();
  }
  bool wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu);
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      cv.wait(lock, [this] { return done; });
      return true;
    }
    return cv.wait_until(lock, deadline, [this] { return done; });
  }
};

RunExecutor& RunExecutor::instance(int threads) {
  // Never destroyed: run threads may still be parked at exit, and their teams with them.
  static RunExecutor* executor = new RunExecutor(threads);
  return *executor;
}

RunExecutor::RunExecutor(int threads, int max_burst_threads) : max_burst_threads_(max_burst_threads) {
  const int n = std::max(1, threads);
  workers_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    workers_.emplace_back([this] { loop(false); });
    pthread_setname_np(workers_.back().native_handle(), "run");
  }
}

RunExecutor::~RunExecutor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  burst_cv_.notify_all();
  for (auto& w : workers_) w.join();
  std::unique_lock lock(mu_);
  burst_exit_cv_.wait(lock, [this] { return burst_threads_ == 0; });
}

int RunExecutor::burst_threads() const {
  std::lock_guard lock(mu_);
  return burst_threads_;
}

Status RunExecutor::run(const std::function<Status()>& fn) {
  if (t_on_run_thread) return fn();
  // The task lives on this stack: the caller waits until a run thread is done with it, or has
  // taken it back from the queue.
  Task task;
  task.fn = &fn;
  task.deadline = runtime::current_run_deadline();
  enum { kPermanent, kBurst, kNewBurst, kNone } wake = kNone;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(&task);
    pending_.fetch_add(1, std::memory_order_relaxed);
    const int permanent = static_cast<int>(workers_.size());
    if (idle_permanent_ > 0) {
      wake = kPermanent;
    } else if (running_ < permanent) {
      // A permanent thread is between two tasks and takes this one before it waits again.
    } else if (idle_burst_ > 0) {
      wake = kBurst;
    } else if (running_ < permanent + burst_threads_) {
      // Likewise a burst thread.
    } else if (burst_threads_ < max_burst_threads_ && !stopping_) {
      ++burst_threads_;
      wake = kNewBurst;
    }
  }
  if (wake == kPermanent) cv_.notify_one();
  if (wake == kBurst) burst_cv_.notify_one();
  if (wake == kNewBurst) {
    std::thread burst([this] { loop(true); });
    pthread_setname_np(burst.native_handle(), "run-burst");
    burst.detach();
  }
  if (task.wait_until(task.deadline)) return std::move(task.result);
  int expected = Task::kQueued;
  if (task.state.compare_exchange_strong(expected, Task::kAbandoned)) {
    std::lock_guard lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (*it == &task) {
        queue_.erase(it);
        pending_.fetch_sub(1, std::memory_order_relaxed);
        break;
      }
    }
    return runtime::run_deadline_error();
  }
  task.wait_until(std::chrono::steady_clock::time_point::max());  // started: it stops at its next op
  return std::move(task.result);
}

void RunExecutor::loop(bool burst) {
  t_on_run_thread = true;
  while (true) {
    Task* task = nullptr;
    {
      std::unique_lock lock(mu_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      if (burst) {
        ++idle_burst_;
        burst_cv_.wait_for(lock, kBurstIdle, ready);
        --idle_burst_;
      } else {
        ++idle_permanent_;
        cv_.wait(lock, ready);
        --idle_permanent_;
      }
      if (queue_.empty()) {  // stopping, or a burst thread's idle time is up
        if (burst) {
          --burst_threads_;
          burst_exit_cv_.notify_all();
        }
        return;
      }
      task = queue_.front();
      queue_.pop_front();
      int expected = Task::kQueued;
      if (!task->state.compare_exchange_strong(expected, Task::kRunning)) {
        pending_.fetch_sub(1, std::memory_order_relaxed);  // abandoned
        continue;
      }
      ++running_;
    }
    {
      runtime::ScopedRunDeadline deadline(task->deadline);
      task->result = (*task->fn)();
    }
    completed_.fetch_add(1, std::memory_order_relaxed);
    pending_.fetch_sub(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(mu_);
      --running_;
    }
    task->finish();
  }
}

bool RunTimeEstimate::runs_inline() const {
  const int64_t ns = last_ns_.load(std::memory_order_relaxed);
  return ns >= 0 && ns < std::chrono::nanoseconds(RunExecutor::kInlineBelow).count();
}

void RunTimeEstimate::record(std::chrono::steady_clock::duration took) {
  last_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count(), std::memory_order_relaxed);
}

}  // namespace tfport::serving
