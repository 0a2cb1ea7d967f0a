// Dense: y = act(x · kernel + bias) over the last axis of inputs of any rank; EinsumDense:
// y = act(einsum(equation, x, kernel) + bias).
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

StatusOr<std::vector<Value>> lower_dense(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() < 2) return call.error("expects an input of rank >= 2, got " + shape_text(x.shape));
  // Keras 1 called it output_dim.
  TFPORT_ASSIGN_OR_RETURN(int64_t units, call.get_int("output_dim", -1));
  TFPORT_ASSIGN_OR_RETURN(units, call.get_int("units", units));
  if (units <= 0) return call.field_error("units", "missing or not positive");
  TFPORT_ASSIGN_OR_RETURN(bool use_bias, call.get_bool("use_bias", true));
  // Keras 1 bias flag.
  TFPORT_ASSIGN_OR_RETURN(use_bias, call.get_bool("bias", use_bias));
  const int64_t in = x.dim(-1);
  TFPORT_ASSIGN_OR_RETURN(Tensor kernel, call.weight(0, {in, units}));
  Emitter& e = call.emit;
  // Dense casts non-float inputs to its compute dtype.
  TFPORT_ASSIGN_OR_RETURN(x, e.cast(x, DType::kFloat));
  TFPORT_ASSIGN_OR_RETURN(Value w, e.const_value("kernel", kernel, kernel.shape().dims()));
  const int64_t k = kernel.shape().dim(0);

  Value y;
  auto matmul = [&](const Value& a) {
    return e.op("MatMul", {a.ep, w.ep},
                {{"T", attr_type(DType::kFloat)}, {"transpose_a", attr_bool(false)}, {"transpose_b", attr_bool(false)}},
                DType::kFloat, {a.dim(0), units});
  };
  if (x.rank() == 2) {
    TFPORT_ASSIGN_OR_RETURN(y, matmul(x));
  } else {
    // Fold the leading dims into rows, multiply, and unfold: one GEMM instead of a batch.
    TFPORT_ASSIGN_OR_RETURN(Value flat, e.reshape(x, {-1, k}));
    TFPORT_ASSIGN_OR_RETURN(Value m, matmul(flat));
    std::vector<int64_t> dims;
    for (int i = 0; i < x.rank() - 1; ++i) dims.push_back(i == 0 ? -1 : (x.dim(i) >= 0 ? x.dim(i) : Emitter::kKeepDim));
    dims.push_back(units);
    if (!x.inner_known()) {
      for (int i = 0; i < x.rank() - 1; ++i) dims[static_cast<size_t>(i)] = Emitter::kKeepDim;
      // The runtime shape comes from x; the result differs only in the last dim.
      TFPORT_ASSIGN_OR_RETURN(Endpoint xs, e.shape_of(x));
      TFPORT_ASSIGN_OR_RETURN(Endpoint b, e.int32s("begin", {0}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint en, e.int32s("end", {-1}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint st, e.int32s("strides", {1}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint lead, e.add("StridedSlice", "StridedSlice", {xs, b, en, st},
                                                   {{"T", attr_type(DType::kInt32)},
                                                    {"Index", attr_type(DType::kInt32)},
                                                    {"begin_mask", attr_int(0)},
                                                    {"end_mask", attr_int(0)},
                                                    {"ellipsis_mask", attr_int(0)},
                                                    {"new_axis_mask", attr_int(0)},
                                                    {"shrink_axis_mask", attr_int(0)}}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint u, e.int32s("units", {units}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint axis, e.int32_scalar("axis", 0));
      TFPORT_ASSIGN_OR_RETURN(Endpoint shape, e.add("ConcatV2", "ConcatV2", {lead, u, axis},
                                                    {{"T", attr_type(DType::kInt32)},
                                                     {"N", attr_int(2)},
                                                     {"Tidx", attr_type(DType::kInt32)}}));
      std::vector<int64_t> out_shape = x.shape;
      out_shape.back() = units;
      TFPORT_ASSIGN_OR_RETURN(y, e.op("Reshape", {m.ep, shape},
                                      {{"T", attr_type(DType::kFloat)}, {"Tshape", attr_type(DType::kInt32)}},
                                      DType::kFloat, out_shape));
    } else {
      TFPORT_ASSIGN_OR_RETURN(y, e.reshape(m, dims));
      y.shape[0] = x.dim(0);
    }
  }
  if (use_bias) {
    TFPORT_ASSIGN_OR_RETURN(Tensor bias, call.weight(1, {units}));
    TFPORT_ASSIGN_OR_RETURN(Value b, e.const_value("bias", bias, {units}));
    TFPORT_ASSIGN_OR_RETURN(y, e.op("BiasAdd", {y.ep, b.ep},
                                    {{"T", attr_type(DType::kFloat)}, {"data_format", attr_string("NHWC")}},
                                    DType::kFloat, y.shape));
  }
  TFPORT_ASSIGN_OR_RETURN(y, apply_layer_activation(call, y));
  return one(y);
}

StatusOr<std::vector<Value>> lower_einsum_dense(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(std::string equation, call.get_string("equation", ""));
  TFPORT_ASSIGN_OR_RETURN(std::string bias_axes, call.get_string("bias_axes", ""));
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(x, e.cast(x, DType::kFloat));
  TFPORT_ASSIGN_OR_RETURN(Tensor kernel, call.weight(0));
  auto shape = einsum_shape(equation, {x.shape, kernel.shape().dims()});
  if (!shape.ok()) return call.field_error("equation", shape.status().message());
  TFPORT_ASSIGN_OR_RETURN(Value w, e.const_value("kernel", kernel, kernel.shape().dims()));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.op("Einsum", {x.ep, w.ep},
                                        {{"equation", attr_string(equation)}, {"N", attr_int(2)},
                                         {"T", attr_type(DType::kFloat)}},
                                        DType::kFloat, *shape));
  if (!bias_axes.empty()) {
    // Stored in the shape that broadcasts against the output's trailing dims.
    TFPORT_ASSIGN_OR_RETURN(Tensor bias, call.weight(1));
    TFPORT_ASSIGN_OR_RETURN(Value b, e.const_value("bias", bias, bias.shape().dims()));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("AddV2", y, b));
  }
  TFPORT_ASSIGN_OR_RETURN(y, apply_layer_activation(call, y));
  return one(y);
}

}  // namespace

void add_dense_layers(LayerTable& t) {
  t.lower["Dense"] = &lower_dense;
  t.lower["EinsumDense"] = &lower_einsum_dense;
}

}  // namespace tfport::graph::keras
