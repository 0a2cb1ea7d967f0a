// BatchNormalization (inference: folded into one multiply and one add per channel),
// LayerNormalization, GroupNormalization and UnitNormalization.
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

// GroupNormalization over the last axis: the channels split into `groups`, each normalized
// over the spatial dims and its own channels, then gamma and beta per channel.
StatusOr<std::vector<Value>> lower_group_norm(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  const int r = x.rank();
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, call.get_int("axis", -1));
  if (axis != -1 && axis != r - 1) return call.unimplemented("GroupNormalization over an axis other than the last");
  TFPORT_ASSIGN_OR_RETURN(int64_t groups, call.get_int("groups", 32));
  TFPORT_ASSIGN_OR_RETURN(bool scale, call.get_bool("scale", true));
  TFPORT_ASSIGN_OR_RETURN(bool center, call.get_bool("center", true));
  TFPORT_ASSIGN_OR_RETURN(double eps, call.get_float("epsilon", 1e-3));
  const int64_t channels = x.dim(-1);
  if (r < 2 || channels < 0) return call.error("needs a known channel count, got input " + shape_text(x.shape));
  if (groups <= 0 || groups > channels || channels % groups != 0) {
    return call.field_error("groups", std::to_string(groups) + " does not divide " + std::to_string(channels) + " channels");
  }
  Emitter& e = call.emit;
  // [B, spatial..., C] -> [B, spatial..., G, C/G]
  std::vector<int64_t> grouped(static_cast<size_t>(r - 1), Emitter::kKeepDim);
  grouped.push_back(groups);
  grouped.push_back(channels / groups);
  TFPORT_ASSIGN_OR_RETURN(Value g, e.reshape(x, grouped));
  std::vector<int64_t> axes;
  for (int i = 1; i < r - 1; ++i) axes.push_back(i);
  axes.push_back(r);  // the channels within a group
  auto mean_of = [&](const Value& v) { return e.reduce("Mean", v, axes, true); };
  TFPORT_ASSIGN_OR_RETURN(Value mean, mean_of(g));
  TFPORT_ASSIGN_OR_RETURN(Value sq, e.binary("SquaredDifference", g, mean));
  TFPORT_ASSIGN_OR_RETURN(Value var, mean_of(sq));
  TFPORT_ASSIGN_OR_RETURN(Value ve, e.binary_scalar("AddV2", var, static_cast<float>(eps)));
  TFPORT_ASSIGN_OR_RETURN(Value inv, e.unary("Rsqrt", ve));
  TFPORT_ASSIGN_OR_RETURN(Value centered, e.binary("Sub", g, mean));
  TFPORT_ASSIGN_OR_RETURN(Value normalized, e.binary("Mul", centered, inv));
  std::vector<int64_t> back(static_cast<size_t>(r - 1), Emitter::kKeepDim);
  back.push_back(channels);
  TFPORT_ASSIGN_OR_RETURN(Value y, e.reshape(normalized, back));
  size_t i = 0;
  if (scale) {
    TFPORT_ASSIGN_OR_RETURN(Tensor gamma, call.weight(i++, {channels}));
    TFPORT_ASSIGN_OR_RETURN(Value gv, e.const_value("gamma", gamma, {channels}));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("Mul", y, gv));
  }
  if (center) {
    TFPORT_ASSIGN_OR_RETURN(Tensor beta, call.weight(i++, {channels}));
    TFPORT_ASSIGN_OR_RETURN(Value bv, e.const_value("beta", beta, {channels}));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("AddV2", y, bv));
  }
  return one(y);
}

// UnitNormalization: x / ||x|| over `axis` (as tf.math.l2_normalize, epsilon 1e-12).
StatusOr<std::vector<Value>> lower_unit_norm(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_axes(call, x.rank(), -1));
  TFPORT_ASSIGN_OR_RETURN(Value y, call.emit.l2_normalize(x, axes));
  return one(y);
}

}  // namespace

void add_normalization_layers(LayerTable& t) {
  t.lower["GroupNormalization"] = &lower_group_norm;
  t.lower["UnitNormalization"] = &lower_unit_norm;
  t.lower["BatchNormalization"] = &lower_batch_norm;
  t.lower["BatchNormalizationV1"] = &lower_batch_norm;
  t.lower["BatchNormalizationV2"] = &lower_batch_norm;
  t.lower["LayerNormalization"] = &lower_layer_norm;
}

}  // namespace tfport::graph::keras
