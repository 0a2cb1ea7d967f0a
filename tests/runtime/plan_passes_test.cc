// The plan-time passes on small hand-built graphs: the graph they leave (which ops remain) and
// the values the plan computes, against the same graph planned without passes.
#include <gtest/gtest.h>

#include "op_test_util.h"
#include "pass_test_util.h"
#include "runtime/passes/optimize.h"

namespace tfport::runtime::testing {
namespace {

using passes::optimize_for_plan;

Tensor floats(const Shape& shape, float lo = -2.f, float hi = 2.f) { return random_float(shape, lo, hi); }

// Every output of `fetches` equal (within the fixtures' tolerance) with and without passes.
void expect_same_values(const graph::Graph& g, const std::vector<std::string>& names, const std::vector<Tensor>& feeds,
                        const std::vector<std::string>& fetches) {
  auto plain = run_graph(g, names, feeds, fetches, false);
  ASSERT_TRUE(plain.ok()) << plain.status();
  auto fast = run_graph(g, names, feeds, fetches, true);
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_EQ(plain->size(), fast->size());
  for (size_t i = 0; i < plain->size(); ++i) {
    EXPECT_LE(tolerance_ratio((*fast)[i], (*plain)[i]), 1.0) << fetches[i];
  }
}

std::vector<std::string> fused_ops_of(const graph::Graph& g, const std::string& name) {
  const int id = g.find(name);
  EXPECT_GE(id, 0) << name;
  if (id < 0) return {};
  auto it = g.node(id).attrs.find("fused_ops");
  if (it == g.node(id).attrs.end()) return {};
  return {it->second.list().s().begin(), it->second.list().s().end()};
}

TEST(PlanPasses, FoldsBiasAndKerasBatchNormIntoConvAndFusesRelu6) {
  GraphBuilder b;
  b.placeholder("x", {-1, 9, 9, 3});
  b.constant("w", floats(Shape{3, 3, 3, 4}));
  b.constant("b", floats(Shape{4}));
  b.constant("scale", floats(Shape{4}, 0.5f, 2.f));
  b.constant("offset", floats(Shape{4}));
  b.op("conv", "Conv2D", {"x", "w"}, conv_attrs(2, "SAME"));
  b.op("bias", "BiasAdd", {"conv", "b"});
  b.op("mul", "Mul", {"scale", "bias"});  // the constant first: either order folds
  b.op("add", "AddV2", {"mul", "offset"});
  b.op("out", "Relu6", {"add"});

  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"out:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(count_ops(*opt, "_FusedConv2D"), 1);
  for (const char* gone : {"Conv2D", "BiasAdd", "Mul", "AddV2", "Relu6"}) EXPECT_EQ(count_ops(*opt, gone), 0) << gone;
  EXPECT_EQ(fused_ops_of(*opt, "out"), (std::vector<std::string>{"BiasAdd", "Relu6"}));
  // The weights are not copied at load: the filter input is still "w", scaled by an attribute.
  const graph::Node& fused = opt->node(opt->find("out"));
  EXPECT_EQ(opt->node(fused.inputs[1].node).name, "w");
  EXPECT_EQ(fused.attrs.at("_tfport_filter_scale").list().f_size(), 4);
  expect_same_values(b.graph(), {"x:0"}, {floats(Shape{2, 9, 9, 3})}, {"out:0"});
}

TEST(PlanPasses, FoldsFusedBatchNormIntoDepthwiseConvAndFusesRelu) {
  GraphBuilder b;
  b.placeholder("x", {-1, 6, 7, 4});
  b.constant("w", floats(Shape{3, 3, 4, 2}));
  for (const char* p : {"gamma", "beta", "mean"}) b.constant(p, floats(Shape{8}));
  b.constant("var", floats(Shape{8}, 0.1f, 3.f));
  b.op("dw", "DepthwiseConv2dNative", {"x", "w"}, conv_attrs(1, "SAME"));
  graph::AttrMap bn;
  bn["T"] = type_attr(DType::kFloat);
  bn["U"] = type_attr(DType::kFloat);
  bn["epsilon"] = float_attr(0.001f);
  bn["is_training"] = bool_attr(false);
  bn["data_format"] = string_attr("NHWC");
  b.op("bn", "FusedBatchNormV3", {"dw", "gamma", "beta", "mean", "var"}, bn);
  b.op("out", "Relu", {"bn"});

  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"out:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(count_ops(*opt, "_FusedDepthwiseConv2dNative"), 1);
  EXPECT_EQ(count_ops(*opt, "FusedBatchNormV3"), 0);
  EXPECT_EQ(fused_ops_of(*opt, "out"), (std::vector<std::string>{"BiasAdd", "Relu"}));
  expect_same_values(b.graph(), {"x:0"}, {floats(Shape{3, 6, 7, 4})}, {"out:0"});
}

TEST(PlanPasses, StopsAtTensorsTheCallerFetches) {
  GraphBuilder b;
  b.placeholder("x", {1, 5, 5, 2});
  b.constant("w", floats(Shape{1, 1, 2, 3}));
  b.constant("b", floats(Shape{3}));
  b.op("conv", "Conv2D", {"x", "w"}, conv_attrs(1, "VALID"));
  b.op("bias", "BiasAdd", {"conv", "b"});
  b.op("out", "Relu", {"bias"});

  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"bias:0", "out:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(count_ops(*opt, "Relu"), 1);  // bias is fetched, so Relu cannot swallow it
  EXPECT_EQ(fused_ops_of(*opt, "bias"), (std::vector<std::string>{"BiasAdd"}));
  expect_same_values(b.graph(), {"x:0"}, {floats(Shape{1, 5, 5, 2})}, {"bias:0", "out:0"});
}

TEST(PlanPasses, FoldsZeroPadIntoStridedConvs) {
  GraphBuilder b;
  b.placeholder("x", {-1, 8, 8, 3});
  b.constant("pads", Tensor::from_vector<int32_t>(DType::kInt32, Shape{4, 2}, {0, 0, 0, 1, 1, 0, 0, 0}));
  b.constant("w", floats(Shape{3, 3, 3, 1}));
  b.op("pad", "Pad", {"x", "pads"});
  b.op("out", "DepthwiseConv2dNative", {"pad", "w"}, conv_attrs(2, "VALID"));

  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"out:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(count_ops(*opt, "Pad"), 0);
  const graph::Node& conv = opt->node(opt->find("out"));
  EXPECT_EQ(conv.attrs.at("padding").s(), "EXPLICIT");
  expect_same_values(b.graph(), {"x:0"}, {floats(Shape{2, 8, 8, 3})}, {"out:0"});
}

TEST(PlanPasses, KeepsAPadWithANonConvReader) {
  GraphBuilder b;
  b.placeholder("x", {1, 4, 4, 1});
  b.constant("pads", Tensor::from_vector<int32_t>(DType::kInt32, Shape{4, 2}, {0, 0, 1, 1, 1, 1, 0, 0}));
  b.constant("w", floats(Shape{3, 3, 1, 1}));
  b.op("pad", "Pad", {"x", "pads"});
  b.op("conv", "Conv2D", {"pad", "w"}, conv_attrs(1, "VALID"));
  b.op("relu", "Relu", {"pad"});
  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"conv:0", "relu:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(count_ops(*opt, "Pad"), 1);
}

TEST(PlanPasses, FoldsShapeArithmeticOfStaticShapes) {
  GraphBuilder b;
  b.placeholder("x", {2, 3, 4});
  graph::AttrMap i32;
  i32["T"] = type_attr(DType::kInt32);
  graph::AttrMap shape_attrs;
  shape_attrs["T"] = type_attr(DType::kFloat);
  shape_attrs["out_type"] = type_attr(DType::kInt32);
  b.op("shape", "Shape", {"x"}, shape_attrs);
  b.constant("axis", scalar_i32(0));
  graph::AttrMap prod;
  prod["T"] = type_attr(DType::kInt32);
  prod["Tidx"] = type_attr(DType::kInt32);
  prod["keep_dims"] = bool_attr(false);
  b.op("size", "Prod", {"shape", "axis"}, prod);
  b.constant("one", scalar_i32(1));
  b.op("size_plus_one", "AddV2", {"size", "one"}, i32);
  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"size_plus_one:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(count_ops(*opt, "Shape"), 0);
  EXPECT_EQ(count_ops(*opt, "Prod"), 0);
  const graph::Node& result = opt->node(opt->find("size_plus_one"));
  EXPECT_EQ(result.op, "AddV2");  // fetched: kept as the node the caller names
  auto out = run_graph(b.graph(), {"x:0"}, {floats(Shape{2, 3, 4})}, {"size_plus_one:0"}, true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<int32_t>()[0], 25);
}

TEST(PlanPasses, FoldsTheShapeOfADeepChain) {
  GraphBuilder b;
  b.placeholder("x", {3, 5});
  std::string prev = "x";
  for (int i = 0; i < 200; ++i) prev = b.op("relu" + std::to_string(i), "Relu", {prev});
  b.op("shape", "Shape", {prev});
  b.op("reshaped", "Reshape", {prev, "shape"});
  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"reshaped:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(count_ops(*opt, "Shape"), 0);
  auto out = run_graph(b.graph(), {"x:0"}, {floats(Shape{3, 5})}, {"reshaped:0"}, true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 5}));
}

TEST(PlanPasses, ConstantFoldingLeavesFedUnknownAndControlledNodes) {
  GraphBuilder b;
  b.placeholder("x", {-1, 3});
  b.constant("c", Tensor::from_vector<float>(DType::kFloat, Shape{2}, {1.f, 2.f}));
  b.op("shape", "Shape", {"x"});            // batch unknown: stays
  b.op("neg", "Neg", {"c"});                // all-constant: folds
  b.op("gated", "Neg", {"c"}, {}, {"neg"});  // has a control input: stays
  b.op("fed", "Neg", {"c"});                // fed by the caller: stays
  b.op("sum", "AddV2", {"neg", "fed"});
  auto opt = optimize_for_plan(b.graph(), {"x:0", "fed:0"}, {"shape:0", "gated:0", "sum:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(opt->node(opt->find("shape")).op, "Shape");
  EXPECT_EQ(opt->node(opt->find("gated")).op, "Neg");
  EXPECT_EQ(opt->node(opt->find("neg")).op, "Const");
  EXPECT_EQ(opt->node(opt->find("fed")).op, "Neg");
  Tensor fed = Tensor::from_vector<float>(DType::kFloat, Shape{2}, {10.f, 20.f});
  auto out = run_graph(b.graph(), {"x:0", "fed:0"}, {floats(Shape{4, 3}), fed}, {"shape:0", "gated:0", "sum:0"}, true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<int32_t>()[0], 4);
  EXPECT_EQ((*out)[2].data<float>()[0], 9.f);
  EXPECT_EQ((*out)[2].data<float>()[1], 18.f);
}

TEST(PlanPasses, RemovesIdentitiesButKeepsFetchedOnes) {
  GraphBuilder b;
  b.placeholder("x", {2});
  b.op("a", "Identity", {"x"});
  b.op("b", "StopGradient", {"a"});
  b.op("r", "Relu", {"b"});
  b.op("c", "Identity", {"r"});
  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"c:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_LT(opt->find("a"), 0);
  EXPECT_LT(opt->find("b"), 0);
  ASSERT_GE(opt->find("c"), 0);
  EXPECT_EQ(opt->node(opt->node(opt->find("r")).inputs[0].node).name, "x");
  auto out = run_graph(b.graph(), {"x:0"}, {Tensor::from_vector<float>(DType::kFloat, Shape{2}, {-1.f, 3.f})}, {"c:0"},
                       true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<float>()[0], 0.f);
  EXPECT_EQ((*out)[0].data<float>()[1], 3.f);
}

TEST(PlanPasses, DropsNodesNoFetchNeeds) {
  GraphBuilder b;
  b.placeholder("x", {2});
  b.op("used", "Relu", {"x"});
  b.op("unused", "Neg", {"x"});
  auto opt = optimize_for_plan(b.graph(), {"x:0"}, {"used:0"}, {});
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_LT(opt->find("unused"), 0);
  EXPECT_EQ(opt->num_nodes(), 2);
}

}  // namespace
}  // namespace tfport::runtime::testing
