// Activation functions (the strings in "activation" fields) and the activation layers
// (Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU).
#include <cmath>

#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

StatusOr<Value> clip(Emitter& e, const Value& x, float lo, float hi) {
  TFPORT_ASSIGN_OR_RETURN(Value a, e.binary_scalar("Minimum", x, hi));
  return e.binary_scalar("Maximum", a, lo);
}

// x * cast(x > threshold)
StatusOr<Value> threshold_mask(Emitter& e, const Value& x, float threshold) {
  TFPORT_ASSIGN_OR_RETURN(Endpoint t, e.scalar("threshold", threshold));
  TFPORT_ASSIGN_OR_RETURN(Value gt, e.op("Greater", {x.ep, t}, {{"T", attr_type(x.dtype)}}, DType::kBool, x.shape));
  TFPORT_ASSIGN_OR_RETURN(Value mask, e.cast(gt, x.dtype));
  return e.binary("Mul", x, mask);
}

// Keras' relu(x, negative_slope, max_value, threshold), composed the way Keras does.
StatusOr<Value> keras_relu(Emitter& e, const Value& x, double slope, std::optional<double> max_value,
                           double threshold) {
  std::optional<Value> negative;
  if (slope != 0) {
    if (!max_value && threshold == 0) {
      return e.op("LeakyRelu", {x.ep}, {{"T", attr_type(x.dtype)}, {"alpha", attr_float(static_cast<float>(slope))}},
                  x.dtype, x.shape);
    }
    TFPORT_ASSIGN_OR_RETURN(Value neg, e.unary("Neg", x));
    if (threshold != 0) {
      TFPORT_ASSIGN_OR_RETURN(neg, e.binary_scalar("AddV2", neg, static_cast<float>(threshold)));
    }
    TFPORT_ASSIGN_OR_RETURN(Value r, e.unary("Relu", neg));
    negative = r;
  }
  bool clip_max = max_value.has_value();
  Value y;
  if (threshold != 0) {
    TFPORT_ASSIGN_OR_RETURN(y, threshold_mask(e, x, static_cast<float>(threshold)));
  } else if (max_value && *max_value == 6) {
    TFPORT_ASSIGN_OR_RETURN(y, e.unary("Relu6", x));
    clip_max = false;
  } else {
    TFPORT_ASSIGN_OR_RETURN(y, e.unary("Relu", x));
  }
  if (clip_max) {
    TFPORT_ASSIGN_OR_RETURN(y, clip(e, y, 0.f, static_cast<float>(*max_value)));
  }
  if (negative) {
    TFPORT_ASSIGN_OR_RETURN(Value scaled, e.binary_scalar("Mul", *negative, static_cast<float>(slope)));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("Sub", y, scaled));
  }
  return y;
}

// Keras 3: relu6(x + 3) / 6.
StatusOr<Value> hard_sigmoid_v3(Emitter& e, const Value& x) {
  TFPORT_ASSIGN_OR_RETURN(Value a, e.binary_scalar("AddV2", x, 3.f));
  TFPORT_ASSIGN_OR_RETURN(Value r, e.unary("Relu6", a));
  return e.binary_scalar("RealDiv", r, 6.f);
}

}  // namespace

// The Softmax op works on the last axis; other axes go through a transpose that swaps them
// with the last.
StatusOr<Value> softmax_along(Emitter& e, const Value& x, int64_t axis, bool log) {
  const char* op = log ? "LogSoftmax" : "Softmax";
  int r = x.rank();
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) return invalid_argument_error("softmax axis out of range for rank " + std::to_string(r));
  if (axis == r - 1) return e.unary(op, x);
  std::vector<int64_t> perm;
  for (int i = 0; i < r; ++i) perm.push_back(i);
  std::swap(perm[static_cast<size_t>(axis)], perm.back());
  TFPORT_ASSIGN_OR_RETURN(Value t, e.transpose(x, perm));
  TFPORT_ASSIGN_OR_RETURN(Value s, e.unary(op, t));
  return e.transpose(s, perm);
}

StatusOr<Value> gelu(Emitter& e, const Value& x, bool approximate) {
  TFPORT_ASSIGN_OR_RETURN(Value half_x, e.binary_scalar("Mul", x, 0.5f));
  Value inner;
  if (approximate) {
    TFPORT_ASSIGN_OR_RETURN(Value cube, e.binary_scalar("Pow", x, 3.f));
    TFPORT_ASSIGN_OR_RETURN(Value c, e.binary_scalar("Mul", cube, 0.044715f));
    TFPORT_ASSIGN_OR_RETURN(Value s, e.binary("AddV2", x, c));
    TFPORT_ASSIGN_OR_RETURN(Value k, e.binary_scalar("Mul", s, 0.7978845608028654f));
    TFPORT_ASSIGN_OR_RETURN(inner, e.unary("Tanh", k));
  } else {
    TFPORT_ASSIGN_OR_RETURN(Value d, e.binary_scalar("RealDiv", x, 1.4142135623730951f));
    TFPORT_ASSIGN_OR_RETURN(inner, e.unary("Erf", d));
  }
  TFPORT_ASSIGN_OR_RETURN(Value one_plus, e.binary_scalar("AddV2", inner, 1.f));
  return e.binary("Mul", half_x, one_plus);
}

namespace {

StatusOr<Value> named_activation(LayerCall& call, const Value& x, const std::string& name, std::string_view field) {
  Emitter e = call.emit.child(name.empty() ? "linear" : name);
  if (name.empty() || name == "linear") return x;
  static const std::map<std::string, const char*, std::less<>> kUnary = {
      {"relu", "Relu"},       {"relu6", "Relu6"},       {"elu", "Elu"},         {"selu", "Selu"},
      {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"},         {"softplus", "Softplus"}, {"softsign", "Softsign"},
      {"exponential", "Exp"}};
  if (auto it = kUnary.find(name); it != kUnary.end()) return e.unary(it->second, x);
  if (name == "softmax") return softmax_along(e, x, -1, false);
  if (name == "log_softmax") return softmax_along(e, x, -1, true);
  if (name == "swish" || name == "silu") {
    TFPORT_ASSIGN_OR_RETURN(Value s, e.unary("Sigmoid", x));
    return e.binary("Mul", x, s);
  }
  if (name == "gelu") return gelu(e, x, false);
  if (name == "hard_sigmoid") {
    if (call.keras_major >= 3) return hard_sigmoid_v3(e, x);
    TFPORT_ASSIGN_OR_RETURN(Value a, e.binary_scalar("Mul", x, 0.2f));
    TFPORT_ASSIGN_OR_RETURN(Value b, e.binary_scalar("AddV2", a, 0.5f));
    return clip(e, b, 0.f, 1.f);
  }
  if (name == "hard_silu" || name == "hard_swish") {
    TFPORT_ASSIGN_OR_RETURN(Value h, hard_sigmoid_v3(e, x));
    return e.binary("Mul", x, h);
  }
  if (name == "mish") {
    TFPORT_ASSIGN_OR_RETURN(Value sp, e.unary("Softplus", x));
    TFPORT_ASSIGN_OR_RETURN(Value t, e.unary("Tanh", sp));
    return e.binary("Mul", x, t);
  }
  if (name == "leaky_relu") return keras_relu(e, x, 0.2, std::nullopt, 0);
  return call.field_error(field, "unknown activation '" + name + "'");
}

StatusOr<std::vector<Value>> lower_activation(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(Value y, apply_layer_activation(call, x));
  return one(y);
}

StatusOr<std::vector<Value>> lower_relu(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(double slope, call.get_float("negative_slope", 0.0));
  TFPORT_ASSIGN_OR_RETURN(double threshold, call.get_float("threshold", 0.0));
  std::optional<double> max_value;
  if (call.has("max_value")) {
    TFPORT_ASSIGN_OR_RETURN(double m, call.get_float("max_value", 0.0));
    max_value = m;
  }
  TFPORT_ASSIGN_OR_RETURN(Value y, keras_relu(call.emit, x, slope, max_value, threshold));
  return one(y);
}

StatusOr<std::vector<Value>> lower_leaky_relu(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  // Keras 2 calls it alpha, Keras 3 negative_slope; both default to 0.3.
  TFPORT_ASSIGN_OR_RETURN(double alpha, call.get_float("alpha", 0.3));
  TFPORT_ASSIGN_OR_RETURN(double slope, call.get_float("negative_slope", alpha));
  TFPORT_ASSIGN_OR_RETURN(Value y, call.emit.op("LeakyRelu", {x.ep},
                                                {{"T", attr_type(x.dtype)}, {"alpha", attr_float(static_cast<float>(slope))}},
                                                x.dtype, x.shape));
  return one(y);
}

StatusOr<std::vector<Value>> lower_prelu(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(Tensor alpha, call.weight(0));
  if (alpha.shape().rank() >= x.rank()) return call.error("alpha weight rank does not fit the input " + shape_text(x.shape));
  // pos + (-alpha) * relu(-x), as Keras computes it.
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(Tensor neg_alpha, Tensor::allocate(DType::kFloat, alpha.shape()));
  for (int64_t i = 0; i < alpha.num_elements(); ++i) neg_alpha.mutable_data<float>()[i] = -alpha.data<float>()[i];
  TFPORT_ASSIGN_OR_RETURN(Value a, e.const_value("neg_alpha", neg_alpha, alpha.shape().dims()));
  TFPORT_ASSIGN_OR_RETURN(Value pos, e.unary("Relu", x));
  TFPORT_ASSIGN_OR_RETURN(Value nx, e.unary("Neg", x));
  TFPORT_ASSIGN_OR_RETURN(Value rn, e.unary("Relu", nx));
  TFPORT_ASSIGN_OR_RETURN(Value neg, e.binary("Mul", a, rn));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.binary("AddV2", pos, neg));
  y.shape = x.shape;
  return one(y);
}

StatusOr<std::vector<Value>> lower_elu(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(double alpha, call.get_float("alpha", 1.0));
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(Value y, e.unary("Elu", x));
  if (alpha == 1.0) return one(y);
  // alpha * elu(x) where x <= 0, x elsewhere = relu(x) + alpha * min(elu(x), 0).
  TFPORT_ASSIGN_OR_RETURN(Value neg, e.binary_scalar("Minimum", y, 0.f));
  TFPORT_ASSIGN_OR_RETURN(Value scaled, e.binary_scalar("Mul", neg, static_cast<float>(alpha)));
  TFPORT_ASSIGN_OR_RETURN(Value pos, e.unary("Relu", x));
  TFPORT_ASSIGN_OR_RETURN(Value out, e.binary("AddV2", pos, scaled));
  return one(out);
}

StatusOr<std::vector<Value>> lower_softmax(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  int64_t axis = -1;
  if (call.has("axis")) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, call.get_int_list("axis"));
    if (axes.size() != 1) return call.unimplemented("softmax over several axes");
    axis = axes[0];
  }
  auto y = softmax_along(call.emit, x, axis, false);
  if (!y.ok()) return call.field_error("axis", y.status().message());
  return one(*y);
}

StatusOr<std::vector<Value>> lower_thresholded_relu(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(double theta, call.get_float("theta", 1.0));
  TFPORT_ASSIGN_OR_RETURN(Value y, threshold_mask(call.emit, x, static_cast<float>(theta)));
  return one(y);
}

}  // namespace

StatusOr<Value> apply_activation(LayerCall& call, const Value& x, const json* activation, std::string_view field) {
  if (activation == nullptr || activation->is_null()) return x;
  if (activation->is_string()) return named_activation(call, x, activation->get<std::string>(), field);
  if (activation->is_object()) {
    // {"class_name": "function", "config": "relu"} or an activation layer ({"class_name": "ReLU", "config": {...}}).
    auto cn = activation->find("class_name");
    auto cfg = activation->find("config");
    if (cfg != activation->end() && cfg->is_string()) return named_activation(call, x, cfg->get<std::string>(), field);
    if (cn != activation->end() && cn->is_string() && cfg != activation->end() && cfg->is_object()) {
      LayerCall inner = call;
      inner.class_name = cn->get<std::string>();
      inner.config = &*cfg;
      inner.inputs = {x};
      inner.emit = call.emit.child(inner.class_name);
      static const std::map<std::string, LowerFn, std::less<>> kLayers = {
          {"ReLU", &lower_relu}, {"LeakyReLU", &lower_leaky_relu}, {"ELU", &lower_elu},
          {"Softmax", &lower_softmax}, {"ThresholdedReLU", &lower_thresholded_relu}, {"Activation", &lower_activation}};
      if (auto it = kLayers.find(inner.class_name); it != kLayers.end()) {
        TFPORT_ASSIGN_OR_RETURN(std::vector<Value> out, it->second(inner));
        return out.at(0);
      }
    }
  }
  return call.field_error(field, "unsupported activation " + activation->dump());
}

StatusOr<Value> apply_layer_activation(LayerCall& call, const Value& x) {
  return apply_activation(call, x, call.get("activation"), "activation");
}

void add_activation_layers(LayerTable& t) {
  t.lower["Activation"] = &lower_activation;
  t.lower["ReLU"] = &lower_relu;
  t.lower["LeakyReLU"] = &lower_leaky_relu;
  t.lower["PReLU"] = &lower_prelu;
  t.lower["ELU"] = &lower_elu;
  t.lower["Softmax"] = &lower_softmax;
  t.lower["ThresholdedReLU"] = &lower_thresholded_relu;
}

}  // namespace tfport::graph::keras
