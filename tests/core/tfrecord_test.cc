// TFRecord framing: records round-trip; truncation and CRC damage anywhere are DATA_LOSS with
// the record's offset, and a huge length is refused before anything is read.
#include <gtest/gtest.h>

#include <string>

#include "core/crc32c.h"
#include "core/tfrecord.h"

namespace tfport {
namespace {

std::string fixed32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string frame(const std::string& data) {
  std::string length = fixed32(static_cast<uint32_t>(data.size())) + fixed32(0);
  return length + fixed32(crc32c::mask(crc32c::value(length.data(), 8))) + data +
         fixed32(crc32c::mask(crc32c::value(data.data(), data.size())));
}

TEST(TFRecordTest, RecordsRoundTrip) {
  const std::string file = frame("first") + frame("") + frame(std::string(1000, 'x'));
  TFRecordReader reader(file);
  std::string_view r;
  ASSERT_EQ(*reader.next(&r), true);
  EXPECT_EQ(r, "first");
  EXPECT_EQ(reader.offset(), 21u);
  ASSERT_EQ(*reader.next(&r), true);
  EXPECT_EQ(r, "");
  ASSERT_EQ(*reader.next(&r), true);
  EXPECT_EQ(r, std::string(1000, 'x'));
  EXPECT_EQ(*reader.next(&r), false);
  EXPECT_EQ(*TFRecordReader("").next(&r), false);
}

TEST(TFRecordTest, DamageIsDataLossAtTheRecordsOffset) {
  const std::string good = frame("first");
  const std::string second = frame("second record");
  const std::string file = good + second;
  auto error_of = [](const std::string& bytes) {
    TFRecordReader reader(bytes);
    std::string_view r;
    while (true) {
      auto more = reader.next(&r);
      if (!more.ok()) return more.status();
      if (!*more) return Status::OK();
    }
  };
  // Cut anywhere inside the second record.
  for (std::size_t cut = good.size() + 1; cut < file.size(); ++cut) {
    Status s = error_of(file.substr(0, cut));
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << cut;
    EXPECT_EQ(s.message(), "truncated record at 21") << cut;
  }
  // Flip each byte of the second record: a length change is caught by the header CRC.
  for (std::size_t at = good.size(); at < file.size(); ++at) {
    std::string bad = file;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    Status s = error_of(bad);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << at;
    EXPECT_EQ(s.message(), "corrupted record at 21") << at;
  }
  // A length field claiming 2^60 bytes, with a valid header CRC: refused, not allocated.
  std::string length = fixed32(0) + fixed32(1u << 28);
  std::string huge = length + fixed32(crc32c::mask(crc32c::value(length.data(), 8))) + "abcd";
  EXPECT_EQ(error_of(huge).message(), "truncated record at 0");
}

}  // namespace
}  // namespace tfport
