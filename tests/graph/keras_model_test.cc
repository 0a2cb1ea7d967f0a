// Model-level lowering: the serving-signature names, nested models and their weights, shared
// layers, and the errors for unsupported layers, weights-only files and bad configs.
#include <gtest/gtest.h>

#include <cmath>

#include "keras_test_util.h"

namespace tfport::graph::keras_testing {
namespace {

TEST(KerasLowering, PlaceholdersAndIdentitiesCarryLayerNames) {
  auto m = functional({{"pixels", {4}}}, {{"Dense", {{"units", 2}}, {random_tensor({4, 2}), random_tensor({2})}, {"pixels"}, "probs"}},
                      {"probs"});
  auto lowered = lower_keras_model(m);
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  ASSERT_EQ(lowered->inputs.size(), 1u);
  EXPECT_EQ(lowered->inputs[0].key, "pixels");
  EXPECT_EQ(lowered->inputs[0].tensor_name, "pixels:0");
  EXPECT_EQ(lowered->inputs[0].shape, PartialShape({-1, 4}));
  EXPECT_EQ(lowered->inputs[0].dtype, DType::kFloat);
  ASSERT_EQ(lowered->outputs.size(), 1u);
  EXPECT_EQ(lowered->outputs[0].key, "probs");
  EXPECT_EQ(lowered->outputs[0].shape, PartialShape({-1, 2}));
  const Graph& g = lowered->graph;
  EXPECT_EQ(g.node(g.find("pixels")).op, "Placeholder");
  EXPECT_EQ(g.node(g.find("probs")).op, "Identity");
  EXPECT_EQ(g.node(g.find("probs/kernel")).op, "Const");
}

TEST(KerasLowering, SequentialWithoutInputLayerNamesItsInput) {
  KerasModel m = sequential({3}, {{"Dense", {{"units", 1}, {"batch_input_shape", {nullptr, 3}}}, {random_tensor({3, 1}), random_tensor({1})}, {}, "dense"}});
  m.layers.erase(m.layers.begin());
  auto lowered = lower_keras_model(m);
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  EXPECT_EQ(lowered->inputs[0].key, "dense_input");
  EXPECT_EQ(lowered->outputs[0].key, "dense");
}

TEST(KerasLowering, SharedLayerCalledTwice) {
  Tensor k = random_tensor({2, 2}, -1, 1, 3);
  KerasModel m = functional({{"a", {2}}, {"b", {2}}}, {{"Dense", {{"units", 2}, {"use_bias", false}}, {k}, {"a"}, "shared"}},
                            {});
  KerasNode second;
  second.inputs.push_back({"b", 0, 0});
  second.kwargs_json = "{}";
  m.layers.back().inbound_nodes.push_back(second);
  KerasLayer add;
  add.name = "sum";
  add.class_name = "Add";
  add.config_json = R"({"name": "sum"})";
  KerasNode n;
  n.inputs = {{"shared", 0, 0}, {"shared", 1, 0}};
  add.inbound_nodes.push_back(n);
  m.layers.push_back(add);
  m.outputs = {{"sum", 0, 0}};
  Tensor a = random_tensor({1, 2}, -1, 1, 4), b = random_tensor({1, 2}, -1, 1, 5);
  auto out = run_model(m, {{"a", a}, {"b", b}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> want;
  for (int u = 0; u < 2; ++u) {
    float s = 0;
    for (int i = 0; i < 2; ++i) s += (a.data<float>()[i] + b.data<float>()[i]) * k.data<float>()[i * 2 + u];
    want.push_back(s);
  }
  EXPECT_TRUE(close(out->at("sum"), {1, 2}, want));
}

// A Sequential model nested in a Functional one; the h5 stores its weights in one group in
// Keras' legacy order (trainable first, then the BatchNormalization statistics).
TEST(KerasLowering, NestedModelGetsItsWeightsByName) {
  Tensor k = random_tensor({3, 2}, -1, 1, 10), bias = random_tensor({2}, -1, 1, 11);
  Tensor gamma = random_tensor({2}, 0.5, 1.5, 12), beta = random_tensor({2}, -1, 1, 13);
  Tensor mean = random_tensor({2}, -1, 1, 14), var = random_tensor({2}, 0.5, 1.5, 15);
  KerasModel inner = sequential({3}, {{"Dense", {{"units", 2}}, {}, {}, "fc"}, {"BatchNormalization", {}, {}, {}, "bn"}});
  inner.name = "block";
  KerasModel outer = functional({{"in", {3}}}, {}, {});
  KerasLayer nested;
  nested.name = "block";
  nested.class_name = "Sequential";
  nested.config_json = "{}";
  nested.nested = std::make_shared<KerasModel>(inner);
  auto w = [](const std::string& name, const Tensor& t) {
    KerasWeight kw;
    kw.name = name;
    kw.value = t;
    kw.shape = t.shape().dims();
    return kw;
  };
  nested.weights = {w("fc/kernel:0", k), w("fc/bias:0", bias), w("bn/gamma:0", gamma), w("bn/beta:0", beta),
                    w("bn/moving_mean:0", mean), w("bn/moving_variance:0", var)};
  // Legacy order puts trainable weights first: gamma/beta before the statistics already; move
  // the Dense bias last to check the order does not matter across layers.
  std::swap(nested.weights[1], nested.weights[5]);
  std::swap(nested.weights[1], nested.weights[5]);
  KerasNode node;
  node.inputs = {{"in", 0, 0}};
  nested.inbound_nodes.push_back(node);
  outer.layers.push_back(nested);
  outer.outputs = {{"block", 1, 0}};  // nested models count their own internal node first
  Tensor x = random_tensor({2, 3}, -1, 1, 16);
  auto out = run_model(outer, {{"in", x}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> want;
  for (int r = 0; r < 2; ++r)
    for (int u = 0; u < 2; ++u) {
      float d = bias.data<float>()[u];
      for (int i = 0; i < 3; ++i) d += x.data<float>()[r * 3 + i] * k.data<float>()[i * 2 + u];
      want.push_back((d - mean.data<float>()[u]) / std::sqrt(var.data<float>()[u] + 1e-3f) * gamma.data<float>()[u] +
                     beta.data<float>()[u]);
    }
  EXPECT_TRUE(close(out->at("block"), {2, 2}, want, 1e-5, 1e-5));
}

TEST(KerasLowering, UnsupportedLayersAreListedTogether) {
  auto m = sequential({4, 3}, {{"ConvLSTM1D", {{"filters", 2}}, {}, {}, "lstm"},
                               {"ConvLSTM1D", {{"filters", 2}}, {}, {}, "lstm_1"},
                               {"Lambda", {}, {}, {}, "custom"}});
  auto lowered = lower_keras_model(m);
  ASSERT_FALSE(lowered.ok());
  EXPECT_EQ(lowered.status().code(), StatusCode::kUnimplemented);
  const std::string msg = lowered.status().message();
  EXPECT_NE(msg.find("ConvLSTM1D (lstm, lstm_1)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("convolutional LSTMs"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Lambda (custom)"), std::string::npos) << msg;
}

TEST(KerasLowering, WeightsOnlyFileIsAClearError) {
  KerasModel m;
  m.format = "keras-h5-weights";
  m.source = "w.h5";
  m.weights_loaded = true;
  auto lowered = lower_keras_model(m);
  ASSERT_FALSE(lowered.ok());
  EXPECT_EQ(lowered.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(lowered.status().message().find("only weights"), std::string::npos) << lowered.status();
}

TEST(KerasLowering, BadConfigNamesLayerAndField) {
  auto m = sequential({4}, {{"Dense", {{"units", "many"}}, {random_tensor({4, 2})}, {}, "fc"}});
  auto lowered = lower_keras_model(m);
  ASSERT_FALSE(lowered.ok());
  EXPECT_NE(lowered.status().message().find("layer 'fc' (Dense): config field 'units'"), std::string::npos)
      << lowered.status();
  auto c = sequential({4, 4, 1}, {{"Conv2D", {{"filters", 2}, {"kernel_size", {3, 3}}, {"padding", "full"}},
                                   {random_tensor({3, 3, 1, 2})}, {}, "conv"}});
  auto lc = lower_keras_model(c);
  ASSERT_FALSE(lc.ok());
  EXPECT_NE(lc.status().message().find("config field 'padding'"), std::string::npos) << lc.status();
  auto missing = sequential({4}, {{"Dense", {{"units", 2}}, {}, {}, "fc"}});
  auto lm = lower_keras_model(missing);
  ASSERT_FALSE(lm.ok());
  EXPECT_NE(lm.status().message().find("layer 'fc' (Dense)"), std::string::npos) << lm.status();
}

}  // namespace
}  // namespace tfport::graph::keras_testing
