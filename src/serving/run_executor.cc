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

RunExecutor::RunExecutor(int threads) {
  const int n = std::max(1, threads);
  workers_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    workers_.emplace_back([this] { loop(); });
    pthread_setname_np(workers_.back().native_handle(), "run");
  }
}

RunExecutor::~RunExecutor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
}

Status RunExecutor::run(const std::function<Status()>& fn) {
  if (t_on_run_thread) return fn();
  // The task lives on this stack: the caller waits until a run thread is done with it, or has
  // taken it back from the queue.
  Task task;
  task.fn = &fn;
  task.deadline = runtime::current_run_deadline();
  {
    std::lock_guard lock(mu_);
    queue_.push_back(&task);
    pending_.fetch_add(1, std::memory_order_relaxed);
  }
  cv_.notify_one();
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

void RunExecutor::loop() {
  t_on_run_thread = true;
  while (true) {
    Task* task = nullptr;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = queue_.front();
      queue_.pop_front();
      int expected = Task::kQueued;
      if (!task->state.compare_exchange_strong(expected, Task::kRunning)) {
        pending_.fetch_sub(1, std::memory_order_relaxed);  // abandoned
        continue;
      }
    }
    {
      runtime::ScopedRunDeadline deadline(task->deadline);
      task->result = (*task->fn)();
    }
    completed_.fetch_add(1, std::memory_order_relaxed);
    pending_.fetch_sub(1, std::memory_order_relaxed);
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
