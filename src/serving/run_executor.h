// The threads that run models in the server. Debian's oneDNN parallelises each op on libgomp,
// and libgomp gives every thread that starts a parallel region its own team of workers. In a
// server, HTTP, gRPC and batching threads would each grow a team; once the process has more
// OpenMP threads than CPUs, libgomp cuts the workers' spinning between regions to ~100
// iterations and wakes them through futexes instead, for every op. On 2 cores that made a
// MobileNetV2 run take 8 ms in the server against 5 ms in `tfport bench`. So every run that
// is not tiny is handed to one of a few dedicated run threads (one by default), whose teams
// stay within the CPU count and keep spinning between ops; tiny runs (measured per servable
// and signature) stay on the caller's thread, where the hand-off would cost more than the run.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "tfport/status.h"

namespace tfport::serving {

class RunExecutor {
 public:
  // Runs shorter than this (by the last measurement) stay on the calling thread, where the
  // hand-off (two thread wake-ups) would cost more than the run. Not longer: a model whose
  // runs start OpenMP teams (mnist_cnn takes 50 us) would then grow a team on every HTTP
  // thread; measured on 2 cores, mnist_cnn served 6,800 req/s at one connection all on the
  // run thread, 2,600 with its runs on the HTTP threads.
  static constexpr std::chrono::microseconds kInlineBelow{20};

  // While every run thread is busy and work waits, up to this many extra run threads start;
  // each ends after kBurstIdle without work, and libgomp frees its team with it. Under load
  // several teams share the cores (libgomp then stops spinning, which costs each op a little
  // but lets concurrent requests fill both cores); once the load is gone, the one team left
  // spins again.
  static constexpr int kMaxBurstThreads = 3;
  static constexpr std::chrono::milliseconds kBurstIdle{200};

  // The process's executor. `threads` applies on first use only (later values are ignored):
  // the server sets it from its options before any run.
  static RunExecutor& instance(int threads = 1);

  explicit RunExecutor(int threads, int max_burst_threads = kMaxBurstThreads);
  ~RunExecutor();
  RunExecutor(const RunExecutor&) = delete;
  RunExecutor& operator=(const RunExecutor&) = delete;

  // Runs `fn` on a run thread with the caller's run deadline, and waits for it. If the
  // deadline passes while `fn` is still queued, it never starts and the deadline error is
  // returned; once started it runs to the end (plans stop at their next op past the deadline).
  // On a run thread itself, `fn` just runs.
  Status run(const std::function<Status()>& fn);
  static bool on_run_thread();

  // True when no task is queued or running: work handed over now starts at once.
  bool idle() const { return pending_.load(std::memory_order_relaxed) == 0; }

  int threads() const { return static_cast<int>(workers_.size()); }
  int burst_threads() const;
  // Tasks run so far (tests check that runs really went through here).
  int64_t completed() const { return completed_.load(std::memory_order_relaxed); }

 private:
  struct Task;
  void loop(bool burst);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task*> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> completed_{0};
  std::atomic<int> pending_{0};  // queued or running
  std::vector<std::thread> workers_;
  int max_burst_threads_;
  // Guarded by mu_. Work goes to an idle permanent thread first: a burst thread that kept
  // taking work would keep its team, and two teams alive make libgomp stop spinning.
  int idle_permanent_ = 0;
  int idle_burst_ = 0;
  int burst_threads_ = 0;  // extra threads alive
  int running_ = 0;        // tasks being run
  std::condition_variable burst_cv_, burst_exit_cv_;
};

// Per servable and signature: the last run's duration, to keep tiny runs inline.
class RunTimeEstimate {
 public:
  bool runs_inline() const;
  void record(std::chrono::steady_clock::duration took);

 private:
  std::atomic<int64_t> last_ns_{-1};  // -1: not measured yet (first runs go to the executor)
};

}  // namespace tfport::serving
