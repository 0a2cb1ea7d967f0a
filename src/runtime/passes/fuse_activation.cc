#include "runtime/passes/fuse_activation.h"

#include "runtime/passes/pass_util.h"

namespace tfport::runtime::passes {
namespace {

using graph::Graph;
using graph::Node;

bool fusable_activation(const Node& n) {
  if (!is_float_op(n) || n.inputs.size() != 1 || !n.control_inputs.empty()) return false;
  if (n.op == "Relu" || n.op == "Relu6") return true;
  if (n.op == "LeakyRelu") {
    auto it = n.attrs.find("alpha");
    const float alpha = it == n.attrs.end() ? 0.2f : it->second.f();
    return alpha >= 0.0f && alpha <= 1.0f;  // max(x, alpha * x) == oneDNN's relu with alpha
  }
  return false;
}

// The conv's output channel count from its filter, or -1 when the filter is not a Const.
int64_t out_channels(const Graph& g, const Node& conv, bool depthwise) {
  if (conv.inputs.size() < 2 || !is_const(g, conv.inputs[1].node)) return -1;
  Shape shape;
  if (!const_shape(g.node(conv.inputs[1].node), &shape) || shape.rank() != 4) return -1;
  return depthwise ? shape.dim(2) * shape.dim(3) : shape.dim(3);
}

}  // namespace

StatusOr<int> fuse_activation(Graph& g, const std::unordered_set<int>& keep) {
  Consumers consumers(g);
  int fused = 0;
  const int n = g.num_nodes();
  for (int id = 0; id < n; ++id) {
    const Node& conv = g.node(id);
    if (conv.removed) continue;
    const bool plain = conv.op == "Conv2D" || conv.op == "DepthwiseConv2dNative";
    const bool with_bias = conv.op == "_FusedConv2D" || conv.op == "_FusedDepthwiseConv2dNative";
    if ((!plain && !with_bias) || keep.count(id) || !is_float_op(conv)) continue;
    if (with_bias) {
      auto it = conv.attrs.find("fused_ops");
      if (it == conv.attrs.end() || it->second.list().s_size() != 1 || it->second.list().s(0) != "BiasAdd") continue;
    }
    Use use;
    if (!consumers.single_data_use(id, &use) || g.node(id).inputs.empty()) continue;
    if (g.node(use.node).inputs[0].index != 0 || !fusable_activation(g.node(use.node))) continue;
    const bool depthwise = conv.op.find("Depthwise") != std::string::npos;
    const int64_t channels = plain ? out_channels(g, conv, depthwise) : 0;
    if (plain && channels <= 0) continue;
    Consumers::Before target_before = Consumers::before(g, use.node);
    Consumers::Before conv_before = Consumers::before(g, id);
    // The conv is removed below, so the fused node takes its inputs and attributes.
    Node fused_node;
    {
      Node& c = g.mutable_node(id);
      fused_node.op = std::move(c.op);
      fused_node.inputs = std::move(c.inputs);
      fused_node.attrs = std::move(c.attrs);
      fused_node.value = std::move(c.value);
      fused_node.control_inputs = std::move(c.control_inputs);
    }
    if (plain) {
      TFPORT_ASSIGN_OR_RETURN(Tensor zeros, Tensor::allocate(DType::kFloat, Shape{channels}));
      TFPORT_ASSIGN_OR_RETURN(int bias, add_const(g, g.node(use.node).name + "/zero_bias", zeros));
      fused_node.inputs.push_back(graph::Endpoint{bias, 0});
      fused_node.op = depthwise ? "_FusedDepthwiseConv2dNative" : "_FusedConv2D";
      fused_node.attrs["num_args"].set_i(1);
    }
    const Node& act = g.node(use.node);
    tensorflow::AttrValue ops;
    ops.mutable_list()->add_s("BiasAdd");
    ops.mutable_list()->add_s(act.op);
    fused_node.attrs["fused_ops"] = ops;
    if (act.op == "LeakyRelu") {
      auto it = act.attrs.find("alpha");
      fused_node.attrs["leakyrelu_alpha"].set_f(it == act.attrs.end() ? 0.2f : it->second.f());
    }
    Node& target = g.mutable_node(use.node);
    fused_node.name = target.name;
    target = std::move(fused_node);
    g.remove_node(id);
    ++fused;
    consumers.update(g, target_before);
    consumers.update(g, conv_before);
  }
  return fused;
}

}  // namespace tfport::runtime::passes
