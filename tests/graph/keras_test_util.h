// Tiny hand-built Keras models for the lowering tests: a Sequential or Functional model from
// layer specs, lowered and run through the runtime, plus reference helpers.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "graph/keras/lower_keras.h"
#include "tfport/keras.h"
#include "tfport/model.h"

namespace tfport::graph::keras_testing {

using nlohmann::json;

struct LayerSpec {
  LayerSpec(std::string cls, json cfg = json::object(), std::vector<Tensor> w = {}, std::vector<std::string> in = {},
            std::string n = {})
      : class_name(std::move(cls)), config(std::move(cfg)), weights(std::move(w)), inbound(std::move(in)),
        name(std::move(n)) {}
  std::string class_name;
  json config = json::object();
  std::vector<Tensor> weights;
  std::vector<std::string> inbound;  // functional models: producing layers (node 0, tensor 0)
  std::string name;                  // defaults to class name + index
};

// A Sequential model: InputLayer with batch shape [None, input_shape...] then the layers.
KerasModel sequential(const std::vector<int64_t>& input_shape, std::vector<LayerSpec> layers,
                      const std::string& keras_version = "2.13.0", const std::string& dtype = "float32");
// A Functional model; inputs are InputLayers named in `input_names` with their shapes.
KerasModel functional(const std::vector<std::pair<std::string, std::vector<int64_t>>>& inputs,
                      std::vector<LayerSpec> layers, const std::vector<std::string>& outputs,
                      const std::string& keras_version = "2.13.0");

// Lowers and runs the model's serving signature; returns the outputs by key.
StatusOr<std::map<std::string, Tensor>> run_model(const KerasModel& m, const std::map<std::string, Tensor>& inputs);
// Single-input, single-output shortcut.
StatusOr<Tensor> run1(const KerasModel& m, const Tensor& x);

Tensor tensor(const std::vector<int64_t>& shape, std::vector<float> values);
Tensor random_tensor(const std::vector<int64_t>& shape, float lo = -1.f, float hi = 1.f, unsigned seed = 1);
std::vector<float> values(const Tensor& t);

// Expects equal shapes and |a-b| <= atol + rtol*|b|.
::testing::AssertionResult close(const Tensor& got, const std::vector<int64_t>& shape, const std::vector<float>& want,
                                 double rtol = 1e-5, double atol = 1e-5);

}  // namespace tfport::graph::keras_testing
