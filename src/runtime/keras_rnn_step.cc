#include "runtime/keras_rnn_step.h"

#include <vector>

namespace tfport::runtime {
namespace {

constexpr DType kF32 = DType::kFloat;

Tensor f32_scalar(float v) { return Tensor::from_vector<float>(kF32, Shape{}, {v}); }

// Node helpers for float32 math under the body's "while/" scope.
class StepOps {
 public:
  explicit StepOps(FunctionDefBuilder& b) : b_(b) {}

  std::string binary(const std::string& name, const char* op, const std::string& l, const std::string& r) {
    return b_.node(kScope + name, op, {l, r}, {{"T", graph::attr_type(kF32)}}, "z");
  }
  std::string matmul(const std::string& name, const std::string& l, const std::string& r) {
    return b_.node(kScope + name, "MatMul", {l, r},
                   {{"T", graph::attr_type(kF32)}, {"transpose_a", graph::attr_bool(false)}, {"transpose_b", graph::attr_bool(false)}},
                   "product");
  }
  std::string bias_add(const std::string& name, const std::string& v, const std::string& bias) {
    return b_.node(kScope + name, "BiasAdd", {v, bias},
                   {{"T", graph::attr_type(kF32)}, {"data_format", graph::attr_string("NHWC")}}, "output");
  }
  // `v` split along axis 1 into `parts` equal gate blocks.
  StatusOr<std::vector<std::string>> split(const std::string& name, const std::string& v, int parts) {
    TFPORT_ASSIGN_OR_RETURN(std::string axis, b_.constant(kScope + name + "/split_dim",
                                                          Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {1})));
    b_.node(kScope + name, "Split", {axis, v}, {{"num_split", graph::attr_int(parts)}, {"T", graph::attr_type(kF32)}},
            "output");
    std::vector<std::string> out;
    for (int k = 0; k < parts; ++k) out.push_back(kScope + name + ":output:" + std::to_string(k));
    return out;
  }
  StatusOr<std::string> act(const std::string& a, const std::string& x, const std::string& name) {
    return add_activation(b_, a, x, kScope + name);
  }
  StatusOr<std::string> constant(const std::string& name, float v) { return b_.constant(kScope + name, f32_scalar(v)); }

 private:
  inline static const std::string kScope = "while/";
  FunctionDefBuilder& b_;
};

}  // namespace

StatusOr<std::string> add_activation(FunctionDefBuilder& b, const std::string& act, const std::string& x,
                                     const std::string& name) {
  const NodeAttrs t{{"T", graph::attr_type(kF32)}};
  if (act == "tanh") return b.node(name, "Tanh", {x}, t, "y");
  if (act == "sigmoid") return b.node(name, "Sigmoid", {x}, t, "y");
  if (act == "relu") return b.node(name, "Relu", {x}, t, "activations");
  if (act == "softsign") return b.node(name, "Softsign", {x}, t, "activations");
  if (act == "softplus") return b.node(name, "Softplus", {x}, t, "activations");
  if (act == "elu") return b.node(name, "Elu", {x}, t, "activations");
  if (act == "selu") return b.node(name, "Selu", {x}, t, "activations");
  if (act == "linear") return x;
  if (act == "hard_sigmoid") {  // clip_by_value is Minimum then Maximum
    TFPORT_ASSIGN_OR_RETURN(std::string k, b.constant(name + "/mul/y", f32_scalar(0.2f)));
    TFPORT_ASSIGN_OR_RETURN(std::string h, b.constant(name + "/add/y", f32_scalar(0.5f)));
    TFPORT_ASSIGN_OR_RETURN(std::string one, b.constant(name + "/clip_by_value/Minimum/y", f32_scalar(1.0f)));
    TFPORT_ASSIGN_OR_RETURN(std::string zero, b.constant(name + "/clip_by_value/y", f32_scalar(0.0f)));
    std::string m = b.node(name + "/mul", "Mul", {x, k}, t, "z");
    std::string s = b.node(name + "/add", "AddV2", {m, h}, t, "z");
    std::string lo = b.node(name + "/clip_by_value/Minimum", "Minimum", {s, one}, t, "z");
    return b.node(name + "/clip_by_value", "Maximum", {lo, zero}, t, "z");
  }
  if (act == "hard_sigmoid_v3") {
    TFPORT_ASSIGN_OR_RETURN(std::string three, b.constant(name + "/add/y", f32_scalar(3.0f)));
    TFPORT_ASSIGN_OR_RETURN(std::string six, b.constant(name + "/truediv/y", f32_scalar(6.0f)));
    std::string s = b.node(name + "/add", "AddV2", {x, three}, t, "z");
    std::string r = b.node(name + "/Relu6", "Relu6", {s}, t, "activations");
    return b.node(name + "/truediv", "RealDiv", {r, six}, t, "z");
  }
  return unimplemented_error("activation '" + act + "' has no standard-op form here");
}

StatusOr<RnnStepResult> add_cell_step(FunctionDefBuilder& b, const RnnStepSpec& spec, const std::string& x,
                                      const std::string& h, const std::string& c,
                                      const std::function<std::string(const char*)>& weight) {
  StepOps o(b);
  const std::string& ract = spec.recurrent_activation;
  RnnStepResult r;
  if (spec.cell == "lstm") {
    // z = x W + h U + b; gates i, f, candidate, o.
    std::string z = o.binary("add", "AddV2", o.matmul("MatMul", x, weight("kernel")),
                             o.matmul("MatMul_1", h, weight("recurrent_kernel")));
    TFPORT_ASSIGN_OR_RETURN(std::vector<std::string> g, o.split("split", o.bias_add("BiasAdd", z, weight("bias")), 4));
    TFPORT_ASSIGN_OR_RETURN(std::string i, o.act(ract, g[0], "Sigmoid"));
    TFPORT_ASSIGN_OR_RETURN(std::string f, o.act(ract, g[1], "Sigmoid_1"));
    TFPORT_ASSIGN_OR_RETURN(std::string cand, o.act(spec.activation, g[2], "Tanh"));
    TFPORT_ASSIGN_OR_RETURN(std::string og, o.act(ract, g[3], "Sigmoid_2"));
    r.c = o.binary("add_1", "AddV2", o.binary("mul", "Mul", f, c), o.binary("mul_1", "Mul", i, cand));
    TFPORT_ASSIGN_OR_RETURN(std::string cact, o.act(spec.activation, r.c, "Tanh_1"));
    r.h = o.binary("mul_2", "Mul", og, cact);
  } else if (spec.cell == "gru") {
    // Gates z, r, candidate; h' = z h + (1 - z) candidate.
    std::string xw = o.bias_add("BiasAdd", o.matmul("MatMul", x, weight("kernel")),
                                weight(spec.reset_after ? "input_bias" : "bias"));
    TFPORT_ASSIGN_OR_RETURN(std::vector<std::string> xs, o.split("split", xw, 3));
    std::vector<std::string> rs;
    if (spec.reset_after) {
      std::string hu = o.bias_add("BiasAdd_1", o.matmul("MatMul_1", h, weight("recurrent_kernel")), weight("recurrent_bias"));
      TFPORT_ASSIGN_OR_RETURN(rs, o.split("split_1", hu, 3));
    } else {
      TFPORT_ASSIGN_OR_RETURN(rs, o.split("split_1", o.matmul("MatMul_1", h, weight("recurrent_kernel_zr")), 2));
    }
    TFPORT_ASSIGN_OR_RETURN(std::string z, o.act(ract, o.binary("add", "AddV2", xs[0], rs[0]), "Sigmoid"));
    TFPORT_ASSIGN_OR_RETURN(std::string rg, o.act(ract, o.binary("add_1", "AddV2", xs[1], rs[1]), "Sigmoid_1"));
    // reset_after: r scales the recurrent product; otherwise r scales h before its product.
    std::string rh = spec.reset_after ? o.binary("mul", "Mul", rg, rs[2])
                                      : o.matmul("MatMul_2", o.binary("mul", "Mul", rg, h), weight("recurrent_kernel_h"));
    TFPORT_ASSIGN_OR_RETURN(std::string hh, o.act(spec.activation, o.binary("add_2", "AddV2", xs[2], rh), "Tanh"));
    TFPORT_ASSIGN_OR_RETURN(std::string one, o.constant("sub/x", 1.0f));
    r.h = o.binary("add_3", "AddV2", o.binary("mul_1", "Mul", z, h),
                   o.binary("mul_2", "Mul", o.binary("sub", "Sub", one, z), hh));
  } else if (spec.cell == "simple_rnn") {
    std::string xw = o.bias_add("BiasAdd", o.matmul("MatMul", x, weight("kernel")), weight("bias"));
    std::string sum = o.binary("add", "AddV2", xw, o.matmul("MatMul_1", h, weight("recurrent_kernel")));
    TFPORT_ASSIGN_OR_RETURN(r.h, o.act(spec.activation, sum, "Tanh"));
  } else {
    return unimplemented_error("cell '" + spec.cell + "'");
  }
  return r;
}

}  // namespace tfport::runtime
