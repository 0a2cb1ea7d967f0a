// Corrupted copies of real SavedModels must give one clear DATA_LOSS error naming the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "tfport/saved_model.h"

namespace tfport {
namespace {

using ::testing::HasSubstr;
using tfport::testing::fixture;
using tfport::testing::TempDir;

const char kTf2[] = "tfserving/saved_model_half_plus_two_tf2_cpu/00000123";

std::string copy_model(const TempDir& tmp) { return tfport::testing::copy_to(fixture(kTf2), tmp.file("m")); }

void expect_data_loss(const std::string& dir, const std::string& file, const std::string& reason) {
  auto r = read_saved_model(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("Cannot parse file " + dir + "/" + file + ": "));
  EXPECT_THAT(r.status().message(), HasSubstr(reason));
}

TEST(SavedModelCorruption, Truncated) {
  TempDir tmp;
  std::string dir = copy_model(tmp);
  uint64_t size = std::filesystem::file_size(dir + "/saved_model.pb");
  for (uint64_t keep : {size / 2, size - 1, uint64_t{3}}) {
    tfport::testing::truncate_file(dir + "/saved_model.pb", keep);
    expect_data_loss(dir, "saved_model.pb", "malformed protobuf data");
  }
}

TEST(SavedModelCorruption, FlippedTagByte) {
  TempDir tmp;
  std::string dir = copy_model(tmp);
  // Byte 0 is the tag of field 1 (0x08, varint); setting its low bits makes wire type 7,
  // which does not exist.
  tfport::testing::flip_bit(dir + "/saved_model.pb", 0, 0);
  tfport::testing::flip_bit(dir + "/saved_model.pb", 0, 1);
  tfport::testing::flip_bit(dir + "/saved_model.pb", 0, 2);
  expect_data_loss(dir, "saved_model.pb", "malformed protobuf data");
}

TEST(SavedModelCorruption, EveryFlippedByteNearTheStartIsHandled) {
  // Whatever a flipped bit does, reading must return (OK or an error), never crash.
  TempDir tmp;
  std::string dir = copy_model(tmp);
  std::string original = tfport::testing::read_all(dir + "/saved_model.pb");
  int errors = 0;
  for (uint64_t offset = 0; offset < 64; ++offset) {
    tfport::testing::flip_bit(dir + "/saved_model.pb", offset, 7);
    auto r = read_saved_model(dir);
    if (!r.ok()) {
      ++errors;
      EXPECT_THAT(r.status().message(), HasSubstr(dir + "/saved_model.pb")) << r.status();
    }
    tfport::testing::write_all(dir + "/saved_model.pb", original);
  }
  EXPECT_GT(errors, 0);
}

TEST(SavedModelCorruption, EmptyFile) {
  TempDir tmp;
  std::string dir = copy_model(tmp);
  tfport::testing::write_all(dir + "/saved_model.pb", "");
  expect_data_loss(dir, "saved_model.pb", "file is empty");
}

TEST(SavedModelCorruption, WrongFileType) {
  TempDir tmp;
  std::string dir = copy_model(tmp);
  // A checkpoint index is valid protobuf-ish bytes at best, never a SavedModel.
  tfport::testing::copy_to(dir + "/variables/variables.index", dir + "/saved_model.pb");
  auto r = read_saved_model(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr(dir + "/saved_model.pb"));
}

TEST(SavedModelCorruption, GarbagePbtxt) {
  TempDir tmp;
  tfport::testing::write_all(tmp.file("saved_model.pbtxt"), "meta_graphs {\n  graph_def { nod { name: \"x\" } }\n}\n");
  auto r = read_saved_model(tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("Cannot parse file " + tmp.file("saved_model.pbtxt")));
  EXPECT_THAT(r.status().message(), HasSubstr("line 2"));
  EXPECT_THAT(r.status().message(), HasSubstr("nod"));
  tfport::testing::write_all(tmp.file("saved_model.pbtxt"), "\x01\x02 not text at all {{{");
  EXPECT_FALSE(read_saved_model(tmp.path()).ok());
}

TEST(SavedModelCorruption, NoMetaGraphs) {
  TempDir tmp;
  tfport::testing::write_all(tmp.file("saved_model.pbtxt"), "saved_model_schema_version: 1\n");
  auto r = read_saved_model(tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("contains no MetaGraphDef"));
}

TEST(SavedModelCorruption, BadFingerprint) {
  TempDir tmp;
  std::string dir = copy_model(tmp);
  tfport::testing::truncate_file(dir + "/fingerprint.pb", 5);
  expect_data_loss(dir, "fingerprint.pb", "malformed protobuf data");
}

TEST(SavedModelCorruption, BadCollectionItems) {
  auto sm = read_saved_model(fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(sm.ok());
  tensorflow::MetaGraphDef mg = sm->proto.meta_graphs(0);
  (*mg.mutable_collection_def())["variables"].mutable_bytes_list()->set_value(0, "\x0a\x7f");
  auto vars = variable_defs(mg, "variables");
  ASSERT_FALSE(vars.ok());
  EXPECT_EQ(vars.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(vars.status().message(), HasSubstr("collection_def['variables'][0]"));
  (*mg.mutable_collection_def())["saved_model_assets"].mutable_any_list()->mutable_value(0)->set_type_url("x/y");
  auto assets = asset_file_defs(mg);
  ASSERT_FALSE(assets.ok());
  EXPECT_THAT(assets.status().message(), HasSubstr("is not tensorflow.AssetFileDef"));
}

}  // namespace
}  // namespace tfport
