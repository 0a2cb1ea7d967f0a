#include <gtest/gtest.h>

#include "support/test_support.h"
#include "tfport/checkpoint.h"

namespace tfport {
namespace {

TEST(CheckpointState, ManagerFileWithTimestamps) {
  tfport::testing::TempDir dir;
  tfport::testing::write_all(dir.file("checkpoint"),
                             "model_checkpoint_path: \"ckpt-3\"\n"
                             "all_model_checkpoint_paths: \"ckpt-1\"\n"
                             "all_model_checkpoint_paths: \"ckpt-2\"\n"
                             "all_model_checkpoint_paths: \"ckpt-3\"\n"
                             "all_model_checkpoint_timestamps: 1700000000.123\n"
                             "all_model_checkpoint_timestamps: 1700000060.456\n"
                             "all_model_checkpoint_timestamps: 1700000120.789\n"
                             "last_preserved_timestamp: 1699999990.0\n");
  auto s = read_checkpoint_state(dir.path());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->model_checkpoint_path, dir.file("ckpt-3"));
  EXPECT_EQ(s->all_model_checkpoint_paths,
            (std::vector<std::string>{dir.file("ckpt-1"), dir.file("ckpt-2"), dir.file("ckpt-3")}));
  ASSERT_EQ(s->all_model_checkpoint_timestamps.size(), 3u);
  EXPECT_DOUBLE_EQ(s->all_model_checkpoint_timestamps[1], 1700000060.456);
  EXPECT_DOUBLE_EQ(s->last_preserved_timestamp, 1699999990.0);
}

TEST(CheckpointState, FixtureFilesAbsoluteAndRelative) {
  auto bad = read_checkpoint_state(tfport::testing::fixture("invalid/tfserving_bad_half_plus_two/00000123"));
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(bad->model_checkpoint_path, "/tmp/bad_half_plus_two/00000123/export");
  const std::string dir = tfport::testing::fixture("checkpoints/lso_ckpt_tf2.2");
  auto lso = read_checkpoint_state(dir);
  ASSERT_TRUE(lso.ok()) << lso.status();
  EXPECT_EQ(lso->model_checkpoint_path, dir + "/ckpt");
  EXPECT_TRUE(lso->all_model_checkpoint_timestamps.empty());
}

TEST(CheckpointState, Errors) {
  tfport::testing::TempDir dir;
  EXPECT_EQ(read_checkpoint_state(dir.path()).status().code(), StatusCode::kNotFound);
  tfport::testing::write_all(dir.file("checkpoint"), "all_model_checkpoint_paths: \"x\"\n");
  auto empty = read_checkpoint_state(dir.path());
  EXPECT_EQ(empty.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(empty.status().message().find("model_checkpoint_path is empty"), std::string::npos);
  tfport::testing::write_all(dir.file("checkpoint"), "model_checkpoint_path: \"a\"\nbogus_field: 1\n");
  auto unknown = read_checkpoint_state(dir.path());
  EXPECT_EQ(unknown.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(unknown.status().message().find("line 2"), std::string::npos) << unknown.status();
  tfport::testing::write_all(dir.file("checkpoint"), std::string("\x00\xff\x08", 3));
  EXPECT_FALSE(read_checkpoint_state(dir.path()).ok());
}

}  // namespace
}  // namespace tfport
