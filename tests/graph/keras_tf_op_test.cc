// TF-op layers (TFOpLambda, SlicingOpLambda) from tf.keras 2 functional configs written the way
// Keras writes them, against plain reference math.
#include <gtest/gtest.h>

#include <cmath>

#include "formats/keras/keras_config.h"
#include "keras_test_util.h"

namespace tfport::graph::keras_testing {
namespace {

json input_layer(const std::string& name, const std::vector<int64_t>& dims) {
  json shape = json::array({nullptr});
  for (int64_t d : dims) shape.push_back(d);
  return {{"class_name", "InputLayer"},
          {"name", name},
          {"config", {{"name", name}, {"batch_input_shape", shape}, {"dtype", "float32"}}},
          {"inbound_nodes", json::array()}};
}

// A TF-op layer whose single call is `node` (as Keras writes it in inbound_nodes).
json tf_op(const std::string& name, const std::string& function, json node, const char* cls = "TFOpLambda") {
  return {{"class_name", cls},
          {"name", name},
          {"config", {{"name", name}, {"trainable", true}, {"dtype", "float32"}, {"function", function}}},
          {"inbound_nodes", json::array({std::move(node)})}};
}

json ref(const std::string& layer) { return json::array({layer, 0, 0}); }
json entry(const std::string& layer, json kwargs) { return json::array({layer, 0, 0, std::move(kwargs)}); }

// A Functional model of the two input layers and `layers`, the last one its output, parsed by
// tfport's own config reader as a file of `format` and `version` would be.
KerasModel functional_model(json inputs, std::vector<json> layers, const std::string& format,
                            const std::string& version) {
  json all = std::move(inputs);
  for (json& l : layers) all.push_back(std::move(l));
  const std::string out = all.back()["name"];
  json cfg = {{"class_name", "Functional"},
              {"config",
               {{"name", "model"},
                {"layers", all},
                {"input_layers", json::array({ref("a"), ref("b")})},
                {"output_layers", json::array({ref(out)})}}}};
  if (format == "keras-v3") cfg["module"] = "keras.src.models.functional";
  KerasModel m;
  Status s = keras::parse_model_config(cfg.dump(), "test", &m);
  EXPECT_TRUE(s.ok()) << s;
  m.format = format;
  m.keras_version = version;
  m.weights_loaded = true;
  return m;
}

// A tf.keras 2 model with inputs "a" and "b" of shape [batch, 2, 3].
KerasModel model(std::vector<json> layers, const std::vector<int64_t>& dims = {2, 3}) {
  return functional_model(json::array({input_layer("a", dims), input_layer("b", dims)}), std::move(layers),
                          "keras-h5", "2.15.0");
}

class TfOpTest : public ::testing::Test {
 protected:
  StatusOr<Tensor> run(const KerasModel& m) {
    TFPORT_ASSIGN_OR_RETURN(auto out, run_model(m, {{"a", a_}, {"b", b_}}));
    if (out.size() != 1) return internal_error("expected one output");
    return out.begin()->second;
  }
  float a(int i) const { return a_.data<float>()[i]; }
  float b(int i) const { return b_.data<float>()[i]; }
  std::vector<float> each(const std::function<float(int)>& f) const {
    std::vector<float> v;
    for (int i = 0; i < 12; ++i) v.push_back(f(i));
    return v;
  }

  Tensor a_ = random_tensor({2, 2, 3}, -2, 2, 7);
  Tensor b_ = random_tensor({2, 2, 3}, 0.5, 2, 8);
};

TEST_F(TfOpTest, OperatorAddWithTheOtherTensorByKeyword) {
  // x + y as tf.keras 2.15 writes it: the first operand as the bare node entry.
  auto m = model({tf_op("tf.__operators__.add", "__operators__.add", entry("a", {{"y", ref("b")}, {"name", nullptr}}))});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) { return a(i) + b(i); })));
}

TEST_F(TfOpTest, ConstantFirstOperandAndConstantSecondOperand) {
  // 1 - a, then (1 - a) * 0.5 and (1 - a) / b.
  json one_minus = json::array({"_CONSTANT_VALUE", -1, 1.0, {{"y", ref("a")}, {"name", nullptr}}});
  auto m = model({tf_op("sub", "math.subtract", one_minus),
                  tf_op("mul", "math.multiply", entry("sub", {{"y", 0.5}, {"name", nullptr}})),
                  tf_op("div", "math.truediv", entry("mul", {{"y", ref("b")}, {"name", nullptr}}))});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) { return (1 - a(i)) * 0.5f / b(i); })));
}

TEST_F(TfOpTest, BroadcastConstantListAndMaximum) {
  auto m = model({tf_op("add", "math.add", entry("a", {{"y", {10.0, 20.0, 30.0}}})),
                  tf_op("max", "math.maximum", entry("add", {{"y", 15.0}}))});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) { return std::max(a(i) + 10.f * static_cast<float>(i % 3 + 1), 15.f); })));
}

TEST_F(TfOpTest, ReductionsWithAxisAndKeepdims) {
  auto mean = model({tf_op("mean", "math.reduce_mean", entry("a", {{"axis", 1}, {"keepdims", true}, {"name", nullptr}}))});
  auto y = run(mean);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int n = 0; n < 2; ++n)
    for (int k = 0; k < 3; ++k) want.push_back((a(n * 6 + k) + a(n * 6 + 3 + k)) / 2);
  EXPECT_TRUE(close(*y, {2, 1, 3}, want));

  auto sum = model({tf_op("sum", "math.reduce_sum", entry("a", {{"axis", json::array({-1, 1})}}))});
  y = run(sum);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> totals(2, 0.f);
  for (int i = 0; i < 12; ++i) totals[static_cast<size_t>(i / 6)] += a(i);
  EXPECT_TRUE(close(*y, {2}, totals));
}

TEST_F(TfOpTest, ConcatOfAListWithAConstantFreeAxis) {
  // tf.concat([a, b], axis=-1): each list item carries the same kwargs.
  json node = json::array({entry("a", {{"axis", -1}, {"name", nullptr}}), entry("b", {{"axis", -1}, {"name", nullptr}})});
  auto m = model({tf_op("tf.concat", "concat", node)});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int r = 0; r < 4; ++r) {
    for (int k = 0; k < 3; ++k) want.push_back(a(r * 3 + k));
    for (int k = 0; k < 3; ++k) want.push_back(b(r * 3 + k));
  }
  EXPECT_TRUE(close(*y, {2, 2, 6}, want));
}

TEST_F(TfOpTest, StackAndAddN) {
  json node = json::array({entry("a", {{"axis", 1}}), entry("b", {{"axis", 1}})});
  auto m = model({tf_op("stack", "stack", node)});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; i < 6; ++i) want.push_back(a(n * 6 + i));
    for (int i = 0; i < 6; ++i) want.push_back(b(n * 6 + i));
  }
  EXPECT_TRUE(close(*y, {2, 2, 2, 3}, want));

  auto sum = model({tf_op("add_n", "math.add_n", json::array({entry("a", {}), entry("b", {}), entry("a", {})}))});
  y = run(sum);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) { return 2 * a(i) + b(i); })));
}

TEST_F(TfOpTest, ShapeFunctions) {
  auto m = model({tf_op("t", "compat.v1.transpose", entry("a", {{"perm", {0, 2, 1}}})),
                  tf_op("r", "reshape", entry("t", {{"shape", {-1, 6}}})),
                  tf_op("e", "expand_dims", entry("r", {{"axis", 1}})),
                  tf_op("tile", "tile", entry("e", {{"multiples", {1, 2, 1}}})),
                  tf_op("s", "squeeze", entry("e", {{"axis", 1}}))});
  // The last layer (squeeze undoing expand_dims) is the output; tile is checked below.
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> transposed;
  for (int n = 0; n < 2; ++n)
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 2; ++j) transposed.push_back(a(n * 6 + j * 3 + k));
  EXPECT_TRUE(close(*y, {2, 6}, transposed));

  auto tiled = model({tf_op("t", "transpose", entry("a", {{"perm", {0, 2, 1}}})),
                      tf_op("r", "reshape", entry("t", {{"shape", {-1, 6}}})),
                      tf_op("e", "expand_dims", entry("r", {{"axis", 1}})),
                      tf_op("tile", "tile", entry("e", {{"multiples", {1, 2, 1}}}))});
  y = run(tiled);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int n = 0; n < 2; ++n)
    for (int rep = 0; rep < 2; ++rep)
      for (int i = 0; i < 6; ++i) want.push_back(transposed[static_cast<size_t>(n * 6 + i)]);
  EXPECT_TRUE(close(*y, {2, 2, 6}, want));
}

TEST_F(TfOpTest, SlicingWithSlicesIntegersEllipsisAndNewAxis) {
  json all = {{"start", nullptr}, {"stop", nullptr}, {"step", nullptr}};
  json from1 = {{"start", 1}, {"stop", nullptr}, {"step", nullptr}};
  json reversed = {{"start", nullptr}, {"stop", nullptr}, {"step", -1}};
  // a[:, 1:, ::-1] -> [2, 1, 3]
  auto m = model({tf_op("s", "__operators__.getitem", entry("a", {{"slice_spec", {all, from1, reversed}}}),
                        "SlicingOpLambda")});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int n = 0; n < 2; ++n)
    for (int k = 2; k >= 0; --k) want.push_back(a(n * 6 + 3 + k));
  EXPECT_TRUE(close(*y, {2, 1, 3}, want));

  // a[..., 0] -> [2, 2]; a[:, None, -1] -> [2, 1, 3]
  auto last = model({tf_op("s", "__operators__.getitem",
                           entry("a", {{"slice_spec", {{{"class_name", "__ellipsis__"}}, 0}}}), "SlicingOpLambda")});
  y = run(last);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2}, {a(0), a(3), a(6), a(9)}));
  auto newaxis = model({tf_op("s", "__operators__.getitem", entry("a", {{"slice_spec", {all, nullptr, -1}}}),
                              "SlicingOpLambda")});
  y = run(newaxis);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 1, 3}, {a(3), a(4), a(5), a(9), a(10), a(11)}));
}

TEST_F(TfOpTest, SoftmaxMatmulAndActivations) {
  auto m = model({tf_op("mm", "linalg.matmul", entry("a", {{"b", ref("b")}, {"transpose_b", true}})),
                  tf_op("sm", "nn.softmax", entry("mm", {{"axis", 1}}))});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want(8);
  for (int n = 0; n < 2; ++n) {
    double mm[2][2];
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        mm[i][j] = 0;
        for (int k = 0; k < 3; ++k) mm[i][j] += a(n * 6 + i * 3 + k) * b(n * 6 + j * 3 + k);
      }
    for (int j = 0; j < 2; ++j) {  // softmax over axis 1 (i)
      const double s = std::exp(mm[0][j]) + std::exp(mm[1][j]);
      for (int i = 0; i < 2; ++i) want[static_cast<size_t>(n * 4 + i * 2 + j)] = static_cast<float>(std::exp(mm[i][j]) / s);
    }
  }
  EXPECT_TRUE(close(*y, {2, 2, 2}, want));

  auto act = model({tf_op("lr", "nn.leaky_relu", entry("a", {{"alpha", 0.1}})),
                    tf_op("clip", "clip_by_value", entry("lr", {{"clip_value_min", -0.1}, {"clip_value_max", 1.0}})),
                    tf_op("silu", "nn.silu", entry("clip", {}))});
  y = run(act);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) {
    const double v = std::clamp(a(i) > 0 ? a(i) : 0.1 * a(i), -0.1, 1.0);
    return static_cast<float>(v / (1 + std::exp(-v)));
  })));
}

TEST_F(TfOpTest, L2NormalizeAndComparisonCast) {
  auto m = model({tf_op("n", "math.l2_normalize", entry("a", {{"axis", -1}}))});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int r = 0; r < 4; ++r) {
    double s = 0;
    for (int k = 0; k < 3; ++k) s += a(r * 3 + k) * a(r * 3 + k);
    for (int k = 0; k < 3; ++k) want.push_back(static_cast<float>(a(r * 3 + k) / std::sqrt(s)));
  }
  EXPECT_TRUE(close(*y, {2, 2, 3}, want));

  auto cmp = model({tf_op("gt", "math.greater", entry("a", {{"y", ref("b")}})),
                    tf_op("f", "cast", entry("gt", {{"dtype", "float32"}}))});
  y = run(cmp);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) { return a(i) > b(i) ? 1.f : 0.f; })));
}

TEST_F(TfOpTest, UnknownFunctionsAndBadArgumentsAreClearErrors) {
  auto m = model({tf_op("f", "signal.rfft", entry("a", {}))});
  auto y = run(m);
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(y.status().message().find("TFOpLambda tf.signal.rfft (f)"), std::string::npos) << y.status();

  auto bad_axis = model({tf_op("mean", "math.reduce_mean", entry("a", {{"axis", 5}}))});
  y = run(bad_axis);
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("axis 5 is out of range for rank 3"), std::string::npos) << y.status();

  auto ragged = model({tf_op("add", "math.add", entry("a", {{"y", json::array({1.0, json::array({2.0})})}}))});
  y = run(ragged);
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("ragged constant"), std::string::npos) << y.status();

  auto out_of_range = model({tf_op("s", "__operators__.getitem", entry("a", {{"slice_spec", {0, 2}}}),
                                   "SlicingOpLambda")});
  y = run(out_of_range);
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("index 2 is out of range"), std::string::npos) << y.status();
}

// Keras 3 functional models apply ops (keras.ops.add, x * 2, x[:, 0]) as operations written
// with module "keras.src.ops.*", their parameters in the config and their arguments in
// {"args": [...], "kwargs": {...}}.
json ktensor(const std::string& layer) {
  return {{"class_name", "__keras_tensor__"},
          {"config", {{"shape", {nullptr, 2, 3}}, {"dtype", "float32"}, {"keras_history", {layer, 0, 0}}}}};
}
json tuple(json items) { return {{"class_name", "__tuple__"}, {"config", {{"value", std::move(items)}}}}; }

json keras3_op(const std::string& name, const std::string& cls, json config, json args, const char* module = "keras.src.ops.numpy") {
  config["name"] = name;
  return {{"module", module},
          {"class_name", cls},
          {"config", std::move(config)},
          {"registered_name", cls},
          {"name", name},
          {"inbound_nodes", json::array({{{"args", std::move(args)}, {"kwargs", json::object()}}})}};
}

KerasModel keras3_model(std::vector<json> layers) {
  auto input = [](const std::string& n) {
    return json{{"module", "keras.layers"},
                {"class_name", "InputLayer"},
                {"name", n},
                {"config", {{"name", n}, {"batch_shape", {nullptr, 2, 3}}, {"dtype", "float32"}}},
                {"inbound_nodes", json::array()}};
  };
  return functional_model(json::array({input("a"), input("b")}), std::move(layers), "keras-v3", "3.6.0");
}

TEST_F(TfOpTest, Keras3ArithmeticOpsWithConstantsOnEitherSide) {
  // (1 - a) * 2 + b
  auto m = keras3_model({keras3_op("subtract", "Subtract", json::object(), {1.0, ktensor("a")}),
                         keras3_op("multiply", "Multiply", json::object(), {ktensor("subtract"), 2}),
                         keras3_op("add", "Add", json::object(), {ktensor("multiply"), ktensor("b")})});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) { return (1 - a(i)) * 2 + b(i); })));
}

TEST_F(TfOpTest, Keras3ReductionsConcatenateAndGetItem) {
  auto sum = keras3_model({keras3_op("sum", "Sum", {{"axis", tuple({1, 2})}, {"keepdims", false}}, json::array({ktensor("a")}))});
  auto y = run(sum);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> totals(2, 0.f);
  for (int i = 0; i < 12; ++i) totals[static_cast<size_t>(i / 6)] += a(i);
  EXPECT_TRUE(close(*y, {2}, totals));

  auto cat = keras3_model({keras3_op("concatenate", "Concatenate", {{"axis", 1}}, json::array({json::array({ktensor("a"), ktensor("b")})}))});
  y = run(cat);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; i < 6; ++i) want.push_back(a(n * 6 + i));
    for (int i = 0; i < 6; ++i) want.push_back(b(n * 6 + i));
  }
  EXPECT_TRUE(close(*y, {2, 4, 3}, want));

  // a[:, 0], the slice wrapped as Keras 3 writes it.
  json all = {{"class_name", "__slice__"}, {"config", {{"start", nullptr}, {"stop", nullptr}, {"step", nullptr}}}};
  auto item = keras3_model({keras3_op("get_item", "GetItem", json::object(), {ktensor("a"), tuple({all, 0})},
                                      "keras.src.ops.core")});
  y = run(item);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 3}, {a(0), a(1), a(2), a(6), a(7), a(8)}));

  auto sm = keras3_model({keras3_op("softmax", "Softmax", {{"axis", -1}}, json::array({ktensor("a")}), "keras.src.ops.nn")});
  y = run(sm);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> soft;
  for (int r = 0; r < 4; ++r) {
    double s = 0;
    for (int k = 0; k < 3; ++k) s += std::exp(a(r * 3 + k));
    for (int k = 0; k < 3; ++k) soft.push_back(static_cast<float>(std::exp(a(r * 3 + k)) / s));
  }
  EXPECT_TRUE(close(*y, {2, 2, 3}, soft));
}

TEST_F(TfOpTest, Keras3Einsum) {
  // keras.ops.einsum("bij,bkj->bik", a, b): [2, 2, 3] x [2, 2, 3] -> [2, 2, 2]
  auto m = keras3_model({keras3_op("einsum", "Einsum", {{"subscripts", "bij,bkj->bik"}}, {ktensor("a"), ktensor("b")})});
  auto y = run(m);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 2; ++k) {
        double s = 0;
        for (int j = 0; j < 3; ++j) s += a(n * 6 + i * 3 + j) * b(n * 6 + k * 3 + j);
        want.push_back(static_cast<float>(s));
      }
  EXPECT_TRUE(close(*y, {2, 2, 2}, want));
}

TEST_F(TfOpTest, Keras3UnknownOpIsNamedAndLayersOfTheSameClassNameStayLayers) {
  auto m = keras3_model({keras3_op("take", "Take", {{"axis", 1}}, json::array({ktensor("a"), json::array({0, 1})}))});
  auto y = run(m);
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("Keras op Take (take)"), std::string::npos) << y.status();

  // keras.layers.Add (a merge layer) is not keras.ops.add.
  json add_layer = keras3_op("add_layer", "Add", json::object(), json::array({json::array({ktensor("a"), ktensor("b")})}), "keras.layers");
  auto layer = keras3_model({add_layer});
  y = run(layer);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 2, 3}, each([&](int i) { return a(i) + b(i); })));
}

}  // namespace
}  // namespace tfport::graph::keras_testing
