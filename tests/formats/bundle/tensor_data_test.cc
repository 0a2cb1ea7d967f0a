// Tensor bytes: every dtype family, strings, big-endian data, zero-copy, sizes and headers,
// on bundles written by the test-only writer.
#include "formats/bundle/tensor_data.h"

#include <gtest/gtest.h>

#include <complex>

#include "core/crc32c.h"
#include "formats/bundle/test_bundle_writer.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"

namespace tfport {
namespace {

using tfport::testing::TempDir;
using tfport::testing::TestBundleWriter;

TEST(TensorData, StringExampleFromSpec) {
  // ["abc", "de"]: 03 02 | EE BA 48 CF | "abcde", entry crc 0xC28FAD4E (masked).
  const std::string bytes("\x03\x02\xee\xba\x48\xcf" "abcde", 11);
  bundle::StoredTensor s;
  s.dtype = DType::kString;
  s.shape = Shape{2};
  s.bytes = bytes;
  s.masked_crc = 0xc28fad4eu;
  auto t = bundle::decode_stored_tensor(s);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->strings(), (std::vector<std::string>{"abc", "de"}));
  s.masked_crc ^= 1;
  EXPECT_EQ(bundle::decode_stored_tensor(s).status().code(), StatusCode::kDataLoss);
  // Length checksum broken.
  std::string bad_len = bytes;
  bad_len[2] ^= 1;
  s.bytes = bad_len;
  auto r = bundle::decode_stored_tensor(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("length checksum"), std::string::npos) << r.status();
  // A length that claims more bytes than stored.
  std::string long_len = bytes;
  long_len[0] = 0x7f;
  s.bytes = long_len;
  EXPECT_EQ(bundle::decode_stored_tensor(s).status().code(), StatusCode::kDataLoss);
  // Empty string tensor: just Mask(0).
  const std::string empty("\xd8\xea\x82\xa2", 4);
  s.shape = Shape{0};
  s.bytes = empty;
  s.masked_crc = crc32c::mask(crc32c::value(empty.data(), 4));
  ASSERT_TRUE(bundle::decode_stored_tensor(s).ok());
  // Many elements but too few bytes is refused before anything is allocated.
  s.shape = Shape{1 << 30};
  EXPECT_EQ(bundle::decode_stored_tensor(s).status().code(), StatusCode::kDataLoss);
}

TEST(TensorData, SizeRules) {
  EXPECT_TRUE(bundle::check_stored_size(DType::kFloat, Shape{2, 3}, 24).ok());
  EXPECT_EQ(bundle::check_stored_size(DType::kFloat, Shape{2, 3}, 20).code(), StatusCode::kDataLoss);
  EXPECT_EQ(bundle::check_stored_size(DType::kComplex128, Shape{int64_t{1} << 61}, 0).code(), StatusCode::kDataLoss);
  EXPECT_EQ(bundle::check_stored_size(DType::kVariant, Shape{}, 10).code(), StatusCode::kUnimplemented);
}

TEST(TensorData, EveryDtypeFamilyThroughTheReader) {
  TempDir dir;
  TestBundleWriter w;
  w.add<uint16_t>("half", 19, {2}, {0x3c00, 0xc000});                 // 1.0, -2.0
  w.add<uint16_t>("bf16", 14, {1}, {0x3fc0});                         // 1.5
  w.add<uint8_t>("bool", 10, {3}, {1, 0, 1});
  w.add<float>("c64", 8, {1}, {1.5f, -2.5f});
  w.add<double>("c128", 18, {1}, {3.0, 4.0});
  w.add<int8_t>("i8", 6, {2}, {-3, 7});
  w.add<uint64_t>("u64", 23, {1}, {UINT64_MAX});
  w.add<double>("f64", 2, {2, 1}, {0.25, -8.0});
  w.add<int32_t>("empty", 3, {0, 5}, {});
  w.add_strings("str", {2, 2}, {"", "x", std::string(300, 'y'), std::string("\0\xff", 2)});
  w.add_raw("variant", 21, {}, "junk");
  w.write(dir.file("all"));
  auto r = CheckpointReader::open(dir.file("all"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->read("half")->values<uint16_t>()[1], 0xc000);
  EXPECT_EQ(r->read("bf16")->dtype(), DType::kBFloat16);
  auto b = r->read("bool");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(std::vector<bool>(b->values<bool>().begin(), b->values<bool>().end()), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(r->read("c64")->values<std::complex<float>>()[0], std::complex<float>(1.5f, -2.5f));
  EXPECT_EQ(r->read("c128")->values<std::complex<double>>()[0], std::complex<double>(3.0, 4.0));
  EXPECT_EQ(r->read("i8")->values<int8_t>()[0], -3);
  EXPECT_EQ(r->read("u64")->values<uint64_t>()[0], UINT64_MAX);
  EXPECT_EQ(r->read("f64")->values<double>()[1], -8.0);
  EXPECT_EQ(r->read("empty")->num_elements(), 0);
  auto s = r->read("str");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->strings()[2], std::string(300, 'y'));
  EXPECT_EQ(s->strings()[3], std::string("\0\xff", 2));
  ASSERT_NE(r->find("variant"), nullptr);
  EXPECT_EQ(r->find("variant")->dtype, DType::kVariant);
  auto v = r->read("variant");
  EXPECT_EQ(v.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(v.status().message().find("key 'variant'"), std::string::npos);
}

TEST(TensorData, ZeroCopyWhenAlignedAndMappingOutlivesReader) {
  TempDir dir;
  TestBundleWriter w;
  w.add<float>("aligned", 1, {2}, {1.0f, 2.0f});    // offset 0
  w.add<uint8_t>("pad", 4, {1}, {9});               // pushes the next tensor to offset 9
  w.add<float>("unaligned", 1, {1}, {5.0f});
  w.write(dir.file("zc"));
  Tensor kept;
  {
    auto r = CheckpointReader::open(dir.file("zc"));
    ASSERT_TRUE(r.ok()) << r.status();
    auto a1 = r->read("aligned"), a2 = r->read("aligned");
    EXPECT_EQ(a1->raw_data(), a2->raw_data());  // both wrap the same mapped bytes
    auto u1 = r->read("unaligned"), u2 = r->read("unaligned");
    EXPECT_NE(u1->raw_data(), u2->raw_data());  // copied
    EXPECT_EQ(reinterpret_cast<uintptr_t>(u1->raw_data()) % alignof(float), 0u);
    EXPECT_EQ(u1->values<float>()[0], 5.0f);
    kept = *a1;
  }
  EXPECT_EQ(kept.values<float>()[1], 2.0f);  // the mapping lives on with the tensor
}

TEST(TensorData, BigEndianBundlesAreSwapped) {
  TempDir dir;
  TestBundleWriter w;
  w.header().set_endianness(tensorflow::BundleHeaderProto::BIG);
  w.add_raw("f", 1, {2}, std::string("\x3f\x80\x00\x00\x40\x00\x00\x00", 8));  // 1.0, 2.0 big-endian
  w.add_raw("c", 8, {1}, std::string("\x3f\xc0\x00\x00\xc0\x20\x00\x00", 8));  // 1.5 - 2.5i
  // A big-endian writer checksums string lengths as big-endian uint32.
  std::string bytes("\x02", 1);
  const char be_len[4] = {0, 0, 0, 2};
  uint32_t c1 = crc32c::value(be_len, 4);
  std::string masked;
  put_fixed32(&masked, crc32c::mask(c1));
  bytes += masked + "hi";
  auto& e = w.add_raw("s", 7, {1}, bytes);
  e.set_crc32c(crc32c::mask(crc32c::extend(crc32c::extend(c1, masked.data(), 4), "hi", 2)));
  w.write(dir.file("be"));
  auto r = CheckpointReader::open(dir.file("be"));
  ASSERT_TRUE(r.ok()) << r.status();
  auto f = r->read("f");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->values<float>()[0], 1.0f);
  EXPECT_EQ(f->values<float>()[1], 2.0f);
  EXPECT_EQ(r->read("c")->values<std::complex<float>>()[0], std::complex<float>(1.5f, -2.5f));
  auto s = r->read("s");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->strings()[0], "hi");
}

TEST(TensorData, HeaderChecks) {
  struct Case {
    std::function<void(tensorflow::BundleHeaderProto&)> edit;
    StatusCode code;
    std::string needle;
  };
  std::vector<Case> cases = {
      {[](auto& h) { h.mutable_version()->set_min_consumer(2); }, StatusCode::kFailedPrecondition, "version >= 2"},
      {[](auto& h) { h.mutable_version()->add_bad_consumers(1); }, StatusCode::kFailedPrecondition, "disallows"},
      {[](auto& h) { h.set_num_shards(0); }, StatusCode::kDataLoss, "num_shards 0"},
      {[](auto& h) { h.set_num_shards(3); }, StatusCode::kDataLoss, "data shard 0 of 3"},
      {[](auto& h) { h.set_endianness(static_cast<tensorflow::BundleHeaderProto::Endianness>(5)); },
       StatusCode::kDataLoss, "endianness"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    TestBundleWriter w;
    w.add<float>("v", 1, {1}, {1.0f});
    c.edit(w.header());
    w.write(dir.file("h"));
    // write() names shards by the edited count; restore the one real shard under its true name.
    tfport::testing::write_all(dir.file("h.data-00000-of-00001"), w.shard(0));
    auto r = CheckpointReader::open(dir.file("h"));
    ASSERT_FALSE(r.ok()) << c.needle;
    EXPECT_EQ(r.status().code(), c.code) << r.status();
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << r.status();
  }
}

TEST(TensorData, BadEntriesAreRefusedAtOpenWithTheKey) {
  struct Case {
    std::function<void(tensorflow::BundleEntryProto&)> edit;
    std::string needle;
  };
  std::vector<Case> cases = {
      {[](auto& e) { e.set_size(8); }, "invalid size in bundle entry"},
      {[](auto& e) { e.set_dtype(static_cast<tensorflow::DataType>(77)); }, "unknown dtype 77"},
      {[](auto& e) { e.mutable_shape()->mutable_dim(0)->set_size(-1); }, "invalid tensor shape"},
      {[](auto& e) { e.set_shard_id(4); }, "shard_id 4"},
      {[](auto& e) { e.set_offset(int64_t{1} << 62); }, "beyond the end of data shard 0"},
      {[](auto& e) { e.set_offset(-4); }, "negative"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    TestBundleWriter w;
    c.edit(w.add<float>("v", 1, {1}, {1.0f}));
    w.write(dir.file("e"));
    auto r = CheckpointReader::open(dir.file("e"));
    ASSERT_FALSE(r.ok()) << c.needle;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status();
    EXPECT_NE(r.status().message().find("BundleEntryProto of key 'v'"), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << r.status();
  }
}

TEST(TensorData, SnappyIndexAndManyBlocksFromTheWriter) {
  TempDir dir;
  TestBundleWriter w;
  for (int i = 0; i < 300; ++i) w.add<int32_t>("layer_" + std::to_string(1000 + i) + "/bias", 3, {1}, {i});
  w.write(dir.file("many"), /*block_size=*/512, /*snappy=*/true);
  auto r = CheckpointReader::open(dir.file("many"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->variables().size(), 300u);
  EXPECT_EQ(r->read("layer_1299/bias")->values<int32_t>()[0], 299);
}

}  // namespace
}  // namespace tfport
