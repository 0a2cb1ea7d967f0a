// OrderedCode keys and assembling partitioned variables.
#include "formats/bundle/slices.h"

#include <gtest/gtest.h>

#include "formats/bundle/ordered_code.h"
#include "formats/bundle/test_bundle_writer.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"

namespace tfport::bundle {
namespace {

std::string signed_code(int64_t v) {
  std::string s;
  ordered_code::write_signed_num_increasing(&s, v);
  return s;
}

TEST(OrderedCode, ExamplesFromSpec) {
  std::string s;
  ordered_code::write_num_increasing(&s, 0);
  ordered_code::write_num_increasing(&s, 2);
  ordered_code::write_num_increasing(&s, 300);
  EXPECT_EQ(s, std::string("\x00\x01\x02\x02\x01\x2c", 6));
  EXPECT_EQ(signed_code(0), "\x80");
  EXPECT_EQ(signed_code(2), "\x82");
  EXPECT_EQ(signed_code(63), "\xbf");
  EXPECT_EQ(signed_code(-1), "\x7f");
  EXPECT_EQ(signed_code(-64), "\x40");
  EXPECT_EQ(signed_code(64), "\xc0\x40");
  EXPECT_EQ(signed_code(-65), "\x3f\xbf");
  EXPECT_EQ(signed_code(0x424242), "\xf0\x42\x42\x42");
  EXPECT_EQ(signed_code(-0x800), std::string("\x38\x00", 2));
  std::string str;
  ordered_code::write_string(&str, std::string("a\x00\xff", 3));
  EXPECT_EQ(str, std::string("a\x00\xff\xff\x00\x00\x01", 7));
}

TEST(OrderedCode, SignedRoundTripAndOrder) {
  std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, -(int64_t{1} << 40), -8193, -8192, -65, -64, -1,
                                 0, 1, 63, 64, 8191, 8192, int64_t{1} << 40, INT64_MAX - 1, INT64_MAX};
  std::string prev;
  for (int64_t v : values) {
    std::string code = signed_code(v);
    EXPECT_LE(code.size(), 10u);
    if (!prev.empty()) {
      EXPECT_LT(prev, code) << v;  // encodings sort like the numbers
    }
    prev = code;
    std::string_view in = code;
    int64_t got = 0;
    ASSERT_TRUE(ordered_code::read_signed_num_increasing(&in, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
  }
  std::string_view overlong("\xc0\x01", 2);  // 1 encoded in two bytes
  int64_t got = 0;
  EXPECT_FALSE(ordered_code::read_signed_num_increasing(&overlong, &got));
  std::string_view truncated("\xf0\x42", 2);
  EXPECT_FALSE(ordered_code::read_signed_num_increasing(&truncated, &got));
}

TEST(Slices, KeyExampleFromSpec) {
  // Slice "0,2:-" of tensor "w" (rank 2).
  TensorSlice slice = {{0, 2}, {0, -1}};
  const std::string key = encode_tensor_name_slice("w", slice);
  EXPECT_EQ(key, std::string("\x00\x77\x00\x01\x01\x02\x80\x82\x80\x7f", 10));
  std::string name;
  TensorSlice back;
  ASSERT_TRUE(decode_tensor_name_slice(key, &name, &back));
  EXPECT_EQ(name, "w");
  EXPECT_EQ(back, slice);
  EXPECT_FALSE(decode_tensor_name_slice(key.substr(0, 8), &name, &back));
  EXPECT_FALSE(decode_tensor_name_slice("w", &name, &back));
  // V1 scalar key: 00 | name 00 01 | 00.
  ASSERT_TRUE(decode_tensor_name_slice(std::string("\x00\x61\x00\x01\x00", 5), &name, &back));
  EXPECT_EQ(name, "a");
  EXPECT_TRUE(back.empty());
}

TEST(Slices, ProtoValidationAndTiling) {
  const Shape full{4, 3};
  tensorflow::TensorSliceProto p;
  auto* e0 = p.add_extent();
  e0->set_start(2);
  e0->set_length(2);
  p.add_extent();
  auto slice = slice_from_proto(p, full);
  ASSERT_TRUE(slice.ok()) << slice.status();
  EXPECT_EQ(slice_shape(*slice, full), (Shape{2, 3}));
  e0->set_length(3);  // 2 + 3 > 4
  EXPECT_FALSE(slice_from_proto(p, full).ok());
  p.mutable_extent()->RemoveLast();
  e0->set_length(2);
  EXPECT_FALSE(slice_from_proto(p, full).ok());  // rank 1 for a rank-2 tensor
  EXPECT_TRUE(slices_tile({{{0, 2}, {0, -1}}, {{2, 2}, {0, -1}}}, full));
  EXPECT_FALSE(slices_tile({{{0, 2}, {0, -1}}}, full));                      // half missing
  EXPECT_FALSE(slices_tile({{{0, 3}, {0, -1}}, {{2, 2}, {0, -1}}}, full));   // overlap
  EXPECT_TRUE(slices_tile({{{0, -1}, {0, 1}}, {{0, -1}, {1, 2}}}, full));    // column split
}

TEST(Slices, PartitionedVariableFromHandMadeBundle) {
  tfport::testing::TempDir dir;
  tfport::testing::TestBundleWriter w;
  // w: 4x3, rows split 0..1 / 2..3; m: 2x4, columns split 0 / 1..3 (not contiguous).
  w.add_partitioned("w", {4, 3},
                    {{{{0, 2}, {0, -1}}, {0, 1, 2, 3, 4, 5}}, {{{2, 2}, {0, -1}}, {6, 7, 8, 9, 10, 11}}});
  w.add_partitioned("m", {2, 4}, {{{{0, -1}, {0, 1}}, {0, 4}}, {{{0, -1}, {1, 3}}, {1, 2, 3, 5, 6, 7}}});
  w.add<float>("plain", 1, {}, {42.0f});
  w.write(dir.file("ckpt"));
  auto reader = CheckpointReader::open(dir.file("ckpt"));
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->variables().size(), 3u);  // slice entries are not listed
  const CheckpointVariable* v = reader->find("w");
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->partitioned);
  EXPECT_EQ(v->shape, (Shape{4, 3}));
  EXPECT_EQ(v->byte_size, 48u);
  for (const char* name : {"w", "m"}) {
    auto t = reader->read(name);
    ASSERT_TRUE(t.ok()) << t.status();
    std::vector<float> got(t->values<float>().begin(), t->values<float>().end());
    std::vector<float> want(got.size());
    for (size_t i = 0; i < want.size(); ++i) want[i] = static_cast<float>(i);
    EXPECT_EQ(got, want) << name;
  }
  EXPECT_FALSE(reader->find("plain")->partitioned);
  // A slice entry stays readable under its own key.
  auto part = reader->read(encode_tensor_name_slice("w", {{2, 2}, {0, -1}}));
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_EQ(part->values<float>()[0], 6.0f);
}

TEST(Slices, MissingOrOverlappingSlicesAreRefusedAtOpen) {
  tfport::testing::TempDir dir;
  {
    tfport::testing::TestBundleWriter w;
    w.add_partitioned("w", {4}, {{{{0, 2}}, {0, 1}}});  // covers half
    w.write(dir.file("half"));
    auto r = CheckpointReader::open(dir.file("half"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(r.status().message().find("key 'w'"), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find("do not cover"), std::string::npos) << r.status();
  }
  {
    tfport::testing::TestBundleWriter w;
    w.add_partitioned("w", {4}, {{{{0, 3}}, {0, 1, 2}}, {{{2, 2}}, {2, 3}}});  // overlap at 2
    w.write(dir.file("overlap"));
    auto r = CheckpointReader::open(dir.file("overlap"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("overlap"), std::string::npos) << r.status();
  }
  {
    tfport::testing::TestBundleWriter w;
    auto& e = w.add<float>("x", 1, {2}, {1, 2});
    e.add_slices()->add_extent()->set_length(2);  // claims a slice stored under its own key
    w.write(dir.file("missing"));
    auto r = CheckpointReader::open(dir.file("missing"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(r.status().message().find("slice entry '\\x00x\\x00\\x01"), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find("is missing"), std::string::npos) << r.status();
  }
}

}  // namespace
}  // namespace tfport::bundle
