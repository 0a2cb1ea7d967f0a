// CheckpointReader on the real fixture checkpoints: known values, layouts and path forms.
#include "tfport/checkpoint.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace tfport {
namespace {

using tfport::testing::fixture;

float read_scalar(const CheckpointReader& r, const std::string& key) {
  auto t = r.read(key);
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return -1;
  EXPECT_EQ(t->dtype(), DType::kFloat);
  EXPECT_EQ(t->num_elements(), 1);
  return t->values<float>()[0];
}

TEST(CheckpointReader, HalfPlusTwoTf1Values) {
  auto r = CheckpointReader::open(fixture("tfserving/saved_model_half_plus_two_cpu/00000123/variables/variables"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->num_shards(), 1);
  std::vector<std::string> names;
  for (const auto& v : r->variables()) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a2", "b", "c", "c2"}));
  EXPECT_EQ(read_scalar(*r, "a"), 0.5f);
  EXPECT_EQ(read_scalar(*r, "b"), 2.0f);
  EXPECT_EQ(read_scalar(*r, "c"), 3.0f);
  EXPECT_EQ(read_scalar(*r, "a2"), 0.5f);
  EXPECT_EQ(read_scalar(*r, "c2"), 3.0f);
  const CheckpointVariable* a = r->find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dtype, DType::kFloat);
  EXPECT_EQ(a->shape, Shape{});
  EXPECT_EQ(a->byte_size, 4u);
  EXPECT_FALSE(a->partitioned);
  EXPECT_EQ(r->find("zz"), nullptr);
  auto missing = r->read("zz");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->object_graph().status().code(), StatusCode::kNotFound);  // TF1: name-based
}

TEST(CheckpointReader, HalfPlusTwoTf2KeysAndObjectGraph) {
  const std::string dir = fixture("tfserving/saved_model_half_plus_two_tf2_cpu/00000123/variables");
  // The same checkpoint by prefix and by its .index file.
  for (const std::string& path : {dir + "/variables", dir + "/variables.index"}) {
    auto r = CheckpointReader::open(path);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->prefix(), dir + "/variables");
    ASSERT_EQ(r->variables().size(), 4u);
    EXPECT_EQ(r->variables()[0].name, "_CHECKPOINTABLE_OBJECT_GRAPH");
    EXPECT_EQ(r->variables()[0].dtype, DType::kString);
    EXPECT_EQ(r->variables()[0].byte_size, 619u);
    EXPECT_EQ(read_scalar(*r, "a/.ATTRIBUTES/VARIABLE_VALUE"), 0.5f);
    EXPECT_EQ(read_scalar(*r, "b/.ATTRIBUTES/VARIABLE_VALUE"), 2.0f);
    EXPECT_EQ(read_scalar(*r, "c/.ATTRIBUTES/VARIABLE_VALUE"), 3.0f);
    auto graph = r->object_graph();
    ASSERT_TRUE(graph.ok()) << graph.status();
    ASSERT_GE(graph->nodes_size(), 4);
    const auto& root = graph->nodes(0);
    ASSERT_GE(root.children_size(), 3);
    EXPECT_EQ(root.children(0).local_name(), "a");
    EXPECT_EQ(root.children(0).node_id(), 1);
    EXPECT_TRUE(root.has_checkpoint_values().value());
    const auto& a = graph->nodes(1);
    ASSERT_EQ(a.attributes_size(), 1);
    EXPECT_EQ(a.attributes(0).name(), "VARIABLE_VALUE");
    EXPECT_EQ(a.attributes(0).full_name(), "a");
    EXPECT_EQ(a.attributes(0).checkpoint_key(), "a/.ATTRIBUTES/VARIABLE_VALUE");
  }
}

TEST(CheckpointReader, CounterUncompressedIndex) {
  auto r = CheckpointReader::open(fixture("tfserving/saved_model_counter/00000123/variables/variables"));
  ASSERT_TRUE(r.ok()) << r.status();
  bool found = false;
  for (const auto& v : r->variables()) {
    if (v.dtype == DType::kFloat && v.shape.num_elements() == 1) {
      EXPECT_EQ(read_scalar(*r, v.name), 0.0f) << v.name;
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(CheckpointReader, TwoShardCheckpointFromItsDirectory) {
  const std::string dir = fixture("checkpoints/lso_ckpt_tf2.2");
  auto r = CheckpointReader::open(dir);  // via the `checkpoint` state file
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->prefix(), dir + "/ckpt");
  EXPECT_EQ(r->num_shards(), 2);
  auto kernel = r->read("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  EXPECT_EQ(kernel->shape(), (Shape{2, 2}));
  const std::vector<float> want = {9.229685f, 10.901115f, 10.370763f, 9.757362f};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(kernel->values<float>()[i], want[i], 1e-5) << i;
  auto bias = r->read("layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_TRUE(bias.ok()) << bias.status();
  EXPECT_NEAR(bias->values<float>()[0], 10.049943f, 1e-5);
  EXPECT_NEAR(bias->values<float>()[1], 9.917691f, 1e-5);
  auto iter = r->read("optimizer/base_optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_TRUE(iter.ok()) << iter.status();
  EXPECT_EQ(iter->dtype(), DType::kInt64);
  EXPECT_EQ(iter->values<int64_t>()[0], 1);
  EXPECT_EQ(read_scalar(*r, "optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE"), 32768.0f);
  EXPECT_TRUE(r->object_graph().ok());
}

TEST(CheckpointReader, Tf1SaverCheckpointByDataShardName) {
  const std::string dir = fixture("realworld/houseprices-tf1-ckpt/model");
  auto r = CheckpointReader::open(dir + "/model.ckpt.data-00000-of-00001");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->prefix(), dir + "/model.ckpt");
  auto by_dir = CheckpointReader::open(dir);
  ASSERT_TRUE(by_dir.ok()) << by_dir.status();
  EXPECT_EQ(by_dir->variables().size(), r->variables().size());
}

TEST(CheckpointReader, V1CheckpointIsRefusedAsV1) {
  const std::string dir = fixture("invalid/tfserving_bad_half_plus_two/00000123");
  for (const std::string& path : {dir + "/export", dir}) {
    auto r = CheckpointReader::open(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented) << r.status();
    EXPECT_NE(r.status().message().find("V1 checkpoint"), std::string::npos) << r.status();
  }
}

TEST(CheckpointReader, MissingPathIsNotFound) {
  auto r = CheckpointReader::open(fixture("checkpoints/no_such_ckpt"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tfport
