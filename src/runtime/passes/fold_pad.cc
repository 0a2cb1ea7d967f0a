#include "runtime/passes/fold_pad.h"

#include <string>
#include <vector>

#include "runtime/passes/pass_util.h"

namespace tfport::runtime::passes {
namespace {

using graph::Graph;
using graph::Node;

bool is_conv2d(const std::string& op) {
  return op == "Conv2D" || op == "DepthwiseConv2dNative" || op == "_FusedConv2D" ||
         op == "_FusedDepthwiseConv2dNative";
}

std::string attr_s(const Node& n, const char* key) {
  auto it = n.attrs.find(key);
  return it == n.attrs.end() ? std::string() : it->second.s();
}

// [[0,0],[t,b],[l,r],[0,0]] from the Pad's paddings Const (int32 or int64), or false.
bool spatial_pads(const Graph& g, const Node& pad, std::vector<int64_t>* pads) {
  if (pad.inputs.size() < 2 || !is_const(g, pad.inputs[1].node)) return false;
  if (pad.op == "PadV2") {
    if (pad.inputs.size() != 3 || !is_const(g, pad.inputs[2].node)) return false;
    auto v = const_value(g.node(pad.inputs[2].node));
    if (!v.ok() || v->dtype() != DType::kFloat || v->num_elements() != 1 || v->data<float>()[0] != 0.0f) return false;
  } else if (pad.op != "Pad" || pad.inputs.size() != 2) {
    return false;
  }
  auto p = const_value(g.node(pad.inputs[1].node));
  if (!p.ok() || p->shape() != Shape{4, 2}) return false;
  pads->clear();
  for (int i = 0; i < 8; ++i) {
    if (p->dtype() == DType::kInt32) pads->push_back(p->data<int32_t>()[i]);
    else if (p->dtype() == DType::kInt64) pads->push_back(p->data<int64_t>()[i]);
    else return false;
  }
  for (int64_t v : *pads) {
    if (v < 0 || v > (1 << 20)) return false;
  }
  return (*pads)[0] == 0 && (*pads)[1] == 0 && (*pads)[6] == 0 && (*pads)[7] == 0;
}

}  // namespace

StatusOr<int> fold_pad(Graph& g, const std::unordered_set<int>& keep) {
  Consumers consumers(g);
  int folded = 0;
  for (int id = 0; id < g.num_nodes(); ++id) {
    const Node& pad = g.node(id);
    if (pad.removed || keep.count(id) || (pad.op != "Pad" && pad.op != "PadV2") || !is_float_op(pad)) continue;
    if (!pad.control_inputs.empty() || consumers.control[static_cast<size_t>(id)] != 0) continue;
    std::vector<int64_t> pads;
    if (!spatial_pads(g, pad, &pads)) continue;
    const auto& uses = consumers.data[static_cast<size_t>(id)];
    bool all_convs = !uses.empty();
    for (const Use& u : uses) {
      const Node& c = g.node(u.node);
      all_convs = all_convs && u.input == 0 && is_conv2d(c.op) && attr_s(c, "padding") == "VALID" &&
                  (attr_s(c, "data_format").empty() || attr_s(c, "data_format") == "NHWC");
    }
    if (!all_convs) continue;
    const graph::Endpoint source = pad.inputs[0];
    for (const Use& u : uses) {
      Node& c = g.mutable_node(u.node);
      c.inputs[0] = source;
      c.attrs["padding"].set_s("EXPLICIT");
      auto* list = c.attrs["explicit_paddings"].mutable_list();
      list->clear_i();
      for (int64_t v : pads) list->add_i(v);
    }
    g.remove_node(id);
    ++folded;
  }
  return folded;
}

}  // namespace tfport::runtime::passes
