// DT_VARIANT entries (tensor_bundle.md §5.3): written element by element with length, payload
// and running checksum, read back opaque, and corruption detected.
#include <gtest/gtest.h>

#include "core/crc32c.h"
#include "formats/bundle/table.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"
#include "tfport/checkpoint_writer.h"
#include "tfport/tf/tensor_bundle.pb.h"

namespace tfport {
namespace {

using tfport::testing::read_all;
using tfport::testing::TempDir;

std::vector<tensorflow::VariantTensorDataProto> two_elements() {
  std::vector<tensorflow::VariantTensorDataProto> v(2);
  v[0].set_type_name("tensorflow::Tensor");
  v[0].set_metadata(std::string("\x01\x00\x02", 3));
  auto* t = v[0].add_tensors();
  t->set_dtype(tensorflow::DT_INT32);
  t->add_int_val(7);
  v[1].set_type_name("IteratorState");
  return v;
}

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (8 * i));
  return s;
}

std::string le32(uint32_t v) { return le64(v).substr(0, 4); }

TEST(CheckpointVariant, LayoutMatchesSpec) {
  const auto elements = two_elements();
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("P"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->add_variant("it", Shape{2}, elements).ok());
  ASSERT_TRUE(w->finish().ok());

  // Both payloads are shorter than 128 bytes, so each length is one varint byte.
  std::string expected, covered;
  for (const auto& e : elements) {
    const std::string payload = e.SerializeAsString();
    ASSERT_LT(payload.size(), 128u);
    covered += le64(payload.size()) + payload;
    const std::string checksum = le32(crc32c::mask(crc32c::value(covered.data(), covered.size())));
    covered += checksum;
    expected += std::string(1, static_cast<char>(payload.size())) + payload + checksum;
  }
  EXPECT_EQ(read_all(dir.file("P.data-00000-of-00001")), expected);
  auto table = bundle::read_table(read_all(dir.file("P.index")));
  ASSERT_TRUE(table.ok());
  tensorflow::BundleEntryProto entry;
  ASSERT_TRUE(entry.ParseFromString(table->back().value));
  EXPECT_EQ(entry.dtype(), tensorflow::DT_VARIANT);
  EXPECT_EQ(entry.size(), static_cast<int64_t>(expected.size()));
  EXPECT_EQ(entry.crc32c(), crc32c::mask(crc32c::value(covered.data(), covered.size())));

  auto r = CheckpointReader::open(dir.file("P"));
  ASSERT_TRUE(r.ok()) << r.status();
  auto back = r->read_variant("it");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ((*back)[i].SerializeAsString(), elements[i].SerializeAsString());
  EXPECT_EQ(r->read("it").status().code(), StatusCode::kUnimplemented);

  // A checkpoint holding a variant is copied byte for byte.
  ASSERT_TRUE(rewrite_checkpoint(*r, dir.file("Q")).ok());
  EXPECT_EQ(read_all(dir.file("Q.data-00000-of-00001")), expected);
  EXPECT_EQ(read_all(dir.file("Q.index")), read_all(dir.file("P.index")));
}

TEST(CheckpointVariant, CorruptionAndMisuseAreRefused) {
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("P"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->add_variant("bad", Shape{3}, two_elements()).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(w->add_variant("it", Shape{1, 2}, two_elements()).ok());
  ASSERT_TRUE(w->add("f", Tensor::from_vector<float>(DType::kFloat, Shape{1}, {1.0f})).ok());
  ASSERT_TRUE(w->finish().ok());
  auto r = CheckpointReader::open(dir.file("P"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->read_variant("f").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r->read_variant("nope").status().code(), StatusCode::kNotFound);

  const std::string data = dir.file("P.data-00000-of-00001");
  std::string bytes = read_all(data);
  for (size_t at : {size_t{0}, size_t{5}, bytes.size() - 9}) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x40);
    testing::write_all(data, bad);
    auto c = CheckpointReader::open(dir.file("P"));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->read_variant("it").status().code(), StatusCode::kDataLoss) << "byte " << at;
  }
}

}  // namespace
}  // namespace tfport
