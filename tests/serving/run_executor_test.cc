// The server's run threads: runs happen off the caller's thread with the caller's deadline,
// queued runs past their deadline never start, and tiny runs stay inline.
#include "serving/run_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "runtime/run_deadline.h"
#include "serving/inference.h"
#include "serving_test_util.h"

// libgomp's, weak: the test binary has an OpenMP runtime through oneDNN, if at all.
extern "C" int omp_get_max_threads() __attribute__((weak));

namespace tfport::serving::testing {
namespace {

using namespace std::chrono_literals;

TEST(RunExecutorTest, RunsOnItsOwnThreadAndReturnsTheStatus) {
  RunExecutor executor(1);
  std::thread::id ran_on;
  const std::function<Status()> fn = [&] {
    ran_on = std::this_thread::get_id();
    return invalid_argument_error("from the run");
  };
  const Status s = executor.run(fn);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "from the run");
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_EQ(executor.completed(), 1);
}

TEST(RunExecutorTest, TheRunSeesTheCallersDeadline) {
  RunExecutor executor(1);
  const std::function<Status()> fn = [] { return runtime::check_run_deadline(); };
  EXPECT_TRUE(executor.run(fn).ok());  // no deadline
  runtime::ScopedRunDeadline past(std::chrono::steady_clock::now() - 1ms);
  EXPECT_TRUE(runtime::is_run_deadline_error(executor.run(fn)));
}

TEST(RunExecutorTest, AQueuedRunPastItsDeadlineNeverStarts) {
  RunExecutor executor(1, /*max_burst_threads=*/0);
  std::atomic<bool> started{false}, release{false};
  const std::function<Status()> blocker = [&] {
    started = true;
    while (!release.load()) std::this_thread::sleep_for(1ms);
    return Status();
  };
  EXPECT_TRUE(executor.idle());
  std::thread first([&] { EXPECT_TRUE(executor.run(blocker).ok()); });
  while (!started.load()) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(executor.idle());
  std::atomic<bool> second_ran{false};
  const std::function<Status()> second = [&] {
    second_ran = true;
    return Status();
  };
  Status s;
  {
    runtime::ScopedRunDeadline deadline(std::chrono::steady_clock::now() + 30ms);
    s = executor.run(second);
  }
  EXPECT_TRUE(runtime::is_run_deadline_error(s)) << s;
  release = true;
  first.join();
  // The executor goes on with later work, and the abandoned run never ran.
  EXPECT_FALSE(second_ran.load());
  EXPECT_TRUE(executor.run(second).ok());
  EXPECT_TRUE(second_ran.load());
  EXPECT_EQ(executor.completed(), 2);
  EXPECT_TRUE(executor.idle());
}

// While the run thread is busy, queued work starts an extra thread at once; it ends once idle.
TEST(RunExecutorTest, BurstThreadsWhileBusy) {
  RunExecutor executor(1, 1);
  std::atomic<bool> started{false}, release{false};
  const std::function<Status()> blocker = [&] {
    started = true;
    while (!release.load()) std::this_thread::sleep_for(1ms);
    return Status();
  };
  std::thread first([&] { EXPECT_TRUE(executor.run(blocker).ok()); });
  while (!started.load()) std::this_thread::sleep_for(1ms);
  std::thread::id ran_on;
  const std::function<Status()> second = [&] {
    ran_on = std::this_thread::get_id();
    return Status();
  };
  EXPECT_TRUE(executor.run(second).ok());  // does not wait for the blocker
  EXPECT_EQ(executor.burst_threads(), 1);
  EXPECT_NE(ran_on, std::this_thread::get_id());
  release = true;
  first.join();
  const auto until = std::chrono::steady_clock::now() + 20 * RunExecutor::kBurstIdle;
  while (executor.burst_threads() > 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(executor.burst_threads(), 0);
}

TEST(RunExecutorTest, SeveralCallersAtOnce) {
  RunExecutor executor(2);
  std::atomic<int> sum{0};
  std::vector<std::thread> callers;
  for (int i = 1; i <= 16; ++i) {
    callers.emplace_back([&, i] {
      const std::function<Status()> fn = [&, i] {
        sum += i;
        return Status();
      };
      EXPECT_TRUE(executor.run(fn).ok());
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(sum.load(), 16 * 17 / 2);
  EXPECT_EQ(executor.completed(), 16);
}

TEST(RunTimeEstimateTest, OnlyMeasuredTinyRunsStayInline) {
  RunTimeEstimate e;
  EXPECT_FALSE(e.runs_inline());  // unknown: the executor
  e.record(10us);
  EXPECT_TRUE(e.runs_inline());
  e.record(5ms);
  EXPECT_FALSE(e.runs_inline());
}

TEST(RunSignatureTest, UnknownAndLongRunsGoThroughTheExecutorTinyOnesStayInline) {
  auto servable = load_servable("m", 123, tfserving_fixture("saved_model_half_plus_two_cpu/00000123"), LoadOptions{});
  ASSERT_TRUE(servable.ok()) << servable.status();
  const Signature* sig = *find_signature(**servable, "");
  std::map<std::string, Tensor> in{{"x", Tensor::from_vector<float>(DType::kFloat, Shape{2}, {1.f, 4.f})}};
  auto run_and_count = [&] {
    const int64_t before = RunExecutor::instance().completed();
    auto out = run_signature(**servable, *sig, in);
    EXPECT_TRUE(out.ok()) << out.status();
    if (out.ok()) {
      EXPECT_EQ(out->at("y").data<float>()[0], 2.5f);
      EXPECT_EQ(out->at("y").data<float>()[1], 4.0f);
    }
    return RunExecutor::instance().completed() - before;
  };
  EXPECT_EQ(run_and_count(), 1);  // not measured yet
  (*servable)->run_time(sig->key).record(1us);
  EXPECT_EQ(run_and_count(), 0);
  (*servable)->run_time(sig->key).record(1s);
  EXPECT_EQ(run_and_count(), 1);
}

// A thread that runs a tiny model inline never grows an OpenMP team of its own; a thread whose
// runs went to the executor keeps its default.
TEST(RunSignatureTest, InlineRunsKeepOpenMpOnTheCallingThread) {
  if (omp_get_max_threads == nullptr) GTEST_SKIP() << "no OpenMP runtime loaded";
  auto servable = load_servable("m", 123, tfserving_fixture("saved_model_half_plus_two_cpu/00000123"), LoadOptions{});
  ASSERT_TRUE(servable.ok()) << servable.status();
  const Signature* sig = *find_signature(**servable, "");
  std::map<std::string, Tensor> in{{"x", Tensor::from_vector<float>(DType::kFloat, Shape{1}, {1.f})}};
  int default_threads = 0;  // a fresh thread's (this one's may have been set by earlier tests)
  std::thread([&] { default_threads = omp_get_max_threads(); }).join();
  auto max_threads_after_run = [&](std::chrono::nanoseconds last_run) {
    int threads = -1;
    std::thread caller([&] {
      (*servable)->run_time(sig->key).record(last_run);
      EXPECT_TRUE(run_signature(**servable, *sig, in).ok());
      threads = omp_get_max_threads();
    });
    caller.join();
    return threads;
  };
  if (default_threads <= 1) GTEST_SKIP() << "one OpenMP thread by default: nothing to tell apart";
  EXPECT_EQ(max_threads_after_run(1us), 1);
  EXPECT_EQ(max_threads_after_run(1s), default_threads);
}

// REST: a large body is decoded and run on a run thread (one hand-off, the run nested in it);
// small requests of a tiny model never leave the HTTP thread once the model is measured.
TEST(RunExecutorTest, RestRequestsByBodySize) {
  ServerOptions o;
  o.model_name = "m";
  o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  HttpConnection c(server->rest_port());
  const std::string small = "{\"instances\": [[3.0]]}";
  const std::string want = "{\n    \"predictions\": [[3.5]\n    ]\n}";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.request("POST", "/v1/models/m:predict", small).body, want);
  // Keep the measured run time tiny whatever this machine's load: this test is about routing.
  auto servable = server->store().find("m", std::nullopt, std::nullopt);
  ASSERT_TRUE(servable.ok()) << servable.status();
  (*servable)->run_time("serving_default").record(1us);
  const int64_t before = RunExecutor::instance().completed();
  EXPECT_EQ(c.request("POST", "/v1/models/m:predict", small).body, want);
  EXPECT_EQ(RunExecutor::instance().completed(), before);
  const std::string large = "{\"instances\": [[3.0]]" + std::string(300 * 1024, ' ') + "}";
  EXPECT_EQ(c.request("POST", "/v1/models/m:predict", large).body, want);
  EXPECT_EQ(RunExecutor::instance().completed(), before + 1);
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
