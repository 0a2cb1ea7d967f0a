// The SSTable layer: blocks, restart points, footer, trailers, Snappy.
#include "formats/bundle/table.h"

#include <gtest/gtest.h>

#include "core/coding.h"
#include "formats/bundle/block.h"
#include "formats/bundle/format.h"
#include "formats/bundle/test_bundle_writer.h"
#include "support/test_support.h"

namespace tfport::bundle {
namespace {

using tfport::testing::TestBundleWriter;
using tfport::testing::TestTableBuilder;

std::string from_hex(std::string_view hex) {
  std::string digits, out;
  for (char c : hex) {
    if (c != ' ' && c != '\n') digits.push_back(c);
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// tensor_bundle.md §3.7: the 121-byte index of a bundle holding v = [1.0, 2.0].
const std::string kWorkedExample = from_hex(
    "0000 0608 011a 0208 0100 010f 7608 0112"
    "040a 0208 0228 0835 593c e535 0000 0000"
    "0100 0000 0080 cc28 8400 0000 0001 0000"
    "0000 c0f2 a1b0 0001 0277 0024 0000 0000"
    "0100 0000 0094 60b2 cd29 0836 0e00 0000"
    "0000 0000 0000 0000 0000 0000 0000 0000"
    "0000 0000 0000 0000 0000 0000 0000 0000"
    "0057 fb80 8b24 7547 db");

TEST(Table, WorkedExampleFromSpecParses) {
  ASSERT_EQ(kWorkedExample.size(), 121u);
  auto footer = decode_footer(kWorkedExample);
  ASSERT_TRUE(footer.ok()) << footer.status();
  EXPECT_EQ(footer->metaindex.offset, 41u);
  EXPECT_EQ(footer->metaindex.size, 8u);
  EXPECT_EQ(footer->index.offset, 54u);
  EXPECT_EQ(footer->index.size, 14u);
  auto entries = read_table(kWorkedExample);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].key, "");
  EXPECT_EQ((*entries)[0].value, from_hex("0801 1a02 0801"));
  EXPECT_EQ((*entries)[1].key, "v");
  EXPECT_EQ((*entries)[1].value.size(), 15u);
}

TEST(Table, TestWriterReproducesWorkedExampleByteForByte) {
  // The spec's dump encodes the shape's dim as field 1 (0a); TensorShapeProto.dim is field 2
  // (12), as real TF files show (lso_ckpt_tf2.2's index holds 12 08 12 02 08 02 12 02 08 02).
  // With that byte fixed, and the data block's trailer CRC recomputed, the bytes must match.
  std::string expected = kWorkedExample;
  ASSERT_EQ(expected[17], '\x0a');
  expected[17] = '\x12';
  const char type = 0;
  const uint32_t crc = crc32c::extend(crc32c::value(expected.data(), 36), &type, 1);
  std::string trailer_crc;
  put_fixed32(&trailer_crc, crc32c::mask(crc));
  expected.replace(37, 4, trailer_crc);
  TestBundleWriter w;
  w.add<float>("v", 1, {2}, {1.0f, 2.0f});
  EXPECT_EQ(w.index_bytes(), expected);
  EXPECT_EQ(w.shard(0), from_hex("0000803f00000040"));
  // Everything outside the data block (metaindex, index, footer) matches the dump as printed.
  EXPECT_EQ(w.index_bytes().substr(41), kWorkedExample.substr(41));
}

TEST(Table, ManyBlocksRestartsAndSnappyRoundTrip) {
  for (bool snappy : {false, true}) {
    TestTableBuilder b(/*block_size=*/256, /*restart_interval=*/3, snappy);
    std::vector<std::pair<std::string, std::string>> want;
    for (int i = 0; i < 500; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "layer_%04d/kernel", i);
      want.emplace_back(key, std::string(static_cast<size_t>(i % 40), 'x'));
      b.add(want.back().first, want.back().second);
    }
    const std::string table = b.finish();
    auto got = read_table(table);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ((*got)[i].key, want[i].first);
      EXPECT_EQ((*got)[i].value, want[i].second);
    }
  }
}

TEST(Table, FixtureSnappyIndexIsRead) {
  // TF1 half_plus_two's data block is Snappy-compressed (type byte 1).
  std::string bytes = tfport::testing::read_all(
      tfport::testing::fixture("tfserving/saved_model_half_plus_two_cpu/00000123/variables/variables.index"));
  auto footer = decode_footer(bytes);
  ASSERT_TRUE(footer.ok());
  auto entries = read_table(bytes);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> keys;
  for (const auto& e : *entries) keys.push_back(e.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"", "a", "a2", "b", "c", "c2"}));
  EXPECT_EQ(bytes[static_cast<size_t>(footer->metaindex.offset) - 5], 1);  // the data block's trailer type
}

TEST(Block, EmptyBlockAndRestartChecks) {
  auto empty = decode_block(from_hex("0000000001000000"));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(decode_block(from_hex("000000")).ok());              // no room for the count
  EXPECT_FALSE(decode_block(from_hex("00000000")).ok());            // zero restarts
  EXPECT_FALSE(decode_block(from_hex("00000000ffffff7f")).ok());    // count beyond the block
  // One entry "ab"->"" then a second sharing 5 bytes of a 2-byte key.
  std::string block;
  put_varint32(&block, 0); put_varint32(&block, 2); put_varint32(&block, 0); block += "ab";
  std::string bad = block;
  put_varint32(&bad, 5); put_varint32(&bad, 1); put_varint32(&bad, 0); bad += "c";
  put_fixed32(&bad, 0); put_fixed32(&bad, 1);
  auto r = decode_block(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("shares 5 key bytes"), std::string::npos) << r.status();
  // A restart point that is not at an entry boundary.
  std::string misaligned = block;
  put_fixed32(&misaligned, 0); put_fixed32(&misaligned, 1); put_fixed32(&misaligned, 2);
  EXPECT_FALSE(decode_block(misaligned).ok());
  // Value length past the end.
  std::string overrun;
  put_varint32(&overrun, 0); put_varint32(&overrun, 1); put_varint32(&overrun, 100); overrun += "k";
  put_fixed32(&overrun, 0); put_fixed32(&overrun, 1);
  EXPECT_FALSE(decode_block(overrun).ok());
}

TEST(Table, CorruptionsAreDataLossWithThePart) {
  auto expect = [](const std::string& table, const std::string& needle) {
    auto r = read_table(table);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status();
  };
  expect("", "too short");
  std::string bad_magic = kWorkedExample;
  bad_magic.back() ^= 1;
  expect(bad_magic, "bad magic");
  std::string data_flip = kWorkedExample;
  data_flip[10] ^= 0x10;
  expect(data_flip, "data block at offset 0 (36 bytes): block checksum mismatch");
  std::string index_flip = kWorkedExample;
  index_flip[56] ^= 1;
  expect(index_flip, "index block at offset 54 (14 bytes): block checksum mismatch");
  std::string bad_type = kWorkedExample;
  bad_type[36] = 7;  // trailer type of the data block; the CRC catches it first
  expect(bad_type, "checksum mismatch");
  expect(kWorkedExample.substr(40), "truncated block read");
  // A handle pointing past the file.
  std::string far = kWorkedExample;
  far[0x49 + 2] = 0x7f;  // index offset 0x36 -> 0x7f
  expect(far, "truncated block read");
}

TEST(Table, EveryBitFlipOfAFixtureIndexIsHandled) {
  // Corruption anywhere must give an error or a table; never a crash (run under ASan/UBSan).
  const std::string original = tfport::testing::read_all(
      tfport::testing::fixture("tfserving/saved_model_half_plus_two_tf2_cpu/00000123/variables/variables.index"));
  int failures = 0;
  for (size_t byte = 0; byte < original.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string copy = original;
      copy[byte] = static_cast<char>(copy[byte] ^ (1 << bit));
      if (!read_table(copy).ok()) ++failures;
    }
  }
  // Every byte outside the footer's zero padding is covered by a CRC or checked structure.
  EXPECT_GT(failures, static_cast<int>(original.size()) * 8 * 3 / 4);
}

}  // namespace
}  // namespace tfport::bundle
