#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "runtime/buffer_pool.h"

namespace tfport::runtime {
namespace {

TEST(BufferPool, GivesAlignedWritableBuffersAndReusesLargeOnes) {
  constexpr std::size_t kBig = std::size_t{3} << 20;
  void* first = nullptr;
  {
    auto a = pooled_buffer(kBig);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.get()) % 64, 0u);
    std::memset(a.get(), 0x5a, kBig);
    first = a.get();
  }
  if (!buffer_pool_enabled()) GTEST_SKIP() << "pooling is off under AddressSanitizer";
  EXPECT_GE(pooled_bytes_cached(), kBig);
  auto again = pooled_buffer(kBig - 100);  // same size class
  EXPECT_EQ(again.get(), first);
  auto small = pooled_buffer(100);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.get()) % 64, 0u);
}

TEST(BufferPool, SmallBuffersAreNotCached) {
  const std::size_t before = pooled_bytes_cached();
  { auto s = pooled_buffer(1000); }
  EXPECT_EQ(pooled_bytes_cached(), before);
}

}  // namespace
}  // namespace tfport::runtime
