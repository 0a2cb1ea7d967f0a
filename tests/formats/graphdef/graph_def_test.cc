#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include <filesystem>

#include "formats/graphdef/unsafe_ops.h"
#include "support/test_support.h"
#include "tfport/graph_def.h"
#include "tfport/saved_model.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfport::testing::fixture;
using tfport::testing::TempDir;

const char kFrozen[] = "realworld/mnist-frozen-tf1/model/frozen_graph.pb";
const char kMeta[] = "realworld/houseprices-tf1-ckpt/model/model.ckpt.meta";

TEST(ReadGraphDef, FrozenMnist) {
  auto g = read_graph_def(fixture(kFrozen));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->node_size(), 47);
  auto inputs = graph_placeholders(*g);
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].name, "conv2d_input");
  EXPECT_EQ(inputs[0].dtype, 1);
  EXPECT_EQ(inputs[0].shape, PartialShape({-1, 32, 32, 3}));
  EXPECT_FALSE(inputs[0].has_default());
  EXPECT_THAT(likely_outputs(*g), ElementsAre("dense_1/Softmax"));
  auto histogram = op_histogram(*g);
  ASSERT_GE(histogram.size(), 3u);
  EXPECT_EQ(histogram[0], std::make_pair(std::string("Const"), 14));
  EXPECT_EQ(histogram[1], std::make_pair(std::string("Identity"), 10));
  EXPECT_EQ(histogram[2], std::make_pair(std::string("BiasAdd"), 5));
  int total = 0;
  for (const auto& [op, n] : histogram) total += n;
  EXPECT_EQ(total, 47);
  auto ops = ops_used_by_graph_def(*g);
  EXPECT_EQ(ops.size(), histogram.size());
  EXPECT_TRUE(ops.count("Conv2D"));
}

TEST(ReadGraphDef, TextFormatAsPbtxtAndInsideAPb) {
  auto binary = read_graph_def(fixture(kFrozen));
  ASSERT_TRUE(binary.ok());
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(*binary, &text));
  TempDir tmp;
  tfport::testing::write_all(tmp.file("g.pbtxt"), text);
  tfport::testing::write_all(tmp.file("text_in.pb"), text);
  for (const char* name : {"g.pbtxt", "text_in.pb"}) {
    auto g = read_graph_def(tmp.file(name));
    ASSERT_TRUE(g.ok()) << name << ": " << g.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*binary, *g)) << name;
  }
}

TEST(ReadGraphDef, CorruptedCopies) {
  TempDir tmp;
  std::string path = tfport::testing::copy_to(fixture(kFrozen), tmp.file("g.pb"));
  tfport::testing::truncate_file(path, std::filesystem::file_size(path) / 3);
  auto truncated = read_graph_def(path);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(truncated.status().message(), HasSubstr("Cannot parse file " + path + ": "));

  tfport::testing::write_all(path, "");
  auto empty = read_graph_def(path);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("file is empty"));

  tfport::testing::write_all(tmp.file("bad.pbtxt"), "node { name: \"a\" op: \"Const\" \n bogus: 1 }\n");
  auto garbage = read_graph_def(tmp.file("bad.pbtxt"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(garbage.status().message(), HasSubstr("line 2"));
  EXPECT_THAT(garbage.status().message(), HasSubstr("bogus"));

  auto missing = read_graph_def(tmp.file("nope.pb"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(ReadMetaGraphFile, HousePricesTrainingGraph) {
  auto mg = read_meta_graph_file(fixture(kMeta));
  ASSERT_TRUE(mg.ok()) << mg.status();
  EXPECT_EQ(mg->graph_def().node_size(), 602);
  EXPECT_EQ(mg->meta_info_def().tensorflow_version(), "1.10.0");
  EXPECT_EQ(mg->saver_def().restore_op_name(), "save/restore_all");
  auto inputs = graph_placeholders(mg->graph_def());
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].name, "Placeholder");
  EXPECT_EQ(inputs[0].dtype, 10);  // DT_BOOL: the dropout switch
  EXPECT_TRUE(inputs[0].shape.unknown_rank());
  auto outputs = likely_outputs(mg->graph_def());
  for (const auto& name : outputs) {
    EXPECT_FALSE(name.rfind("save/", 0) == 0) << name;
    EXPECT_FALSE(name.rfind("gradients/", 0) == 0) << name;
    EXPECT_NE(name, "Variable_10/read");
  }
  auto vars = variable_defs(*mg, "trainable_variables");
  ASSERT_TRUE(vars.ok());
  EXPECT_EQ(vars->size(), 12u);
  TempDir tmp;
  std::string path = tfport::testing::copy_to(fixture(kMeta), tmp.file("m.meta"));
  tfport::testing::truncate_file(path, 1000);
  auto bad = read_meta_graph_file(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr(path));
}

TEST(OpsUsedByGraphDef, FollowsCalledFunctionsLikeSavedModelCli) {
  auto sm = read_saved_model(fixture("tfserving/saved_model_half_plus_two_tf2_cpu/00000123"));
  ASSERT_TRUE(sm.ok());
  auto ops = ops_used_by_graph_def(sm->proto.meta_graphs(0).graph_def());
  EXPECT_EQ(std::vector<std::string>(ops.begin(), ops.end()),
            (std::vector<std::string>{"AddV2", "AssignVariableOp", "Const", "DisableCopyOnRead", "Identity",
                                      "MergeV2Checkpoints", "Mul", "NoOp", "Pack", "ParseExampleV2", "Placeholder",
                                      "PlaceholderWithDefault", "ReadVariableOp", "Reshape", "RestoreV2", "SaveV2",
                                      "Select", "ShardedFilename", "StatefulPartitionedCall", "StaticRegexFullMatch",
                                      "StringJoin", "VarHandleOp", "VarIsInitializedOp"}));
}

TEST(OpsUsedByGraphDef, DirectCallsAndMissingF) {
  tensorflow::GraphDef g;
  auto* f = g.mutable_library()->add_function();
  f->mutable_signature()->set_name("my_fn");
  f->add_node_def()->set_op("Relu");
  auto* unused = g.mutable_library()->add_function();
  unused->mutable_signature()->set_name("unused_fn");
  unused->add_node_def()->set_op("Tanh");
  g.add_node()->set_op("my_fn");                    // called by op name
  g.add_node()->set_op("StatefulPartitionedCall");  // no attr f: TF adds ""
  auto ops = ops_used_by_graph_def(g);
  EXPECT_EQ(std::vector<std::string>(ops.begin(), ops.end()),
            (std::vector<std::string>{"", "Relu", "StatefulPartitionedCall"}));
}

TEST(UnsafeOps, ListAndReasons) {
  const auto& ops = unsafe_ops();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  for (const char* op : {"ReadFile", "WriteFile", "MatchingFiles", "SaveV2", "RestoreV2", "PyFunc",
                         "PyFuncStateless", "EagerPyFunc", "PrintV2", "Print", "ImmutableConst", "DebugIdentity"}) {
    EXPECT_TRUE(is_unsafe_op(op)) << op;
    EXPECT_FALSE(unsafe_op_reason(op).empty()) << op;
  }
  EXPECT_EQ(unsafe_op_reason("PyFunc"), "runs Python code");
  for (const char* op : {"MatMul", "Const", "Placeholder", "StatefulPartitionedCall", ""}) {
    EXPECT_FALSE(is_unsafe_op(op)) << op;
    EXPECT_TRUE(unsafe_op_reason(op).empty());
  }
}

}  // namespace
}  // namespace tfport
