#include <gtest/gtest.h>

#include "graph/keras/lower_keras.h"
#include "runtime/graph_model.h"
#include "keras_test_util.h"

namespace tfport::graph::keras_testing {
namespace {

KerasWeight weight(const std::string& layer, size_t i, const Tensor& t) {
  KerasWeight w;
  w.name = layer + "/w" + std::to_string(i) + ":0";
  w.value = t;
  w.shape = t.shape().dims();
  return w;
}

json shape_json(const std::vector<int64_t>& dims) {
  json s = json::array({nullptr});
  for (int64_t d : dims) s.push_back(d < 0 ? json(nullptr) : json(d));
  return s;
}

KerasLayer input_layer(const std::string& name, const std::vector<int64_t>& shape, const std::string& dtype) {
  KerasLayer l;
  l.name = name;
  l.class_name = "InputLayer";
  l.config_json = json{{"name", name}, {"batch_input_shape", shape_json(shape)}, {"dtype", dtype}}.dump();
  return l;
}

KerasLayer make_layer(LayerSpec& s, size_t index) {
  KerasLayer l;
  l.name = s.name.empty() ? s.class_name + "_" + std::to_string(index) : s.name;
  s.name = l.name;
  l.class_name = s.class_name;
  s.config["name"] = l.name;
  l.config_json = s.config.dump();
  for (size_t i = 0; i < s.weights.size(); ++i) l.weights.push_back(weight(l.name, i, s.weights[i]));
  return l;
}

}  // namespace

KerasModel sequential(const std::vector<int64_t>& input_shape, std::vector<LayerSpec> layers,
                      const std::string& keras_version, const std::string& dtype) {
  KerasModel m;
  m.format = "keras-h5";
  m.keras_version = keras_version;
  m.class_name = "Sequential";
  m.name = "sequential";
  m.config_json = "{}";
  m.weights_loaded = true;
  m.layers.push_back(input_layer("x", input_shape, dtype));
  for (size_t i = 0; i < layers.size(); ++i) m.layers.push_back(make_layer(layers[i], i));
  return m;
}

KerasModel functional(const std::vector<std::pair<std::string, std::vector<int64_t>>>& inputs,
                      std::vector<LayerSpec> layers, const std::vector<std::string>& outputs,
                      const std::string& keras_version) {
  KerasModel m;
  m.format = "keras-h5";
  m.keras_version = keras_version;
  m.class_name = "Functional";
  m.name = "model";
  m.config_json = "{}";
  m.weights_loaded = true;
  for (const auto& [name, shape] : inputs) {
    m.layers.push_back(input_layer(name, shape, "float32"));
    m.inputs.push_back({name, 0, 0});
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    KerasLayer l = make_layer(layers[i], i);
    KerasNode node;
    for (const std::string& in : layers[i].inbound) node.inputs.push_back({in, 0, 0});
    node.kwargs_json = "{}";
    l.inbound_nodes.push_back(node);
    m.layers.push_back(std::move(l));
  }
  for (const std::string& o : outputs) m.outputs.push_back({o, 0, 0});
  return m;
}

StatusOr<std::map<std::string, Tensor>> run_model(const KerasModel& m, const std::map<std::string, Tensor>& inputs) {
  TFPORT_ASSIGN_OR_RETURN(LoweredKerasModel lowered, lower_keras_model(m));
  Signature sig;
  sig.key = "serving_default";
  sig.inputs = lowered.inputs;
  sig.outputs = lowered.outputs;
  auto by_key = [](const TensorSpec& a, const TensorSpec& b) { return a.key < b.key; };
  std::sort(sig.inputs.begin(), sig.inputs.end(), by_key);
  std::sort(sig.outputs.begin(), sig.outputs.end(), by_key);
  runtime::GraphModel model(std::move(lowered.graph), LoadOptions{});
  model.add_signature(sig);
  std::string err = model.signature_error("serving_default");
  if (!err.empty()) return internal_error(err);
  return model.run("serving_default", inputs);
}

StatusOr<Tensor> run1(const KerasModel& m, const Tensor& x) {
  TFPORT_ASSIGN_OR_RETURN(auto out, run_model(m, {{"x", x}}));
  if (out.size() != 1) return internal_error("expected one output");
  return out.begin()->second;
}

Tensor tensor(const std::vector<int64_t>& shape, std::vector<float> v) {
  return Tensor::from_vector<float>(DType::kFloat, Shape(shape), v);
}

Tensor random_tensor(const std::vector<int64_t>& shape, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(static_cast<size_t>(Shape(shape).num_elements()));
  for (float& x : v) x = u(rng);
  return tensor(shape, v);
}

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.num_elements()}; }

::testing::AssertionResult close(const Tensor& got, const std::vector<int64_t>& shape, const std::vector<float>& want,
                                 double rtol, double atol) {
  if (got.dtype() != DType::kFloat) return ::testing::AssertionFailure() << "dtype " << got.description();
  if (got.shape().dims() != shape) {
    return ::testing::AssertionFailure() << "shape " << got.shape().to_string() << ", expected " << Shape(shape).to_string();
  }
  if (static_cast<size_t>(got.num_elements()) != want.size()) return ::testing::AssertionFailure() << "reference size";
  for (size_t i = 0; i < want.size(); ++i) {
    double a = got.data<float>()[i], b = want[i];
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(b))) {
      return ::testing::AssertionFailure() << "element " << i << ": got " << a << ", expected " << b;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tfport::graph::keras_testing
