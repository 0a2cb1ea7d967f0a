// MultiHeadAttention over sequences ([batch, time, features], attention_axes (1,)), with the
// einsums Keras itself uses: per-head projections of query, key and value, scaled dot-product
// scores, a softmax that hides masked positions (attention_mask, use_causal_mask, the Keras
// masks of query, value and key), the weighted values, and the output projection.
#include <cmath>

#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

StatusOr<Value> einsum(Emitter& e, const std::string& equation, const Value& a, const Value& b) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, einsum_shape(equation, {a.shape, b.shape}));
  return e.op("Einsum", {a.ep, b.ep}, {{"equation", attr_string(equation)}, {"N", attr_int(2)}, {"T", attr_type(a.dtype)}},
              a.dtype, shape);
}

// A bool mask as a Value broadcasting against [batch, heads, query time, key time].
StatusOr<Value> as_bool(Emitter& e, const Value& m) {
  if (m.dtype == DType::kBool) return m;
  return e.cast(m, DType::kBool);
}

StatusOr<std::optional<Value>> combine(Emitter& e, std::optional<Value> acc, const Value& next) {
  if (!acc) return std::optional<Value>(next);
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, broadcast_shapes(acc->shape, next.shape));
  TFPORT_ASSIGN_OR_RETURN(Value both, e.op("LogicalAnd", {acc->ep, next.ep}, {}, DType::kBool, shape));
  return std::optional<Value>(both);
}

StatusOr<std::vector<Value>> lower_mha(LayerCall& call) {
  if (call.inputs.empty()) return call.error("called without a query");
  const Value query = call.inputs[0];
  const Value* value_kw = call.kwarg_value("value");
  if (value_kw == nullptr && call.inputs.size() < 2) return call.error("called without a value tensor");
  const Value value = value_kw != nullptr ? *value_kw : call.inputs[1];
  const Value* key_kw = call.kwarg_value("key");
  const Value key = key_kw != nullptr ? *key_kw : (call.inputs.size() >= 3 && value_kw == nullptr ? call.inputs[2] : value);
  for (const Value* v : {&query, &value, &key}) {
    if (v->rank() != 3) return call.unimplemented("inputs that are not [batch, time, features], got " + shape_text(v->shape));
  }
  if (const json* axes = call.get("attention_axes"); axes != nullptr && !axes->is_null()) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> list, call.get_int_list("attention_axes"));
    if (list.size() != 1 || (list[0] != 1 && list[0] != -2)) {
      return call.unimplemented("attention_axes other than the time axis");
    }
  }
  TFPORT_ASSIGN_OR_RETURN(int64_t heads, call.get_int("num_heads"));
  TFPORT_ASSIGN_OR_RETURN(int64_t key_dim, call.get_int("key_dim"));
  TFPORT_ASSIGN_OR_RETURN(int64_t value_dim, call.get_int("value_dim", key_dim));
  TFPORT_ASSIGN_OR_RETURN(bool use_bias, call.get_bool("use_bias", true));
  if (heads <= 0 || key_dim <= 0 || value_dim <= 0) return call.error("num_heads, key_dim and value_dim must be positive");
  int64_t out_dim = query.dim(-1);
  if (const json* os = call.get("output_shape"); os != nullptr && !os->is_null()) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, call.get_int_list("output_shape"));
    if (dims.size() != 1) return call.unimplemented("output_shape of more than one dim");
    out_dim = dims[0];
  }
  const size_t expected = use_bias ? 8 : 4;
  if (call.num_weights() != expected) {
    return call.error("has " + std::to_string(call.num_weights()) + " weights, expected " + std::to_string(expected));
  }
  Emitter& e = call.emit;
  size_t w = 0;
  auto weight = [&](const char* name, std::vector<int64_t> shape) -> StatusOr<Value> {
    TFPORT_ASSIGN_OR_RETURN(Tensor t, call.weight(w++, shape));
    return e.const_value(name, t, shape);
  };
  // x [B, T, d] -> [B, T, heads, dim] (+ bias [heads, dim])
  auto project = [&](const Value& x, int64_t dim, const char* name) -> StatusOr<Value> {
    TFPORT_ASSIGN_OR_RETURN(Value kernel, weight(name, {x.dim(-1), heads, dim}));
    TFPORT_ASSIGN_OR_RETURN(Value y, einsum(e, "abc,cde->abde", x, kernel));
    if (use_bias) {
      TFPORT_ASSIGN_OR_RETURN(Value bias, weight(name, {heads, dim}));
      TFPORT_ASSIGN_OR_RETURN(y, e.binary("AddV2", y, bias));
    }
    return y;
  };
  TFPORT_ASSIGN_OR_RETURN(Value q, project(query, key_dim, "query"));
  TFPORT_ASSIGN_OR_RETURN(Value k, project(key, key_dim, "key"));
  TFPORT_ASSIGN_OR_RETURN(Value v, project(value, value_dim, "value"));
  TFPORT_ASSIGN_OR_RETURN(q, e.binary_scalar("Mul", q, static_cast<float>(1.0 / std::sqrt(static_cast<double>(key_dim)))));
  TFPORT_ASSIGN_OR_RETURN(Value scores, einsum(e, "aecd,abcd->acbe", k, q));  // [B, heads, T, S]

  // Positions a query may attend to: every mask given, combined.
  std::optional<Value> allowed;
  const int64_t batch = query.dim(0), tq = query.dim(1), tk = key.dim(1);
  if (query.mask_node >= 0) {  // [B, T, 1]
    TFPORT_ASSIGN_OR_RETURN(Value m, e.expand_dims(Value{Endpoint{query.mask_node, 0}, DType::kBool, {batch, tq}}, -1));
    TFPORT_ASSIGN_OR_RETURN(allowed, combine(e, allowed, m));
  }
  for (const Value* source : {&value, &key}) {  // [B, 1, S]
    if (source->mask_node < 0 || (source == &key && key.mask_node == value.mask_node)) continue;
    TFPORT_ASSIGN_OR_RETURN(Value m, e.expand_dims(Value{Endpoint{source->mask_node, 0}, DType::kBool, {batch, tk}}, -2));
    TFPORT_ASSIGN_OR_RETURN(allowed, combine(e, allowed, m));
  }
  if (const Value* am = call.kwarg_value("attention_mask")) {  // [B, T, S]
    TFPORT_ASSIGN_OR_RETURN(Value m, as_bool(e, *am));
    TFPORT_ASSIGN_OR_RETURN(allowed, combine(e, allowed, m));
  }
  if (call.call_flag("use_causal_mask")) {  // [1, T, S], lower triangular
    if (tq < 0 || tk < 0) return call.unimplemented("use_causal_mask with sequence lengths unknown at load");
    if (tq * tk > (int64_t{1} << 26)) return call.error("causal mask too large");
    std::vector<float> lower(static_cast<size_t>(tq * tk));
    for (int64_t i = 0; i < tq; ++i)
      for (int64_t j = 0; j < tk; ++j) lower[static_cast<size_t>(i * tk + j)] = j <= i ? 1.f : 0.f;
    TFPORT_ASSIGN_OR_RETURN(Endpoint c, e.floats("causal", lower, {1, tq, tk}));
    TFPORT_ASSIGN_OR_RETURN(Value m, e.cast(Value{c, DType::kFloat, {1, tq, tk}}, DType::kBool));
    TFPORT_ASSIGN_OR_RETURN(allowed, combine(e, allowed, m));
  }
  if (allowed) {  // scores + (1 - mask) * -1e9, the mask broadcast over the heads
    TFPORT_ASSIGN_OR_RETURN(Value m4, e.expand_dims(*allowed, -3));
    TFPORT_ASSIGN_OR_RETURN(Value mf, e.cast(m4, scores.dtype));
    TFPORT_ASSIGN_OR_RETURN(Value hidden, e.binary_scalar("Sub", mf, 1.f));  // 0 kept, -1 hidden
    TFPORT_ASSIGN_OR_RETURN(Value penalty, e.binary_scalar("Mul", hidden, 1e9f));
    TFPORT_ASSIGN_OR_RETURN(scores, e.binary("AddV2", scores, penalty));
  }
  TFPORT_ASSIGN_OR_RETURN(Value probs, e.unary("Softmax", scores));
  TFPORT_ASSIGN_OR_RETURN(Value context, einsum(e, "acbe,aecd->abcd", probs, v));  // [B, T, heads, value_dim]
  TFPORT_ASSIGN_OR_RETURN(Value out_kernel, weight("attention_output", {heads, value_dim, out_dim}));
  TFPORT_ASSIGN_OR_RETURN(Value out, einsum(e, "abcd,cde->abe", context, out_kernel));
  if (use_bias) {
    TFPORT_ASSIGN_OR_RETURN(Value bias, weight("attention_output", {out_dim}));
    TFPORT_ASSIGN_OR_RETURN(out, e.binary("AddV2", out, bias));
  }
  if (call.call_flag("return_attention_scores")) return std::vector<Value>{out, probs};
  return one(out);
}

}  // namespace

void add_multi_head_attention_layers(LayerTable& t) { t.lower["MultiHeadAttention"] = &lower_mha; }

}  // namespace tfport::graph::keras
