#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include <filesystem>

#include "support/test_support.h"
#include "tfport/saved_model.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfport::testing::fixture;
using tfport::testing::TempDir;

const char kTf1[] = "tfserving/saved_model_half_plus_two_cpu/00000123";
const char kTf2[] = "tfserving/saved_model_half_plus_two_tf2_cpu/00000123";

std::vector<std::string> sorted_signature_keys(const tensorflow::MetaGraphDef& mg) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : mg.signature_def()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(ReadSavedModel, Tf1HalfPlusTwo) {
  auto sm = read_saved_model(fixture(kTf1));
  ASSERT_TRUE(sm.ok()) << sm.status();
  ASSERT_EQ(sm->proto.meta_graphs_size(), 1);
  const auto& mg = sm->proto.meta_graphs(0);
  EXPECT_THAT(mg.meta_info_def().tags(), ElementsAre("serve"));
  EXPECT_EQ(mg.meta_info_def().tensorflow_version(), "1.14.0");
  EXPECT_THAT(sorted_signature_keys(mg), ElementsAre("classify_x_to_y", "regress_x2_to_y3", "regress_x_to_y",
                                                     "regress_x_to_y2", "serving_default"));
  EXPECT_EQ(mg.saver_def().filename_tensor_name(), "save/Const:0");
  EXPECT_EQ(mg.saver_def().restore_op_name(), "save/restore_all");
  EXPECT_EQ(mg.saver_def().version(), tensorflow::SaverDef::V2);
  EXPECT_EQ(sm->variables_prefix, fixture(kTf1) + "/variables/variables");
  EXPECT_THAT(sm->assets, ElementsAre("foo.txt"));
  EXPECT_TRUE(sm->assets_extra.empty());
  EXPECT_FALSE(sm->fingerprint.has_value());
  EXPECT_FALSE(sm->has_keras_metadata);
  EXPECT_EQ(sm->proto_path, fixture(kTf1) + "/saved_model.pb");
}

TEST(ReadSavedModel, Tf1VariableDefsAndAssetsFromCollections) {
  auto sm = read_saved_model(fixture(kTf1));
  ASSERT_TRUE(sm.ok()) << sm.status();
  auto vars = variable_defs(sm->proto.meta_graphs(0), "variables");
  ASSERT_TRUE(vars.ok()) << vars.status();
  ASSERT_EQ(vars->size(), 5u);
  EXPECT_EQ((*vars)[0].variable_name(), "a:0");
  EXPECT_EQ((*vars)[0].initializer_name(), "a/Assign");
  EXPECT_EQ((*vars)[0].snapshot_name(), "a/read:0");
  EXPECT_EQ((*vars)[0].initial_value_name(), "a/initial_value:0");
  EXPECT_TRUE((*vars)[0].trainable());
  auto none = variable_defs(sm->proto.meta_graphs(0), "no_such_collection");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // TF 1.14 keeps its assets in collection saved_model_assets, not in asset_file_def.
  EXPECT_EQ(sm->proto.meta_graphs(0).asset_file_def_size(), 0);
  auto assets = asset_file_defs(sm->proto.meta_graphs(0));
  ASSERT_TRUE(assets.ok()) << assets.status();
  ASSERT_EQ(assets->size(), 1u);
  EXPECT_EQ((*assets)[0].filename(), "foo.txt");
}

TEST(ReadSavedModel, Tf2HalfPlusTwo) {
  auto sm = read_saved_model(fixture(kTf2) + "/");
  ASSERT_TRUE(sm.ok()) << sm.status();
  EXPECT_EQ(sm->dir, fixture(kTf2));
  const auto& mg = sm->proto.meta_graphs(0);
  EXPECT_TRUE(mg.meta_info_def().stripped_default_attrs());
  EXPECT_EQ(mg.saver_def().filename_tensor_name(), "saver_filename:0");
  EXPECT_EQ(mg.saver_def().restore_op_name(), "StatefulPartitionedCall_7");
  ASSERT_TRUE(mg.has_object_graph_def());
  const auto& root = mg.object_graph_def().nodes(0);
  ASSERT_GE(root.children_size(), 3);
  EXPECT_EQ(root.children(0).local_name(), "a");
  EXPECT_EQ(mg.object_graph_def().nodes(root.children(0).node_id()).variable().name(), "a");
  EXPECT_TRUE(mg.object_graph_def().concrete_functions().contains("__inference_predict_235"));
  ASSERT_TRUE(sm->fingerprint.has_value());
  EXPECT_EQ(sm->fingerprint->saved_model_checksum(), 3202314178945370836u);
  EXPECT_EQ(sm->fingerprint->version().producer(), 1);
  auto assets = asset_file_defs(mg);
  ASSERT_TRUE(assets.ok()) << assets.status();
  ASSERT_EQ(assets->size(), 1u);
  EXPECT_EQ((*assets)[0].tensor_info().name(), "asset_path_initializer:0");
  EXPECT_EQ((*assets)[0].filename(), "foo.txt");
}

TEST(ReadSavedModel, SideFiles) {
  auto mlmd = read_saved_model(fixture("tfserving/saved_model_half_plus_two_mlmd/00000123"));
  ASSERT_TRUE(mlmd.ok()) << mlmd.status();
  EXPECT_THAT(mlmd->assets_extra, ElementsAre("mlmd_uuid"));
  auto keras = read_saved_model(fixture("realworld/auto-mpg-dnn/model"));
  ASSERT_TRUE(keras.ok()) << keras.status();
  EXPECT_TRUE(keras->has_keras_metadata);
  EXPECT_EQ(keras->keras_metadata.size(),
            std::filesystem::file_size(fixture("realworld/auto-mpg-dnn/model/keras_metadata.pb")));
  auto nosig = read_saved_model(fixture("realworld/mnist-tf12-savedmodel-nosig/model"));
  ASSERT_TRUE(nosig.ok()) << nosig.status();
  EXPECT_EQ(nosig->proto.meta_graphs(0).signature_def_size(), 0);
}

// Every SavedModel among the fixtures reads, and every meta graph is found by its own tags.
TEST(ReadSavedModel, EveryFixtureSavedModel) {
  int count = 0;
  for (const char* root : {"tfserving", "realworld"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(fixture(root))) {
      if (entry.path().filename() != "saved_model.pb") continue;
      std::string dir = entry.path().parent_path().string();
      auto sm = read_saved_model(dir);
      ASSERT_TRUE(sm.ok()) << dir << ": " << sm.status();
      for (const auto& mg : sm->proto.meta_graphs()) {
        std::string tags;
        for (const auto& t : mg.meta_info_def().tags()) tags += (tags.empty() ? "" : ",") + t;
        auto found = find_meta_graph(sm->proto, tags);
        ASSERT_TRUE(found.ok()) << dir << ": " << found.status();
        tensorflow::MetaGraphDef copy = mg;
        EXPECT_TRUE(fill_default_attrs(&copy).ok()) << dir;
      }
      ++count;
    }
  }
  EXPECT_GE(count, 17);
}

TEST(FindMetaGraph, MatchesTagSetsAsSets) {
  tensorflow::SavedModel model;
  model.add_meta_graphs()->mutable_meta_info_def()->add_tags("serve");
  auto* gpu = model.add_meta_graphs()->mutable_meta_info_def();
  gpu->add_tags("serve");
  gpu->add_tags("gpu");
  model.add_meta_graphs();  // the empty tag set
  EXPECT_EQ(*find_meta_graph(model, "serve"), &model.meta_graphs(0));
  EXPECT_EQ(*find_meta_graph(model, "gpu,serve"), &model.meta_graphs(1));
  EXPECT_EQ(*find_meta_graph(model, ",serve,,gpu,serve"), &model.meta_graphs(1));
  EXPECT_EQ(*find_meta_graph(model, ""), &model.meta_graphs(2));
  auto missing = find_meta_graph(model, "train");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "MetaGraphDef associated with tag-set 'train' could not be found in SavedModel");
  EXPECT_THAT(split_tag_set("a,,b,"), ElementsAre("a", "b"));
}

TEST(ReadSavedModel, PbtxtGivesTheSameProto) {
  auto binary = read_saved_model(fixture(kTf2));
  ASSERT_TRUE(binary.ok());
  TempDir tmp;
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(binary->proto, &text));
  tfport::testing::write_all(tmp.file("saved_model.pbtxt"), text);
  auto from_text = read_saved_model(tmp.path());
  ASSERT_TRUE(from_text.ok()) << from_text.status();
  EXPECT_EQ(from_text->proto_path, tmp.file("saved_model.pbtxt"));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(binary->proto, from_text->proto));
  // saved_model.pb wins when both exist.
  tfport::testing::copy_to(fixture(kTf1) + "/saved_model.pb", tmp.file("saved_model.pb"));
  auto both = read_saved_model(tmp.path());
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->proto.meta_graphs(0).meta_info_def().tensorflow_version(), "1.14.0");
}

TEST(ReadSavedModel, MissingDirectoryFile) {
  TempDir tmp;
  auto r = read_saved_model(tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "SavedModel file does not exist at: " + tmp.path());
}

}  // namespace
}  // namespace tfport
