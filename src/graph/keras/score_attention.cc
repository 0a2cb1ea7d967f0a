// Single-head attention layers: Attention (Luong: dot-product scores, or "concat" scores) and
// AdditiveAttention (Bahdanau). Inputs [query, value] or [query, value, key]; the value's Keras
// mask and use_causal_mask hide positions, the query's mask zeroes the rows it masks, and
// return_attention_scores adds the softmax weights as a second output.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

// tanh(q[:, :, None, :] + k[:, None, :, :]) as [B, Tq, Tv, d], its argument scaled first when
// `inner_scale` is given.
StatusOr<Value> pairwise_tanh(Emitter& e, const Value& q, const Value& k, const Value* inner_scale) {
  TFPORT_ASSIGN_OR_RETURN(Value q4, e.expand_dims(q, -2));
  TFPORT_ASSIGN_OR_RETURN(Value k4, e.expand_dims(k, -3));
  TFPORT_ASSIGN_OR_RETURN(Value sum, e.binary("AddV2", q4, k4));
  if (inner_scale != nullptr) {
    TFPORT_ASSIGN_OR_RETURN(sum, e.binary("Mul", sum, *inner_scale));
  }
  return e.unary("Tanh", sum);
}

StatusOr<Value> sum_last(Emitter& e, const Value& x) { return e.reduce("Sum", x, {x.rank() - 1}, false); }

StatusOr<std::vector<Value>> lower_attention(LayerCall& call, bool additive) {
  if (call.inputs.size() != 2 && call.inputs.size() != 3) {
    return call.error("expects [query, value] or [query, value, key], got " + std::to_string(call.inputs.size()) +
                      " tensors");
  }
  const Value& q = call.inputs[0];
  const Value& v = call.inputs[1];
  const Value& k = call.inputs.size() == 3 ? call.inputs[2] : v;
  if (q.rank() != 3 || v.rank() != 3 || k.rank() != 3) return call.unimplemented("inputs that are not [batch, time, dim]");
  TFPORT_ASSIGN_OR_RETURN(bool use_scale, call.get_bool("use_scale", additive));
  TFPORT_ASSIGN_OR_RETURN(std::string mode, call.get_string("score_mode", "dot"));
  if (mode != "dot" && mode != "concat") return call.field_error("score_mode", "must be 'dot' or 'concat'");
  TFPORT_ASSIGN_OR_RETURN(bool causal_config, call.get_bool("causal", false));
  const bool causal = causal_config || call.call_flag("use_causal_mask");
  Emitter& e = call.emit;

  size_t w = 0;
  auto weight = [&](std::vector<int64_t> expected) -> StatusOr<Value> {
    if (w >= call.num_weights()) return call.error("is missing weight " + std::to_string(w));
    TFPORT_ASSIGN_OR_RETURN(Tensor t, call.weight(w++, expected));
    return e.const_value("weight", t, expected);
  };
  Value scores;
  if (additive) {  // sum(scale * tanh(q + k), -1), scale of the value's width
    TFPORT_ASSIGN_OR_RETURN(Value t, pairwise_tanh(e, q, k, nullptr));
    if (use_scale) {
      TFPORT_ASSIGN_OR_RETURN(Value scale, weight({v.dim(-1)}));
      TFPORT_ASSIGN_OR_RETURN(t, e.binary("Mul", t, scale));
    }
    TFPORT_ASSIGN_OR_RETURN(scores, sum_last(e, t));
  } else {
    std::optional<Value> scale;
    if (use_scale) {
      TFPORT_ASSIGN_OR_RETURN(scale, weight({}));
    }
    if (mode == "dot") {
      TFPORT_ASSIGN_OR_RETURN(scores, e.op("BatchMatMulV2", {q.ep, k.ep},
                                           {{"T", attr_type(q.dtype)}, {"adj_x", attr_bool(false)}, {"adj_y", attr_bool(true)}},
                                           q.dtype, {q.dim(0), q.dim(1), k.dim(1)}));
      if (scale) {
        TFPORT_ASSIGN_OR_RETURN(scores, e.binary("Mul", scores, *scale));
      }
    } else {  // concat_score_weight * sum(tanh(scale * (q + k)), -1)
      TFPORT_ASSIGN_OR_RETURN(Value concat_weight, weight({}));
      TFPORT_ASSIGN_OR_RETURN(Value t, pairwise_tanh(e, q, k, scale ? &*scale : nullptr));
      TFPORT_ASSIGN_OR_RETURN(Value s, sum_last(e, t));
      TFPORT_ASSIGN_OR_RETURN(scores, e.binary("Mul", concat_weight, s));
    }
  }

  // Hidden positions (value mask, future steps) get 1e9 subtracted before the softmax.
  std::optional<Value> allowed;  // bool, broadcasting to [B, Tq, Tv]
  if (v.mask_node >= 0) {
    Value mask{Endpoint{v.mask_node, 0}, DType::kBool, {v.dim(0), v.dim(1)}};
    TFPORT_ASSIGN_OR_RETURN(allowed, e.expand_dims(mask, -2));
  }
  if (causal) {
    const int64_t tq = q.dim(1), tv = k.dim(1);
    if (tq < 0 || tv < 0) return call.unimplemented("use_causal_mask with sequence lengths unknown at load");
    if (tq * tv > (int64_t{1} << 26)) return call.error("causal mask too large");
    std::vector<float> lower(static_cast<size_t>(tq * tv));
    for (int64_t i = 0; i < tq; ++i)
      for (int64_t j = 0; j < tv; ++j) lower[static_cast<size_t>(i * tv + j)] = j <= i ? 1.f : 0.f;
    TFPORT_ASSIGN_OR_RETURN(Endpoint c, e.floats("causal", lower, {1, tq, tv}));
    TFPORT_ASSIGN_OR_RETURN(Value causal_bool, e.cast(Value{c, DType::kFloat, {1, tq, tv}}, DType::kBool));
    if (allowed) {
      TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, broadcast_shapes(allowed->shape, causal_bool.shape));
      TFPORT_ASSIGN_OR_RETURN(allowed, e.op("LogicalAnd", {allowed->ep, causal_bool.ep}, {}, DType::kBool, shape));
    } else {
      allowed = causal_bool;
    }
  }
  if (allowed) {
    TFPORT_ASSIGN_OR_RETURN(Value hidden, e.op("LogicalNot", {allowed->ep}, {}, DType::kBool, allowed->shape));
    TFPORT_ASSIGN_OR_RETURN(Value hidden_f, e.cast(hidden, scores.dtype));
    TFPORT_ASSIGN_OR_RETURN(Value penalty, e.binary_scalar("Mul", hidden_f, 1e9f));
    TFPORT_ASSIGN_OR_RETURN(scores, e.binary("Sub", scores, penalty));
  }
  TFPORT_ASSIGN_OR_RETURN(Value weights, e.unary("Softmax", scores));
  TFPORT_ASSIGN_OR_RETURN(Value out, e.op("BatchMatMulV2", {weights.ep, v.ep},
                                          {{"T", attr_type(q.dtype)}, {"adj_x", attr_bool(false)}, {"adj_y", attr_bool(false)}},
                                          q.dtype, {q.dim(0), q.dim(1), v.dim(2)}));
  if (q.mask_node >= 0) {
    Value mask{Endpoint{q.mask_node, 0}, DType::kBool, {q.dim(0), q.dim(1)}};
    TFPORT_ASSIGN_OR_RETURN(Value mf, e.cast(mask, out.dtype));
    TFPORT_ASSIGN_OR_RETURN(Value m3, e.expand_dims(mf, -1));
    TFPORT_ASSIGN_OR_RETURN(out, e.binary("Mul", out, m3));
  }
  if (call.call_flag("return_attention_scores")) return std::vector<Value>{out, weights};
  return one(out);
}

StatusOr<std::vector<Value>> lower_luong(LayerCall& call) { return lower_attention(call, false); }
StatusOr<std::vector<Value>> lower_bahdanau(LayerCall& call) { return lower_attention(call, true); }

}  // namespace

void add_score_attention_layers(LayerTable& t) {
  t.lower["Attention"] = &lower_luong;
  t.lower["AdditiveAttention"] = &lower_bahdanau;
}

}  // namespace tfport::graph::keras
