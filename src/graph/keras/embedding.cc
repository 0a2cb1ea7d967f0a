// Embedding: a row lookup (GatherV2) into the embeddings matrix; float ids are cast to int32
// first, as Keras does. mask_zero attaches the mask ids != 0.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

StatusOr<std::vector<Value>> lower_embedding(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(int64_t input_dim, call.get_int("input_dim", -1));
  TFPORT_ASSIGN_OR_RETURN(int64_t output_dim, call.get_int("output_dim", -1));
  TFPORT_ASSIGN_OR_RETURN(Tensor table, call.weight(0, {input_dim, output_dim}));
  if (table.shape().rank() != 2) return call.error("embeddings weight is not a matrix: " + table.description());
  Emitter& e = call.emit;
  if (x.dtype != DType::kInt32 && x.dtype != DType::kInt64) {
    TFPORT_ASSIGN_OR_RETURN(x, e.cast(x, DType::kInt32));
  }
  TFPORT_ASSIGN_OR_RETURN(Value t, e.const_value("embeddings", table, table.shape().dims()));
  TFPORT_ASSIGN_OR_RETURN(Endpoint axis, e.int32_scalar("axis", 0));
  std::vector<int64_t> shape = x.shape;
  shape.push_back(table.shape().dim(1));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.op("GatherV2", {t.ep, x.ep, axis},
                                        {{"Tparams", attr_type(DType::kFloat)},
                                         {"Tindices", attr_type(x.dtype)},
                                         {"Taxis", attr_type(DType::kInt32)},
                                         {"batch_dims", attr_int(0)}},
                                        DType::kFloat, shape));
  TFPORT_ASSIGN_OR_RETURN(bool mask_zero, call.get_bool("mask_zero", false));
  if (mask_zero) {
    // Keras: id 0 is padding; the mask marks the other positions for downstream RNNs.
    TFPORT_ASSIGN_OR_RETURN(Endpoint zero, x.dtype == DType::kInt64 ? e.constant("zero", Tensor::from_vector<int64_t>(DType::kInt64, Shape{}, {0}))
                                                                    : e.int32_scalar("zero", 0));
    TFPORT_ASSIGN_OR_RETURN(Value m, e.op("NotEqual", {x.ep, zero}, {{"T", attr_type(x.dtype)}}, DType::kBool, x.shape));
    y.mask_node = m.ep.node;
  }
  return one(y);
}

}  // namespace

void add_embedding_layers(LayerTable& t) { t.lower["Embedding"] = &lower_embedding; }

}  // namespace tfport::graph::keras
