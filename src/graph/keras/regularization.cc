// Layers that only act while training (dropout, noise, activity regularization) pass their
// input through at inference; Masking zeroes the time steps it masks.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
StatusOr<std::vector<Value>> lower_pass_through(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  return one(x);
}

namespace {

StatusOr<std::vector<Value>> lower_masking(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(double mask_value, call.get_float("mask_value", 0.0));
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(Endpoint m, e.scalar("mask_value", static_cast<float>(mask_value)));
  TFPORT_ASSIGN_OR_RETURN(Value ne, e.op("NotEqual", {x.ep, m},
                                         {{"T", attr_type(x.dtype)}, {"incompatible_shape_error", attr_bool(true)}},
                                         DType::kBool, x.shape));
  TFPORT_ASSIGN_OR_RETURN(Value nf, e.cast(ne, x.dtype));
  // any() over the features = max of the 0/1 values.
  TFPORT_ASSIGN_OR_RETURN(Endpoint axis, e.int32s("axes", {-1}));
  std::vector<int64_t> kept = x.shape;
  kept.back() = 1;
  TFPORT_ASSIGN_OR_RETURN(Value keep, e.op("Max", {nf.ep, axis},
                                           {{"T", attr_type(x.dtype)}, {"Tidx", attr_type(DType::kInt32)}, {"keep_dims", attr_bool(true)}},
                                           x.dtype, kept));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.binary("Mul", x, keep));
  return one(y);
}

}  // namespace

void add_regularization_layers(LayerTable& t) {
  for (const char* name : {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                           "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity"}) {
    t.lower[name] = &lower_pass_through;
  }
  t.lower["Masking"] = &lower_masking;
}

}  // namespace tfport::graph::keras
