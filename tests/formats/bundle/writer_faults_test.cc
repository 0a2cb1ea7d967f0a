// Writes that fail half-way (a full disk after N bytes, a rename that fails) leave the
// checkpoint that was at the prefix untouched and no temporary files behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/staged_file.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"
#include "tfport/checkpoint_writer.h"

namespace tfport {
namespace {

using tfport::testing::read_all;
using tfport::testing::TempDir;

std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files[e.path().filename()] = read_all(e.path());
  return files;
}

Status write_new(const std::string& prefix, float value) {
  TFPORT_ASSIGN_OR_RETURN(CheckpointWriter w, CheckpointWriter::create(prefix));
  std::vector<float> big(10000, value);
  TFPORT_RETURN_IF_ERROR(w.add("big", Tensor::from_vector<float>(DType::kFloat, Shape{10000}, big)));
  TFPORT_RETURN_IF_ERROR(w.add("small", Tensor::from_vector<float>(DType::kFloat, Shape{}, {value})));
  return w.finish();
}

class WriteFaults : public ::testing::Test {
 protected:
  void TearDown() override { write_faults::clear(); }
};

TEST_F(WriteFaults, FailedWritesKeepTheExistingCheckpoint) {
  TempDir dir;
  const std::string prefix = dir.file("ckpt");
  ASSERT_TRUE(write_new(prefix, 1.0f).ok());
  const auto before = snapshot(dir.path());
  ASSERT_EQ(before.size(), 2u);
  for (uint64_t budget : {0ull, 1ull, 4096ull, 40000ull, 40003ull, 40004ull}) {
    SCOPED_TRACE(budget);
    write_faults::fail_after_bytes(budget);
    Status s = write_new(prefix, 2.0f);
    write_faults::clear();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(prefix), std::string::npos) << s;
    EXPECT_EQ(snapshot(dir.path()), before);
  }
  for (int renames : {0, 1}) {
    SCOPED_TRACE(renames);
    write_faults::fail_after_renames(renames);
    Status s = write_new(prefix, 2.0f);
    write_faults::clear();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(snapshot(dir.path()), before);
  }
  auto r = CheckpointReader::open(prefix);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->read("small")->data<float>()[0], 1.0f);
  // And a write that succeeds replaces it.
  ASSERT_TRUE(write_new(prefix, 3.0f).ok());
  EXPECT_EQ(CheckpointReader::open(prefix)->read("small")->data<float>()[0], 3.0f);
  EXPECT_EQ(snapshot(dir.path()).size(), 2u);
}

TEST_F(WriteFaults, FailedFirstWriteLeavesNothing) {
  TempDir dir;
  write_faults::fail_after_renames(1);
  EXPECT_FALSE(write_new(dir.file("ckpt"), 1.0f).ok());
  write_faults::clear();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(StagedFile, UnwritableDestination) {
  TempDir dir;
  // A regular file where a directory should be: refused even for root.
  tfport::testing::write_all(dir.file("file"), "x");
  Status s = write_file_staged(dir.file("file/out"), "data");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("file/out"), std::string::npos) << s;
  auto w = CheckpointWriter::create(dir.file("file/ckpt"));
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(snapshot(dir.path()).size(), 1u);
}

}  // namespace
}  // namespace tfport
