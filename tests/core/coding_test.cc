#include "core/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tfport {
namespace {

TEST(Coding, VarintExamplesFromSpec) {
  std::string s;
  put_varint32(&s, 300);
  EXPECT_EQ(s, std::string("\xac\x02", 2));
  s.clear();
  put_varint64(&s, 613);
  EXPECT_EQ(s, std::string("\xe5\x04", 2));
  std::string_view in = s;
  uint64_t v = 0;
  ASSERT_TRUE(get_varint64(&in, &v));
  EXPECT_EQ(v, 613u);
  EXPECT_TRUE(in.empty());
}

TEST(Coding, VarintRoundTripAtEveryWidth) {
  std::vector<uint64_t> values = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, uint64_t{1} << 35, UINT64_MAX};
  for (uint64_t v : values) {
    std::string s;
    put_varint64(&s, v);
    EXPECT_EQ(static_cast<int>(s.size()), varint_length(v));
    s += "tail";
    std::string_view in = s;
    uint64_t got = 0;
    ASSERT_TRUE(get_varint64(&in, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_EQ(in, "tail");
  }
  std::string s;
  put_varint32(&s, UINT32_MAX);
  EXPECT_EQ(s.size(), 5u);
  std::string_view in = s;
  uint32_t got = 0;
  ASSERT_TRUE(get_varint32(&in, &got));
  EXPECT_EQ(got, UINT32_MAX);
}

TEST(Coding, VarintRejectsTruncatedOverlongAndOverflowing) {
  uint32_t v32 = 0;
  uint64_t v64 = 0;
  std::string_view truncated("\x80\x80", 2);
  EXPECT_FALSE(get_varint32(&truncated, &v32));
  EXPECT_EQ(truncated.size(), 2u);  // unchanged on failure
  std::string_view empty;
  EXPECT_FALSE(get_varint64(&empty, &v64));
  std::string_view too_big32("\xff\xff\xff\xff\x1f", 5);  // 5th byte may only use 4 bits
  EXPECT_FALSE(get_varint32(&too_big32, &v32));
  std::string eleven_bytes(10, '\x80');
  eleven_bytes += '\x01';
  std::string_view in = eleven_bytes;
  EXPECT_FALSE(get_varint64(&in, &v64));
  std::string overflow64(9, '\xff');
  overflow64 += '\x02';  // bit 64
  in = overflow64;
  EXPECT_FALSE(get_varint64(&in, &v64));
  overflow64.back() = '\x01';
  in = overflow64;
  ASSERT_TRUE(get_varint64(&in, &v64));
  EXPECT_EQ(v64, UINT64_MAX);
}

TEST(Coding, FixedLittleEndian) {
  std::string s;
  put_fixed32(&s, 0x1f273806u);
  EXPECT_EQ(s, std::string("\x06\x38\x27\x1f", 4));
  put_fixed64(&s, 0xdb4775248b80fb57ull);
  EXPECT_EQ(s.substr(4), std::string("\x57\xfb\x80\x8b\x24\x75\x47\xdb", 8));
  std::string_view in = s;
  uint32_t a = 0;
  uint64_t b = 0;
  ASSERT_TRUE(get_fixed32(&in, &a));
  ASSERT_TRUE(get_fixed64(&in, &b));
  EXPECT_EQ(a, 0x1f273806u);
  EXPECT_EQ(b, 0xdb4775248b80fb57ull);
  EXPECT_FALSE(get_fixed32(&in, &a));
  std::string_view short_in("abc", 3);
  EXPECT_FALSE(get_fixed64(&short_in, &b));
  EXPECT_EQ(short_in.size(), 3u);
}

TEST(Coding, LengthPrefixedStaysInBounds) {
  std::string s;
  put_varint32(&s, 3);
  s += "abcd";
  std::string_view in = s, out;
  ASSERT_TRUE(get_length_prefixed(&in, &out));
  EXPECT_EQ(out, "abc");
  EXPECT_EQ(in, "d");
  std::string bad;
  put_varint32(&bad, 10);
  bad += "abc";
  in = bad;
  EXPECT_FALSE(get_length_prefixed(&in, &out));
}

}  // namespace
}  // namespace tfport
