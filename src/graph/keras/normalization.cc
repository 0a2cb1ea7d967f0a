// BatchNormalization (inference: folded into one multiply and one add per channel) and
// LayerNormalization.
#include <algorithm>
#include <cmath>

#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

// The config "axis" (an int or a list) normalized to non-negative axes of a rank-r input.
StatusOr<std::vector<int64_t>> read_axes(LayerCall& call, int r, int64_t fallback) {
  std::vector<int64_t> axes{fallback};
  if (call.has("axis")) {
    TFPORT_ASSIGN_OR_RETURN(axes, call.get_int_list("axis"));
  }
  for (int64_t& a : axes) {
    if (a < 0) a += r;
    if (a <= 0 || a >= r) return call.field_error("axis", "out of range for an input of rank " + std::to_string(r));
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

// The shape that broadcasts a per-`axes` parameter against a rank-r input.
std::vector<int64_t> param_shape(const Value& x, const std::vector<int64_t>& axes) {
  std::vector<int64_t> shape(static_cast<size_t>(x.rank()), 1);
  for (int64_t a : axes) shape[static_cast<size_t>(a)] = x.dim(static_cast<int>(a));
  // Drop leading ones: broadcasting adds them back.
  size_t first = static_cast<size_t>(axes.front());
  return std::vector<int64_t>(shape.begin() + static_cast<std::ptrdiff_t>(first), shape.end());
}

StatusOr<std::vector<Value>> lower_batch_norm(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_axes(call, x.rank(), -1));
  if (axes.size() != 1) return call.unimplemented("normalization over several axes");
  const int axis = static_cast<int>(axes[0]);
  const int64_t c = x.dim(axis);
  if (c < 0) return call.error("the normalized dim of the input " + shape_text(x.shape) + " is unknown");
  TFPORT_ASSIGN_OR_RETURN(bool scale, call.get_bool("scale", true));
  TFPORT_ASSIGN_OR_RETURN(bool center, call.get_bool("center", true));
  TFPORT_ASSIGN_OR_RETURN(double eps, call.get_float("epsilon", 1e-3));
  // tf.keras runs 4-D inputs through fused_batch_norm, which raises epsilon to 1.001e-5.
  if (call.keras_major == 2 && x.rank() == 4 && eps < 1.001e-5) eps = 1.001e-5;
  size_t i = 0;
  std::optional<Tensor> gamma, beta;
  if (scale) {
    TFPORT_ASSIGN_OR_RETURN(gamma, call.weight(i++, {c}));
  }
  if (center) {
    TFPORT_ASSIGN_OR_RETURN(beta, call.weight(i++, {c}));
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor mean, call.weight(i++, {c}));
  TFPORT_ASSIGN_OR_RETURN(Tensor var, call.weight(i++, {c}));
  std::vector<float> mul(static_cast<size_t>(c)), add(static_cast<size_t>(c));
  const float e32 = static_cast<float>(eps);
  for (int64_t k = 0; k < c; ++k) {
    float inv = 1.0f / std::sqrt(var.data<float>()[k] + e32);
    if (gamma) inv *= gamma->data<float>()[k];
    mul[static_cast<size_t>(k)] = inv;
    add[static_cast<size_t>(k)] = (beta ? beta->data<float>()[k] : 0.f) - mean.data<float>()[k] * inv;
  }
  Emitter& e = call.emit;
  std::vector<int64_t> pshape = param_shape(x, axes);
  TFPORT_ASSIGN_OR_RETURN(Endpoint m, e.floats("scale", mul, pshape));
  TFPORT_ASSIGN_OR_RETURN(Endpoint a, e.floats("offset", add, pshape));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.binary("Mul", x, Value{m, DType::kFloat, pshape}));
  TFPORT_ASSIGN_OR_RETURN(y, e.binary("AddV2", y, Value{a, DType::kFloat, pshape}));
  return one(y);
}

StatusOr<std::vector<Value>> lower_layer_norm(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_axes(call, x.rank(), -1));
  TFPORT_ASSIGN_OR_RETURN(bool scale, call.get_bool("scale", true));
  TFPORT_ASSIGN_OR_RETURN(bool center, call.get_bool("center", true));
  TFPORT_ASSIGN_OR_RETURN(bool rms, call.get_bool("rms_scaling", false));
  TFPORT_ASSIGN_OR_RETURN(double eps, call.get_float("epsilon", 1e-3));
  std::vector<int64_t> wshape;
  for (int64_t a : axes) {
    if (x.dim(static_cast<int>(a)) < 0) return call.error("the normalized dims of " + shape_text(x.shape) + " are unknown");
    wshape.push_back(x.dim(static_cast<int>(a)));
  }
  Emitter& e = call.emit;
  std::vector<int64_t> pshape = param_shape(x, axes);
  size_t i = 0;
  std::optional<Value> gamma, beta;
  if (scale) {
    TFPORT_ASSIGN_OR_RETURN(Tensor g, call.weight(i++));
    if (g.num_elements() != std::max<int64_t>(1, Shape(wshape).num_elements())) {
      return call.error("gamma has " + g.description() + ", expected shape " + shape_text(wshape));
    }
    TFPORT_ASSIGN_OR_RETURN(gamma, e.const_value("gamma", g, pshape));
  }
  if (center && !rms) {
    TFPORT_ASSIGN_OR_RETURN(Tensor b, call.weight(i++));
    if (b.num_elements() != Shape(wshape).num_elements()) {
      return call.error("beta has " + b.description() + ", expected shape " + shape_text(wshape));
    }
    TFPORT_ASSIGN_OR_RETURN(beta, e.const_value("beta", b, pshape));
  }
  TFPORT_ASSIGN_OR_RETURN(Endpoint ax, e.int32s("axes", axes));
  std::vector<int64_t> kept = x.shape;
  for (int64_t a : axes) kept[static_cast<size_t>(a)] = 1;
  auto mean_of = [&](const Value& v) {
    return e.op("Mean", {v.ep, ax},
                {{"T", attr_type(DType::kFloat)}, {"Tidx", attr_type(DType::kInt32)}, {"keep_dims", attr_bool(true)}},
                DType::kFloat, kept);
  };
  TFPORT_ASSIGN_OR_RETURN(Value mean, mean_of(x));
  TFPORT_ASSIGN_OR_RETURN(Value sq, e.binary("SquaredDifference", x, mean));
  TFPORT_ASSIGN_OR_RETURN(Value var, mean_of(sq));
  TFPORT_ASSIGN_OR_RETURN(Value ve, e.binary_scalar("AddV2", var, static_cast<float>(eps)));
  TFPORT_ASSIGN_OR_RETURN(Value inv, e.unary("Rsqrt", ve));
  if (rms) {
    // Keras 3's rms_scaling divides by the standard deviation (not the root mean square).
    TFPORT_ASSIGN_OR_RETURN(Value y, e.binary("Mul", x, inv));
    if (gamma) {
      TFPORT_ASSIGN_OR_RETURN(y, e.binary("Mul", y, *gamma));
    }
    return one(y);
  }
  if (gamma) {
    TFPORT_ASSIGN_OR_RETURN(inv, e.binary("Mul", inv, *gamma));
  }
  TFPORT_ASSIGN_OR_RETURN(Value mi, e.binary("Mul", mean, inv));
  Value res;
  if (beta) {
    TFPORT_ASSIGN_OR_RETURN(res, e.binary("Sub", *beta, mi));
  } else {
    TFPORT_ASSIGN_OR_RETURN(res, e.unary("Neg", mi));
  }
  TFPORT_ASSIGN_OR_RETURN(Value y, e.binary("Mul", x, inv));
  TFPORT_ASSIGN_OR_RETURN(y, e.binary("AddV2", y, res));
  return one(y);
}

}  // namespace

void add_normalization_layers(LayerTable& t) {
  t.lower["BatchNormalization"] = &lower_batch_norm;
  t.lower["BatchNormalizationV1"] = &lower_batch_norm;
  t.lower["BatchNormalizationV2"] = &lower_batch_norm;
  t.lower["LayerNormalization"] = &lower_layer_norm;
}

}  // namespace tfport::graph::keras
