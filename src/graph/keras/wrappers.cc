// TimeDistributed: the wrapped layer applied to every time step, by folding time into the
// batch, lowering the inner layer once, and unfolding.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

StatusOr<std::vector<Value>> lower_time_distributed(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() < 3) return call.error("expects an input of rank >= 3, got " + shape_text(x.shape));
  const json* inner = call.get("layer");
  if (!inner || !inner->is_object()) return call.field_error("layer", "missing the wrapped layer");
  auto cn = inner->find("class_name");
  auto cfg = inner->find("config");
  if (cn == inner->end() || !cn->is_string() || cfg == inner->end() || !cfg->is_object()) {
    return call.field_error("layer", "expected {\"class_name\", \"config\"}");
  }
  Emitter& e = call.emit;
  std::vector<int64_t> fold{-1};
  for (int i = 2; i < x.rank(); ++i) fold.push_back(x.dim(i) >= 0 ? x.dim(i) : Emitter::kKeepDim);
  bool rest_known = true;
  for (int i = 2; i < x.rank(); ++i) rest_known = rest_known && x.dim(i) >= 0;
  if (!rest_known) return call.error("needs the per-step dims of " + shape_text(x.shape) + " to be known");
  TFPORT_ASSIGN_OR_RETURN(Value folded, e.reshape(x, fold));
  folded.shape[0] = -1;

  LayerCall in = call;
  in.class_name = cn->get<std::string>();
  auto name = cfg->find("name");
  in.name = name != cfg->end() && name->is_string() ? name->get<std::string>() : in.class_name;
  in.config = &*cfg;
  in.inputs = {folded};
  in.emit = e.child(in.name);
  TFPORT_ASSIGN_OR_RETURN(std::vector<Value> out, lower_layer(in));
  if (out.size() != 1) return call.error("the wrapped layer must return one tensor");
  const Value& y = out[0];
  Value result;
  if (x.dim(1) >= 0) {
    std::vector<int64_t> unfold{-1, x.dim(1)};
    for (int i = 1; i < y.rank(); ++i) {
      if (y.dim(i) < 0) return call.error("the wrapped layer's output dims " + shape_text(y.shape) + " are unknown");
      unfold.push_back(y.dim(i));
    }
    TFPORT_ASSIGN_OR_RETURN(result, e.reshape(y, unfold));
  } else {
    // Unknown time length: the target shape is [batch, time] of x at run time + the step dims.
    std::vector<int64_t> step;
    for (int i = 1; i < y.rank(); ++i) {
      if (y.dim(i) < 0) return call.error("the wrapped layer's output dims " + shape_text(y.shape) + " are unknown");
      step.push_back(y.dim(i));
    }
    TFPORT_ASSIGN_OR_RETURN(Endpoint lead, e.shape_dims(x, 0, 2));
    TFPORT_ASSIGN_OR_RETURN(Endpoint rest, e.int32s("step_shape", step));
    TFPORT_ASSIGN_OR_RETURN(Endpoint shape, e.concat_int32(lead, rest));
    std::vector<int64_t> out_shape{-1, -1};
    out_shape.insert(out_shape.end(), step.begin(), step.end());
    TFPORT_ASSIGN_OR_RETURN(result, e.op("Reshape", {y.ep, shape},
                                         {{"T", attr_type(y.dtype)}, {"Tshape", attr_type(DType::kInt32)}}, y.dtype,
                                         out_shape));
  }
  result.shape[0] = x.dim(0);
  return one(result);
}

}  // namespace

void add_wrapper_layers(LayerTable& t) { t.lower["TimeDistributed"] = &lower_time_distributed; }

}  // namespace tfport::graph::keras
