#include <gtest/gtest.h>

#include "support/test_support.h"
#include "tfport/formats.h"

namespace tfport {
namespace {

using testing::fixture;
using testing::TempDir;

ModelFormat format_of(const std::string& path) {
  auto m = detect_model(path);
  EXPECT_TRUE(m.ok()) << path << ": " << m.status();
  return m.ok() ? m->format : ModelFormat::kSavedModel;
}

TEST(DetectModel, RecognisesEveryFixtureFormat) {
  EXPECT_EQ(format_of(fixture("tfserving/saved_model_half_plus_two_cpu/00000123")), ModelFormat::kSavedModel);
  EXPECT_EQ(format_of(fixture("tfserving/saved_model_half_plus_two_cpu/00000123/saved_model.pb")),
            ModelFormat::kSavedModel);
  EXPECT_EQ(format_of(fixture("checkpoints/lso_ckpt_tf2.2")), ModelFormat::kCheckpoint);
  EXPECT_EQ(format_of(fixture("checkpoints/lso_ckpt_tf2.2/ckpt")), ModelFormat::kCheckpoint);
  EXPECT_EQ(format_of(fixture("checkpoints/lso_ckpt_tf2.2/ckpt.index")), ModelFormat::kCheckpoint);
  EXPECT_EQ(format_of(fixture("realworld/houseprices-tf1-ckpt/model/model.ckpt.meta")), ModelFormat::kTf1MetaGraph);
  EXPECT_EQ(format_of(fixture("realworld/mnist-frozen-tf1/model/frozen_graph.pb")), ModelFormat::kFrozenGraph);
  EXPECT_EQ(format_of(fixture("realworld/mnist-cnn/model/mnist_cnn.h5")), ModelFormat::kKerasH5);
  EXPECT_EQ(format_of(fixture("realworld/fashion-cnn-keras3/model/model.keras")), ModelFormat::kKerasV3);
}

TEST(DetectModel, PicksHighestVersionOfAServingBasePath) {
  auto m = detect_model(fixture("tfserving/saved_model_half_plus_two_2_versions"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->format, ModelFormat::kSavedModel);
  EXPECT_EQ(m->version, "00000124");
}

TEST(DetectModel, CheckpointPrefixComesFromStateFile) {
  auto m = detect_model(fixture("checkpoints/lso_ckpt_tf2.2"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->checkpoint_prefix, fixture("checkpoints/lso_ckpt_tf2.2/ckpt"));
}

TEST(DetectModel, SniffsMisnamedFiles) {
  TempDir dir;
  testing::copy_to(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"), dir.file("model.bin"));
  EXPECT_EQ(format_of(dir.file("model.bin")), ModelFormat::kKerasH5);
  testing::copy_to(fixture("realworld/fashion-cnn-keras3/model/model.keras"), dir.file("model.zip"));
  EXPECT_EQ(format_of(dir.file("model.zip")), ModelFormat::kKerasV3);
}

TEST(DetectModel, RefusesBadPathsWithClearErrors) {
  TempDir dir;
  EXPECT_EQ(detect_model(dir.file("missing")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(detect_model(dir.path()).status().code(), StatusCode::kNotFound);
  testing::write_all(dir.file("empty.h5"), "");
  auto empty = detect_model(dir.file("empty.h5"));
  EXPECT_EQ(empty.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(empty.status().message().find("empty.h5"), std::string::npos);
  testing::write_all(dir.file("text.h5"), "not an hdf5 file at all");
  EXPECT_EQ(detect_model(dir.file("text.h5")).status().code(), StatusCode::kDataLoss);
  testing::write_all(dir.file("notes.txt"), "hello");
  EXPECT_EQ(detect_model(dir.file("notes.txt")).status().code(), StatusCode::kInvalidArgument);
}

TEST(DetectModel, RefusesV1CheckpointsAndSessionBundles) {
  auto bundle = detect_model(fixture("invalid/tfserving_bad_half_plus_two/00000123"));
  EXPECT_EQ(bundle.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(bundle.status().message().find("legacy session bundle"), std::string::npos);
  auto v1 = detect_model(fixture("invalid/tfserving_bad_half_plus_two/00000123/export"));
  EXPECT_EQ(v1.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(v1.status().message().find("V1 checkpoint"), std::string::npos);
}

}  // namespace
}  // namespace tfport
