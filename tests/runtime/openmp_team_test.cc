// Work on the caller's OpenMP team (the one oneDNN uses): every index runs once, on more than
// one thread when the machine has more than one core.
#include "runtime/openmp_team.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tfport::runtime {
namespace {

TEST(OpenMpTeamTest, EveryIndexRunsOnce) {
  for (int n : {1, 2, 3, 7}) {
    std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
    const bool ran = run_on_openmp_team(n, [&](int i) { ++hits[static_cast<std::size_t>(i)]; });
    ASSERT_TRUE(ran) << "libgomp is loaded with oneDNN";
    for (int i = 0; i < n; ++i) EXPECT_EQ(hits[static_cast<std::size_t>(i)].load(), 1) << "n=" << n << " i=" << i;
  }
}

TEST(OpenMpTeamTest, UsesSeveralThreads) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one core";
  std::mutex mu;
  std::set<std::thread::id> threads;
  ASSERT_TRUE(run_on_openmp_team(2, [&](int) {
    std::lock_guard lock(mu);
    threads.insert(std::this_thread::get_id());
  }));
  EXPECT_EQ(threads.size(), 2u);
}

TEST(OpenMpTeamTest, NestedCallsDecline) {
  std::atomic<int> inner_declined{0};
  ASSERT_TRUE(run_on_openmp_team(2, [&](int) {
    if (!run_on_openmp_team(2, [](int) {})) ++inner_declined;
  }));
  EXPECT_EQ(inner_declined.load(), 2);
}

}  // namespace
}  // namespace tfport::runtime
