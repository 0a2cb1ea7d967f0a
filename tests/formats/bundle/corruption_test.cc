// Corrupted copies of real fixture checkpoints: each gives one clear error naming the part.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "tfport/checkpoint.h"

namespace tfport {
namespace {

using tfport::testing::copy_to;
using tfport::testing::fixture;
using tfport::testing::TempDir;

const char kTf2Vars[] = "tfserving/saved_model_half_plus_two_tf2_cpu/00000123/variables";

// A writable copy of the TF2 half_plus_two variables; returns the prefix.
std::string copy_tf2(const TempDir& dir) {
  copy_to(fixture(kTf2Vars), dir.file("variables"));
  return dir.file("variables/variables");
}

void expect_error(const Status& s, StatusCode code, const std::vector<std::string>& needles) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), code) << s;
  for (const std::string& n : needles) EXPECT_NE(s.message().find(n), std::string::npos) << "'" << n << "' in " << s;
}

TEST(Corruption, EmptyIndexFile) {
  TempDir dir;
  const std::string prefix = copy_tf2(dir);
  tfport::testing::write_all(prefix + ".index", "");
  expect_error(CheckpointReader::open(prefix).status(), StatusCode::kDataLoss, {"variables.index", "too short"});
}

TEST(Corruption, TruncatedIndex) {
  TempDir dir;
  const std::string prefix = copy_tf2(dir);
  for (uint64_t size : {uint64_t{47}, uint64_t{100}, uint64_t{238}}) {
    copy_to(fixture(std::string(kTf2Vars) + "/variables.index"), prefix + ".index");
    tfport::testing::truncate_file(prefix + ".index", size);
    auto r = CheckpointReader::open(prefix);
    expect_error(r.status(), StatusCode::kDataLoss, {"variables.index"});
  }
}

TEST(Corruption, BadFooterMagic) {
  TempDir dir;
  const std::string prefix = copy_tf2(dir);
  const uint64_t size = std::filesystem::file_size(prefix + ".index");
  tfport::testing::flip_bit(prefix + ".index", size - 3);
  expect_error(CheckpointReader::open(prefix).status(), StatusCode::kDataLoss, {"variables.index", "bad magic"});
}

TEST(Corruption, FlippedBitInIndexDataBlock) {
  TempDir dir;
  const std::string prefix = copy_tf2(dir);
  tfport::testing::flip_bit(prefix + ".index", 20, 3);
  expect_error(CheckpointReader::open(prefix).status(), StatusCode::kDataLoss,
               {"variables.index", "data block at offset 0", "block checksum mismatch"});
}

TEST(Corruption, FlippedBitInTensorDataIsDataLossNamingKeyShardAndPrefix) {
  TempDir dir;
  const std::string prefix = copy_tf2(dir);
  // b = 2.0 lives at offset 4 of the single shard.
  tfport::testing::flip_bit(prefix + ".data-00000-of-00001", 5, 2);
  // And one inside the object graph's string bytes (offset 12, 619 bytes).
  tfport::testing::flip_bit(prefix + ".data-00000-of-00001", 300, 0);
  auto r = CheckpointReader::open(prefix);
  ASSERT_TRUE(r.ok()) << r.status();  // tensor bytes are checked when read
  EXPECT_TRUE(r->read("a/.ATTRIBUTES/VARIABLE_VALUE").ok());
  expect_error(r->read("b/.ATTRIBUTES/VARIABLE_VALUE").status(), StatusCode::kDataLoss,
               {"TensorBundle at " + prefix, "shard 0", "key 'b/.ATTRIBUTES/VARIABLE_VALUE'", "checksum does not match"});
  expect_error(r->object_graph().status(), StatusCode::kDataLoss, {"_CHECKPOINTABLE_OBJECT_GRAPH", "checksum"});
}

TEST(Corruption, EntryBeyondTheShard) {
  TempDir dir;
  const std::string prefix = copy_tf2(dir);
  tfport::testing::truncate_file(prefix + ".data-00000-of-00001", 100);
  expect_error(CheckpointReader::open(prefix).status(), StatusCode::kDataLoss,
               {"BundleEntryProto of key '_CHECKPOINTABLE_OBJECT_GRAPH'", "beyond the end of data shard 0"});
}

TEST(Corruption, MissingShardFile) {
  TempDir dir;
  copy_to(fixture("checkpoints/lso_ckpt_tf2.2"), dir.file("ckpt_dir"));
  std::filesystem::remove(dir.file("ckpt_dir/ckpt.data-00001-of-00002"));
  expect_error(CheckpointReader::open(dir.file("ckpt_dir")).status(), StatusCode::kDataLoss,
               {"data shard 1 of 2", "missing"});
}

TEST(Corruption, StateFileNamingAMissingCheckpoint) {
  TempDir dir;
  copy_to(fixture("checkpoints/lso_ckpt_tf2.2"), dir.file("d"));
  tfport::testing::write_all(dir.file("d/checkpoint"), "model_checkpoint_path: \"ckpt-9\"\n");
  expect_error(CheckpointReader::open(dir.file("d")).status(), StatusCode::kNotFound, {"ckpt-9"});
  tfport::testing::write_all(dir.file("d/checkpoint"), "model_checkpoint_path: ckpt\n");
  expect_error(CheckpointReader::open(dir.file("d")).status(), StatusCode::kDataLoss, {"checkpoint", "line 1"});
}

TEST(Corruption, AbsoluteStatePathFallsBackToTheDirectory) {
  TempDir dir;
  copy_to(fixture("checkpoints/lso_ckpt_tf2.2"), dir.file("d"));
  tfport::testing::write_all(dir.file("d/checkpoint"), "model_checkpoint_path: \"/elsewhere/train/ckpt\"\n");
  auto r = CheckpointReader::open(dir.file("d"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->prefix(), dir.file("d/ckpt"));
}

}  // namespace
}  // namespace tfport
