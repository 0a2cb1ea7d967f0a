#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "cli/show.h"
#include "support/test_support.h"

namespace tfport::cli {
namespace {

using ::testing::HasSubstr;
using tfport::testing::fixture;

struct Shown {
  Status status;
  std::string out;
};

Shown show(const std::string& path, bool json = false) {
  ShowOptions o;
  o.dir = path;
  o.json = json;
  std::ostringstream out;
  Status s = run_show(o, out);
  return {s, out.str()};
}

TEST(ShowGraph, FrozenGraphText) {
  std::string path = fixture("realworld/mnist-frozen-tf1/model/frozen_graph.pb");
  auto shown = show(path);
  ASSERT_TRUE(shown.status.ok()) << shown.status;
  EXPECT_THAT(shown.out, HasSubstr("GraphDef: " + path + "\nNodes: 47, library functions: 0"));
  EXPECT_THAT(shown.out, HasSubstr("Inputs (placeholders):\n  conv2d_input: dtype DT_FLOAT, shape (-1, 32, 32, 3)\n"));
  EXPECT_THAT(shown.out, HasSubstr("Likely outputs (nodes nothing consumes):\n  dense_1/Softmax\n"));
  EXPECT_THAT(shown.out, HasSubstr("Op histogram:\n      14  Const\n      10  Identity\n       5  BiasAdd\n"));
}

TEST(ShowGraph, FrozenGraphJson) {
  auto shown = show(fixture("realworld/mnist-frozen-tf1/model/frozen_graph.pb"), true);
  ASSERT_TRUE(shown.status.ok()) << shown.status;
  auto doc = nlohmann::json::parse(shown.out);
  EXPECT_EQ(doc["format"], "GraphDef");
  EXPECT_EQ(doc["num_nodes"], 47);
  EXPECT_EQ(doc["inputs"][0]["name"], "conv2d_input");
  EXPECT_EQ(doc["inputs"][0]["shape"], nlohmann::json::array({-1, 32, 32, 3}));
  EXPECT_EQ(doc["likely_outputs"], nlohmann::json::array({"dense_1/Softmax"}));
  EXPECT_EQ(doc["op_histogram"][0]["op"], "Const");
  EXPECT_EQ(doc["op_histogram"][0]["count"], 14);
}

TEST(ShowGraph, MetaGraph) {
  std::string path = fixture("realworld/houseprices-tf1-ckpt/model/model.ckpt.meta");
  auto shown = show(path);
  ASSERT_TRUE(shown.status.ok()) << shown.status;
  EXPECT_THAT(shown.out, HasSubstr("TF1 MetaGraphDef: " + path + "\nNodes: 602"));
  EXPECT_THAT(shown.out, HasSubstr("  Placeholder: dtype DT_BOOL, shape unknown_rank\n"));
  EXPECT_THAT(shown.out, HasSubstr("Collections:\n  cond_context: bytes_list, 8 items\n  train_op: node_list, 1 item\n"));
  EXPECT_THAT(shown.out, HasSubstr("  restore_op_name: save/restore_all\n  version: V2\n"));
  EXPECT_THAT(shown.out, HasSubstr("Checkpoint prefix: " + path.substr(0, path.size() - 5) + "\n"));
  auto json = show(path, true);
  ASSERT_TRUE(json.status.ok());
  auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["format"], "TF1 meta graph");
  EXPECT_EQ(doc["saver"]["filename_tensor_name"], "save/Const:0");
  EXPECT_EQ(doc["collections"]["variables"]["size"], 34);
  EXPECT_EQ(doc["variables"][0]["name"], "Variable:0");
  EXPECT_EQ(doc["tensorflow_version"], "1.10.0");
}

TEST(ShowGraph, CorruptedFrozenGraph) {
  tfport::testing::TempDir tmp;
  std::string path = tfport::testing::copy_to(fixture("realworld/mnist-frozen-tf1/model/frozen_graph.pb"), tmp.file("g.pb"));
  tfport::testing::truncate_file(path, 100);
  auto shown = show(path);
  ASSERT_FALSE(shown.status.ok());
  EXPECT_EQ(shown.status.code(), StatusCode::kDataLoss);
  EXPECT_THAT(shown.status.message(), HasSubstr(path));
}

}  // namespace
}  // namespace tfport::cli
