#include "core/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tfport {
namespace {

TEST(Crc32c, StandardCheckValues) {
  EXPECT_EQ(crc32c::value("123456789", 9), 0xe3069283u);
  EXPECT_EQ(crc32c::value("", 0), 0u);
  // RFC 3720 B.4 test vectors: 32 zero bytes, 32 0xff bytes, 0..31 ascending.
  std::string zeros(32, '\0'), ones(32, '\xff'), ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c::value(zeros.data(), zeros.size()), 0x8a9136aau);
  EXPECT_EQ(crc32c::value(ones.data(), ones.size()), 0x62a8ab43u);
  EXPECT_EQ(crc32c::value(ascending.data(), ascending.size()), 0x46dd794eu);
}

TEST(Crc32c, SpecExampleFloatHalf) {
  // tensor_bundle.md §2.1: the float32 scalar 0.5 is stored as 00 00 00 3F.
  const char bytes[] = {0x00, 0x00, 0x00, 0x3f};
  const uint32_t crc = crc32c::value(bytes, 4);
  EXPECT_EQ(crc, 0x26973e52u);
  EXPECT_EQ(crc32c::mask(crc), 0x1f273806u);
  EXPECT_EQ(crc32c::unmask(0x1f273806u), crc);
  // Mask(0) is the length checksum of an empty string tensor: D8 EA 82 A2.
  EXPECT_EQ(crc32c::mask(0), 0xa282ead8u);
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  for (uint32_t v : {0u, 1u, 0x80000000u, 0xffffffffu, 0x12345678u}) {
    EXPECT_EQ(crc32c::unmask(crc32c::mask(v)), v);
    EXPECT_NE(crc32c::mask(v), v);
    EXPECT_NE(crc32c::mask(crc32c::mask(v)), crc32c::mask(v));
  }
}

TEST(Crc32c, ExtendEqualsWholeAndHardwareMatchesSoftware) {
  std::mt19937 rng(7);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  const uint32_t whole = crc32c::value(data.data(), data.size());
  EXPECT_EQ(crc32c::extend_software(0, data.data(), data.size()), whole);
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{500}, size_t{999}}) {
    uint32_t crc = crc32c::value(data.data(), split);
    EXPECT_EQ(crc32c::extend(crc, data.data() + split, data.size() - split), whole) << split;
    uint32_t soft = crc32c::extend_software(0, data.data(), split);
    EXPECT_EQ(crc32c::extend_software(soft, data.data() + split, data.size() - split), whole) << split;
  }
  // Unaligned starts exercise the byte tails of both paths.
  for (size_t start = 1; start < 9; ++start) {
    EXPECT_EQ(crc32c::value(data.data() + start, 100), crc32c::extend_software(0, data.data() + start, 100));
  }
}

}  // namespace
}  // namespace tfport
