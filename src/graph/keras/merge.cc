// Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

Status need_two(LayerCall& call) {
  if (call.inputs.size() < 2) {
    return call.error("expects at least 2 input tensors, got " + std::to_string(call.inputs.size()));
  }
  return Status::OK();
}

// inputs[0] op inputs[1] op ... left to right, as Keras folds them.
StatusOr<Value> fold(LayerCall& call, const char* op) {
  Value acc = call.inputs[0];
  for (size_t i = 1; i < call.inputs.size(); ++i) {
    auto next = call.emit.binary(op, acc, call.inputs[i]);
    if (!next.ok()) return call.error(next.status().message());
    acc = *next;
  }
  return acc;
}

template <const char* kOp>
StatusOr<std::vector<Value>> lower_fold(LayerCall& call) {
  TFPORT_RETURN_IF_ERROR(need_two(call));
  TFPORT_ASSIGN_OR_RETURN(Value y, fold(call, kOp));
  return one(y);
}

constexpr char kAdd[] = "AddV2";
constexpr char kMul[] = "Mul";
constexpr char kMax[] = "Maximum";
constexpr char kMin[] = "Minimum";

StatusOr<std::vector<Value>> lower_subtract(LayerCall& call) {
  TFPORT_RETURN_IF_ERROR(call.expect_inputs(2));
  auto y = call.emit.binary("Sub", call.inputs[0], call.inputs[1]);
  if (!y.ok()) return call.error(y.status().message());
  return one(*y);
}

StatusOr<std::vector<Value>> lower_average(LayerCall& call) {
  TFPORT_RETURN_IF_ERROR(need_two(call));
  TFPORT_ASSIGN_OR_RETURN(Value sum, fold(call, kAdd));
  TFPORT_ASSIGN_OR_RETURN(Value y, call.emit.binary_scalar("RealDiv", sum, static_cast<float>(call.inputs.size())));
  return one(y);
}

StatusOr<std::vector<Value>> lower_concatenate(LayerCall& call) {
  if (call.inputs.empty()) return call.error("called without input tensors");
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, call.get_int("axis", -1));
  const Value& first = call.inputs[0];
  const int r = first.rank();
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) return call.field_error("axis", "out of range for inputs of rank " + std::to_string(r));
  std::vector<int64_t> shape = first.shape;
  std::vector<Endpoint> ins;
  for (const Value& v : call.inputs) {
    if (v.rank() != r) return call.error("inputs of different ranks: " + shape_text(first.shape) + " and " + shape_text(v.shape));
    for (int d = 0; d < r; ++d) {
      if (d == axis) continue;
      if (shape[static_cast<size_t>(d)] < 0) shape[static_cast<size_t>(d)] = v.dim(d);
      else if (v.dim(d) >= 0 && v.dim(d) != shape[static_cast<size_t>(d)]) {
        return call.error("inputs " + shape_text(first.shape) + " and " + shape_text(v.shape) +
                          " differ outside the concatenation axis");
      }
    }
    ins.push_back(v.ep);
  }
  int64_t total = 0;
  for (const Value& v : call.inputs) total = (total < 0 || v.dim(static_cast<int>(axis)) < 0) ? -1 : total + v.dim(static_cast<int>(axis));
  shape[static_cast<size_t>(axis)] = total;
  if (call.inputs.size() == 1) return one(call.inputs[0]);
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(Endpoint a, e.int32_scalar("axis", axis));
  ins.push_back(a);
  TFPORT_ASSIGN_OR_RETURN(Value y, e.op("ConcatV2", ins,
                                        {{"T", attr_type(first.dtype)},
                                         {"N", attr_int(static_cast<int64_t>(call.inputs.size()))},
                                         {"Tidx", attr_type(DType::kInt32)}},
                                        first.dtype, shape));
  return one(y);
}

// Dot(axes, normalize): Keras' batch_dot over one axis of each input, for the ranks it is used
// with: two batches of vectors ([B, d] . [B, d] -> [B, 1]) or of sequences ([B, n, d] and
// [B, m, d] -> [B, n, m] for axes 2, 2).
StatusOr<std::vector<Value>> lower_dot(LayerCall& call) {
  TFPORT_RETURN_IF_ERROR(call.expect_inputs(2));
  Value x = call.inputs[0], y = call.inputs[1];
  const json* axes_cfg = call.get("axes");
  std::vector<int64_t> axes;
  if (axes_cfg != nullptr && axes_cfg->is_number_integer()) {
    axes = {axes_cfg->get<int64_t>(), axes_cfg->get<int64_t>()};
  } else {
    TFPORT_ASSIGN_OR_RETURN(axes, call.get_ints("axes", 2));
  }
  TFPORT_ASSIGN_OR_RETURN(bool normalize, call.get_bool("normalize", false));
  if (x.rank() != y.rank() || x.rank() < 2 || x.rank() > 3) {
    return call.unimplemented("Dot of inputs of ranks " + std::to_string(x.rank()) + " and " + std::to_string(y.rank()));
  }
  const int r = x.rank();
  for (int64_t& a : axes) {
    if (a < -r || a >= r) return call.field_error("axes", "out of range for inputs of rank " + std::to_string(r));
    a = (a + r) % r;
    if (a == 0) return call.field_error("axes", "cannot contract the batch axis");
  }
  Emitter& e = call.emit;

  if (normalize) {
    TFPORT_ASSIGN_OR_RETURN(x, e.l2_normalize(x, {axes[0]}));
    TFPORT_ASSIGN_OR_RETURN(y, e.l2_normalize(y, {axes[1]}));
  }
  if (r == 2) {
    TFPORT_ASSIGN_OR_RETURN(Value prod, e.binary("Mul", x, y));
    TFPORT_ASSIGN_OR_RETURN(Value sum, e.reduce("Sum", prod, {1}, true));
    return one(sum);
  }
  // [B, n, d] x [B, d, m]
  if (axes[0] == 1) {
    TFPORT_ASSIGN_OR_RETURN(x, e.transpose(x, {0, 2, 1}));
  }
  if (axes[1] == 2) {
    TFPORT_ASSIGN_OR_RETURN(y, e.transpose(y, {0, 2, 1}));
  }
  if (x.dim(2) >= 0 && y.dim(1) >= 0 && x.dim(2) != y.dim(1)) {
    return call.error("contracted dims differ: " + std::to_string(x.dim(2)) + " and " + std::to_string(y.dim(1)));
  }
  TFPORT_ASSIGN_OR_RETURN(Value out, e.op("BatchMatMulV2", {x.ep, y.ep}, {{"T", attr_type(x.dtype)}, {"adj_x", attr_bool(false)},
                                                                         {"adj_y", attr_bool(false)}},
                                          x.dtype, {x.dim(0), x.dim(1), y.dim(2)}));
  return one(out);
}

}  // namespace

void add_merge_layers(LayerTable& t) {
  t.lower["Dot"] = &lower_dot;
  t.lower["Add"] = &lower_fold<kAdd>;
  t.lower["Multiply"] = &lower_fold<kMul>;
  t.lower["Maximum"] = &lower_fold<kMax>;
  t.lower["Minimum"] = &lower_fold<kMin>;
  t.lower["Subtract"] = &lower_subtract;
  t.lower["Average"] = &lower_average;
  t.lower["Concatenate"] = &lower_concatenate;
}

}  // namespace tfport::graph::keras
